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
// SIGHUP and SIGQUIT interrupt like SIGTERM.
enum class InterruptKind {
  kNone,
  kSigint,
  kSigterm,
  kSighup,
  kSigquit,
  kSigusr1,
  kSigusr2,
  kOther
};
std::string_view Name(InterruptKind k);

class Controls;

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
  // The run's python bridge (python providers and controls; engine/controls.h), or null.
  providers::PythonBridge* python = nullptr;
  Controls* controls = nullptr;  // the run's controls (engine/controls.h), or null

  // --- interruption -------------------------------------------------------------------------
  // The token activities run under. Before rollbacks it is the method's; during rollbacks a
  // fresh one, so an interrupt of the method does not cancel the rollbacks it triggers.
  CancelToken token() const;
  // An interrupt (a signal, the kill switch, the deadline) in any phase: cancels the running
  // phase's token; during the final undo it cancels undo_token() (the undos hurry).
  void Interrupt(InterruptKind kind, const std::string& reason);
  InterruptKind interrupt_kind() const { return interrupt_.load(); }
  std::string interrupt_reason() const;
  bool interrupted() const { return interrupt_.load() != InterruptKind::kNone; }
  void EnterRollbacks();
  // The final undo of every fault starts: from now on an interrupt cancels undo_token().
  void EnterUndo();
  CancelToken undo_token() const { return undo_cancel_.token(); }

  // --- abort --------------------------------------------------------------------------------
  // The run cannot go on as the experiment meant (a fault was refused or not applied, an
  // internal error): the status becomes `aborted` (unless already interrupted) and the method's
  // token is cancelled, so the running activities stop and the after-hypothesis is skipped.
  // The first reason is kept.
  void Abort(const std::string& reason);
  std::string abort_reason() const;

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
  CancelSource undo_cancel_;
  bool in_rollbacks_ = false;
  bool in_undo_ = false;
  std::string interrupt_reason_;
  std::string abort_reason_;
  std::atomic<InterruptKind> interrupt_{InterruptKind::kNone};
  std::atomic<RunStatus> status_{RunStatus::kNone};
};

}  // namespace chaosrun::engine
