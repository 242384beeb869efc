// One activity, reference or full (ctk-spec §3, §10 steps 10-12).
#include <string>

#include "validate/internal.h"

namespace chaosrun::validate::internal {
namespace {

void CheckRef(Context& ctx, const Json& ref, const std::string& pointer, Place place) {
  if (!ref.is_string() || ref.get_ref<const std::string&>().empty()) {
    ctx.Error(pointer, "reference to activity must be non-empty strings");
    return;
  }
  const std::string& name = ref.get_ref<const std::string&>();
  if (place == Place::kToleranceProbe) {
    ctx.Error(pointer,
              "a probe tolerance must be a full activity, not a reference to '" + name + "'");
    return;
  }
  // Method refs as the reference; rollback (D5) and hypothesis refs too, since a dangling one
  // cannot run.
  if (!ctx.activity_names.contains(name)) {
    ctx.Error(pointer, "referenced activity '" + name + "' could not be found in the experiment");
  }
}

void CheckPause(Context& ctx, const Json& pauses, const char* which, const std::string& pointer) {
  const Json* value = Member(pauses, which);
  if (value == nullptr) return;
  // The reference accepts any number (booleans included) or a whole `${...}` string.
  if (IsPythonNumber(*value) || IsWholePlaceholder(*value)) return;
  ctx.Error(PointerAppend(pointer, which),
            std::string("activity ") + which +
                " pause must be a number or a pattern to a variable from the configuration or "
                "secrets");
}

// The keys of a full activity (a tolerance probe also has these) and of its pauses.
constexpr std::string_view kActivityKeys[] = {"type",   "name",          "provider", "tolerance",
                                              "pauses", "background",    "controls", "timeout",
                                              "dry",    "configuration", "secrets",  "ref"};
constexpr std::string_view kPauseKeys[] = {"before", "after"};

void CheckPauses(Context& ctx, const Json& activity, const std::string& pointer) {
  const Json* pauses = Member(activity, "pauses");
  if (pauses == nullptr || pauses->is_null()) return;
  const std::string ptr = PointerAppend(pointer, "pauses");
  if (!pauses->is_object()) {
    ctx.Error(ptr, "activity pauses must be a mapping with `before` and/or `after`");
    return;
  }
  CheckLikelyTypos(ctx, *pauses, ptr, kPauseKeys);
  CheckPause(ctx, *pauses, "before", ptr);
  CheckPause(ctx, *pauses, "after", ptr);
}

// Type, name, provider; returns the activity's name ("" when unusable) for messages.
std::string CheckIdentity(Context& ctx, const Json& activity, const std::string& pointer) {
  const Json* type = Member(activity, "type");
  if (IsBlank(type)) {
    ctx.Error(PointerAppend(pointer, "type"), "an activity must have a type");
  } else if (!type->is_string() || (*type != "probe" && *type != "action")) {
    ctx.Error(PointerAppend(pointer, "type"),
              "'" + PythonStr(*type) + "' is not a supported activity type");
  }
  const Json* name = Member(activity, "name");
  if (IsBlank(name)) {
    ctx.Error(PointerAppend(pointer, "name"), "an activity must have a name");
    return {};
  }
  if (!name->is_string()) {
    ctx.Error(PointerAppend(pointer, "name"), "an activity name must be a string");
    return {};
  }
  return name->get<std::string>();
}

}  // namespace

void CheckActivity(Context& ctx, const Json& activity, const std::string& pointer, Place place) {
  if (IsBlank(&activity)) {
    ctx.Error(pointer, "empty activity is no activity");
    return;
  }
  if (!activity.is_object()) {
    ctx.Error(pointer, "an activity must be a mapping (or a reference: {\"ref\": \"name\"})");
    return;
  }
  if (const Json* ref = Member(activity, "ref"); ref != nullptr) {
    CheckRef(ctx, *ref, PointerAppend(pointer, "ref"), place);
    return;  // the reference ignores every other key of a ref
  }

  CheckLikelyTypos(ctx, activity, pointer, kActivityKeys);
  const std::string name = CheckIdentity(ctx, activity, pointer);

  const std::string provider_ptr = PointerAppend(pointer, "provider");
  const Json* provider = Member(activity, "provider");
  if (IsBlank(provider)) {
    ctx.Error(provider_ptr, "an activity requires a provider");
  } else if (!provider->is_object()) {
    ctx.Error(provider_ptr, "an activity provider must be a mapping");
  } else {
    CheckProvider(ctx, *provider, provider_ptr, name, StringMember(activity, "type"));
  }

  if (const Json* timeout = Member(activity, "timeout");
      timeout != nullptr && !timeout->is_null() && !IsPythonNumber(*timeout)) {
    ctx.Error(PointerAppend(pointer, "timeout"), "activity timeout must be a number");
  }
  CheckPauses(ctx, activity, pointer);
  if (const Json* background = Member(activity, "background");
      background != nullptr && !background->is_boolean()) {
    ctx.Error(PointerAppend(pointer, "background"), "activity background must be a boolean");
  }
  if (const Json* controls = Member(activity, "controls"); controls != nullptr) {
    CheckControls(ctx, *controls, PointerAppend(pointer, "controls"), false);
  }
}

void CheckActivityList(Context& ctx, const Json& list, const std::string& pointer, Place place,
                       std::string_view what) {
  if (!list.is_array()) {
    ctx.Error(pointer, std::string(what) + " must be a list of activities");
    return;
  }
  for (size_t i = 0; i < list.size(); ++i) {
    CheckActivity(ctx, list[i], PointerAppend(pointer, i), place);
  }
}

}  // namespace chaosrun::validate::internal
