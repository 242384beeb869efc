// A test driver (built into <build>/test-drivers, never installed) whose every phase can be made
// to misbehave, for the fault lifecycle tests (tests/unit/faults). Its one action's arguments
// become the undo unchanged, so they steer every phase:
//   "targets": [...]        what prepare reports (default ["test:stubborn/1"])
//   "prepare": "fail"       prepare fails;  "no_undo": prepare returns no undo
//   "apply": "fail"         apply fails (after the intent is in the ledger)
//   "undo": "ok" (default)  undo succeeds
//           "fail"          undo always fails with "error" (default "undo failed on purpose")
//           "fail_changing" undo always fails, with an error naming the attempt (it changes)
//           "block"         undo creates <dir>/started, creates <dir>/cancelled once the host
//                           cancels the call (and goes on waiting: it ignores cancellation),
//                           and returns (creating <dir>/returned) only once <dir>/release
//                           exists
//           "throw"         undo throws (the SDK turns it into a failed call)
//   "log": PATH             every undo call appends one line to PATH
// Actions: "fault" (the driver's undo_timeout, 20 s) and "quick" (its own undo_timeout, 2 s).
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <stdexcept>
#include <string>

#include "chaosrun/driver_sdk.hpp"

namespace {

using chaosrun::sdk::Call;
using chaosrun::sdk::Reply;
using Json = nlohmann::json;

void Touch(const std::string& path) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
  if (fd >= 0) ::close(fd);
}

bool Exists(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0;
}

void AppendLine(const std::string& path, const std::string& line) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
  if (fd < 0) return;
  std::string text = line + "\n";
  [[maybe_unused]] ssize_t n = ::write(fd, text.data(), text.size());
  ::close(fd);
}

class Stubborn : public chaosrun::sdk::Driver {
 public:
  explicit Stubborn(const chaosrun::sdk::Host& h) : Driver(h) {}

  Reply Prepare(const Call&, const std::string&, const Json& args) override {
    std::string mode = args.value("prepare", "");
    if (mode == "fail") return Reply::Failed("prepare failed on purpose");
    Json targets = args.value("targets", Json::array({"test:stubborn/1"}));
    if (mode == "no_undo") return Reply::Ok({{"targets", targets}});
    return Reply::Ok({{"targets", targets}, {"undo", args}});
  }

  Reply Apply(const Call&, const std::string&, const Json& plan) override {
    if (plan["undo"].value("apply", "") == "fail") return Reply::Failed("apply failed on purpose");
    return Reply::Ok({{"applied", true}});
  }

  Reply Undo(const Call& call, const std::string&, const Json& undo) override {
    ++undos_;
    if (undo.contains("log")) AppendLine(undo["log"].get<std::string>(), "undo");
    std::string mode = undo.value("undo", "ok");
    if (mode == "fail") return Reply::Failed(undo.value("error", "undo failed on purpose"));
    if (mode == "fail_changing") {
      return Reply::Failed("undo failed on purpose (attempt " + std::to_string(undos_) + ")");
    }
    if (mode == "throw") throw std::runtime_error("undo exploded");
    if (mode == "block") {
      std::string dir = undo.value("dir", ".");
      Touch(dir + "/started");
      bool noted = false;
      while (!Exists(dir + "/release")) {
        if (!noted && call.Cancelled()) {
          Touch(dir + "/cancelled");
          noted = true;
        }
        ::usleep(1000);
      }
      Touch(dir + "/returned");
    }
    return Reply::Ok({{"undone", true}});
  }

 private:
  int undos_ = 0;
};

const char* const kDescriptor = R"({"name": "stubborn", "version": "1.0.0",
  "description": "Test driver: a fault whose prepare, apply and undo misbehave on request.",
  "undo_timeout": 20,
  "actions": [{"name": "fault"}, {"name": "quick", "undo_timeout": 2}]})";

}  // namespace

CHAOSRUN_EXPORT_DRIVER(Stubborn, kDescriptor)
