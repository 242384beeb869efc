// chaosrund's core: the run queue, the scheduler, the journal store, the kill switch, metrics and
// webhooks, behind daemon::Control (the API's seam). The front end (src/daemon_main/) owns the
// signals, the HTTP server and systemd's protocol around it:
//   Daemon d(config, executor, clock);  d.Start();  ...  d.Reload(new_config);  ...  d.Shutdown();
//
// Start() recovers the undo ledger before anything else (RunExecutor::Recover), then opens the
// journal store, marks the runs a dead daemon left as "interrupted", loads each schedule's state
// (counting the fires missed while down, never replaying them), creates the configured proxies and
// starts the scheduling thread. Shutdown() refuses new runs, interrupts the running ones (their
// faults are undone by their session) and waits for their journals.
//
// Runs: at most limits.max_concurrent_runs at once, each on a thread of its own; up to
// limits.queue_size more wait (a full queue is kUnavailable). A run's deadline is its schedule's,
// else limits.run_deadline_seconds.
//
// Thread-safety: every public method may be called from any thread (one mutex guards the state;
// no file is read or written and no run is waited for while it is held, except the small index
// and state files).
#pragma once

#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "common/cancel.h"
#include "common/clock.h"
#include "daemon/config.h"
#include "daemon/control.h"
#include "daemon/executor.h"
#include "daemon/journal_store.h"
#include "daemon/metrics.h"
#include "daemon/notify.h"
#include "daemon/schedule_state.h"
#include "daemon/webhook.h"

namespace chaosrun::daemon {

class Daemon final : public Control {
 public:
  // `notifier` may be null (no systemd). `clock` drives the scheduler (tests: a FakeClock).
  Daemon(DaemonConfig config, RunExecutor& executor, Clock& clock, Notifier* notifier = nullptr);
  ~Daemon() override;  // Shutdown()
  Daemon(const Daemon&) = delete;
  Daemon& operator=(const Daemon&) = delete;

  // See above. With scheduler_thread false nothing fires by itself: tests call Tick().
  Status Start(bool scheduler_thread = true);
  // Applies a checked configuration without dropping running work: schedules added, removed or
  // changed (their state kept by name), limits, proxies, webhooks. listen, token_file and
  // state_dir need a restart: a change is logged and ignored.
  Status Reload(DaemonConfig config);
  // Counts and logs a refused reload (every problem); the running configuration stays.
  void ReloadRefused(const std::string& problems);
  void Shutdown(const std::string& reason);

  // One scheduling step at wall time `now`: fires every schedule that is due. Returns the
  // earliest next fire of any schedule (nullopt: none).
  std::optional<Clock::WallTime> Tick(Clock::WallTime now);
  // Blocks until no run is queued or running, or `cap` passes (false then).
  bool WaitIdle(std::chrono::milliseconds cap);
  // The systemd STATUS= text: "2 runs in progress, 1 queued; next fire drill-a at ...".
  std::string StatusLine();
  DaemonConfig config() const;
  // The interrupted runs Start() found (their ids in the journal store).
  std::vector<std::string> interrupted_runs() const;

  // Control.
  Json ListExperiments() override;
  Json ListSchedules() override;
  Result<Json> SetSchedulePaused(const std::string& name, bool paused) override;
  Json ListRuns(const RunFilter& filter) override;
  Result<Json> GetRun(const std::string& id) override;
  Result<Json> StartRun(const std::string& experiment, const subst::Overrides& vars) override;
  Result<Json> AbortRun(const std::string& id) override;
  Status SetHalt(bool on, const std::string& reason) override;
  bool Halted() override;
  std::string Metrics() override;
  Json Health() override;
  proxy::Engine& ProxyEngine() override;

 private:
  enum class RunState { kQueued, kRunning, kDone };
  struct Entry {
    RunSpec spec;
    Json summary;
    std::string webhook;
    RunState state = RunState::kQueued;
    std::unique_ptr<RunHandle> handle;
    std::string ledger_run_id;
    std::thread thread;
  };
  struct ScheduleRuntime {
    scheduler::Schedule schedule;
    std::optional<Clock::WallTime> next_fire;
  };

  // experiments.cc: `name` resolved inside `dir` only.
  static Result<std::string> ResolveIn(const std::string& dir, const std::string& name);
  // run_queue.cc
  Result<Json> EnqueueLocked(const std::string& experiment, const std::string& path,
                             const std::string& schedule, const subst::Overrides& vars,
                             double deadline_seconds, const std::string& webhook);
  void PumpLocked();
  void RunThread(std::shared_ptr<Entry> entry);
  void FinishLocked(Entry& entry, const session::Outcome& outcome);
  void AbortQueuedLocked(Entry& entry, const std::string& reason);
  void InterruptAllLocked(engine::InterruptKind kind, const std::string& reason);
  void JoinFinished();
  size_t QueuedLocked() const;
  size_t RunningLocked() const;
  // The ledger ids of the runs executing now, but `except` (a daemon run id).
  std::vector<std::string> RunningLedgerIdsLocked(const std::string& except) const;
  // scheduler_loop.cc
  void Fire(ScheduleRuntime& rt, Clock::WallTime planned, Clock::WallTime now);
  void InstallSchedulesLocked(const std::vector<scheduler::Schedule>& schedules,
                              Clock::WallTime now);
  void CountMissedLocked(Clock::WallTime now);
  bool PausedLocked(const scheduler::Schedule& s) const;
  Json ScheduleJsonLocked(const ScheduleRuntime& rt) const;
  void SchedulerLoop();
  void WakeScheduler();
  void SaveStatesLocked();
  // daemon.cc
  Status RecoverAndOpenStore();
  void ApplyProxies(const Json& proxies, const Json& previous);
  session::Environment EnvLocked() const;
  std::string HaltPath() const;

  RunExecutor& executor_;
  Clock& clock_;
  Notifier* notifier_;
  std::unique_ptr<proxy::Engine> engine_;
  std::unique_ptr<WebhookSender> webhooks_;

  mutable std::mutex mu_;
  std::condition_variable idle_cv_;
  DaemonConfig config_;
  std::unique_ptr<JournalStore> store_;
  std::string states_path_;
  ScheduleStates states_;
  std::map<std::string, ScheduleRuntime> schedules_;
  std::map<std::string, std::shared_ptr<Entry>> runs_;  // queued and running
  std::vector<std::string> queue_;                      // ids, oldest first
  std::vector<std::thread> finished_;                   // run threads to join
  std::vector<std::string> interrupted_;
  MetricsSnapshot counters_;  // the counting part; gauges are filled in by Metrics()
  bool started_ = false;
  bool stopping_ = false;

  std::mutex wake_mu_;
  std::shared_ptr<CancelSource> wake_;
  CancelSource stop_scheduler_;
  std::thread scheduler_;
};

}  // namespace chaosrun::daemon
