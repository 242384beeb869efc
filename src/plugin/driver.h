// A loaded driver plugin: one shared library behind include/chaosrun/driver_abi.h, one instance.
//
// Loading checks everything before trusting the library: the entry symbol, the ABI major
// version, the struct size, every function pointer, and the descriptor (valid JSON with a name,
// a version, and well-formed action/probe lists). Any failure is a Status naming the file.
// Calls are serialised per instance (the ABI promises drivers no concurrent calls on one
// instance) and never throw. Driver output that is not JSON becomes a failed call.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
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
};

struct Descriptor {
  std::string name;
  std::string version;
  std::string description;
  std::vector<FuncInfo> actions;
  std::vector<FuncInfo> probes;
  Json raw;

  const FuncInfo* FindAction(const std::string& func) const;
  const FuncInfo* FindProbe(const std::string& func) const;
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

 private:
  using Fn = int32_t (*)(void*, uint64_t, const char*, const char*, char**);
  Driver() = default;
  CallResult Invoke(Fn fn, const std::string& func, const Json& input, const CancelToken& cancel);

  // Host callbacks (static, C linkage compatible).
  static void HostLog(void* host_data, int32_t level, const char* message);
  static uint64_t HostMonotonicNs(void* host_data);
  static int32_t HostCancelled(void* host_data, uint64_t call_id);

  std::string path_;
  void* handle_ = nullptr;
  const chaosrun_driver_api* api_ = nullptr;
  void* instance_ = nullptr;
  chaosrun_host_api host_{};
  Descriptor descriptor_;

  std::mutex call_mu_;  // one call at a time on the instance
  std::mutex tokens_mu_;
  std::map<uint64_t, CancelToken> tokens_;
  uint64_t next_call_ = 1;
};

}  // namespace chaosrun::plugin
