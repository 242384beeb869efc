#include "proxy/loop.h"

#include <sys/eventfd.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <string>
#include <utility>

#include "common/log.h"
#include "proxy/busy_poll.h"

namespace chaosrun::proxy {

namespace {

constexpr uint64_t kWakeTag = 0;   // epoll data of the eventfd
constexpr uint64_t kTimerTag = 1;  // epoll data of the timerfd (handlers are pointers, never 0/1)
constexpr int kMaxEvents = 64;

[[noreturn]] void Fail(const char* what) {
  throw std::runtime_error(std::string("proxy loop: ") + what + ": " + std::strerror(errno));
}

// Runs one task, timer callback or handler. An exception is logged and the turn goes on: the
// rest of an epoll batch is never delivered again (edge-triggered) and the rest of the task queue
// would be lost, which could stall other connections.
template <typename F>
void Guarded(const char* what, F&& f) {
  try {
    f();
  } catch (const std::exception& e) {
    log::Error("proxy loop: {}: {}", what, e.what());
  } catch (...) {
    log::Error("proxy loop: {}: unknown exception", what);
  }
}

timespec ToTimespec(LoopClock::time_point t) {
  auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(t.time_since_epoch()).count();
  if (ns <= 0) return timespec{0, 1};  // 0 would disarm the timerfd
  return timespec{static_cast<time_t>(ns / 1000000000), static_cast<long>(ns % 1000000000)};
}

}  // namespace

void Timer::Arm(LoopClock::time_point at, std::function<void()> fn) {
  if (armed_) loop_->timers_.erase({at_, seq_, this});
  // The callback replaced may hold the last reference to this timer's owner: released last,
  // when this timer is armed again (its destructor then cancels it).
  std::function<void()> old = std::exchange(fn_, std::move(fn));
  at_ = at;
  seq_ = ++loop_->timer_seq_;
  armed_ = true;
  loop_->timers_.emplace(at_, seq_, this);
}

void Timer::Cancel() {
  if (!armed_) return;
  loop_->timers_.erase({at_, seq_, this});
  armed_ = false;
  // The callback may hold the last reference to this timer's owner: released last.
  std::function<void()> fn = std::move(fn_);
}

Loop::Loop() {
  epoll_fd_ = ::epoll_create1(EPOLL_CLOEXEC);
  if (epoll_fd_ < 0) Fail("epoll_create1");
  wake_fd_ = ::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  if (wake_fd_ < 0) Fail("eventfd");
  // Timers use a timerfd (an exact hrtimer) rather than epoll_wait's own timeout, which the
  // kernel rounds by up to 0.1 % of its length (100 µs of slack on a 100 ms latency toxic).
  timer_fd_ = ::timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
  if (timer_fd_ < 0) Fail("timerfd_create");
  epoll_event ev{};
  ev.events = EPOLLIN;
  ev.data.u64 = kWakeTag;
  if (::epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, wake_fd_, &ev) != 0) Fail("epoll_ctl(eventfd)");
  ev.data.u64 = kTimerTag;
  if (::epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, timer_fd_, &ev) != 0) Fail("epoll_ctl(timerfd)");
}

void Loop::DisarmTimers() {
  std::vector<std::function<void()>> callbacks;
  for (const TimerKey& key : timers_) {
    Timer* t = std::get<2>(key);
    t->armed_ = false;
    callbacks.push_back(std::move(t->fn_));
  }
  timers_.clear();
  // Released after all are disarmed: releasing one may destroy another timer (or its own).
}

