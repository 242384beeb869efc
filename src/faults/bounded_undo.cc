#include "faults/bounded_undo.h"

#include <fmt/format.h>
#include <poll.h>

#include <algorithm>
#include <cerrno>
#include <exception>
#include <thread>

namespace chaosrun::faults {

namespace {

plugin::CallResult HostFailure(const std::string& why) {
  plugin::CallResult r;
  r.status = CHAOSRUN_FAILED;
  r.value = Json{{"error", why}};
  return r;
}

}  // namespace

double UndoLimitSeconds(const plugin::Descriptor& driver, const std::string& func,
                        std::optional<double> policy_undo_timeout) {
  std::optional<double> declared = driver.UndoTimeout(func);
  double limit = declared ? *declared : policy_undo_timeout.value_or(kDefaultUndoTimeoutSeconds);
  if (policy_undo_timeout) limit = std::min(limit, *policy_undo_timeout);
  return limit;
}

std::string SecondsText(double seconds) { return fmt::format("{:g} s", seconds); }

void UndoAttempt::Finish(plugin::CallResult r) {
  {
    std::lock_guard lock(mu_);
    result_ = std::move(r);
  }
  done_.Cancel("finished");
}

plugin::CallResult UndoAttempt::result() const {
  std::lock_guard lock(mu_);
  return result_;
}

bool SleepUntilEither(Clock& clock, Clock::SteadyTime deadline, const CancelToken& a,
                      const CancelToken& b) {
  if (b.fd() < 0) return clock.SleepUntil(deadline, a);
  if (a.fd() < 0) return clock.SleepUntil(deadline, b);
  // The clock waits on one token: a small thread turns "a or b" into one.
  CancelSource either;
  CancelToken stop = either.token();
  std::thread linker;
  try {
    linker = std::thread([a, b, stop, &either] {
      pollfd fds[3] = {{a.fd(), POLLIN, 0}, {b.fd(), POLLIN, 0}, {stop.fd(), POLLIN, 0}};
      while (::poll(fds, 3, -1) < 0 && errno == EINTR) {
      }
      either.Cancel("woken");
    });
  } catch (const std::exception&) {
    return clock.SleepUntil(deadline, a);  // no thread to spare: `b` is noticed later
  }
  bool reached = clock.SleepUntil(deadline, either.token());
  either.Cancel("done");
  linker.join();
  return reached && !a.cancelled() && !b.cancelled();
}

BoundedUndoResult RunBoundedUndo(Clock& clock, UndoCall call, double limit_seconds,
                                 const CancelToken& hurry, double grace_seconds) {
  BoundedUndoResult out;
  auto attempt = std::make_shared<UndoAttempt>();
  const bool hurried_at_start = hurry.cancelled();
  const double limit = hurried_at_start ? std::min(limit_seconds, grace_seconds) : limit_seconds;
  const Clock::Duration grace = SecondsToDuration(grace_seconds);
  const Clock::SteadyTime limit_at = clock.Now() + SecondsToDuration(limit);
  try {
    std::thread([attempt, call = std::move(call)] {
      plugin::CallResult r;
      try {
        r = call(attempt->cancel_token());
      } catch (const std::exception& e) {
        r = HostFailure(std::string("undo failed: ") + e.what());
      } catch (...) {
        r = HostFailure("undo failed: an unknown exception");
      }
      attempt->Finish(std::move(r));
    }).detach();
  } catch (const std::exception& e) {
    out.call = HostFailure(std::string("cannot start the undo: ") + e.what());
    return out;
  }
  SleepUntilEither(clock, limit_at, attempt->done(), hurried_at_start ? CancelToken() : hurry);
  std::string why;
  if (!attempt->finished()) {
    Clock::SteadyTime abandon_at;
    if (clock.Now() >= limit_at) {
      why = "undo did not finish within " + SecondsText(limit);
      abandon_at = limit_at + grace;
    } else {
      why = "undo did not finish within " + SecondsText(grace_seconds) + " of the interrupt (" +
            hurry.reason() + ")";
      abandon_at = clock.Now() + grace;
    }
    attempt->Cancel(why);  // after abandon_at is known: tests wait for the driver to see this
    clock.SleepUntil(abandon_at, attempt->done());
  }
  if (!attempt->finished()) {
    out.call = HostFailure(why + "; abandoned");
    out.abandoned = true;
    out.attempt = attempt;
    return out;
  }
  out.call = attempt->result();
  if (!out.call.ok() && !why.empty()) {
    out.call = HostFailure(why + " (the driver answered: " + out.call.error() + ")");
  }
  return out;
}

plugin::CallResult UndoWithinLimit(Clock& clock, plugin::Driver& driver, const std::string& func,
                                   const Json& undo, std::optional<double> policy_undo_timeout) {
  double limit = UndoLimitSeconds(driver.descriptor(), func, policy_undo_timeout);
  return RunBoundedUndo(clock, driver.DetachableUndo(func, undo), limit).call;
}

}  // namespace chaosrun::faults
