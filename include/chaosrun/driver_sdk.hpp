// chaosrun driver SDK — write a driver as a C++ class, export it with one macro.
//
//   class MyDriver : public chaosrun::sdk::Driver {
//    public:
//     explicit MyDriver(const chaosrun::sdk::Host& host) : Driver(host) {}
//     chaosrun::sdk::Reply Probe(const chaosrun::sdk::Call& call, const std::string& func,
//                                const nlohmann::json& args) override;
//     ...
//   };
//   CHAOSRUN_EXPORT_DRIVER(MyDriver, R"({"name": "my", "version": "1.0.0", ...})")
//
// The macro defines the one exported C entry point of driver_abi.h. The SDK converts JSON text
// to and from nlohmann::json, catches every exception at the boundary (an escaping exception
// becomes CHAOSRUN_INTERNAL with its message), and frees what it allocates. Header-only; needs
// C++17 and nlohmann_json. See drivers/example/ for a complete driver to copy.
#pragma once

#include <cstdlib>
#include <cstring>
#include <exception>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "chaosrun/driver_abi.h"

namespace chaosrun::sdk {

// The host's services (logging, monotonic clock).
class Host {
 public:
  explicit Host(const chaosrun_host_api* api) : api_(api) {}
  void Log(chaosrun_log_level level, const std::string& message) const {
    if (api_ != nullptr && api_->log != nullptr) {
      api_->log(api_->host_data_borrowed, level, message.c_str());
    }
  }
  uint64_t MonotonicNs() const {
    return api_ != nullptr && api_->monotonic_ns != nullptr
               ? api_->monotonic_ns(api_->host_data_borrowed)
               : 0;
  }
  const chaosrun_host_api* api() const { return api_; }

 private:
  const chaosrun_host_api* api_;
};

// One call from the host: lets long operations notice cancellation.
class Call {
 public:
  Call(const Host& host, uint64_t id) : host_(host), id_(id) {}
  bool Cancelled() const {
    const chaosrun_host_api* a = host_.api();
    return a != nullptr && a->cancelled != nullptr && a->cancelled(a->host_data_borrowed, id_) != 0;
  }
  const Host& host() const { return host_; }
  uint64_t id() const { return id_; }

 private:
  const Host& host_;
  uint64_t id_;
};

// The answer to a call: a status and a JSON value (the result, or {"error": message}).
struct Reply {
  chaosrun_status status = CHAOSRUN_OK;
  nlohmann::json value;

  static Reply Ok(nlohmann::json v) { return {CHAOSRUN_OK, std::move(v)}; }
  static Reply Error(chaosrun_status s, const std::string& message) {
    return {s, nlohmann::json{{"error", message}}};
  }
  static Reply Invalid(const std::string& m) { return Error(CHAOSRUN_INVALID_ARGUMENT, m); }
  static Reply Failed(const std::string& m) { return Error(CHAOSRUN_FAILED, m); }
  static Reply Unsupported(const std::string& m) { return Error(CHAOSRUN_UNSUPPORTED, m); }
};

// Base class of a driver instance. Override what the driver offers; the defaults answer
// "unsupported". One instance never receives two calls at once, unless its descriptor declares
// "concurrent_calls": true (then every method must be safe to call from several threads).
class Driver {
 public:
  explicit Driver(const Host& host) : host_(host) {}
  virtual ~Driver() = default;

  virtual Reply Probe(const Call&, const std::string& func, const nlohmann::json&) {
    return Reply::Unsupported("no probe named '" + func + "'");
  }
  // No side effects: choose targets, compute the exact undo. Return
  // {"targets": ["<kind>:<id>", ...], "undo": {...}, ...anything apply needs}.
  virtual Reply Prepare(const Call&, const std::string& func, const nlohmann::json&) {
    return Reply::Unsupported("no action named '" + func + "'");
  }
  virtual Reply Apply(const Call&, const std::string& func, const nlohmann::json&) {
    return Reply::Unsupported("no action named '" + func + "'");
  }
  // Idempotent; safe when apply never ran.
  virtual Reply Undo(const Call&, const std::string& func, const nlohmann::json&) {
    return Reply::Unsupported("no action named '" + func + "'");
  }

 protected:
  const Host& host() const { return host_; }

