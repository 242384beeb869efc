#include "engine/hypothesis.h"

#include "common/log.h"
#include "common/no_throw.h"
#include "engine/activity.h"
#include "tolerance/tolerance.h"

namespace chaosrun::engine {

namespace {

// Runs a `{type: probe}` tolerance with `value` injected (no pauses, controls or journal
// record), with the run's configuration and secrets and, for a python provider, the run's bridge
// (ctk-spec §5.2): the one runner for every provider type.
tolerance::ProbeRunner MakeProbeRunner(RunContext& ctx) {
  return [&ctx](const Json& activity) -> std::optional<Json> {
    const Json* provider = Member(activity, "provider");
    if (provider == nullptr) return std::nullopt;
    providers::Context pctx{ctx.token(), ctx.python, &ctx.scope.configuration(),
                            &ctx.scope.secrets()};
    auto out = ctx.dispatcher().Run(activity, SubstituteProvider(*provider, ctx.scope), pctx);
    if (out.kind != providers::Outcome::Kind::kSucceeded) {
      if (!out.error.empty()) log::Warn("the tolerance probe failed: {}", out.error);
      return std::nullopt;
    }
    return out.output;
  };
}

}  // namespace

bool HasHypothesis(const Json& experiment) {
  const Json* ssh = Member(experiment, "steady-state-hypothesis");
  if (ssh == nullptr || !ssh->is_object()) return false;
  const Json* probes = Member(*ssh, "probes");
  return probes != nullptr && probes->is_array() && !probes->empty();
}

HypothesisResult RunHypothesis(const Json& hypothesis, RunContext& ctx, Phase phase) {
  HypothesisResult result;
  result.state = Json::object();
  result.state["steady_state_met"] = nullptr;
  result.state["probes"] = Json::array();
  const Json* probes = Member(hypothesis, "probes");
  bool met = true;
  auto probe_runner = MakeProbeRunner(ctx);
  if (probes != nullptr && probes->is_array()) {
    for (const Json& raw : *probes) {
      auto resolved = ResolveRef(raw, ctx.experiment);
      if (!resolved) {
        log::Error("hypothesis probe: {}", resolved.error().message());
        result.errored = true;
        met = false;
        break;
      }
      bool interrupted = false;
      Json record = RunActivity(*resolved, ctx, &interrupted, phase);
      if (interrupted) {
        result.interrupted = true;
        result.state["probes"].push_back(std::move(record));
        met = false;
        break;
      }
      bool succeeded = record.value("status", "") == "succeeded";
      tolerance::Verdict verdict;
      if (!succeeded) {
        result.errored = true;
        verdict.met = false;
        verdict.reason = "the probe failed";
      } else if (SkipsTolerance(ctx.dry)) {
        verdict.met = true;
      } else {
        const Json* tol = Member(*resolved, "tolerance");
        verdict = tolerance::Evaluate(tol ? *tol : Json(nullptr), record["output"], ctx.scope,
                                      probe_runner);
      }
      record["tolerance_met"] = verdict.met;
      if (!verdict.met && !verdict.reason.empty()) record["tolerance_reason"] = verdict.reason;
      ctx.observer().OnActivityFinished(phase, record);
      result.state["probes"].push_back(std::move(record));
      if (!verdict.met) {
        met = false;
        break;
      }
    }
  }
  result.met = met && !result.interrupted;
  result.state["steady_state_met"] = result.met;
  return result;
}

ContinuousHypothesis::ContinuousHypothesis(const Json& hypothesis, RunContext& ctx, Options options,
                                           std::function<void(const Json&)> sink)
    : hypothesis_(hypothesis), ctx_(ctx), options_(options), sink_(std::move(sink)) {}

ContinuousHypothesis::~ContinuousHypothesis() { Stop(); }

void ContinuousHypothesis::Start() {
  thread_ = std::thread([this] {
    if (!NoThrow("the continuous hypothesis", [this] { Loop(); })) {
      ctx_.Abort("internal error in the continuous hypothesis");
    }
  });
}

void ContinuousHypothesis::Stop() {
  stop_.Cancel("method finished");
  if (thread_.joinable()) thread_.join();
}

void ContinuousHypothesis::Loop() {
  int iterations = 0;
  int failures = 0;
  while (!stop_.cancelled()) {
    RunStatus st = ctx_.status();
    if (st == RunStatus::kFailed || st == RunStatus::kInterrupted || st == RunStatus::kAborted) {
      break;
    }
    HypothesisResult r = RunHypothesis(hypothesis_, ctx_, Phase::kHypothesisDuring);
    ++iterations;
    bool stop = r.interrupted;
    if (!r.met && !r.interrupted) {
      ++failures;
      double ratio = 100.0 * failures / iterations;
      if (options_.fail_fast && ratio >= options_.fail_fast_ratio) {
        log::Error("steady state deviated during the method; failing fast");
        // The status changes before observers hear of the deviation, so whoever reacts to the
        // event already sees the run as failed.
        RunStatus cur = ctx_.status();
        if (cur == RunStatus::kNone || cur == RunStatus::kCompleted) {
          ctx_.set_status(RunStatus::kFailed);
        }
        stop = true;
      } else {
        // The console says it once (ConsoleObserver); a line per check only at debug.
        log::Debug("steady state deviated during the method (iteration {})", iterations);
      }
    }
    sink_(r.state);
    ctx_.observer().OnHypothesisFinished(Phase::kHypothesisDuring, r.state);
    if (stop) break;
    // Sleep between iterations; the stop token ends the wait early.
    ctx_.clock().SleepFor(SecondsToDuration(options_.frequency_seconds), stop_.token());
  }
}

}  // namespace chaosrun::engine
