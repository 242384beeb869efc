#include "engine/controls.h"

#include "common/log.h"
#include "parse/loader.h"
#include "subst/template.h"

namespace chaosrun::engine {

namespace {

// After-hooks and cleanup run whatever interrupted the run; each is bounded instead.
constexpr auto kUncancellableHookLimit = std::chrono::seconds(60);

const char* LevelName(ControlLevel level) {
  switch (level) {
    case ControlLevel::kExperiment:
      return "experiment";
    case ControlLevel::kHypothesis:
      return "hypothesis";
    case ControlLevel::kMethod:
      return "method";
    case ControlLevel::kRollback:
      return "rollback";
    case ControlLevel::kActivity:
      return "activity";
  }
  return "activity";
}

std::vector<Json> ListOf(const Json* v) {
  std::vector<Json> out;
  if (v != nullptr && v->is_array()) {
    for (const Json& c : *v) out.push_back(c);
  }
  return out;
}

bool Automatic(const Json& control) {
  const Json* a = Member(control, "automatic");
  return a == nullptr || Truthy(*a);
}

std::string NameOf(const Json& control) {
  const Json* n = Member(control, "name");
  return n != nullptr && n->is_string() ? n->get<std::string>() : "";
}

// The python module of a control, or "" when it is not a python control.
std::string ModuleOf(const Json& control) {
  const Json* p = Member(control, "provider");
  if (p == nullptr || !p->is_object() || p->value("type", Json(nullptr)) != "python") return "";
  const Json* m = Member(*p, "module");
  return m != nullptr && m->is_string() ? m->get<std::string>() : "";
}

// The reference's get_controls: top level, hypothesis, then every activity's.
std::vector<Json> DeclaredControls(const Json& experiment) {
  std::vector<Json> out = ListOf(Member(experiment, "controls"));
  const Json* ssh = Member(experiment, "steady-state-hypothesis");
  auto add = [&](const Json* list) {
    for (Json& c : ListOf(list)) out.push_back(std::move(c));
  };
  if (ssh != nullptr) add(Member(*ssh, "controls"));
  for (const Json& activity : ListOf(ssh != nullptr ? Member(*ssh, "probes") : nullptr)) {
    add(Member(activity, "controls"));
  }
  for (const char* list : {"method", "rollbacks"}) {
    for (const Json& activity : ListOf(Member(experiment, list))) add(Member(activity, "controls"));
  }
  return out;
}

}  // namespace

Result<Json> LoadControlFiles(const std::vector<std::string>& paths) {
  Json all = Json::object();
  for (const std::string& path : paths) {
    auto doc = parse::LoadExperimentFile(path);
    if (!doc)
      return Err(Status::InvalidArgument("--control-file " + path + ": " + doc.error().message()));
    if (!doc->is_object()) {
      return Err(Status::InvalidArgument("--control-file " + path +
                                         ": must be a mapping of control names to controls"));
    }
    for (auto& [name, control] : doc->items()) {
      if (!control.is_object()) {
        return Err(Status::InvalidArgument("--control-file " + path + ": /" + name +
                                           ": a control must be a mapping"));
      }
      all[name] = control;
    }
  }
  return all;
}

Controls::Controls(RunContext& ctx, providers::PythonBridge& bridge, Json global_controls)
    : ctx_(ctx), bridge_(bridge) {
  if (global_controls.is_object()) {
    for (auto& [name, control] : global_controls.items()) {
      Json c = control;
      if (!c.is_object()) continue;
      c["name"] = name;
      globals_.push_back(std::move(c));
    }
  }
  for (const Json& c : globals_) {
    if (std::string m = ModuleOf(c); !m.empty()) modules_[m];
  }
  for (const Json& c : DeclaredControls(ctx_.experiment)) {
    if (std::string m = ModuleOf(c); !m.empty()) modules_[m];
  }
}

Status Controls::Load() {
  if (empty()) return Status::Ok();
  for (auto& [module, hooks] : modules_) {
    auto reply = bridge_.Call({{"op", "load"}, {"module", module}}, ctx_.token());
    auto refuse = [&module](const std::string& why) {
      return Status::FailedPrecondition("the control module '" + module +
                                        "' cannot be loaded: " + why);
    };
    if (reply.end != providers::BridgeReply::End::kOk) {
      return refuse(reply.error.empty() ? "interrupted" : reply.error);
    }
    // The bridge's answer is untrusted input: a list of hook names, nothing else.
    if (!reply.result.is_array()) {
      return refuse("the python bridge answered " + std::string(reply.result.type_name()) +
                    ", not a list of hooks");
    }
    for (const Json& h : reply.result) {
      if (!h.is_string()) return refuse("the python bridge listed a hook that is not a name");
      hooks.insert(h.get<std::string>());
    }
  }
  auto configure = [&](const Json& control) {
    Json request = {{"configuration", ctx_.scope.configuration()},
                    {"secrets", ctx_.scope.secrets()},
                    {"experiment", ctx_.experiment},
                    {"settings", nullptr}};
    const Json* p = Member(control, "provider");
    const Json* args = p != nullptr ? Member(*p, "arguments") : nullptr;
    request["arguments"] = args != nullptr && args->is_object() ? *args : Json::object();
    return Call(control, "configure_control", std::move(request), /*cancellable=*/true);
  };
  // Global controls whose configure_control raised are not applied (the reference's rule).
  std::vector<Json> kept;
  for (Json& c : globals_) {
    if (configure(c)) kept.push_back(std::move(c));
  }
  globals_ = std::move(kept);
  std::set<std::string> seen;
  for (const Json& c : DeclaredControls(ctx_.experiment)) {
    const std::string name = NameOf(c);
    if (name.empty() || !seen.insert(name).second || ModuleOf(c).empty()) continue;
    configure(c);
  }
  return Status::Ok();
}

void Controls::Cleanup() {
  if (empty()) return;
  std::set<std::string> seen;
  for (const Json& c : DeclaredControls(ctx_.experiment)) {
    const std::string name = NameOf(c);
    if (name.empty() || !seen.insert(name).second || ModuleOf(c).empty()) continue;
    Call(c, "cleanup_control", Json::object(), /*cancellable=*/false);
  }
  for (const Json& c : globals_) Call(c, "cleanup_control", Json::object(), false);
}

void Controls::Before(ControlLevel level, const Json& context) {
  Apply(level, context, "before", nullptr);
}

void Controls::After(ControlLevel level, const Json& context, const Json& state) {
  Apply(level, context, "after", &state);
}

std::vector<Json> Controls::ContextControls(ControlLevel level, const Json& context) const {
  const std::vector<Json> top = ListOf(Member(ctx_.experiment, "controls"));
  std::vector<Json> controls = ListOf(Member(context, "controls"));
  controls.insert(controls.end(), globals_.begin(), globals_.end());
  if (top.empty()) return controls;
  std::vector<Json> automatic;
  for (const Json& tc : top) {
    if (Automatic(tc)) automatic.push_back(tc);
  }
  if (controls.empty()) return automatic;
  if (level == ControlLevel::kMethod || level == ControlLevel::kRollback) return automatic;
  const std::vector<Json> snapshot = controls;
  for (const Json& c : snapshot) {
    if (const Json* ref = Member(c, "ref"); ref != nullptr) {
      for (const Json& tc : top) {
        if (Member(tc, "name") != nullptr && *Member(tc, "name") == *ref) {
          controls.push_back(tc);
          break;
        }
      }
      continue;
    }
    for (auto tc = top.rbegin(); tc != top.rend(); ++tc) {
      if (NameOf(c) == NameOf(*tc)) continue;
      if (level != ControlLevel::kExperiment && Automatic(*tc))
        controls.insert(controls.begin(), *tc);
    }
  }
  return controls;
}

void Controls::Apply(ControlLevel level, const Json& context, const char* scope,
                     const Json* state) {
  if (empty()) return;
  const std::string hook = std::string(scope) + "_" + LevelName(level) + "_control";
  for (const Json& control : ContextControls(level, context)) {
    const Json* target = Member(control, "scope");
    if (target != nullptr && Truthy(*target) && *target != scope) continue;
    if (ModuleOf(control).empty()) continue;
    const Json& provider = *Member(control, "provider");
    Json request = {{"context", context},
                    {"state", state != nullptr ? *state : Json(nullptr)},
                    {"configuration", ctx_.scope.configuration()},
                    {"secrets", ctx_.scope.secrets()},
                    {"experiment", ctx_.experiment},
                    {"settings", nullptr}};
    const Json* args = Member(provider, "arguments");
    Json arguments = args != nullptr && args->is_object() ? *args : Json::object();
    request["arguments"] =
        ctx_.scope.empty() ? arguments : subst::Substitute(arguments, ctx_.scope);
    if (const Json* listed = Member(provider, "secrets"); listed != nullptr) {
      request["secret_scopes"] = listed->is_array() ? *listed : Json::array({*listed});
    }
    Call(control, hook, std::move(request), /*cancellable=*/state == nullptr);
  }
}

bool Controls::Call(const Json& control, const std::string& hook, Json request, bool cancellable) {
  const std::string module = ModuleOf(control);
  {
    std::lock_guard lock(mu_);
    auto it = modules_.find(module);
    if (it == modules_.end() || !it->second.contains(hook)) return true;  // not defined: no-op
  }
  request["op"] = "control";
  request["module"] = module;
  request["hook"] = hook;
  const std::string name = NameOf(control);
  auto reply = cancellable ? bridge_.Call(std::move(request), ctx_.token())
                           : bridge_.Call(std::move(request), CancelToken(),
                                          std::chrono::nanoseconds(kUncancellableHookLimit));
  using End = providers::BridgeReply::End;
  switch (reply.end) {
    case End::kOk:
      return true;
    case End::kRaised:
      if (reply.interrupt) {
        const std::string why =
            "control '" + name + "' interrupted the execution (" + hook + "): " + reply.error;
        log::Error("{}", why);
        ctx_.Interrupt(InterruptKind::kOther, why);
      } else {
        log::Warn("control '{}': {} failed: {}", name, hook, reply.error);
      }
      return false;
    case End::kCancelled:
      return false;
    case End::kTimedOut:
      log::Warn("control '{}': {} did not return within {} s; the python bridge was stopped", name,
                hook, kUncancellableHookLimit.count());
      return false;
    case End::kFailed:
      log::Warn("control '{}': {} could not be called: {}", name, hook, reply.error);
      return false;
  }
  return false;
}

}  // namespace chaosrun::engine
