// chaosrun's safety additions to the format: `blast-radius` and `safeguards`.
#include <string>

#include "guard/policy.h"
#include "validate/internal.h"

namespace chaosrun::validate::internal {

void CheckBlastRadius(Context& ctx, const Json& doc) {
  const Json* br = Member(doc, "blast-radius");
  if (br == nullptr) return;
  for (auto& [pointer, message] : guard::CheckPolicyJson(*br, "/blast-radius")) {
    ctx.Error(pointer, message);
  }
}

namespace {

void CheckSafeguardProbes(Context& ctx, const Json& probes, const std::string& pointer) {
  if (!probes.is_array() || probes.empty()) {
    ctx.Error(pointer, "safeguards need a non-empty list of probes");
    return;
  }
  for (size_t i = 0; i < probes.size(); ++i) {
    const Json& probe = probes[i];
    const std::string ptr = PointerAppend(pointer, i);
    CheckActivity(ctx, probe, ptr, Place::kHypothesis);
    if (!probe.is_object() || probe.empty()) continue;
    if (StringMember(probe, "type") != "probe" && !Member(probe, "ref")) {
      ctx.Error(PointerAppend(ptr, "type"), "a safeguard must be a probe");
    }
    const Json* tolerance = Member(probe, "tolerance");
    if (tolerance == nullptr) {
      if (!Member(probe, "ref")) {
        ctx.Error(PointerAppend(ptr, "tolerance"), "a safeguard probe must have a tolerance");
      }
    } else {
      CheckTolerance(ctx, *tolerance, PointerAppend(ptr, "tolerance"));
    }
  }
}

}  // namespace

void CheckSafeguards(Context& ctx, const Json& doc) {
  const Json* sg = Member(doc, "safeguards");
  if (sg == nullptr) return;
  if (sg->is_array()) {
    CheckSafeguardProbes(ctx, *sg, "/safeguards");
    return;
  }
  if (!sg->is_object()) {
    ctx.Error("/safeguards",
              "safeguards must be a list of probes or {\"frequency\": seconds, \"probes\": [...]}");
    return;
  }
  for (const auto& [key, value] : sg->items()) {
    if (key == "probes") {
      CheckSafeguardProbes(ctx, value, "/safeguards/probes");
    } else if (key == "frequency") {
      if (!value.is_number() || value.is_boolean() || value.get<double>() <= 0) {
        ctx.Error("/safeguards/frequency", "frequency must be a positive number of seconds");
      }
    } else {
      ctx.Error(PointerAppend("/safeguards", key),
                "unknown safeguards key '" + key + "' (allowed: frequency, probes)");
    }
  }
  if (!sg->contains("probes")) ctx.Error("/safeguards/probes", "safeguards need probes");
}

}  // namespace chaosrun::validate::internal
