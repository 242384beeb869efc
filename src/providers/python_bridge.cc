#include "providers/python_bridge.h"

#include <unistd.h>

#include <cstdlib>
#include <filesystem>

#include "common/log.h"
#include "common/which.h"
#include "providers/python_process.h"

namespace chaosrun::providers {

namespace {

std::string EnvOr(const char* name) {
  const char* v = std::getenv(name);
  return v != nullptr ? v : "";
}

}  // namespace

Result<std::string> ResolvePythonInterpreter(const PythonSettings& settings) {
  std::string wanted = settings.interpreter;
  std::string from = "--python";
  if (wanted.empty()) {
    wanted = EnvOr("CHAOSRUN_PYTHON");
    from = "CHAOSRUN_PYTHON";
  }
  if (wanted.empty()) {
    if (auto found = Which("python3")) return *found;
    return Err(Status::FailedPrecondition(
        "no Python interpreter: python3 is not on the PATH (name one with --python PATH or "
        "CHAOSRUN_PYTHON)"));
  }
  if (auto found = WhichExpandingHome(wanted)) return *found;
  return Err(Status::FailedPrecondition("no Python interpreter: '" + wanted + "' (" + from +
                                        ") is not an executable file"));
}

Result<std::string> LocateBridgeScript(const PythonSettings& settings) {
  std::string path = settings.bridge_script;
  if (path.empty()) path = EnvOr("CHAOSRUN_BRIDGE");
  if (path.empty()) {
    std::error_code ec;
    auto exe = std::filesystem::read_symlink("/proc/self/exe", ec);
    if (ec) return Err(Status::NotFound("cannot find the python bridge: /proc/self/exe"));
    path = (exe.parent_path().parent_path() / "share" / "chaosrun" / "bridge.py").string();
  }
  if (::access(path.c_str(), R_OK) != 0) {
    return Err(Status::NotFound("the python bridge " + path +
                                " is missing (is chaosrun installed? CHAOSRUN_BRIDGE names it)"));
  }
  return path;
}

PythonBridge::PythonBridge(PythonSettings settings) : settings_(std::move(settings)) {}

PythonBridge::~PythonBridge() {
  std::shared_ptr<Process> p;
  {
    std::lock_guard lock(mu_);
    p = std::move(process_);
  }
  p.reset();  // closes the requests, waits a grace, kills
}

void PythonBridge::SetInterruptHandler(InterruptHandler handler) {
  std::lock_guard lock(mu_);
  on_interrupt_ = std::make_shared<const InterruptHandler>(std::move(handler));
}

int PythonBridge::starts() const {
  std::lock_guard lock(mu_);
  return starts_;
}

int PythonBridge::pid() const {
  std::lock_guard lock(mu_);
  return process_ && !process_->dead() ? process_->pid() : -1;
}

Result<std::shared_ptr<PythonBridge::Process>> PythonBridge::Running(const CancelToken& cancel) {
  std::lock_guard lock(mu_);
  if (unavailable_) return Err(*unavailable_);
  if (process_ && !process_->dead()) return process_;
  process_.reset();  // a dead one: reaped and joined here, before its successor starts
  auto interpreter = ResolvePythonInterpreter(settings_);
  auto script = interpreter ? LocateBridgeScript(settings_) : Result<std::string>("");
  if (!interpreter || !script) {
    unavailable_ = interpreter ? script.error() : interpreter.error();
    log::Debug("python bridge: {}", unavailable_->message());
    return Err(*unavailable_);
  }
  auto p = std::make_shared<Process>(on_interrupt_);
  ++starts_;
  if (Status st = p->Start({*interpreter, *script}, cancel, settings_.start_timeout); !st.ok()) {
    p->Kill("it did not start");
    return Err(st);
  }
  log::Debug("python bridge started: {} {} (pid {})", *interpreter, *script, p->pid());
  process_ = p;
  return p;
}

Status PythonBridge::Start(const CancelToken& cancel) {
  auto p = Running(cancel);
  return p ? Status::Ok() : p.error();
}

BridgeReply PythonBridge::Call(Json request, const CancelToken& cancel,
                               std::optional<std::chrono::nanoseconds> timeout) {
  // Never throws (the engine and validation rely on it): whatever escapes
  // the call is a failed call.
  try {
    return CallOrThrow(std::move(request), cancel, timeout);
  } catch (const std::exception& e) {
    BridgeReply reply;
    reply.error = std::string("internal error in the python bridge: ") + e.what();
    return reply;
  } catch (...) {
    BridgeReply reply;
    reply.error = "internal error in the python bridge";
    return reply;
  }
}

BridgeReply PythonBridge::CallOrThrow(Json request, const CancelToken& cancel,
                                      std::optional<std::chrono::nanoseconds> timeout) {
  BridgeReply reply;
  if (cancel.cancelled()) {
    reply.end = BridgeReply::End::kCancelled;
    return reply;
  }
  auto p = Running(cancel);
  if (!p) {
    reply.end = p.error().code() == Code::kCancelled ? BridgeReply::End::kCancelled
                                                     : BridgeReply::End::kFailed;
    reply.error = p.error().message();
    return reply;
  }
  uint64_t id;
  {
    std::lock_guard lock(mu_);
    id = next_id_++;
  }
  request["id"] = id;
  // The timeout counts from here: the bridge's own start is not the call's.
  std::optional<std::chrono::steady_clock::time_point> deadline;
  if (timeout) deadline = std::chrono::steady_clock::now() + *timeout;
  std::string line;
  try {
    line = request.dump(-1, ' ', false, Json::error_handler_t::replace) + "\n";
  } catch (const std::exception& e) {
    reply.error = std::string("cannot encode the request: ") + e.what();
    return reply;
  }
  return (*p)->Exchange(id, line, cancel, deadline);
}

}  // namespace chaosrun::providers
