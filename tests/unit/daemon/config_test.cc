#include "daemon/config.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>

#include "support/temp_dir.h"

namespace chaosrun::daemon {
namespace {

using chaosrun::testing::TempDir;

bool HasProblem(const std::vector<ConfigProblem>& problems, const std::string& pointer,
                const std::string& fragment) {
  for (const auto& p : problems) {
    if (p.pointer == pointer && p.message.find(fragment) != std::string::npos) return true;
  }
  return false;
}

TEST(DaemonConfig, ValidYamlWithDefaults) {
  TempDir dir;
  std::filesystem::create_directory(dir.path() / "experiments");
  dir.Write("token", "0123456789abcdef0123\n");
  std::string path = dir.Write("chaosrund.yaml",
                               "listen: 127.0.0.1:0\n"
                               "token_file: token\n"
                               "state_dir: state\n"
                               "experiments_dir: experiments\n"
                               "schedules:\n"
                               "  - name: drill\n"
                               "    experiment: fast\n"
                               "    cron: '@every 90s'\n"
                               "limits:\n"
                               "  max_concurrent_runs: 3\n"
                               "  queue_size: 0\n");
  auto c = LoadConfig(path);
  ASSERT_TRUE(c) << c.error().message();
  EXPECT_EQ(c->listen_host, "127.0.0.1");
  EXPECT_EQ(c->listen_port, 0);
  EXPECT_EQ(c->token_file, (dir.path() / "token").string());
  EXPECT_EQ(c->state_dir, (dir.path() / "state").string());
  EXPECT_EQ(c->limits.max_concurrent_runs, 3u);
  EXPECT_EQ(c->limits.queue_size, 0u);
  EXPECT_EQ(c->limits.run_deadline_seconds, 3600);
  ASSERT_EQ(c->schedules.size(), 1u);
  EXPECT_EQ(c->schedules[0].name, "drill");
}

TEST(DaemonConfig, EveryProblemIsReportedAtOnceWithItsPointer) {
  TempDir dir;
  dir.Write("token", "0123456789abcdef0123\n");
  Json doc = Json::parse(R"({
    "listen": "nowhere",
    "token_file": "token",
    "experiments_dir": "missing-dir",
    "drivers_dirs": ["also-missing", 7],
    "policy": "no-policy.yaml",
    "colour": "blue",
    "proxies": [{"name": "a", "listen": "127.0.0.1:0", "upstream": "127.0.0.1:1"},
                {"name": "a", "listen": "127.0.0.1:0", "upstream": "127.0.0.1:1"},
                {"listen": "127.0.0.1:0"}],
    "schedules": [{"name": "ok", "experiment": "e", "cron": "@hourly"},
                  {"name": "bad", "experiment": "e", "cron": "0 25 * * *", "tz": "x"},
                  {"name": "ok", "experiment": "e", "cron": "@daily"}],
    "limits": {"max_concurrent_runs": 0, "queue_size": -1, "run_deadline_seconds": "x",
               "extra": 1},
    "webhooks": {"attempts": 11}
  })");
  std::vector<ConfigProblem> problems;
  ParseConfig(doc, dir.path().string(), problems);
  EXPECT_TRUE(HasProblem(problems, "/listen", "HOST:PORT")) << FormatProblems(problems);
  EXPECT_TRUE(HasProblem(problems, "/experiments_dir", "does not exist"));
  EXPECT_TRUE(HasProblem(problems, "/drivers_dirs/0", "does not exist"));
  EXPECT_TRUE(HasProblem(problems, "/drivers_dirs/1", "non-empty string"));
  EXPECT_TRUE(HasProblem(problems, "/policy", "does not exist"));
  EXPECT_TRUE(HasProblem(problems, "/colour", "unknown key"));
  EXPECT_TRUE(HasProblem(problems, "/proxies/1/name", "duplicate"));
  EXPECT_TRUE(HasProblem(problems, "/proxies/2", ""));
  EXPECT_TRUE(HasProblem(problems, "/schedules/1/cron", ""));
  EXPECT_TRUE(HasProblem(problems, "/schedules/1/tz", "unknown key"));
  EXPECT_TRUE(HasProblem(problems, "/schedules/2/name", "duplicate"));
  EXPECT_TRUE(HasProblem(problems, "/limits/max_concurrent_runs", "integer"));
  EXPECT_TRUE(HasProblem(problems, "/limits/queue_size", "integer"));
  EXPECT_TRUE(HasProblem(problems, "/limits/run_deadline_seconds", "seconds"));
  EXPECT_TRUE(HasProblem(problems, "/limits/extra", "unknown key"));
  EXPECT_TRUE(HasProblem(problems, "/webhooks/attempts", "integer"));
  EXPECT_FALSE(HasProblem(problems, "/schedules/0/cron", ""));
}

// YAML's .nan and .inf are numbers: every numeric field refuses them with its pointer (a range
// check written as `v < min || v > max` lets NaN through).
TEST(DaemonConfig, NanAndInfinityAreRefusedInEveryNumericField) {
  TempDir dir;
  std::filesystem::create_directory(dir.path() / "experiments");
  dir.Write("token", "0123456789abcdef0123\n");
  const std::vector<std::string> fields = {
      "/api_max_body_bytes",          "/limits/max_concurrent_runs",   "/limits/queue_size",
      "/limits/run_deadline_seconds", "/limits/api_history_limit",     "/webhooks/timeout_seconds",
      "/webhooks/attempts",           "/webhooks/backoff_seconds",     "/schedules/0/history_limit",
      "/schedules/0/jitter_seconds",  "/schedules/0/deadline_seconds", "/proxies/0"};
  for (const char* bad : {".nan", ".NaN", ".inf", "-.inf", "+.Inf"}) {
    std::string v = bad;
    std::string path = dir.Write(
        "bad.yaml", "token_file: token\nexperiments_dir: experiments\napi_max_body_bytes: " + v +
                        "\nlimits:\n  max_concurrent_runs: " + v + "\n  queue_size: " + v +
                        "\n  run_deadline_seconds: " + v + "\n  api_history_limit: " + v +
                        "\nwebhooks:\n  timeout_seconds: " + v + "\n  attempts: " + v +
                        "\n  backoff_seconds: " + v +
                        "\nschedules:\n  - {name: s, experiment: e, cron: '@hourly', "
                        "history_limit: " +
                        v + ", jitter_seconds: " + v + ", deadline_seconds: " + v +
                        "}\nproxies:\n  - {name: p, listen: '127.0.0.1:0', upstream: "
                        "'127.0.0.1:1', idle_timeout: " +
                        v + "}\n");
    std::vector<ConfigProblem> problems;
    auto c = LoadConfig(path, &problems);
    ASSERT_FALSE(c) << bad;
    for (const auto& f : fields) {
      bool found = false;
      for (const auto& p : problems) found = found || p.pointer == f;
      EXPECT_TRUE(found) << bad << ": no problem at " << f << "\n" << c.error().message();
    }
    EXPECT_EQ(problems.size(), fields.size()) << bad << "\n" << c.error().message();
  }
  // The same fields with ordinary values are fine (the test above is about the values only).
  std::string path =
      dir.Write("good.yaml",
                "token_file: token\nexperiments_dir: experiments\napi_max_body_bytes: 2048\n"
                "limits: {max_concurrent_runs: 1, queue_size: 0, run_deadline_seconds: 0.5, "
                "api_history_limit: 1}\n"
                "webhooks: {timeout_seconds: 0.1, attempts: 1, backoff_seconds: 0}\n"
                "schedules:\n  - {name: s, experiment: e, cron: '@hourly', history_limit: 1, "
                "jitter_seconds: 0, deadline_seconds: 1}\n"
                "proxies:\n  - {name: p, listen: '127.0.0.1:0', upstream: '127.0.0.1:1', "
                "idle_timeout: 1000}\n");
  auto good = LoadConfig(path);
  ASSERT_TRUE(good) << good.error().message();
  EXPECT_EQ(good->limits.run_deadline_seconds, 0.5);
  EXPECT_EQ(good->webhooks.timeout_seconds, 0.1);
}

TEST(DaemonConfig, RequiredKeysAndLoopbackOnly) {
  std::vector<ConfigProblem> problems;
  ParseConfig(Json::parse(R"({"listen": "0.0.0.0:8475"})"), "/", problems);
  EXPECT_TRUE(HasProblem(problems, "/token_file", "required"));
  EXPECT_TRUE(HasProblem(problems, "/experiments_dir", "required"));
  EXPECT_TRUE(HasProblem(problems, "/listen", "not a loopback address"));
  problems.clear();
  ParseConfig(Json::array(), "/", problems);
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_EQ(FormatProblems(problems), "/: the configuration must be a mapping");
}

TEST(DaemonConfig, LoadConfigJoinsEveryProblemInItsMessage) {
  TempDir dir;
  std::string path = dir.Write("c.json", R"({"limits": {"queue_size": "many"}, "x": 1})");
  std::vector<ConfigProblem> problems;
  auto c = LoadConfig(path, &problems);
  ASSERT_FALSE(c);
  EXPECT_EQ(c.error().code(), Code::kInvalidArgument);
  EXPECT_GE(problems.size(), 4u);
  for (const auto& p : problems) {
    EXPECT_NE(c.error().message().find(p.pointer + ": " + p.message), std::string::npos)
        << c.error().message();
  }
  auto syntax = LoadConfig(dir.Write("s.yaml", "a: [\n"));
  ASSERT_FALSE(syntax);
  EXPECT_EQ(syntax.error().code(), Code::kParseError);
  EXPECT_FALSE(LoadConfig(dir.Write("c.toml", "")));
}

}  // namespace
}  // namespace chaosrun::daemon
