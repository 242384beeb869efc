// A loaded driver plugin: one shared library behind include/chaosrun/driver_abi.h, one instance.
//
// Loading checks everything before trusting the library: the entry symbol, the ABI major
// version, the struct size, every function pointer, and the descriptor (valid JSON with a name,
// a version, and well-formed action/probe lists). Any failure is a Status naming the file.
// Calls are serialised per instance (the ABI promises drivers no concurrent calls on one
// instance) unless the descriptor declares "concurrent_calls": true (the driver promises its
// instance is safe for concurrent calls: an undo then never waits behind a long probe). Calls
// never throw. Driver output that is not JSON becomes a failed call. A call waiting for a
// serialised instance (another call is in progress) gives up when its token is cancelled,
// answering CHAOSRUN_CANCELLED without reaching the driver.
//
// Lifetime: the library's instance and the state a call needs live in a shared core. A call made
// through DetachableUndo() holds that core, so the host may stop waiting for it (abandon it) and
// even destroy this Driver: the instance is destroyed when the last call holding it returns.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "chaosrun/driver_abi.h"
#include "common/cancel.h"
#include "common/json.h"
#include "common/status.h"

namespace chaosrun::plugin {

struct FuncInfo {
  std::string name;
  std::string description;
  Json arguments_schema = Json::object();  // JSON Schema of the `arguments` object
  std::optional<double> undo_timeout;      // actions: "undo_timeout" in seconds, if declared
};

struct Descriptor {
  std::string name;
  std::string version;
  std::string description;
  std::vector<FuncInfo> actions;
  std::vector<FuncInfo> probes;
  std::optional<double> undo_timeout;  // "undo_timeout" (seconds) for every action, if declared
  bool concurrent_calls = false;       // "concurrent_calls": the instance takes calls at once
  Json raw;

  const FuncInfo* FindAction(const std::string& func) const;
  const FuncInfo* FindProbe(const std::string& func) const;
  // The undo time limit the driver declares for `func`: the action's, else the driver's.
  std::optional<double> UndoTimeout(const std::string& func) const;
};

// Parses and checks a descriptor (InvalidArgument naming the problem).
Result<Descriptor> ParseDescriptor(const std::string& json_text);

struct CallResult {
  int32_t status = CHAOSRUN_INTERNAL;  // chaosrun_status
  Json value;                          // the driver's JSON (result, plan, or {"error": ...})
  bool ok() const { return status == CHAOSRUN_OK; }
  std::string error() const;  // the driver's error message, or a description of the status
};

class Driver {
 public:
  static Result<std::unique_ptr<Driver>> Load(const std::string& path);
  ~Driver();
  Driver(const Driver&) = delete;
  Driver& operator=(const Driver&) = delete;

  const Descriptor& descriptor() const { return descriptor_; }
  const std::string& path() const { return path_; }

  CallResult Probe(const std::string& func, const Json& args, const CancelToken& cancel);
  CallResult Prepare(const std::string& func, const Json& args, const CancelToken& cancel);
  CallResult Apply(const std::string& func, const Json& plan, const CancelToken& cancel);
  CallResult Undo(const std::string& func, const Json& undo, const CancelToken& cancel);

  // The same undo call, as a function that may run on another thread and outlive this Driver
  // (it holds the instance). Used when the host may abandon a call that does not return.
  std::function<CallResult(const CancelToken&)> DetachableUndo(const std::string& func,
                                                               const Json& undo) const;

  struct Core;  // the instance and the per-call state (driver.cc)

 private:
  Driver() = default;

  std::string path_;
  void* handle_ = nullptr;
  Descriptor descriptor_;
  std::shared_ptr<Core> core_;
};

}  // namespace chaosrun::plugin
