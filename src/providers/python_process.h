// One bridge process (see python_bridge.h): its FIFOs, the thread that spawns and reaps it, the
// thread that reads its responses, and the calls waiting for them. Internal to src/providers.
#pragma once

#include <atomic>
#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "providers/python_bridge.h"

namespace chaosrun::providers {

inline constexpr size_t kMaxBridgeLine = size_t{64} << 20;  // one response, bytes

class PythonBridge::Process {
 public:
  Process(std::shared_ptr<const InterruptHandler> on_interrupt)
      : on_interrupt_(std::move(on_interrupt)) {}
  ~Process();  // closes the requests, waits a grace, kills; joins both threads
  Process(const Process&) = delete;
  Process& operator=(const Process&) = delete;

  // Creates the FIFOs, spawns `argv` + the FIFO paths and waits for the bridge's "ready".
  Status Start(const std::vector<std::string>& argv, const CancelToken& cancel,
               std::chrono::milliseconds start_timeout);

  // Sends one request line and waits for the response with this id.
  BridgeReply Exchange(uint64_t id, const std::string& line, const CancelToken& cancel,
                       std::optional<std::chrono::steady_clock::time_point> deadline);

  // Kills the process group (SIGKILL through the spawn helper's token); calls in flight fail.
  void Kill(const std::string& why);
  bool dead() const { return dead_.load(); }
  int pid() const { return pid_.load(); }

 private:
  struct Pending {
    int wake_fd = -1;  // eventfd written when `response` or `died` is set (owned by Exchange)
    bool done = false;
    Json response;     // the bridge's response line (untrusted: every member is type-checked)
    std::string died;  // set instead when the bridge ended first: why
  };

  void ReadResponses();                // the reader thread: until the bridge ends; then FailAll
  void ReadUntilEnd();                 // its loop (may throw: ReadResponses fails the calls then)
  void OnLine(std::string_view line);  // one line: a reply by id, or an event
  void FailAll(const std::string& why);
  Status Send(const std::string& line, const CancelToken& cancel,
              std::optional<std::chrono::steady_clock::time_point> deadline);

  std::shared_ptr<const InterruptHandler> on_interrupt_;
  std::string dir_;  // private temporary directory holding the two FIFOs
  int requests_fd_ = -1;
  int responses_fd_ = -1;
  int exited_fd_ = -1;  // eventfd: the spawn thread has reaped the bridge
  std::string buffer_;  // response bytes not yet a whole line
  CancelSource lifetime_;
  std::thread spawner_;
  std::thread reader_;
  std::atomic<bool> dead_{false};
  std::atomic<int> pid_{-1};
  std::string exit_note_;  // how it ended (spawner_ thread; read after joining it)

  std::mutex mu_;  // pending_, why_dead_
  std::map<uint64_t, Pending> pending_;
  std::string why_dead_;
  std::mutex write_mu_;
};

}  // namespace chaosrun::providers
