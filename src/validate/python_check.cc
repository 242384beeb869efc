// BridgePythonCheck: python activities and control modules resolved through a python bridge.
#include <mutex>

#include "providers/python_bridge.h"
#include "validate/validator.h"

namespace chaosrun::validate {

namespace {

// An import may take a while (a large extension); a hung one must not hang `validate`.
constexpr auto kCheckLimit = std::chrono::seconds(60);

class BridgeCheck final : public PythonCheck {
 public:
  explicit BridgeCheck(const std::string& interpreter) {
    providers::PythonSettings settings;
    settings.interpreter = interpreter;
    bridge_ = std::make_unique<providers::PythonBridge>(settings);
  }

  Result<std::string> Activity(const Json& provider, const std::string& activity_name,
                               const std::string& activity_type) override {
    Json request = {{"op", "validate"},
                    {"module", provider.value("module", "")},
                    {"func", provider.value("func", "")},
                    {"activity_name", activity_name},
                    {"activity_type", activity_type}};
    const Json* args = Member(provider, "arguments");
    request["arguments"] = args != nullptr && args->is_object() ? *args : Json::object();
    return Ask(std::move(request));
  }

  Result<std::string> ControlModule(const std::string& module) override {
    auto reply = Ask({{"op", "load"}, {"module", module}});
    if (!reply) return reply;
    return std::string();
  }

 private:
  // The result text ("" for null) of a request; a raised exception is the text of the error.
  Result<std::string> Ask(Json request) {
    auto reply = bridge_->Call(std::move(request), CancelToken(), kCheckLimit);
    using End = providers::BridgeReply::End;
    switch (reply.end) {
      case End::kOk:
        if (reply.result.is_string()) return reply.result.get<std::string>();
        if (reply.result.is_null() || reply.result.is_array()) return std::string();
        return Err(Status::Internal("the python bridge answered " + DumpCompact(reply.result)));
      case End::kRaised:
        return reply.error;
      case End::kTimedOut:
        return Err(Status::Timeout("the python bridge did not answer within " +
                                   std::to_string(kCheckLimit.count()) + " s"));
      case End::kCancelled:
      case End::kFailed:
        break;
    }
    return Err(Status::Unavailable(reply.error));
  }

  std::unique_ptr<providers::PythonBridge> bridge_;
};

}  // namespace

std::shared_ptr<PythonCheck> BridgePythonCheck(const std::string& interpreter) {
  return std::make_shared<BridgeCheck>(interpreter);
}

}  // namespace chaosrun::validate
