#include "engine/context.h"

namespace chaosrun::engine {

std::string_view Name(InterruptKind k) {
  switch (k) {
    case InterruptKind::kNone:
      return "none";
    case InterruptKind::kSigint:
      return "SIGINT";
    case InterruptKind::kSigterm:
      return "SIGTERM";
    case InterruptKind::kSighup:
      return "SIGHUP";
    case InterruptKind::kSigquit:
      return "SIGQUIT";
    case InterruptKind::kSigusr1:
      return "SIGUSR1";
    case InterruptKind::kSigusr2:
      return "SIGUSR2";
    case InterruptKind::kOther:
      return "interrupt";
  }
  return "interrupt";
}

std::string_view Name(Phase p) {
  switch (p) {
    case Phase::kHypothesisBefore:
      return "hypothesis-before";
    case Phase::kMethod:
      return "method";
    case Phase::kHypothesisDuring:
      return "hypothesis-during";
    case Phase::kHypothesisAfter:
      return "hypothesis-after";
    case Phase::kRollbacks:
      return "rollbacks";
    case Phase::kSafeguards:
      return "safeguards";
  }
  return "";
}

CancelToken RunContext::token() const {
  std::lock_guard lock(mu_);
  return in_rollbacks_ ? rollback_cancel_.token() : method_cancel_.token();
}

void RunContext::Interrupt(InterruptKind kind, const std::string& reason) {
  std::lock_guard lock(mu_);
  InterruptKind expected = InterruptKind::kNone;
  if (interrupt_.compare_exchange_strong(expected, kind)) interrupt_reason_ = reason;
  // A harsh interrupt upgrades a graceful one.
  if (kind == InterruptKind::kSigusr2) interrupt_.store(kind);
  status_.store(RunStatus::kInterrupted);
  method_cancel_.Cancel(reason);
  if (in_rollbacks_) rollback_cancel_.Cancel(reason);
  if (in_undo_) undo_cancel_.Cancel(reason);
}

void RunContext::Abort(const std::string& reason) {
  std::lock_guard lock(mu_);
  if (abort_reason_.empty()) abort_reason_ = reason;
  if (interrupt_.load() == InterruptKind::kNone) status_.store(RunStatus::kAborted);
  method_cancel_.Cancel(reason);
}

std::string RunContext::abort_reason() const {
  std::lock_guard lock(mu_);
  return abort_reason_;
}

void RunContext::EnterUndo() {
  std::lock_guard lock(mu_);
  in_undo_ = true;
}

std::string RunContext::interrupt_reason() const {
  std::lock_guard lock(mu_);
  return interrupt_reason_;
}

void RunContext::EnterRollbacks() {
  std::lock_guard lock(mu_);
  in_rollbacks_ = true;
}

}  // namespace chaosrun::engine
