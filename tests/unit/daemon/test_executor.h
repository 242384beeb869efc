// A RunExecutor whose runs last until the test ends them (Finish) or the daemon interrupts them.
// The scheduler's and the queue's rules (forbid/allow/replace, limits, deadlines passed on) are
// about *when* runs start and stop; a real session cannot be made to last "until the test says"
// without time, so these tests use this stand-in. The real pipeline runs in
// tests/integration/daemon/ (a real chaosrund, real sessions, a real fault).
#pragma once

#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "daemon/executor.h"

namespace chaosrun::testing {

class TestExecutor final : public daemon::RunExecutor {
 public:
  struct Record {
    daemon::RunSpec spec;
    bool started = false;
    bool ended = false;
    bool interrupted = false;
    std::string interrupt_reason;
    std::optional<session::Outcome> finish;  // set by Finish()
  };

  std::unique_ptr<daemon::RunHandle> Prepare(const daemon::RunSpec& spec) override {
    std::lock_guard lock(mu_);
    auto rec = std::make_shared<Record>();
    rec->spec = spec;
    records_.push_back(rec);
    return std::make_unique<Handle>(this, rec, "ledger-" + std::to_string(records_.size()));
  }
  Result<session::RecoverSummary> Recover(const session::Environment&) override {
    std::lock_guard lock(mu_);
    ++recover_calls;
    return recover_result;
  }

  // Ends the index-th run (in Prepare order) with `status`.
  void Finish(size_t index, const std::string& status, bool deviated = false) {
    std::lock_guard lock(mu_);
    session::Outcome o;
    o.status = status;
    o.deviated = deviated;
    o.exit_code = status == "completed" && !deviated ? 0 : 1;
    o.journal_path = records_.at(index)->spec.journal_path;
    o.faults_applied = 1;
    o.faults_undone = 1;
    records_.at(index)->finish = o;
    cv_.notify_all();
  }
  size_t size() {
    std::lock_guard lock(mu_);
    return records_.size();
  }
  Record record(size_t index) {
    std::lock_guard lock(mu_);
    return *records_.at(index);
  }
  // Waits (capped) until `n` runs have started their Run().
  bool WaitStarted(size_t n) {
    std::unique_lock lock(mu_);
    return cv_.wait_for(lock, std::chrono::seconds(20), [&] {
      size_t s = 0;
      for (auto& r : records_) s += r->started ? 1 : 0;
      return s >= n;
    });
  }

  int recover_calls = 0;
  session::RecoverSummary recover_result;

 private:
  class Handle final : public daemon::RunHandle {
   public:
    Handle(TestExecutor* ex, std::shared_ptr<Record> rec, std::string ledger_id)
        : ex_(ex), rec_(std::move(rec)), ledger_id_(std::move(ledger_id)) {}
    std::string ledger_run_id() const override { return ledger_id_; }
    session::Outcome Run() override {
      std::unique_lock lock(ex_->mu_);
      rec_->started = true;
      ex_->cv_.notify_all();
      ex_->cv_.wait(lock, [&] { return rec_->finish.has_value() || rec_->interrupted; });
      rec_->ended = true;
      ex_->cv_.notify_all();
      if (rec_->finish) return *rec_->finish;
      session::Outcome o;
      o.status = "interrupted";
      o.error = rec_->interrupt_reason;
      return o;
    }
    void Interrupt(engine::InterruptKind, const std::string& reason) override {
      std::lock_guard lock(ex_->mu_);
      if (!rec_->interrupted) rec_->interrupt_reason = reason;
      rec_->interrupted = true;
      ex_->cv_.notify_all();
    }

   private:
    TestExecutor* ex_;
    std::shared_ptr<Record> rec_;
    std::string ledger_id_;
  };

  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<std::shared_ptr<Record>> records_;
};

}  // namespace chaosrun::testing
