#include "daemon/session_executor.h"

namespace chaosrun::daemon {
namespace {

class SessionRun final : public RunHandle {
 public:
  explicit SessionRun(session::RunRequest request) : session_(std::move(request)) {}
  std::string ledger_run_id() const override { return session_.run_id(); }
  session::Outcome Run() override { return session_.Run(); }
  void Interrupt(engine::InterruptKind kind, const std::string& reason) override {
    session_.Interrupt(kind, reason);
  }

 private:
  session::Session session_;
};

}  // namespace

std::unique_ptr<RunHandle> SessionExecutor::Prepare(const RunSpec& spec) {
  session::RunRequest request;
  request.source = spec.path;
  request.extra_overrides = spec.vars;
  request.options.deadline_seconds = spec.deadline_seconds;
  request.journal_path = spec.journal_path;
  request.env = spec.env;
  request.concurrent_run_ids = spec.concurrent_run_ids;
  request.concurrent_run_ids_now = spec.concurrent_run_ids_now;
  return std::make_unique<SessionRun>(std::move(request));
}

Result<session::RecoverSummary> SessionExecutor::Recover(const session::Environment& env) {
  return session::RecoverAtStart(env);
}

}  // namespace chaosrun::daemon
