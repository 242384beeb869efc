// Bounded undo: one driver undo call with a time limit, whatever the driver does.
//
// A driver call may ignore cancellation and never return (a hung systemctl, an unreachable proxy
// API with no timeout), so the call runs on a thread of its own while the caller waits on the
// injected clock. At the limit the token given to the driver is cancelled; after a short grace
// the call is ABANDONED: the caller stops waiting and gets a failure ("undo did not finish within
// 30 s; abandoned"). The thread is detached and holds only state it shares by reference count
// (the UndoAttempt below and the driver's core, see Driver::DetachableUndo), so nothing dangles
// when the caller, the FaultManager or the Driver object goes away; the process exiting ends it.
//
// The limit of an undo (UndoLimitSeconds): the action's "undo_timeout" in the driver's
// descriptor, else the driver's, else the policy's `undo-timeout`, else kDefaultUndoTimeout;
// the smallest `undo-timeout` of the policy layers caps whatever the driver declares.
//
// `hurry` (an interrupt during the undo phase): once it is cancelled, an undo in flight has its
// token cancelled at once and is abandoned after the grace; an undo started after it gets the
// grace as its whole limit (then the usual grace after cancelling its token).
#pragma once

#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "common/cancel.h"
#include "common/clock.h"
#include "common/json.h"
#include "plugin/driver.h"

namespace chaosrun::faults {

inline constexpr double kDefaultUndoTimeoutSeconds = 30;
inline constexpr double kUndoGraceSeconds = 1;

double UndoLimitSeconds(const plugin::Descriptor& driver, const std::string& func,
                        std::optional<double> policy_undo_timeout);

// "30 s", "0.5 s".
std::string SecondsText(double seconds);

// One undo call in progress, shared by the caller and the thread that runs it.
class UndoAttempt {
 public:
  bool finished() const { return done_.cancelled(); }
  CancelToken done() const { return done_.token(); }
  CancelToken cancel_token() const { return cancel_.token(); }
  void Cancel(const std::string& why) { cancel_.Cancel(why); }
  void Finish(plugin::CallResult r);
  plugin::CallResult result() const;  // meaningful once finished()

 private:
  CancelSource done_;
  CancelSource cancel_;
  mutable std::mutex mu_;
  plugin::CallResult result_;
};

struct BoundedUndoResult {
  plugin::CallResult call;  // the driver's answer, or the failure the host records for it
  bool abandoned = false;   // the call had not returned: `attempt` is still running
  std::shared_ptr<UndoAttempt> attempt;
};

using UndoCall = std::function<plugin::CallResult(const CancelToken&)>;

// Runs `call` on its own thread and waits (on `clock`) as described above.
BoundedUndoResult RunBoundedUndo(Clock& clock, UndoCall call, double limit_seconds,
                                 const CancelToken& hurry = CancelToken(),
                                 double grace_seconds = kUndoGraceSeconds);

// The driver's undo of `func`, bounded by its limit (recover's one call).
plugin::CallResult UndoWithinLimit(Clock& clock, plugin::Driver& driver, const std::string& func,
                                   const Json& undo,
                                   std::optional<double> policy_undo_timeout = std::nullopt);

// Sleeps on `clock` until `deadline` or until `a` or `b` is cancelled (either may be a token
// that is never cancelled). Returns true when the deadline was reached.
bool SleepUntilEither(Clock& clock, Clock::SteadyTime deadline, const CancelToken& a,
                      const CancelToken& b);

}  // namespace chaosrun::faults