Loop::~Loop() {
  // Timers still armed belong to objects that outlive the loop: they must not touch it.
  DisarmTimers();
  // Pending tasks and deferred objects may own connections whose destructors use this loop
  // (Remove, Post, Defer, timers): release them while it is whole, until nothing is left.
  for (;;) {
    std::vector<std::function<void()>> tasks;
    {
      std::lock_guard lock(mu_);
      tasks.swap(remote_);
    }
    tasks.insert(tasks.end(), std::make_move_iterator(local_.begin()),
                 std::make_move_iterator(local_.end()));
    local_.clear();
    std::vector<std::shared_ptr<void>> deferred;
    deferred.swap(graveyard_);
    bool idle = tasks.empty() && deferred.empty() && timers_.empty();
    tasks.clear();
    deferred.clear();
    DisarmTimers();  // armed by those destructors
    if (idle) break;
  }
  ::close(timer_fd_);
  ::close(wake_fd_);
  ::close(epoll_fd_);
}

namespace {

Status EpollControl(int epoll_fd, int op, const char* name, int fd, uint32_t events, Pollable* p) {
  epoll_event ev{};
  ev.events = events;
  ev.data.ptr = p;
  if (::epoll_ctl(epoll_fd, op, fd, &ev) != 0) {
    return Status::IoError(std::string("epoll_ctl(") + name + "): " + std::strerror(errno));
  }
  return Status::Ok();
}

}  // namespace

Status Loop::Add(int fd, uint32_t events, Pollable* p) {
  return EpollControl(epoll_fd_, EPOLL_CTL_ADD, "ADD", fd, events, p);
}

Status Loop::Modify(int fd, uint32_t events, Pollable* p) {
  return EpollControl(epoll_fd_, EPOLL_CTL_MOD, "MOD", fd, events, p);
}

void Loop::Remove(int fd) {
  epoll_event ev{};
  ::epoll_ctl(epoll_fd_, EPOLL_CTL_DEL, fd, &ev);  // ENOENT/EBADF: not registered, fine
}

void Loop::Post(std::function<void()> fn) {
  if (InLoopThread()) {
    local_.push_back(std::move(fn));  // the loop runs these before it sleeps again
    return;
  }
  {
    std::lock_guard lock(mu_);
    remote_.push_back(std::move(fn));
  }
  if (!wake_pending_.exchange(true, std::memory_order_acq_rel)) Wake();
}

void Loop::Wake() {
  uint64_t one = 1;
  ssize_t n = ::write(wake_fd_, &one, sizeof one);
  (void)n;  // EAGAIN only if the counter is saturated: a wake-up is pending anyway
}

void Loop::Stop() {
  stopped_.store(true, std::memory_order_release);
  Wake();
}

size_t Loop::RunTasks() {
  // Reset before taking the queue: a Post that lands after the swap sees `false` and wakes us.
  if (wake_pending_.load(std::memory_order_acquire)) {
    wake_pending_.store(false, std::memory_order_seq_cst);
  }
  running_.clear();
  running_.swap(local_);
  {
    std::lock_guard lock(mu_);
    if (!remote_.empty()) {
      running_.insert(running_.end(), std::make_move_iterator(remote_.begin()),
                      std::make_move_iterator(remote_.end()));
      remote_.clear();
    }
  }
  size_t n = running_.size();
  // Tasks posted by these tasks go to local_ and run on the next turn (others get a go first).
  for (size_t i = 0; i < running_.size(); ++i) {
    std::function<void()> fn = std::move(running_[i]);
    Guarded("task", fn);
  }
  running_.clear();
  return n;
}

size_t Loop::RunTimers() {
  if (timers_.empty()) return 0;
  LoopClock::time_point now = LoopClock::now();
  // The timers due now, in order; those armed by their callbacks wait for the next turn.
  due_.clear();
  for (const TimerKey& key : timers_) {
    if (std::get<0>(key) > now) break;
    due_.push_back(key);
  }
  size_t n = 0;
  for (const TimerKey& key : due_) {
    // An earlier callback may have cancelled or re-armed it (or destroyed it: then it is gone).
    auto it = timers_.find(key);
    if (it == timers_.end()) continue;
    timers_.erase(it);
    Timer* timer = std::get<2>(key);
    timer->armed_ = false;
    std::function<void()> fn = std::move(timer->fn_);
    ++n;
    Guarded("timer", fn);
  }
  return n;
}

