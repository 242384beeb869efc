// Providers execute an activity's `provider` block and return its outcome as data.
//
// An activity that fails (non-startable process, timeout, connection refused) is an Outcome of
// kind kFailed with a message, exactly like the reference's ActivityFailed. An activity cut short
// by cancellation (a signal) is kInterrupted: its journal record then has no `status` key.
// Providers never throw. They receive the provider block *after* ${} substitution.
#pragma once

#include <string>
#include <vector>

#include "common/cancel.h"
#include "common/json.h"

namespace chaosrun::providers {

struct Outcome {
  // kRefused: a driver fault that the experiment meant to inject and did not (refused by the
  // kill switch, prepare, the blast radius or the ledger, or its apply failed). Unlike a failed
  // activity it aborts the run: a drill that injected nothing must not pass.
  enum class Kind { kSucceeded, kFailed, kInterrupted, kRefused };
  Kind kind = Kind::kSucceeded;
  Json output;        // the provider's result when succeeded, else null
  std::string error;  // ActivityFailed message when failed or refused
  // kRefused only: {"phase": "halt"|"prepare"|"guard"|"ledger"|"apply"|"activity-type" (a driver
  // action named by an activity that is not an action), "reason": ...} and, for
  // a blast-radius refusal, "rule" (the policy rule) and "target" (the target refused).
  Json refusal;
  // kFailed by a python function: the traceback.format_exception lines of what it raised (the
  // journal's `exception` shows them before the ActivityFailed line).
  std::vector<std::string> traceback;

  static Outcome Succeeded(Json out) { return {Kind::kSucceeded, std::move(out), {}, nullptr, {}}; }
  static Outcome Failed(std::string msg) {
    return {Kind::kFailed, nullptr, std::move(msg), nullptr, {}};
  }
  static Outcome Interrupted() { return {Kind::kInterrupted, nullptr, "interrupted", nullptr, {}}; }
  static Outcome Refused(std::string msg, Json refusal) {
    return {Kind::kRefused, nullptr, std::move(msg), std::move(refusal), {}};
  }
};

class PythonBridge;

struct Context {
  CancelToken cancel;  // cancelled on SIGINT/SIGTERM/...: stop at once, kill children
  // For `python` providers: the run's bridge (null: python activities fail) and the resolved
  // configuration and secrets (scope -> {key -> value}) injected into functions that ask.
  PythonBridge* python = nullptr;
  const Json* configuration = nullptr;
  const Json* secrets = nullptr;
};

// `process` provider (ctk-spec §4.2): list arguments exec'd without a shell, string arguments via
// /bin/sh -c, `timeout` kills the whole process group, output {status, stdout, stderr}.
Outcome RunProcess(const Json& provider, const Context& ctx);

// `http` provider (ctk-spec §4.3) on libcurl: output {status, headers, body}; 4xx/5xx are data;
// connection errors and timeouts fail; `expected_status` honoured (D3).
Outcome RunHttp(const Json& provider, const Context& ctx);

// `python` provider (ctk-spec §4.1) through ctx.python (providers/python_bridge.h): the
// function's return value is the output; an exception fails the activity ("Type: message");
// `timeout` (chaosrun's addition) kills the call.
Outcome RunPython(const Json& provider, const Context& ctx);

// Dispatches on provider.type. The engine owns one; later issues register more types (driver).
class Dispatcher {
 public:
  virtual ~Dispatcher() = default;
  // `activity` is the raw activity (for names in messages); `provider` is substituted.
  virtual Outcome Run(const Json& activity, const Json& provider, const Context& ctx) = 0;
  // Whether the provider itself is known to change the world whatever the activity's type says
  // (a driver action). The dry modes treat an activity as an action when its type is "action"
  // or when this is true. Process and http providers cannot tell: false, so their activity's
  // type decides, as in Chaos Toolkit.
  virtual bool ChangesWorld(const Json& /*provider*/) const { return false; }
};

// The built-in dispatcher: process, http, python.
class BuiltinDispatcher : public Dispatcher {
 public:
  Outcome Run(const Json& activity, const Json& provider, const Context& ctx) override;
};

}  // namespace chaosrun::providers
