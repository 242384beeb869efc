// The `python` provider (ctk-spec §4.1) through the run's python bridge.
#include <fmt/format.h>

#include <algorithm>

#include "providers/process_args.h"
#include "providers/provider.h"
#include "providers/python_bridge.h"

namespace chaosrun::providers {

namespace {

const std::string* StringField(const Json& provider, const char* key) {
  auto it = provider.find(key);
  if (it == provider.end() || !it->is_string() || it->get_ref<const std::string&>().empty()) {
    return nullptr;
  }
  return &it->get_ref<const std::string&>();
}

}  // namespace

Json PythonCallRequest(const Json& provider, const Json* configuration, const Json* secrets) {
  Json request = {{"op", "call"},
                  {"module", provider.value("module", "")},
                  {"func", provider.value("func", "")}};
  auto args = provider.find("arguments");
  request["arguments"] = args != provider.end() && args->is_object() ? *args : Json::object();
  request["configuration"] = configuration != nullptr ? *configuration : Json::object();
  // Only the scopes the provider lists are sent, and only then are secrets passed at all (the
  // reference passes them to a function declaring `secrets` only when the provider lists some).
  if (auto listed = provider.find("secrets"); listed != provider.end()) {
    Json scopes = listed->is_array() ? *listed : Json::array({*listed});
    Json sent = Json::object();
    for (const Json& s : scopes) {
      if (!s.is_string() || secrets == nullptr || !secrets->is_object()) continue;
      if (auto it = secrets->find(s.get<std::string>()); it != secrets->end()) sent[it.key()] = *it;
    }
    request["secret_scopes"] = std::move(scopes);
    request["secrets"] = std::move(sent);
  }
  return request;
}

Outcome RunPython(const Json& provider, const Context& ctx) {
  if (!provider.is_object()) return Outcome::Failed("python provider must be an object");
  const std::string* module = StringField(provider, "module");
  const std::string* func = StringField(provider, "func");
  if (module == nullptr) return Outcome::Failed("a Python activity must have a module path");
  if (func == nullptr) return Outcome::Failed("a Python activity must have a function name");
  auto timeout = ParseProcessTimeout(provider);
  if (!timeout) return Outcome::Failed("python " + timeout.error().message());
  if (ctx.python == nullptr) {
    return Outcome::Failed("python activities need the python bridge, which this run has not");
  }
  std::optional<std::chrono::nanoseconds> limit;
  if (*timeout) {
    const double secs = std::clamp(**timeout, 0.0, 1e9);
    limit = std::chrono::nanoseconds(static_cast<int64_t>(secs * 1e9));
  }
  BridgeReply reply = ctx.python->Call(PythonCallRequest(provider, ctx.configuration, ctx.secrets),
                                       ctx.cancel, limit);
  switch (reply.end) {
    case BridgeReply::End::kOk:
      return Outcome::Succeeded(std::move(reply.result));
    case BridgeReply::End::kRaised: {
      // As the reference: every exception, InterruptExecution included, fails the activity.
      Outcome out = Outcome::Failed(reply.error);
      out.traceback = std::move(reply.traceback);
      return out;
    }
    case BridgeReply::End::kTimedOut:
      return Outcome::Failed(fmt::format(
          "python activity took too long to complete (timeout {:g} s); {}.{} was stopped",
          **timeout, *module, *func));
    case BridgeReply::End::kCancelled:
      return Outcome::Interrupted();
    case BridgeReply::End::kFailed:
      break;
  }
  return Outcome::Failed(reply.error + " (calling " + *module + "." + *func + ")");
}

}  // namespace chaosrun::providers