 private:
  Host host_;
};

namespace internal {

inline char* Dup(const std::string& s) {
  char* p = static_cast<char*>(std::malloc(s.size() + 1));
  if (p != nullptr) std::memcpy(p, s.c_str(), s.size() + 1);
  return p;
}

inline void FreeOwned(char* p) { std::free(p); }

inline void Write(const Reply& r, char** out) {
  if (out == nullptr) return;
  try {
    *out = Dup(r.value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
  } catch (...) {
    *out = nullptr;
  }
}

template <typename Fn>
int32_t Guarded(const char* json_text, char** out, Fn&& fn) noexcept {
  if (out != nullptr) *out = nullptr;
  try {
    Reply r;
    nlohmann::json in;
    bool parsed = true;
    try {
      in = nlohmann::json::parse(json_text == nullptr ? "null" : json_text);
    } catch (const nlohmann::json::exception& e) {
      parsed = false;
      r = Reply::Invalid(std::string("malformed JSON from the host: ") + e.what());
    }
    if (parsed) {
      // Anything the driver itself throws (a JSON error included) is the driver's bug.
      try {
        r = fn(in);
      } catch (const std::exception& e) {
        r = Reply::Error(CHAOSRUN_INTERNAL, std::string("driver error: ") + e.what());
      } catch (...) {
        r = Reply::Error(CHAOSRUN_INTERNAL, "driver error: unknown exception");
      }
    }
    Write(r, out);
    return static_cast<int32_t>(r.status);
  } catch (...) {
    // Out of memory while reporting: nothing may cross the C boundary.
    return static_cast<int32_t>(CHAOSRUN_INTERNAL);
  }
}

template <typename D>
struct Instance {
  explicit Instance(const chaosrun_host_api* api) : host(api), driver(host) {}
  Host host;
  D driver;
};

template <typename D>
struct Exporter {
  static void* Create(const chaosrun_host_api* host) {
    if (host == nullptr || host->abi_major != CHAOSRUN_DRIVER_ABI_MAJOR) return nullptr;
    try {
      return new Instance<D>(host);
    } catch (...) {
      return nullptr;
    }
  }
  static void Destroy(void* p) { delete static_cast<Instance<D>*>(p); }
  static int32_t ProbeFn(void* p, uint64_t id, const char* func, const char* args, char** out) {
    auto* inst = static_cast<Instance<D>*>(p);
    return Guarded(args, out, [&](const nlohmann::json& in) {
      return inst->driver.Probe(Call(inst->host, id), func ? func : "", in);
    });
  }
  static int32_t PrepareFn(void* p, uint64_t id, const char* func, const char* args, char** out) {
    auto* inst = static_cast<Instance<D>*>(p);
    return Guarded(args, out, [&](const nlohmann::json& in) {
      return inst->driver.Prepare(Call(inst->host, id), func ? func : "", in);
    });
  }
  static int32_t ApplyFn(void* p, uint64_t id, const char* func, const char* plan, char** out) {
    auto* inst = static_cast<Instance<D>*>(p);
    return Guarded(plan, out, [&](const nlohmann::json& in) {
      return inst->driver.Apply(Call(inst->host, id), func ? func : "", in);
    });
  }
  static int32_t UndoFn(void* p, uint64_t id, const char* func, const char* undo, char** out) {
    auto* inst = static_cast<Instance<D>*>(p);
    return Guarded(undo, out, [&](const nlohmann::json& in) {
      return inst->driver.Undo(Call(inst->host, id), func ? func : "", in);
    });
  }
  static const chaosrun_driver_api* Api(const char* descriptor) {
    static const chaosrun_driver_api api = {CHAOSRUN_DRIVER_ABI_MAJOR,
                                            CHAOSRUN_DRIVER_ABI_MINOR,
                                            static_cast<uint32_t>(sizeof(chaosrun_driver_api)),
                                            descriptor,
                                            &Create,
                                            &Destroy,
                                            &ProbeFn,
                                            &PrepareFn,
                                            &ApplyFn,
                                            &UndoFn,
                                            &FreeOwned};
    return &api;
  }
};

}  // namespace internal
}  // namespace chaosrun::sdk

// Exports `DriverClass` (a chaosrun::sdk::Driver with a constructor taking const Host&) with
// the given JSON descriptor as the library's driver.
#define CHAOSRUN_EXPORT_DRIVER(DriverClass, descriptor_json)                       \
  extern "C" __attribute__((visibility("default"))) const chaosrun_driver_api*     \
  chaosrun_driver_entry(uint16_t host_abi_major, uint16_t /*host_abi_minor*/) {    \
    if (host_abi_major != CHAOSRUN_DRIVER_ABI_MAJOR) return nullptr;               \
    return ::chaosrun::sdk::internal::Exporter<DriverClass>::Api(descriptor_json); \
  }
