// The python bridge: one Python 3 process per run (share/chaosrun/bridge.py) that imports
// modules and calls functions for `python` providers, controls and validation (docs/python.md).
//
// The process is started lazily by the first Call() and reused; it is spawned with the one spawn
// helper (providers/spawn.h) in a thread of its own, so it runs in its own process group and is
// killed with its children. Requests and responses are JSON lines over two FIFOs in a private
// temporary directory (never stdin/stdout: a module's prints cannot corrupt the protocol); the
// bridge's stdout and stderr are captured (bounded) and logged when it ends.
//
// A call cut short by its timeout or its CancelToken kills the bridge; a bridge that dies fails
// the calls in flight; the next Call() starts a new one. SIGUSR1/SIGUSR2 received by the bridge
// (the reference's exit_gracefully()/exit_ungracefully(), a tripped chaosaddons safeguard) reach
// the interrupt handler, from the bridge's reader thread.
//
// Thread-safety: every method may be called from any thread; calls run concurrently in the
// bridge. The destructor closes the requests (the bridge exits), waits a short grace, then kills.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "common/cancel.h"
#include "common/json.h"
#include "common/status.h"

namespace chaosrun::providers {

struct PythonSettings {
  // --python PATH; "" = $CHAOSRUN_PYTHON, else `python3` on the PATH.
  std::string interpreter;
  // "" = $CHAOSRUN_BRIDGE, else <dir of the executable>/../share/chaosrun/bridge.py.
  std::string bridge_script;
  // How long the bridge may take to say it is ready.
  std::chrono::milliseconds start_timeout{30'000};
};

// The interpreter the settings name, resolved like `which` (FailedPrecondition when none).
Result<std::string> ResolvePythonInterpreter(const PythonSettings& settings);
// The bridge's source (NotFound when missing).
Result<std::string> LocateBridgeScript(const PythonSettings& settings);

struct BridgeReply {
  enum class End {
    kOk,         // `result` holds the function's return value
    kRaised,     // the function raised: `error` "Type: message", `traceback` its lines
    kTimedOut,   // the timeout passed: the bridge was killed
    kCancelled,  // the token was cancelled: the bridge was killed
    kFailed,     // no bridge (no Python, it died, ...): `error` says why
  };
  End end = End::kFailed;
  Json result;
  std::string error;
  std::vector<std::string> traceback;  // traceback.format_exception lines
  bool interrupt = false;              // kRaised: a chaoslib InterruptExecution
};

// The bridge's "call" request for a python provider block (after substitution): module, func,
// arguments, the configuration, and the secret scopes the provider lists (with their values).
Json PythonCallRequest(const Json& provider, const Json* configuration, const Json* secrets);

class PythonBridge {
 public:
  explicit PythonBridge(PythonSettings settings = {});
  ~PythonBridge();
  PythonBridge(const PythonBridge&) = delete;
  PythonBridge& operator=(const PythonBridge&) = delete;

  // `harsh`: SIGUSR2 (exit_ungracefully) rather than SIGUSR1. Set before the first call.
  using InterruptHandler = std::function<void(bool harsh, const std::string& reason)>;
  void SetInterruptHandler(InterruptHandler handler);

  // Sends `request` ({"op": ..., ...}; the id is added) and waits for its reply, the timeout or
  // the token. Never throws.
  BridgeReply Call(Json request, const CancelToken& cancel,
                   std::optional<std::chrono::nanoseconds> timeout = std::nullopt);

  // Starts the bridge now (Call() does when needed): the reason it cannot start, if any.
  Status Start(const CancelToken& cancel);
  // How many bridge processes were started so far (tests: restarts).
  int starts() const;
  // The running bridge's pid, or -1.
  int pid() const;

  class Process;  // one bridge process (python_bridge.cc)

 private:
  Result<std::shared_ptr<Process>> Running(const CancelToken& cancel);
  BridgeReply CallOrThrow(Json request, const CancelToken& cancel,
                          std::optional<std::chrono::nanoseconds> timeout);

  const PythonSettings settings_;
  mutable std::mutex mu_;
  std::shared_ptr<Process> process_;
  std::shared_ptr<const InterruptHandler> on_interrupt_;
  std::optional<Status> unavailable_;  // no interpreter / no bridge: said once, kept
  int starts_ = 0;
  uint64_t next_id_ = 1;
};

}  // namespace chaosrun::providers
