// Sources of small drivers compiled on the fly by the tests: a raw-ABI driver whose every detail
// can be broken by a #define, and an SDK driver that throws and waits for cancellation.
#pragma once

#include <string>

namespace chaosrun::abi_test {

// A driver written directly against driver_abi.h (no SDK). `defines` (lines of #define) change
// it; by default it is a valid driver named NAME whose calls all answer {"ok": true}:
//   NAME "x"             the descriptor's name (required unless DESCRIPTOR is set)
//   DESCRIPTOR "..."     the descriptor text (may be invalid) or nullptr
//   ABI_MAJOR n          the abi_major it reports
//   STRUCT_SIZE n        the struct_size it reports; the struct really has one field more than
//                        v1 (as a driver built for a newer minor would), so up to
//                        sizeof(Extended) is honest
//   NULL_PROBE           leaves the probe function pointer empty
//   NO_ENTRY             exports no chaosrun_driver_entry symbol
//   ENTRY_RETURNS_NULL   the entry refuses every host
//   CREATE_FAILS         create() returns NULL
//   OUTPUT "..."         what every call writes to its output (may be malformed JSON)
//   STATUS n             what every call returns
inline std::string RawDriver(const std::string& defines) {
  return defines + R"cc(
#include <cstddef>
#include <cstdlib>
#include <cstring>
#include "chaosrun/driver_abi.h"
#ifndef DESCRIPTOR
#define DESCRIPTOR "{\"name\": \"" NAME "\", \"version\": \"1.0.0\"}"
#endif
#ifndef ABI_MAJOR
#define ABI_MAJOR CHAOSRUN_DRIVER_ABI_MAJOR
#endif
#ifndef STRUCT_SIZE
#define STRUCT_SIZE sizeof(chaosrun_driver_api)
#endif
#ifndef OUTPUT
#define OUTPUT "{\"ok\": true}"
#endif
#ifndef STATUS
#define STATUS CHAOSRUN_OK
#endif
    namespace {
    int instance_storage;
    void* Create(const chaosrun_host_api*) {
#ifdef CREATE_FAILS
      return nullptr;
#else
      return &instance_storage;
#endif
    }
    void Destroy(void*) {}
    int32_t Call(void*, uint64_t, const char*, const char*, char** out) {
      *out = static_cast<char*>(std::malloc(std::strlen(OUTPUT) + 1));
      std::strcpy(*out, OUTPUT);
      return STATUS;
    }
    void FreeOwned(char* p) { std::free(p); }
    struct Extended {  // v1 followed by a field a later minor version might append
      chaosrun_driver_api v1;
      void* appended_later;
    };
#ifdef NULL_PROBE
#define PROBE nullptr
#else
#define PROBE &Call
#endif
    const Extended api = {{ABI_MAJOR, CHAOSRUN_DRIVER_ABI_MINOR, static_cast<uint32_t>(STRUCT_SIZE),
                           DESCRIPTOR, &Create, &Destroy, PROBE, &Call, &Call, &Call, &FreeOwned},
                          nullptr};
    }  // namespace
#ifdef NO_ENTRY
    extern "C" const chaosrun_driver_api* chaosrun_driver_entry_misspelled(uint16_t, uint16_t) {
      return &api.v1;
    }
#else
    extern "C" const chaosrun_driver_api* chaosrun_driver_entry(uint16_t major, uint16_t) {
#ifdef ENTRY_RETURNS_NULL
      return nullptr;
#else
      (void)major;
      return &api.v1;
#endif
    }
#endif
  )cc";
}

// A driver written with the SDK, named "sdk_test". Probes:
//   "throw"            throws std::runtime_error("boom from the driver")
//   "throw_int"        throws an int (not a std::exception)
//   "cancel_check"     returns CHAOSRUN_CANCELLED if the call is already cancelled, else true
//   "wait_for_cancel"  writes "started" to the FIFO args["fifo"], then loops until the call is
//                      cancelled and returns CHAOSRUN_CANCELLED
//   "echo"             returns its arguments
//   "parse_error"      lets a nlohmann::json::parse_error escape (a bug in the driver)
// Actions: "noop" (prepare/apply/undo succeed; apply throws if plan["throw"] is true).
inline std::string SdkDriver() {
  return R"cc(
#include <fcntl.h>
#include <unistd.h>
#include <stdexcept>
#include "chaosrun/driver_sdk.hpp"
    namespace {
    using chaosrun::sdk::Call;
    using chaosrun::sdk::Reply;
    class SdkTest : public chaosrun::sdk::Driver {
     public:
      explicit SdkTest(const chaosrun::sdk::Host& h) : Driver(h) {}
      Reply Probe(const Call& call, const std::string& func, const nlohmann::json& args) override {
        if (func == "throw") throw std::runtime_error("boom from the driver");
        if (func == "throw_int") throw 42;
        if (func == "cancel_check") {
          if (call.Cancelled()) return Reply::Error(CHAOSRUN_CANCELLED, "cancelled at once");
          return Reply::Ok(true);
        }
        if (func == "wait_for_cancel") {
          std::string fifo = args.at("fifo").get<std::string>();
          int fd = ::open(fifo.c_str(), O_WRONLY | O_CLOEXEC);
          if (fd < 0) return Reply::Failed("cannot open the fifo");
          ssize_t n = ::write(fd, "started", 7);
          ::close(fd);
          if (n != 7) return Reply::Failed("cannot write the fifo");
          while (!call.Cancelled()) {
          }
          return Reply::Error(CHAOSRUN_CANCELLED, "cancelled while waiting");
        }
        if (func == "echo") return Reply::Ok(args);
        if (func == "parse_error") return Reply::Ok(nlohmann::json::parse("{not json"));
        return Driver::Probe(call, func, args);
      }
      Reply Prepare(const Call&, const std::string&, const nlohmann::json& args) override {
        return Reply::Ok({{"targets", nlohmann::json::array()},
                          {"undo", args},
                          {"throw", args.value("throw", false)}});
      }
      Reply Apply(const Call&, const std::string&, const nlohmann::json& plan) override {
        if (plan.value("throw", false)) throw std::logic_error("apply exploded");
        return Reply::Ok({{"applied", true}});
      }
      Reply Undo(const Call&, const std::string&, const nlohmann::json&) override {
        return Reply::Ok({{"undone", true}});
      }
    };
    const char* const kDescriptor = R"({"name": "sdk_test", "version": "0.0.1",
  "actions": [{"name": "noop"}],
  "probes": [{"name": "throw"}, {"name": "throw_int"}, {"name": "cancel_check"},
             {"name": "wait_for_cancel"}, {"name": "echo"}, {"name": "parse_error"}]})";
    }  // namespace
    CHAOSRUN_EXPORT_DRIVER(SdkTest, kDescriptor)
  )cc";
}

}  // namespace chaosrun::abi_test
