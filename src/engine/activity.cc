#include "engine/activity.h"

#include <charconv>
#include <cstdlib>

#include "common/log.h"
#include "engine/controls.h"

namespace chaosrun::engine {

namespace {

std::optional<double> AsSeconds(const Json& v) {
  if (v.is_number()) return v.get<double>();
  if (v.is_string()) {
    const std::string& s = v.get_ref<const std::string&>();
    char* end = nullptr;
    double d = std::strtod(s.c_str(), &end);
    if (end != s.c_str() && *end == '\0') return d;
  }
  return std::nullopt;
}

double PauseSeconds(const Json& activity, const char* which, const subst::Scope& scope) {
  const Json* pauses = Member(activity, "pauses");
  if (pauses == nullptr) return 0;
  Json resolved = scope.empty() ? *pauses : subst::Substitute(*pauses, scope);
  const Json* v = Member(resolved, which);
  if (v == nullptr || v->is_null()) return 0;
  auto secs = AsSeconds(*v);
  if (!secs) {
    log::Warn("activity '{}': {} pause {} is not a number; not pausing", ActivityName(activity),
              which, DumpCompact(*v));
    return 0;
  }
  return *secs;
}

DryMode EffectiveDry(const Json& activity, DryMode run_dry) {
  const Json* d = Member(activity, "dry");
  if (d != nullptr && d->is_string()) {
    if (auto m = ParseDryMode(d->get<std::string>())) return *m;
  }
  return run_dry;
}

void Pause(RunContext& ctx, double seconds, Phase phase, const Json& activity,
           std::string_view which) {
  if (seconds <= 0) return;
  ctx.observer().OnPause(phase, activity, which, seconds);
  ctx.clock().SleepFor(SecondsToDuration(seconds), ctx.token());
}

}  // namespace

bool IsProbe(const Json& activity) {
  const Json* t = Member(activity, "type");
  return t != nullptr && t->is_string() && t->get<std::string>() == "probe";
}

std::string ActivityName(const Json& activity) {
  const Json* n = Member(activity, "name");
  if (n != nullptr && n->is_string()) return n->get<std::string>();
  const Json* r = Member(activity, "ref");
  if (r != nullptr && r->is_string()) return r->get<std::string>();
  return "<unnamed>";
}

Result<Json> ResolveRef(const Json& activity, const Json& experiment) {
  const Json* ref = Member(activity, "ref");
  if (ref == nullptr) return activity;
  if (!ref->is_string() || ref->get<std::string>().empty()) {
    return Err(Status::InvalidArgument("reference to activity must be non-empty strings"));
  }
  const std::string& name = ref->get_ref<const std::string&>();
  const Json* found = nullptr;
  auto scan = [&](const Json* list) {
    if (list == nullptr || !list->is_array()) return;
    for (const auto& a : *list) {
      if (Member(a, "ref") != nullptr) continue;
      const Json* n = Member(a, "name");
      if (n != nullptr && n->is_string() && n->get_ref<const std::string&>() == name) found = &a;
    }
  };
  // Rollbacks first so that the method and the hypothesis (the reference's scope) win.
  scan(Member(experiment, "rollbacks"));
  scan(Member(experiment, "method"));
  if (const Json* ssh = Member(experiment, "steady-state-hypothesis")) {
    scan(Member(*ssh, "probes"));
  }
  if (found == nullptr) {
    return Err(Status::NotFound("referenced activity '" + name +
                                "' could not be found in the experiment"));
  }
  return *found;
}

Json SubstituteProvider(const Json& provider, const subst::Scope& scope) {
  if (!provider.is_object()) return provider;
  Json out = provider;
  const Json* type = Member(provider, "type");
  bool http = type != nullptr && type->is_string() && type->get<std::string>() == "http";
  if (!scope.empty()) {
    if (auto it = out.find("arguments"); it != out.end()) *it = subst::Substitute(*it, scope);
  }
  if (http) {
    for (const char* key : {"url", "headers", "timeout"}) {
      if (auto it = out.find(key); it != out.end()) *it = subst::Substitute(*it, scope);
    }
  }
  return out;
}

Json RunActivity(const Json& activity, RunContext& ctx, bool* interrupted, Phase phase) {
  if (interrupted != nullptr) *interrupted = false;
  const Json* provider = Member(activity, "provider");
  Json substituted = provider ? SubstituteProvider(*provider, ctx.scope) : Json(nullptr);
  // Dry modes go by what runs: an activity is a probe only if it says so and its provider does
  // not change the world (a driver action in a "probe" is an action, so `--dry actions` skips
  // it). An activity's own `dry` adds to the run's mode and never takes from it: under
  // `--dry actions` and `--dry activities` no action runs, whatever the activity says.
  bool probe = IsProbe(activity) && !ctx.dispatcher().ChangesWorld(substituted);
  DryMode dry = EffectiveDry(activity, ctx.dry);
  bool skip = SkipsExecution(ctx.dry, probe) || SkipsExecution(dry, probe);
  bool skip_pauses = skip || SkipsPauses(dry, probe);

  if (ctx.controls != nullptr) ctx.controls->Before(ControlLevel::kActivity, activity);
  if (!skip_pauses)
    Pause(ctx, PauseSeconds(activity, "before", ctx.scope), phase, activity, "before");
  ctx.observer().OnActivityStarted(phase, activity, substituted, skip);

  Json record = Json::object();
  record["activity"] = activity;
  record["output"] = nullptr;
  auto start_wall = ctx.clock().WallNow();
  auto start = ctx.clock().Now();
  record["start"] = IsoTimestamp(start_wall);

  providers::Outcome outcome = providers::Outcome::Succeeded(nullptr);
  if (!skip) {
    if (ctx.token().cancelled()) {
      outcome = providers::Outcome::Interrupted();
    } else {
      providers::Context pctx{ctx.token(), ctx.python, &ctx.scope.configuration(),
                              &ctx.scope.secrets()};
      outcome = ctx.dispatcher().Run(activity, substituted, pctx);
    }
  }

  switch (outcome.kind) {
    case providers::Outcome::Kind::kSucceeded:
      record["output"] = std::move(outcome.output);
      record["status"] = "succeeded";
      break;
    case providers::Outcome::Kind::kFailed:
      record["status"] = "failed";
      record["exception"] = Json::array();
      for (std::string& line : outcome.traceback) record["exception"].push_back(std::move(line));
      record["exception"].push_back("chaoslib.exceptions.ActivityFailed: " + outcome.error + "\n");
      break;
    case providers::Outcome::Kind::kRefused:
      // Recorded as a failed activity (the reference's shape) that also says what was refused;
      // the runner aborts the run on it (RunActivities).
      record["status"] = "failed";
      record["exception"] =
          Json::array({"chaoslib.exceptions.ActivityFailed: " + outcome.error + "\n"});
      record["refusal"] = std::move(outcome.refusal);
      break;
    case providers::Outcome::Kind::kInterrupted:
      if (interrupted != nullptr) *interrupted = true;
      break;
  }
  record["end"] = IsoTimestamp(ctx.clock().WallNow());
  record["duration"] = DurationToSeconds(ctx.clock().Now() - start);

  if (!skip_pauses && outcome.kind != providers::Outcome::Kind::kInterrupted) {
    Pause(ctx, PauseSeconds(activity, "after", ctx.scope), phase, activity, "after");
  }
  if (ctx.controls != nullptr) ctx.controls->After(ControlLevel::kActivity, activity, record);
  return record;
}

}  // namespace chaosrun::engine
