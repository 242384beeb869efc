// RunContext: everything one experiment run shares between its phases and threads — the
// injected seams (clock, provider dispatcher, observer), the resolved configuration and secrets,
// the dry mode, the interruption state and the run status. Owned by the Runner for one run.
#pragma once

#include <atomic>
#include <mutex>
#include <string>

#include "common/cancel.h"
#include "common/clock.h"
#include "common/json.h"
#include "engine/observer.h"
#include "engine/strategy.h"
#include "providers/provider.h"
#include "subst/template.h"

namespace chaosrun::engine {

// How a run was interrupted (ctk-spec §8.7). Harsh (SIGUSR2) also skips rollbacks and does not
// wait for background activities.
enum class InterruptKind { kNone, kSigint, kSigterm, kSigusr1, kSigusr2, kOther };
std::string_view Name(InterruptKind k);

class RunContext {
 public:
  RunContext(Clock& clock, providers::Dispatcher& dispatcher, Observer& observer)
      : clock_(clock), dispatcher_(dispatcher), observer_(observer) {}

  Clock& clock() { return clock_; }
  providers::Dispatcher& dispatcher() { return dispatcher_; }
  Observer& observer() { return observer_; }

  subst::Scope scope;
  DryMode dry = DryMode::kNone;
  Json experiment;  // the raw document (refs resolve against it)

  // --- interruption -------------------------------------------------------------------------
  // The token activities run under. Before rollbacks it is the method's; during rollbacks a
  // fresh one, so an interrupt of the method does not cancel the rollbacks it triggers.
  CancelToken token() const;
  void Interrupt(InterruptKind kind, const std::string& reason);
  InterruptKind interrupt_kind() const { return interrupt_.load(); }
  std::string interrupt_reason() const;
  bool interrupted() const { return interrupt_.load() != InterruptKind::kNone; }
  void EnterRollbacks();

  // --- status -------------------------------------------------------------------------------
  RunStatus status() const { return status_.load(); }
  void set_status(RunStatus s) { status_.store(s); }

 private:
  Clock& clock_;
  providers::Dispatcher& dispatcher_;
  Observer& observer_;

  mutable std::mutex mu_;
  CancelSource method_cancel_;
  CancelSource rollback_cancel_;
  bool in_rollbacks_ = false;
  std::string interrupt_reason_;
  std::atomic<InterruptKind> interrupt_{InterruptKind::kNone};
  std::atomic<RunStatus> status_{RunStatus::kNone};
};

}  // namespace chaosrun::engine
