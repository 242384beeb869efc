#include "recording_control.h"

namespace chaosrun::apitest {

std::vector<std::string> RecordingControl::Calls() const {
  std::lock_guard lock(mu_);
  return calls_;
}

void RecordingControl::ClearCalls() {
  std::lock_guard lock(mu_);
  calls_.clear();
}

daemon::RunFilter RecordingControl::last_filter() const {
  std::lock_guard lock(mu_);
  return filter_;
}

void RecordingControl::set_stopping(bool stopping) {
  std::lock_guard lock(mu_);
  stopping_ = stopping;
}

void RecordingControl::Record(std::string call) {
  std::lock_guard lock(mu_);
  calls_.push_back(std::move(call));
}

Json RecordingControl::ListExperiments() {
  Record("ListExperiments");
  return Json::array({{{"name", kExperiment},
                       {"path", "/srv/experiments/latency-drill.json"},
                       {"title", "Latency drill"}}});
}

Json RecordingControl::ListSchedules() {
  Record("ListSchedules");
  return Json::array({{{"name", kSchedule},
                       {"experiment", kExperiment},
                       {"cron", "@daily"},
                       {"timezone", "UTC"},
                       {"paused", false},
                       {"next_fire", "2026-12-08T00:00:00Z"},
                       {"last_fire", nullptr},
                       {"last_outcome", nullptr},
                       {"missed_fires", 0}}});
}

Result<Json> RecordingControl::SetSchedulePaused(const std::string& name, bool paused) {
  Record("SetSchedulePaused " + name + " " + (paused ? "true" : "false"));
  if (name != kSchedule) return Err(Status::NotFound("no schedule named " + name));
  return Json{{"name", name}, {"paused", paused}};
}

Json RecordingControl::ListRuns(const daemon::RunFilter& filter) {
  {
    std::lock_guard lock(mu_);
    filter_ = filter;
  }
  Record("ListRuns schedule=" + filter.schedule + " outcome=" + filter.outcome +
         " offset=" + std::to_string(filter.offset) + " limit=" + std::to_string(filter.limit));
  return Json{{"runs", Json::array({{{"id", kEndedRun},
                                     {"schedule", kSchedule},
                                     {"experiment", kExperiment},
                                     {"status", "completed"},
                                     {"deviated", false},
                                     {"exit_code", 0}}})},
              {"total", 1}};
}

Result<Json> RecordingControl::GetRun(const std::string& id) {
  Record("GetRun " + id);
  if (id != kEndedRun) return Err(Status::NotFound("no run " + id));
  return Json{{"id", id}, {"status", "completed"}, {"run", Json::array()}};
}

Result<Json> RecordingControl::StartRun(const std::string& experiment,
                                        const subst::Overrides& vars) {
  Record("StartRun " + experiment + " " + vars.configuration.dump());
  if (experiment == kBusyExperiment) return Err(Status::Unavailable("the run queue is full"));
  if (experiment != kExperiment) return Err(Status::NotFound("no experiment " + experiment));
  return Json{{"id", kRunningRun}, {"experiment", experiment}, {"status", "queued"}};
}

Result<Json> RecordingControl::AbortRun(const std::string& id) {
  Record("AbortRun " + id);
  if (id == kEndedRun) return Err(Status::FailedPrecondition("run " + id + " has ended"));
  if (id != kRunningRun) return Err(Status::NotFound("no run " + id));
  return Json{{"id", id}, {"status", "aborting"}};
}

Status RecordingControl::SetHalt(bool on, const std::string& reason) {
  Record(std::string("SetHalt ") + (on ? "true" : "false") + " " + reason);
  std::lock_guard lock(mu_);
  halted_ = on;
  return Status::Ok();
}

bool RecordingControl::Halted() {
  Record("Halted");
  std::lock_guard lock(mu_);
  return halted_;
}

std::string RecordingControl::Metrics() {
  Record("Metrics");
  return "# TYPE chaosrun_runs_total counter\nchaosrun_runs_total{outcome=\"completed\"} 3\n";
}

Json RecordingControl::Health() {
  Record("Health");
  std::lock_guard lock(mu_);
  return Json{{"status", stopping_ ? "stopping" : "ok"}, {"runs_in_progress", 0}};
}

proxy::Engine& RecordingControl::ProxyEngine() {
  Record("ProxyEngine");
  return engine_;
}

}  // namespace chaosrun::apitest
