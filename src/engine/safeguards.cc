#include "engine/safeguards.h"

#include "common/log.h"
#include "common/no_throw.h"
#include "engine/hypothesis.h"

namespace chaosrun::engine {

SafeguardSpec ParseSafeguards(const Json& experiment) {
  SafeguardSpec spec;
  if (!experiment.is_object()) return spec;
  auto it = experiment.find("safeguards");
  if (it == experiment.end()) return spec;
  if (it->is_array()) {
    spec.probes = *it;
  } else if (it->is_object()) {
    if (it->contains("probes") && (*it)["probes"].is_array()) spec.probes = (*it)["probes"];
    if (it->contains("frequency") && (*it)["frequency"].is_number()) {
      spec.frequency_seconds = (*it)["frequency"].get<double>();
    }
  }
  return spec;
}

SafeguardMonitor::SafeguardMonitor(SafeguardSpec spec, RunContext& ctx, Check extra_check,
                                   std::function<void(const Json&)> sink)
    : spec_(std::move(spec)),
      ctx_(ctx),
      extra_check_(std::move(extra_check)),
      sink_(std::move(sink)) {}

SafeguardMonitor::~SafeguardMonitor() { Stop(); }

std::optional<std::string> SafeguardMonitor::CheckOnce() {
  if (extra_check_) {
    if (auto reason = extra_check_()) return reason;
  }
  if (spec_.empty()) return std::nullopt;
  Json hypothesis = {{"title", "safeguards"}, {"probes", spec_.probes}};
  HypothesisResult r = RunHypothesis(hypothesis, ctx_, Phase::kSafeguards);
  if (sink_) sink_(r.state);
  if (r.interrupted || r.met) return std::nullopt;
  std::string which = "?";
  if (!r.state["probes"].empty()) {
    which = r.state["probes"].back()["activity"].value("name", "?");
  }
  return "safeguard '" + which + "' failed" + (r.errored ? " (the probe errored)" : "");
}

void SafeguardMonitor::Start() {
  thread_ = std::thread([this] {
    if (!NoThrow("the safeguards", [this] { Loop(); })) {
      ctx_.Abort("internal error in the safeguards");
    }
  });
}

void SafeguardMonitor::Stop() {
  stop_.Cancel("method finished");
  if (thread_.joinable()) thread_.join();
}

std::string SafeguardMonitor::failure() const {
  std::lock_guard lock(mu_);
  return failure_;
}

void SafeguardMonitor::Loop() {
  double freq = spec_.frequency_seconds > 0 ? spec_.frequency_seconds : 1.0;
  while (ctx_.clock().SleepFor(SecondsToDuration(freq), stop_.token())) {
    if (ctx_.interrupted()) return;
    if (auto reason = CheckOnce()) {
      {
        std::lock_guard lock(mu_);
        failure_ = *reason;
      }
      log::Error("{}: stopping the experiment and undoing every fault", *reason);
      ctx_.Interrupt(InterruptKind::kOther, *reason);
      return;
    }
  }
}

}  // namespace chaosrun::engine
