// Providers (ctk-spec §4, §10 step 11). One checker per provider type, dispatched from a table:
// to support a new type, add a checker and a row to kCheckers. `driver` (chaosrun's) is checked
// on its own: its keys are closed and its func must agree with the activity's type.
#include <algorithm>
#include <array>
#include <iterator>
#include <span>
#include <string>
#include <string_view>

#include "validate/internal.h"

namespace chaosrun::validate::internal {
namespace {

using Checker = void (*)(Context&, const Json& provider, const std::string& pointer,
                         const std::string& activity_name, const std::string& activity_type);

// Python activities (ctk-spec §4.1): shape here, then import and signature through the python
// bridge with the reference's messages (it names the function, not the activity, in signature
// messages). No Python at all is one error, at the first python activity.
void CheckPython(Context& ctx, const Json& provider, const std::string& pointer,
                 const std::string& activity_name, const std::string& activity_type) {
  const Json* module = Member(provider, "module");
  const Json* func = Member(provider, "func");
  bool complete = true;
  if (IsBlank(module) || !module->is_string()) {
    ctx.Error(PointerAppend(pointer, "module"), "a Python activity must have a module path");
    complete = false;
  }
  if (IsBlank(func) || !func->is_string()) {
    ctx.Error(PointerAppend(pointer, "func"), "a Python activity must have a function name");
    complete = false;
  }
  if (const Json* args = Member(provider, "arguments");
      args != nullptr && !args->is_null() && !args->is_object()) {
    ctx.Error(PointerAppend(pointer, "arguments"), "python provider arguments must be a mapping");
    complete = false;
  }
  if (const Json* timeout = Member(provider, "timeout");
      timeout != nullptr && !timeout->is_null() && (!timeout->is_number() || *timeout < 0)) {
    ctx.Error(PointerAppend(pointer, "timeout"),
              "python timeout must be a non-negative number of seconds");
  }
  if (!complete || !ctx.options().python || ctx.python_unavailable_said) return;
  auto problem = ctx.options().python->Activity(provider, activity_name, activity_type);
  if (!problem) {
    ctx.python_unavailable_said = true;
    ctx.Error(pointer, problem.error().message() + "; python activities cannot be checked or run");
    return;
  }
  if (problem->empty()) return;
  const std::string& text = *problem;
  const char* field = text.starts_with("could not find Python module") ? "module"
                      : text.starts_with("The python module")          ? "func"
                                                                       : "arguments";
  ctx.Error(PointerAppend(pointer, field), text);
}

void CheckProcessArguments(Context& ctx, const Json& provider, const std::string& pointer) {
  const Json* args = Member(provider, "arguments");
  if (args == nullptr || args->is_null() || args->is_array() || args->is_string()) return;
  const std::string ptr = PointerAppend(pointer, "arguments");
  if (args->is_object()) {
    ctx.Warn(ptr, "process arguments as a mapping are deprecated; use a list or a string");
  } else {
    ctx.Error(ptr, "process arguments must be a list or a string");
  }
}

void CheckProcess(Context& ctx, const Json& provider, const std::string& pointer,
                  const std::string& activity_name, const std::string& /*activity_type*/) {
  const std::string path_ptr = PointerAppend(pointer, "path");
  const Json* path = Member(provider, "path");
  if (IsBlank(path)) {
    ctx.Error(path_ptr, "a process activity must have a path");
  } else if (!path->is_string()) {
    ctx.Error(path_ptr, "a process activity path must be a string");
  } else if (ctx.options().resolve_executable) {
    const std::string& p = path->get_ref<const std::string&>();
    if (!ctx.options().resolve_executable(p)) {
      ctx.Error(path_ptr, "path '" + p + "' cannot be found, in activity '" + activity_name + "'");
    }
  }
  CheckProcessArguments(ctx, provider, pointer);
  if (const Json* timeout = Member(provider, "timeout");
      timeout != nullptr && !timeout->is_null() && !timeout->is_number()) {
    ctx.Error(PointerAppend(pointer, "timeout"), "process timeout must be a number of seconds");
  }
}

bool IsNonNegativeInteger(const Json& v) {
  return v.is_number_unsigned() || (v.is_number_integer() && v.get<int64_t>() >= 0);
}

void CheckHttpTimeout(Context& ctx, const Json& provider, const std::string& pointer) {
  const Json* timeout = Member(provider, "timeout");
  if (timeout == nullptr || timeout->is_null() || timeout->is_number() ||
      IsWholePlaceholder(*timeout)) {
    return;
  }
  if (timeout->is_array() && timeout->size() == 2 && (*timeout)[0].is_number() &&
      (*timeout)[1].is_number()) {
    return;
  }
  ctx.Error(
      PointerAppend(pointer, "timeout"),
      "HTTP timeout must be a number, a pair [connect, read] of numbers, or a ${...} pattern");
}

void CheckHttpStatus(Context& ctx, const Json& provider, const std::string& pointer) {
  const Json* status = Member(provider, "expected_status");
  if (status == nullptr || status->is_null() || status->is_number_integer()) return;
  const std::string ptr = PointerAppend(pointer, "expected_status");
  if (!status->is_array()) {
    ctx.Error(ptr, "HTTP expected_status must be an integer or a list of integers");
    return;
  }
  for (size_t i = 0; i < status->size(); ++i) {
    if (!(*status)[i].is_number_integer()) {
      ctx.Error(PointerAppend(ptr, i), "HTTP expected_status must be an integer");
    }
  }
}

void CheckHttp(Context& ctx, const Json& provider, const std::string& pointer,
               const std::string& /*activity_name*/, const std::string& /*activity_type*/) {
  const Json* url = Member(provider, "url");
  if (IsBlank(url)) {
    ctx.Error(PointerAppend(pointer, "url"), "an HTTP activity must have a URL");
  } else if (!url->is_string()) {
    ctx.Error(PointerAppend(pointer, "url"), "an HTTP activity URL must be a string");
  }
  if (const Json* headers = Member(provider, "headers");
      headers != nullptr && !headers->is_null() && !headers->is_object()) {
    ctx.Error(PointerAppend(pointer, "headers"), "an HTTP activity expects headers as a mapping");
  }
  if (const Json* method = Member(provider, "method");
      method != nullptr && !method->is_null() && !method->is_string()) {
    ctx.Error(PointerAppend(pointer, "method"), "HTTP method must be a string");
  }
  if (const Json* args = Member(provider, "arguments");
      args != nullptr && !args->is_null() && !args->is_object() && !args->is_string()) {
    ctx.Error(PointerAppend(pointer, "arguments"), "HTTP arguments must be a mapping or a string");
  }
  CheckHttpTimeout(ctx, provider, pointer);
  if (const Json* verify = Member(provider, "verify_tls");
      verify != nullptr && !verify->is_null() && !verify->is_boolean()) {
    ctx.Error(PointerAppend(pointer, "verify_tls"), "HTTP verify_tls must be a boolean");
  }
  if (const Json* retries = Member(provider, "max_retries");
      retries != nullptr && !retries->is_null() && !IsNonNegativeInteger(*retries)) {
    ctx.Error(PointerAppend(pointer, "max_retries"),
              "HTTP max_retries must be a non-negative integer");
  }
  CheckHttpStatus(ctx, provider, pointer);
}

// The keys each provider type reads. Chaos Toolkit's own types keep unknown keys (a likely typo
// is a warning); `driver` is chaosrun's format, where an unknown key is an error.
constexpr std::string_view kPythonKeys[] = {"type",      "module",  "func",
                                            "arguments", "secrets", "timeout"};
constexpr std::string_view kProcessKeys[] = {"type", "path", "arguments", "timeout", "secrets"};
constexpr std::string_view kHttpKeys[] = {
    "type",    "url",        "method",      "headers",         "arguments",
    "timeout", "verify_tls", "max_retries", "expected_status", "secrets"};
constexpr std::string_view kDriverKeys[] = {"type", "driver", "func", "arguments", "duration"};

void CheckDriverKeys(Context& ctx, const Json& provider, const std::string& pointer) {
  for (const auto& [key, value] : provider.items()) {
    if (std::find(std::begin(kDriverKeys), std::end(kDriverKeys), key) != std::end(kDriverKeys)) {
      continue;
    }
    std::string message = "unknown key '" + key +
                          "' in a driver provider (the keys are type, driver, func, arguments, "
                          "duration)";
    if (auto likely = LikelyKey(key, kDriverKeys)) {
      message += "; did you mean '" + std::string(*likely) + "'?";
    }
    ctx.Error(PointerAppend(pointer, key), message);
  }
}

// A driver action changes the world and a probe does not, whatever the activity says: a
// mismatch would make the dry modes (which go by the activity's type) and the reader disagree
// with what runs.
void CheckDriverKind(Context& ctx, const Json& provider, const std::string& pointer,
                     DriverFunc kind, const std::string& activity_type) {
  const std::string func = "'" + StringMember(provider, "func") + "'";
  const std::string driver = "driver '" + StringMember(provider, "driver") + "'";
  if (kind == DriverFunc::kAction && activity_type == "probe") {
    ctx.Error(PointerAppend(pointer, "func"),
              func + " is an action of " + driver + "; this activity is a probe");
  } else if (kind == DriverFunc::kProbe && activity_type == "action") {
    ctx.Error(PointerAppend(pointer, "func"),
              func + " is a probe of " + driver + "; this activity is an action");
  }
}

void CheckDriver(Context& ctx, const Json& provider, const std::string& pointer,
                 const std::string& activity_name, const std::string& activity_type) {
  CheckDriverKeys(ctx, provider, pointer);
  if (!ctx.options().check_driver) {
    ctx.Error(pointer, "driver providers need a driver plugin; none is loaded");
    return;
  }
  const DriverFunc kind =
      ctx.options().check_driver(provider, pointer, activity_name, ctx.diagnostics());
  CheckDriverKind(ctx, provider, pointer, kind, activity_type);
}

struct Row {
  std::string_view type;
  Checker check;
  std::span<const std::string_view> keys;
};
constexpr std::array<Row, 3> kCheckers = {{
    {"python", CheckPython, kPythonKeys},
    {"process", CheckProcess, kProcessKeys},
    {"http", CheckHttp, kHttpKeys},
}};

}  // namespace

void CheckProvider(Context& ctx, const Json& provider, const std::string& pointer,
                   const std::string& activity_name, const std::string& activity_type) {
  const Json* type = Member(provider, "type");
  if (IsBlank(type)) {
    ctx.Error(PointerAppend(pointer, "type"), "a provider must have a type");
    return;
  }
  if (type->is_string()) {
    const std::string& name = type->get_ref<const std::string&>();
    if (name == "driver") {
      CheckDriver(ctx, provider, pointer, activity_name, activity_type);
      return;
    }
    for (const Row& row : kCheckers) {
      if (name == row.type) {
        CheckLikelyTypos(ctx, provider, pointer, row.keys);
        row.check(ctx, provider, pointer, activity_name, activity_type);
        return;
      }
    }
  }
  ctx.Error(PointerAppend(pointer, "type"), "unknown provider type '" + PythonStr(*type) + "'");
}

}  // namespace chaosrun::validate::internal
