// A Daemon on a temp state directory, a FakeClock and the TestExecutor, for the queue and
// scheduler tests (shared by several files of unit_daemon: inline, one definition).
#pragma once

#include <gtest/gtest.h>

#include <filesystem>
#include <memory>

#include "daemon/daemon.h"
#include "support/fake_clock.h"
#include "support/temp_dir.h"
#include "unit/daemon/test_executor.h"

namespace chaosrun::testing {

inline scheduler::Schedule ScheduleFrom(const std::string& json) {
  std::vector<scheduler::Problem> problems;
  auto s = scheduler::ParseSchedule(Json::parse(json), "/schedules/0", problems);
  EXPECT_TRUE(s) << (problems.empty() ? "" : problems.front().message);
  return s ? *s : scheduler::Schedule{};
}

inline daemon::RunFilter RunsFilter(std::string schedule, std::string outcome, size_t offset,
                                    size_t limit) {
  daemon::RunFilter f;
  f.schedule = std::move(schedule);
  f.outcome = std::move(outcome);
  f.offset = offset;
  f.limit = limit;
  return f;
}

class DaemonFixture : public ::testing::Test {
 protected:
  DaemonFixture() {
    std::filesystem::create_directory(dir_.path() / "experiments");
    dir_.Write("experiments/fast.json", R"({"title": "fast", "method": []})");
    config_.experiments_dir = (dir_.path() / "experiments").string();
    config_.state_dir = (dir_.path() / "state").string();
    config_.installed_drivers = false;
  }
  ~DaemonFixture() override {
    if (daemon_) {
      for (size_t i = 0; i < executor_.size(); ++i) executor_.Finish(i, "completed");
      daemon_->Shutdown("test over");
    }
  }
  daemon::Daemon& StartDaemon() {
    daemon_ = std::make_unique<daemon::Daemon>(config_, executor_, clock_);
    Status st = daemon_->Start(/*scheduler_thread=*/false);
    EXPECT_TRUE(st.ok()) << st.message();
    return *daemon_;
  }
  void StopDaemon() {
    for (size_t i = 0; i < executor_.size(); ++i) executor_.Finish(i, "completed");
    daemon_->Shutdown("restart");
    daemon_.reset();
  }
  Json ScheduleNamed(const std::string& name) {
    for (const auto& s : daemon_->ListSchedules()) {
      if (s["name"] == name) return s;
    }
    ADD_FAILURE() << "no schedule " << name;
    return Json::object();
  }
  Clock::WallTime T0() const { return start_; }

  TempDir dir_;
  daemon::DaemonConfig config_;
  TestExecutor executor_;
  FakeClock clock_{/*auto_advance=*/false};
  Clock::WallTime start_ = clock_.WallNow();  // 2026-01-01T01:00:00Z
  std::unique_ptr<daemon::Daemon> daemon_;
};

}  // namespace chaosrun::testing
