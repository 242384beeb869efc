// A test driver (built into <build>/test-drivers, never installed) whose descriptor declares
// "concurrent_calls": true, for tests/unit/plugin/concurrent_calls_test.cc. serial_driver.cc
// builds the same driver without the flag (the host then serialises its calls).
//   probe "wait":  creates <dir>/probe_started, then waits until <dir>/release exists or the host
//                  cancels this call; creates <dir>/probe_returned and answers
//                  {"released": bool, "cancelled": bool}.
//   action "fault": prepare makes the arguments the undo; its undo creates <dir>/undone holding
//                  "while_probe" when a probe is in progress (started, not returned), else "idle".
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <string>

#include "chaosrun/driver_sdk.hpp"

#ifndef CONCURRENT_DRIVER_NAME
#define CONCURRENT_DRIVER_NAME "concurrent"
#define CONCURRENT_DRIVER_FLAG "\"concurrent_calls\": true, "
#endif

namespace {

using chaosrun::sdk::Call;
using chaosrun::sdk::Reply;
using Json = nlohmann::json;

void WriteMarker(const std::string& path, const std::string& text) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return;
  [[maybe_unused]] ssize_t n = ::write(fd, text.data(), text.size());
  ::close(fd);
}

bool MarkerExists(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0;
}

class Concurrent : public chaosrun::sdk::Driver {
 public:
  explicit Concurrent(const chaosrun::sdk::Host& h) : Driver(h) {}

  Reply Probe(const Call& call, const std::string& func, const Json& args) override {
    if (func != "wait") return Reply::Unsupported("no probe named '" + func + "'");
    std::string dir = args.value("dir", ".");
    WriteMarker(dir + "/probe_started", "");
    bool released = false;
    bool cancelled = false;
    for (;;) {
      if (MarkerExists(dir + "/release")) {
        released = true;
        break;
      }
      if (call.Cancelled()) {
        cancelled = true;
        break;
      }
      ::usleep(1000);
    }
    WriteMarker(dir + "/probe_returned", "");
    return Reply::Ok({{"released", released}, {"cancelled", cancelled}});
  }

  Reply Prepare(const Call&, const std::string&, const Json& args) override {
    return Reply::Ok({{"targets", Json::array({"test:concurrent/1"})}, {"undo", args}});
  }

  Reply Apply(const Call&, const std::string&, const Json&) override {
    return Reply::Ok({{"applied", true}});
  }

  Reply Undo(const Call&, const std::string&, const Json& undo) override {
    std::string dir = undo.value("dir", ".");
    bool probing = MarkerExists(dir + "/probe_started") && !MarkerExists(dir + "/probe_returned");
    WriteMarker(dir + "/undone", probing ? "while_probe" : "idle");
    return Reply::Ok({{"undone", true}});
  }
};

// The descriptor, with the flag (or, from serial_driver.cc, without it).
const char* const kConcurrentDescriptor =
    "{\"name\": \"" CONCURRENT_DRIVER_NAME "\", \"version\": \"1.0.0\", " CONCURRENT_DRIVER_FLAG
    "\"description\": \"Test driver: a probe that blocks on a marker file, an undo that "
    "records whether a probe is in progress\", "
    "\"actions\": [{\"name\": \"fault\"}], \"probes\": [{\"name\": \"wait\"}]}";

}  // namespace

CHAOSRUN_EXPORT_DRIVER(Concurrent, kConcurrentDescriptor)
