// The steady-state hypothesis (ctk-spec §2, §10 step 8).
#include <string>

#include "validate/internal.h"

namespace chaosrun::validate::internal {

void CheckHypothesis(Context& ctx, const Json& hypothesis, const std::string& pointer) {
  if (!hypothesis.is_object()) {
    ctx.Error(pointer, "the steady-state hypothesis must be a mapping with a title and probes");
    return;
  }
  static constexpr std::string_view kHypothesisKeys[] = {"title", "probes", "controls"};
  CheckLikelyTypos(ctx, hypothesis, pointer, kHypothesisKeys);
  const Json* title = Member(hypothesis, "title");
  if (IsBlank(title)) {
    ctx.Error(PointerAppend(pointer, "title"), "hypothesis requires a title");
  } else if (!title->is_string()) {
    ctx.Error(PointerAppend(pointer, "title"), "hypothesis title must be a string");
  }

  const Json* probes = Member(hypothesis, "probes");
  if (probes != nullptr && !probes->is_null()) {
    const std::string probes_ptr = PointerAppend(pointer, "probes");
    if (!probes->is_array()) {
      ctx.Error(probes_ptr, "hypothesis probes must be a list of probes");
    } else {
      for (size_t i = 0; i < probes->size(); ++i) {
        const Json& probe = (*probes)[i];
        const std::string ptr = PointerAppend(probes_ptr, i);
        CheckActivity(ctx, probe, ptr, Place::kHypothesis);
        if (!probe.is_object() || probe.empty()) continue;  // already reported
        if (StringMember(probe, "type") == "action") {
          ctx.Warn(PointerAppend(ptr, "type"),
                   "a steady-state hypothesis activity should be a probe, not an action");
        }
        const Json* tolerance = Member(probe, "tolerance");
        if (tolerance == nullptr) {
          ctx.Error(PointerAppend(ptr, "tolerance"),
                    "hypothesis probe must have a tolerance entry");
        } else {
          CheckTolerance(ctx, *tolerance, PointerAppend(ptr, "tolerance"));
        }
      }
    }
  }

  if (const Json* controls = Member(hypothesis, "controls"); controls != nullptr) {
    CheckControls(ctx, *controls, PointerAppend(pointer, "controls"), false);
  }
}

}  // namespace chaosrun::validate::internal