void Loop::SyncTimerFd() {
  if (timers_.empty()) return;  // a stale expiry only wakes the loop once
  LoopClock::time_point first = std::get<0>(*timers_.begin());
  if (timer_fd_armed_ && timer_fd_at_ <= first) return;
  itimerspec spec{};
  spec.it_value = ToTimespec(first);
  if (::timerfd_settime(timer_fd_, TFD_TIMER_ABSTIME, &spec, nullptr) != 0) Fail("timerfd_settime");
  timer_fd_armed_ = true;
  timer_fd_at_ = first;
}

size_t Loop::RunOnce(std::chrono::nanoseconds timeout) {
  running_thread_.store(std::this_thread::get_id(), std::memory_order_relaxed);
  size_t work = Turn(timeout);
  running_thread_.store(std::thread::id{}, std::memory_order_relaxed);
  return work;
}

size_t Loop::Turn(std::optional<std::chrono::nanoseconds> timeout, bool poll_after_work) {
  size_t work = RunTasks();
  work += RunTimers();
  SyncTimerFd();
  int wait_ms = -1;
  // A busy-polling loop that just ran tasks or timers (a latency release, say) polls rather than
  // sleeps: the answer to what they wrote is what the polling window is for.
  if (!local_.empty() || stopped() || (poll_after_work && work > 0)) {
    wait_ms = 0;
  } else if (timeout) {
    // Rounded up: a timeout must not end early. Only RunOnce passes one; the run loop either
    // blocks (timers wake it through the timerfd) or polls.
    auto ms = std::chrono::ceil<std::chrono::milliseconds>(*timeout).count();
    wait_ms = static_cast<int>(std::min<int64_t>(ms, 1 << 30));
  }
  epoll_event events[kMaxEvents];
  int n = ::epoll_wait(epoll_fd_, events, kMaxEvents, wait_ms);
  if (n < 0) {
    if (errno == EINTR) return work;
    Fail("epoll_wait");
  }
  for (int i = 0; i < n; ++i) {
    uint64_t tag = events[i].data.u64;
    if (tag == kWakeTag) {
      uint64_t count;
      ssize_t r = ::read(wake_fd_, &count, sizeof count);
      (void)r;
    } else if (tag == kTimerTag) {
      uint64_t expirations;
      ssize_t r = ::read(timer_fd_, &expirations, sizeof expirations);
      (void)r;
      timer_fd_armed_ = false;  // the timers themselves run at the start of the next turn
    } else {
      ++work;
      auto* p = static_cast<Pollable*>(events[i].data.ptr);
      uint32_t mask = events[i].events;
      Guarded("handler", [p, mask] { p->OnReady(mask); });
    }
  }
  if (!graveyard_.empty()) {
    std::vector<std::shared_ptr<void>> deferred;
    deferred.swap(graveyard_);
  }
  return work;
}

void Loop::Run(std::chrono::nanoseconds busy_poll, SpareCpuGate* gate) {
  running_thread_.store(std::this_thread::get_id(), std::memory_order_relaxed);
  const bool spin = busy_poll > std::chrono::nanoseconds::zero();
  bool may_poll = spin;  // the gate's last answer (asked after each turn that did work)
  LoopClock::time_point spin_until{};
  while (!stopped()) {
    bool polling = may_poll && LoopClock::now() < spin_until;
    size_t work =
        Turn(polling ? std::optional(std::chrono::nanoseconds::zero()) : std::nullopt, may_poll);
    // No sched_yield while polling: a yielded thread that stays runnable gets no wake-up
    // preemption when its event arrives. A peer that wakes up preempts the poller anyway.
    if (spin && work > 0) {
      LoopClock::time_point now = LoopClock::now();
      may_poll = gate == nullptr || gate->Allow(now);
      if (may_poll) spin_until = now + busy_poll;
    }
  }
  running_thread_.store(std::thread::id{}, std::memory_order_relaxed);
}

}  // namespace chaosrun::proxy
