// Controls at any level (ctk-spec §8.8, §10 step 14). A python control's module is imported
// through the python bridge: one that cannot be imported is a warning, as in the reference (the
// run itself refuses to start without it).
#include <string>

#include "validate/internal.h"

namespace chaosrun::validate::internal {
namespace {

constexpr std::string_view kControlKeys[] = {"name", "provider", "scope", "automatic", "ref"};
constexpr std::string_view kControlProviderKeys[] = {"type", "module", "arguments", "secrets"};

void CheckControlProvider(Context& ctx, const Json& provider, const std::string& pointer,
                          const std::string& name) {
  if (!provider.is_object()) {
    ctx.Error(pointer, "Control '" + name + "' provider must be a mapping");
    return;
  }
  CheckLikelyTypos(ctx, provider, pointer, kControlProviderKeys);
  const Json* type = Member(provider, "type");
  if (type != nullptr && type->is_string() && *type == "python") {
    const Json* module = Member(provider, "module");
    if (IsBlank(module) || !module->is_string()) {
      ctx.Error(PointerAppend(pointer, "module"), "Control '" + name + "' must have a module path");
      return;
    }
    // The reference only warns about a module it cannot import, and so does validate; `run`
    // refuses to start without it (engine/controls.h).
    if (!ctx.options().python || ctx.python_unavailable_said) return;
    const std::string& mod = module->get_ref<const std::string&>();
    auto problem = ctx.options().python->ControlModule(mod);
    if (!problem) {
      ctx.python_unavailable_said = true;
      ctx.Error(pointer, problem.error().message() + "; python controls cannot be loaded");
    } else if (!problem->empty()) {
      ctx.Warn(PointerAppend(pointer, "module"),
               "could not find Python module '" + mod + "' in control '" + name + "' (" + *problem +
                   "); chaosrun will not run the experiment without it");
    }
    return;
  }
  const std::string shown = type == nullptr ? "None" : PythonStr(*type);
  ctx.Warn(PointerAppend(pointer, "type"),
           "control '" + name + "' has provider type '" + shown +
               "', which chaosrun does not run; it will be ignored");
}

void CheckControl(Context& ctx, const Json& control, const std::string& pointer) {
  if (!control.is_object()) {
    ctx.Error(pointer, "a control must be a mapping");
    return;
  }
  CheckLikelyTypos(ctx, control, pointer, kControlKeys);
  if (const Json* ref = Member(control, "ref"); ref != nullptr) {
    if (!ref->is_string() || !ctx.control_names.contains(ref->get<std::string>())) {
      ctx.Error(PointerAppend(pointer, "ref"),
                "Control reference '" + PythonStr(*ref) + "' declaration cannot be found");
    }
    return;
  }
  const Json* name_value = Member(control, "name");
  if (IsBlank(name_value)) {
    ctx.Error(PointerAppend(pointer, "name"), "A control must have a `name` property");
  } else if (!name_value->is_string()) {
    ctx.Error(PointerAppend(pointer, "name"), "a control name must be a string");
  }
  const std::string name = StringMember(control, "name");

  const Json* provider = Member(control, "provider");
  if (IsBlank(provider)) {
    ctx.Error(PointerAppend(pointer, "provider"),
              "Control '" + name + "' must have a `provider` property");
  } else {
    CheckControlProvider(ctx, *provider, PointerAppend(pointer, "provider"), name);
  }

  if (const Json* scope = Member(control, "scope"); scope != nullptr && !scope->is_null()) {
    if (!scope->is_string() || (*scope != "before" && *scope != "after")) {
      ctx.Error(PointerAppend(pointer, "scope"),
                "Control '" + name + "' scope property must be 'before' or 'after' only");
    }
  }
  if (const Json* automatic = Member(control, "automatic");
      automatic != nullptr && !automatic->is_null() && !automatic->is_boolean()) {
    ctx.Warn(PointerAppend(pointer, "automatic"),
             "control '" + name + "' automatic should be a boolean");
  }
}

}  // namespace

void CheckControls(Context& ctx, const Json& controls, const std::string& pointer, bool top_level) {
  if (controls.is_null()) return;
  if (!controls.is_array()) {
    if (top_level) {
      ctx.Error(pointer, "controls must be a list of controls");
    } else {
      ctx.Warn(pointer, "controls should be a list of controls; this value is ignored");
    }
    return;
  }
  for (size_t i = 0; i < controls.size(); ++i) {
    CheckControl(ctx, controls[i], PointerAppend(pointer, i));
  }
}

}  // namespace chaosrun::validate::internal
