#include "providers/python_process.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <filesystem>
#include <stdexcept>

#include "common/log.h"
#include "common/no_throw.h"
#include "providers/spawn.h"

namespace chaosrun::providers {

namespace {

constexpr size_t kMaxBridgeCapture = size_t{1} << 20;  // the bridge's stdout/stderr, each
constexpr auto kExitGrace = std::chrono::seconds(2);

std::string ErrnoText() { return std::strerror(errno); }

// Milliseconds for poll() until `deadline` (-1: none), rounded up.
int PollTimeout(std::optional<std::chrono::steady_clock::time_point> deadline) {
  if (!deadline) return -1;
  const auto left = *deadline - std::chrono::steady_clock::now();
  if (left <= std::chrono::nanoseconds::zero()) return 0;
  return static_cast<int>(std::chrono::ceil<std::chrono::milliseconds>(left).count());
}

std::string Tail(const std::string& text, size_t max) {
  if (text.size() <= max) return text;
  return "…" + text.substr(text.size() - max);
}

void WriteEvent(int fd) {
  const uint64_t one = 1;
  [[maybe_unused]] ssize_t n = ::write(fd, &one, sizeof one);
}

// A reply from a response line. The line is untrusted input: a member of the wrong type makes
// the call fail, saying which member and what it was; nothing here throws on its content.
BridgeReply DecodeBridgeResponse(const Json& m) {
  auto malformed = [](const std::string& what) {
    BridgeReply bad;
    bad.error = "the python bridge sent a malformed response: " + what;
    return bad;
  };
  auto wrong = [&malformed](const char* member, const Json& v, const char* expected) {
    return malformed("`" + std::string(member) + "` is " + std::string(v.type_name()) + ", not " +
                     expected);
  };
  BridgeReply reply;
  auto ok = m.find("ok");
  if (ok == m.end()) return malformed("it has no `ok`");
  if (!ok->is_boolean()) return wrong("ok", *ok, "a boolean");
  if (ok->get<bool>()) {
    reply.end = BridgeReply::End::kOk;
    auto result = m.find("result");
    reply.result = result != m.end() ? *result : Json(nullptr);
    return reply;
  }
  reply.end = BridgeReply::End::kRaised;
  reply.error = "the python bridge failed";
  if (auto error = m.find("error"); error != m.end()) {
    if (!error->is_string()) return wrong("error", *error, "a string");
    reply.error = error->get<std::string>();
  }
  if (auto interrupt = m.find("interrupt"); interrupt != m.end() && !interrupt->is_null()) {
    if (!interrupt->is_boolean()) return wrong("interrupt", *interrupt, "a boolean");
    reply.interrupt = interrupt->get<bool>();
  }
  if (auto tb = m.find("traceback"); tb != m.end() && !tb->is_null()) {
    if (!tb->is_array()) return wrong("traceback", *tb, "a list of strings");
    for (const Json& line : *tb) {
      if (!line.is_string()) {
        return malformed("`traceback` holds " + std::string(line.type_name()) +
                         ", not only strings");
      }
      reply.traceback.push_back(line.get<std::string>());
    }
  }
  return reply;
}

}  // namespace

Status PythonBridge::Process::Start(const std::vector<std::string>& argv, const CancelToken& cancel,
                                    std::chrono::milliseconds start_timeout) {
  const char* tmp = std::getenv("TMPDIR");
  std::string templ =
      std::string(tmp != nullptr && *tmp != '\0' ? tmp : "/tmp") + "/chaosrun-python-XXXXXX";
  if (::mkdtemp(templ.data()) == nullptr) {
    return Status::IoError("cannot create a directory for the python bridge: " + ErrnoText());
  }
  dir_ = templ;
  const std::string requests = dir_ + "/requests", responses = dir_ + "/responses";
  if (::mkfifo(requests.c_str(), 0600) != 0 || ::mkfifo(responses.c_str(), 0600) != 0) {
    return Status::IoError("mkfifo in " + dir_ + ": " + ErrnoText());
  }
  // Both ends chaosrun uses are open before the bridge starts, so its opens never block. The
  // requests are opened read-write: a FIFO's read end then never sees end-of-file before this
  // object closes it (chaosrun never reads from it).
  responses_fd_ = ::open(responses.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
  requests_fd_ = ::open(requests.c_str(), O_RDWR | O_NONBLOCK | O_CLOEXEC);
  exited_fd_ = ::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  if (responses_fd_ < 0 || requests_fd_ < 0 || exited_fd_ < 0) {
    return Status::IoError("open: " + ErrnoText());
  }

  std::vector<std::string> full = argv;
  full.push_back(requests);
  full.push_back(responses);
  try {
    spawner_ = std::thread([this, full] {
      NoThrow("the python bridge", [&] {
        SpawnOptions options;
        options.max_capture = kMaxBridgeCapture;
        options.on_spawn = [this](pid_t pid) { pid_.store(pid); };
        auto run = SpawnAndWait(full, lifetime_.token(), options);
        if (!run) {
          exit_note_ = run.error().message();
        } else {
          exit_note_ = run->end == ProcessResult::End::kCancelled
                           ? "killed (" + lifetime_.token().reason() + ")"
                           : "exited with status " + std::to_string(run->status);
          if (!run->err.empty()) {
            log::Warn("python bridge stderr:\n{}", Tail(run->err, 16384));
          }
          if (!run->out.empty()) log::Debug("python bridge stdout:\n{}", Tail(run->out, 16384));
        }
      });
      dead_.store(true);
      WriteEvent(exited_fd_);
    });
  } catch (const std::system_error& e) {
    return Status::IoError(std::string("cannot start a thread for the python bridge: ") + e.what());
  }

  // Wait for {"event": "ready"}: then the bridge has opened both FIFOs.
  const auto deadline = std::chrono::steady_clock::now() + start_timeout;
  for (;;) {
    if (size_t nl = buffer_.find('\n'); nl != std::string::npos) {
      std::string first = buffer_.substr(0, nl);
      buffer_.erase(0, nl + 1);
      Json ready = Json::parse(first, nullptr, false);
      if (ready.is_object() && ready.contains("event") && ready["event"] == "ready") break;
      return Status::Internal("the python bridge did not say it was ready: " + Tail(first, 200));
    }
    std::array<pollfd, 3> fds{pollfd{responses_fd_, POLLIN, 0}, pollfd{exited_fd_, POLLIN, 0},
                              pollfd{cancel.fd(), POLLIN, 0}};
    const int r = ::poll(fds.data(), cancel.fd() < 0 ? 2 : 3, PollTimeout(deadline));
    if (r < 0 && errno == EINTR) continue;
    if (cancel.cancelled()) return Status::Cancelled("interrupted while the python bridge started");
    if (r == 0) return Status::Timeout("the python bridge did not start within the time allowed");
    if (fds[0].revents & POLLIN) {
      char chunk[4096];
      const ssize_t n = ::read(responses_fd_, chunk, sizeof chunk);
      if (n > 0) buffer_.append(chunk, static_cast<size_t>(n));
      if (n > 0) continue;
    }
    if (fds[1].revents != 0) {
      if (spawner_.joinable()) spawner_.join();
      return Status::Unavailable("the python bridge ended before it was ready: " + exit_note_);
    }
  }
  try {
    reader_ = std::thread([this] { ReadResponses(); });
  } catch (const std::system_error& e) {
    return Status::IoError(std::string("cannot start a thread for the python bridge: ") + e.what());
  }
  return Status::Ok();
}

PythonBridge::Process::~Process() {
  if (requests_fd_ >= 0) ::close(requests_fd_);  // EOF: the bridge exits on its own
  requests_fd_ = -1;
  if (spawner_.joinable()) {
    pollfd p{exited_fd_, POLLIN, 0};
    while (::poll(&p, 1, static_cast<int>(std::chrono::milliseconds(kExitGrace).count())) < 0 &&
           errno == EINTR) {
    }
    if (!dead_.load()) lifetime_.Cancel("the run is over and the bridge did not exit");
    spawner_.join();
  } else {
    lifetime_.Cancel("the run is over");
  }
  if (reader_.joinable()) reader_.join();
  for (int fd : {responses_fd_, exited_fd_}) {
    if (fd >= 0) ::close(fd);
  }
  if (!dir_.empty()) {
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }
}

void PythonBridge::Process::Kill(const std::string& why) {
  {
    std::lock_guard lock(mu_);
    if (why_dead_.empty()) why_dead_ = why;
  }
  dead_.store(true);  // condemned: the next call starts a new bridge
  lifetime_.Cancel(why);
}

void PythonBridge::Process::ReadResponses() {
  // Whatever ends the loop (the bridge's end, a line chaosrun could not handle), the bridge is
  // dead and every call still waiting fails: none may hang.
  std::exception_ptr failure;
  try {
    ReadUntilEnd();
  } catch (...) {
    failure = std::current_exception();
  }
  if (failure) {
    NoThrow("the python bridge's reader", [&] {
      std::string why = "chaosrun could not handle a response of the python bridge";
      try {
        std::rethrow_exception(failure);
      } catch (const std::exception& e) {
        why += std::string(": ") + e.what();
      } catch (...) {
      }
      Kill(why);
    });
  }
  dead_.store(true);
  NoThrow("the python bridge's reader", [this] {
    std::string why;
    {
      std::lock_guard lock(mu_);
      why = why_dead_.empty() ? "the python bridge died during the call" : why_dead_;
    }
    FailAll(why);
  });
}

void PythonBridge::Process::ReadUntilEnd() {
  char chunk[65536];
  for (;;) {
    pollfd p{responses_fd_, POLLIN, 0};
    if (::poll(&p, 1, -1) < 0) {
      if (errno == EINTR) continue;
      break;
    }
    const ssize_t n = ::read(responses_fd_, chunk, sizeof chunk);
    if (n < 0 && (errno == EINTR || errno == EAGAIN)) continue;
    if (n <= 0) break;  // the bridge ended (its end of the FIFO closed)
    buffer_.append(chunk, static_cast<size_t>(n));
    size_t start = 0;
    for (size_t nl; (nl = buffer_.find('\n', start)) != std::string::npos; start = nl + 1) {
      OnLine(std::string_view(buffer_).substr(start, nl - start));
    }
    buffer_.erase(0, start);
    if (buffer_.size() > kMaxBridgeLine) {
      Kill("the python bridge sent a response longer than " + std::to_string(kMaxBridgeLine >> 20) +
           " MiB");
      break;
    }
  }
}

void PythonBridge::Process::OnLine(std::string_view line) {
  Json message = Json::parse(line, nullptr, /*allow_exceptions=*/false);
  if (!message.is_object()) {
    log::Warn("python bridge: a response that is not a JSON object was ignored");
    return;
  }
  if (auto ev = message.find("event"); ev != message.end()) {
    if (*ev == "interrupt" && on_interrupt_ && *on_interrupt_) {
      // An interrupt is kept whatever its other members hold: only "SIGUSR2" is harsh.
      auto sig = message.find("signal");
      const bool harsh = sig != message.end() && *sig == "SIGUSR2";
      auto reason = message.find("reason");
      (*on_interrupt_)(harsh, reason != message.end() && reason->is_string()
                                  ? reason->get<std::string>()
                                  : std::string("the python bridge asked"));
    }
    return;
  }
  auto id = message.find("id");
  if (id == message.end()) {
    log::Warn("python bridge: a response without an id was ignored");
    return;
  }
  if (!id->is_number_unsigned()) {
    // Which call it answers cannot be known: every call waiting fails now rather than waiting
    // for an answer that may never come (the throw reaches ReadResponses).
    throw std::runtime_error("a response whose id is " + std::string(id->type_name()) +
                             (id->is_number() ? " " + id->dump() : std::string()) +
                             ", not a call's number");
  }
  std::lock_guard lock(mu_);
  auto it = pending_.find(id->get<uint64_t>());
  if (it == pending_.end()) return;  // a call that gave up (timeout, cancellation)
  it->second.response = std::move(message);
  it->second.done = true;
  WriteEvent(it->second.wake_fd);
}

void PythonBridge::Process::FailAll(const std::string& why) {
  std::lock_guard lock(mu_);
  for (auto& [id, p] : pending_) {
    if (p.done) continue;
    p.died = why.empty() ? "the python bridge died during the call" : why;
    p.done = true;
    WriteEvent(p.wake_fd);
  }
}

Status PythonBridge::Process::Send(const std::string& line, const CancelToken& cancel,
                                   std::optional<std::chrono::steady_clock::time_point> deadline) {
  std::lock_guard lock(write_mu_);
  size_t off = 0;
  while (off < line.size()) {
    const ssize_t n = ::write(requests_fd_, line.data() + off, line.size() - off);
    if (n > 0) {
      off += static_cast<size_t>(n);
      continue;
    }
    if (n < 0 && errno != EAGAIN && errno != EINTR) {
      return Status::Unavailable("the python bridge is gone (" + ErrnoText() + ")");
    }
    std::array<pollfd, 2> fds{pollfd{requests_fd_, POLLOUT, 0}, pollfd{cancel.fd(), POLLIN, 0}};
    const int r = ::poll(fds.data(), cancel.fd() < 0 ? 1 : 2, PollTimeout(deadline));
    if (cancel.cancelled()) return Status::Cancelled("interrupted");
    if (r == 0) return Status::Timeout("timed out");
  }
  return Status::Ok();
}

BridgeReply PythonBridge::Process::Exchange(
    uint64_t id, const std::string& line, const CancelToken& cancel,
    std::optional<std::chrono::steady_clock::time_point> deadline) {
  BridgeReply reply;
  const int wake = ::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  if (wake < 0) {
    reply.error = "eventfd: " + ErrnoText();
    return reply;
  }
  struct Forget {
    Process* p;
    uint64_t id;
    int fd;
    ~Forget() {
      std::lock_guard lock(p->mu_);
      p->pending_.erase(id);
      ::close(fd);
    }
  } forget{this, id, wake};
  {
    std::lock_guard lock(mu_);
    if (dead_.load()) {
      reply.error = why_dead_.empty() ? "the python bridge is not running" : why_dead_;
      return reply;
    }
    pending_[id].wake_fd = wake;
  }
  Status sent = Send(line, cancel, deadline);
  if (sent.code() == Code::kCancelled || sent.code() == Code::kTimeout) {
    Kill(sent.code() == Code::kCancelled ? "interrupted" : "timed out");
    reply.end = sent.code() == Code::kCancelled ? BridgeReply::End::kCancelled
                                                : BridgeReply::End::kTimedOut;
    return reply;
  }
  if (!sent.ok()) {
    reply.error = sent.message();
    return reply;
  }
  for (;;) {
    std::array<pollfd, 2> fds{pollfd{wake, POLLIN, 0}, pollfd{cancel.fd(), POLLIN, 0}};
    const int r = ::poll(fds.data(), cancel.fd() < 0 ? 1 : 2, PollTimeout(deadline));
    if (r < 0 && errno == EINTR) continue;
    std::unique_lock lock(mu_);
    Pending& p = pending_[id];
    if (p.done) {
      if (!p.died.empty()) {
        reply.error = p.died;
        return reply;
      }
      return DecodeBridgeResponse(p.response);
    }
    lock.unlock();
    if (cancel.cancelled() || r == 0) {
      const bool timed_out = !cancel.cancelled();
      Kill(timed_out ? "a call timed out" : "a call was interrupted");
      reply.end = timed_out ? BridgeReply::End::kTimedOut : BridgeReply::End::kCancelled;
      return reply;
    }
  }
}

}  // namespace chaosrun::providers
