// The undo contract of every ML driver action, through the host's own loader (plugin::Driver,
// as chaosrun calls it): prepare changes nothing; undo without apply (a crash between the
// ledger's intent and apply) is a harmless success; apply then undo restores; a second undo is
// harmless; a malformed plan or undo is CHAOSRUN_INVALID_ARGUMENT; an unknown func
// CHAOSRUN_UNSUPPORTED; and concurrent calls on one instance (the descriptor promises
// "concurrent_calls": true) each do their own fault.
#include <gtest/gtest.h>
#include <signal.h>

#include <filesystem>
#include <thread>

#include "integration/ml_driver/ml_harness.h"
#include "plugin/driver.h"
#include "support/http_server.h"
#include "support/temp_dir.h"

namespace chaosrun::ml_test {
namespace {

std::unique_ptr<plugin::Driver> LoadMl(const std::string& dir) {
  auto d = plugin::Driver::Load(dir + "/libchaosrun_ml.so");
  if (!d.has_value()) {
    ADD_FAILURE() << d.error().message();
    return nullptr;
  }
  return std::move(*d);
}

// Prepare, undo without apply, apply, undo, undo: `snapshot` is the world, compared before and
// after each step.
void ExpectUndoContract(plugin::Driver& d, const std::string& func, const json& args,
                        const std::function<std::string()>& snapshot) {
  CancelToken never;
  const std::string before = snapshot();
  plugin::CallResult plan = d.Prepare(func, args, never);
  ASSERT_TRUE(plan.ok()) << func << ": " << plan.error();
  EXPECT_EQ(snapshot(), before) << func << ": prepare changed the world";
  ASSERT_TRUE(plan.value.contains("undo") && plan.value.contains("targets")) << plan.value.dump();
  plugin::CallResult early = d.Undo(func, plan.value["undo"], never);
  EXPECT_TRUE(early.ok()) << func << ": undo without apply: " << early.error();
  EXPECT_EQ(snapshot(), before) << func << ": undo without apply changed the world";
  plugin::CallResult applied = d.Apply(func, plan.value, never);
  ASSERT_TRUE(applied.ok()) << func << ": " << applied.error();
  EXPECT_NE(snapshot(), before) << func << ": apply changed nothing";
  plugin::CallResult undone = d.Undo(func, plan.value["undo"], never);
  EXPECT_TRUE(undone.ok()) << func << ": " << undone.error();
  EXPECT_EQ(snapshot(), before) << func << ": undo did not restore";
  plugin::CallResult again = d.Undo(func, plan.value["undo"], never);
  EXPECT_TRUE(again.ok()) << func << ": second undo: " << again.error();
  EXPECT_EQ(snapshot(), before);
}

std::string DirSnapshot(const std::string& dir) {
  std::string out;
  std::vector<std::filesystem::path> files;
  for (const auto& e : std::filesystem::recursive_directory_iterator(dir)) {
    if (e.is_regular_file()) files.push_back(e.path());
  }
  std::sort(files.begin(), files.end());
  for (const auto& f : files) out += f.string() + "\n" + ReadAll(f.string()) + "\n";
  return out;
}

TEST(MlUndoContract, EveryFileFault) {
  REQUIRE_ML_DRIVER(driver_dir);
  auto d = LoadMl(driver_dir);
  ASSERT_NE(d, nullptr);
  testing::TempDir tmp;
  Registry r = MakeRegistry(tmp.path().string());
  auto snap = [&] { return DirSnapshot(tmp.path().string()); };
  ExpectUndoContract(*d, "stale_model", {{"registry", r.registry}}, snap);
  ExpectUndoContract(*d, "corrupt_model", {{"artifact", r.artifact}}, snap);
  ExpectUndoContract(*d, "corrupt_model", {{"artifact", r.artifact}, {"mode", "truncate"}}, snap);
  ExpectUndoContract(*d, "stale_training_config", {{"registry", r.registry}}, snap);
  ExpectUndoContract(*d, "stale_pipeline", {{"pipeline", r.pipeline}}, snap);
}

TEST(MlUndoContract, FreezeDataset) {
  REQUIRE_ML_DRIVER(driver_dir);
  auto d = LoadMl(driver_dir);
  ASSERT_NE(d, nullptr);
  pid_t pid = StartChild({"sleep", "300"}, "");
  auto state = [&] {
    std::string s = ReadAll("/proc/" + std::to_string(pid) + "/stat");
    size_t close = s.rfind(')');
    return close == std::string::npos ? std::string("?") : s.substr(close + 2, 1);
  };
  ASSERT_TRUE(PollUntil([&] { return state() == "S"; }));
  // The state letter is the world here: 'S' (sleeping) or 'T' (stopped), once a signal has
  // landed (the process is briefly 'R' while it handles SIGSTOP or SIGCONT).
  auto snap = [&] {
    PollUntil([&] { return state() == "S" || state() == "T"; }, std::chrono::seconds(5));
    return state();
  };
  ExpectUndoContract(*d, "freeze_dataset", {{"pid", pid}}, snap);
  ::kill(pid, SIGKILL);
  WaitChild(pid);
}

TEST(MlUndoContract, OverloadTelemetry) {
  REQUIRE_ML_DRIVER(driver_dir);
  auto d = LoadMl(driver_dir);
  ASSERT_NE(d, nullptr);
  testing::HttpServer collector;
  std::atomic<int> posts{0};
  collector.Handle("POST", "/events", [&](const testing::TestRequest&) {
    ++posts;
    return testing::TestResponse{200, {}, "{}", {}};
  });
  CancelToken never;
  json args{{"url", collector.Url("/events")}, {"rate", 200}, {"duration", 60}, {"batch", 10}};
  plugin::CallResult plan = d->Prepare("overload_telemetry", args, never);
  ASSERT_TRUE(plan.ok()) << plan.error();
  EXPECT_EQ(plan.value["targets"],
            json::array({"endpoint:127.0.0.1:" + std::to_string(collector.port())}));
  plugin::CallResult early = d->Undo("overload_telemetry", plan.value["undo"], never);
  ASSERT_TRUE(early.ok()) << early.error();
  EXPECT_EQ(early.value.value("stopped", true), false);
  EXPECT_EQ(posts.load(), 0);
  plugin::CallResult applied = d->Apply("overload_telemetry", plan.value, never);
  ASSERT_TRUE(applied.ok()) << applied.error();
  const pid_t pid = applied.value.value("pid", 0);
  ASSERT_GT(pid, 1);
  EXPECT_TRUE(applied.value.contains("ends_at") && applied.value.contains("start_time"));
  EXPECT_TRUE(PollUntil([&] { return posts.load() > 0; }));
  plugin::CallResult undone = d->Undo("overload_telemetry", plan.value["undo"], never);
  ASSERT_TRUE(undone.ok()) << undone.error();
  EXPECT_EQ(undone.value.value("stopped", false), true);
  EXPECT_EQ(undone.value.value("pid", 0), pid);
  plugin::CallResult again = d->Undo("overload_telemetry", plan.value["undo"], never);
  ASSERT_TRUE(again.ok()) << again.error();
  EXPECT_EQ(again.value.value("stopped", true), false);
}

TEST(MlUndoContract, MalformedPlansAndUnknownFunctions) {
  REQUIRE_ML_DRIVER(driver_dir);
  auto d = LoadMl(driver_dir);
  ASSERT_NE(d, nullptr);
  CancelToken never;
  for (const char* func :
       {"stale_model", "corrupt_model", "stale_training_config", "stale_pipeline", "freeze_dataset",
        "schema_drift", "overload_telemetry"}) {
    EXPECT_EQ(d->Undo(func, json::object(), never).status, CHAOSRUN_INVALID_ARGUMENT) << func;
    EXPECT_EQ(d->Apply(func, json{{"undo", 1}}, never).status, CHAOSRUN_INVALID_ARGUMENT) << func;
    EXPECT_EQ(d->Prepare(func, json{{"bogus", 1}}, never).status, CHAOSRUN_INVALID_ARGUMENT)
        << func;
  }
  EXPECT_EQ(d->Prepare("retrain", json::object(), never).status, CHAOSRUN_UNSUPPORTED);
  EXPECT_EQ(d->Undo("retrain", json::object(), never).status, CHAOSRUN_UNSUPPORTED);
  // An undo whose recorded bytes do not match their sha256 is refused, not written.
  testing::TempDir tmp;
  Registry r = MakeRegistry(tmp.path().string());
  plugin::CallResult plan = d->Prepare("stale_model", {{"registry", r.registry}}, never);
  ASSERT_TRUE(plan.ok()) << plan.error();
  json undo = plan.value["undo"];
  undo["bytes_b64"] = "AAAA";
  EXPECT_EQ(d->Undo("stale_model", undo, never).status, CHAOSRUN_INVALID_ARGUMENT);
}

TEST(MlUndoContract, ConcurrentCallsOnOneInstance) {
  REQUIRE_ML_DRIVER(driver_dir);
  auto d = LoadMl(driver_dir);
  ASSERT_NE(d, nullptr);
  EXPECT_TRUE(d->descriptor().concurrent_calls);
  std::vector<std::unique_ptr<testing::TempDir>> dirs;
  std::vector<Registry> regs;
  for (int i = 0; i < 8; ++i) {
    dirs.push_back(std::make_unique<testing::TempDir>());
    regs.push_back(MakeRegistry(dirs.back()->path().string()));
  }
  std::vector<std::string> before;
  for (const auto& t : dirs) before.push_back(DirSnapshot(t->path().string()));
  std::vector<std::thread> threads;
  std::atomic<int> ok{0};
  for (int i = 0; i < 8; ++i) {
    threads.emplace_back([&, i] {
      CancelToken never;
      const char* func = i % 2 == 0 ? "stale_model" : "stale_pipeline";
      json args =
          i % 2 == 0 ? json{{"registry", regs[i].registry}} : json{{"pipeline", regs[i].pipeline}};
      auto plan = d->Prepare(func, args, never);
      if (!plan.ok()) return;
      if (!d->Apply(func, plan.value, never).ok()) return;
      if (!d->Undo(func, plan.value["undo"], never).ok()) return;
      ++ok;
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(ok.load(), 8);
  for (size_t i = 0; i < dirs.size(); ++i) {
    EXPECT_EQ(DirSnapshot(dirs[i]->path().string()), before[i]);
  }
}

}  // namespace
}  // namespace chaosrun::ml_test
