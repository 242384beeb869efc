// ParseSchedule: a full schedule object, defaults, and every problem with its JSON pointer.
#include <gtest/gtest.h>

#include "scheduler/schedule.h"
#include "unit/scheduler/sched_test_util.h"

namespace chaosrun::scheduler {
namespace {

using testing::ProblemsOf;
using V = std::vector<std::string>;

TEST(ParseSchedule, EveryKey) {
  const char* text = R"({
    "name": "nightly-latency",
    "description": "latency drill",
    "experiment": "network/latency.json",
    "cron": "0 3 * * MON-FRI",
    "timezone": "Europe/Berlin",
    "jitter_seconds": 300,
    "blackouts": [{"days": ["sat", "sun"]}],
    "only": [{"from": "01:00", "to": "05:00"}],
    "concurrency": "replace",
    "history_limit": 10,
    "paused": true,
    "vars": {"port": 8080, "host": "127.0.0.1", "tls": false},
    "deadline_seconds": 120.5,
    "webhook": "https://hooks.example.test/chaos"
  })";
  std::vector<Problem> problems;
  auto s = ParseSchedule(Json::parse(text), "/schedules/0", problems);
  ASSERT_TRUE(s.has_value()) << (problems.empty() ? "" : problems[0].message);
  EXPECT_EQ(s->name, "nightly-latency");
  EXPECT_EQ(s->description, "latency drill");
  EXPECT_EQ(s->experiment, "network/latency.json");
  EXPECT_EQ(s->cron, "0 3 * * MON-FRI");
  EXPECT_EQ(s->timezone, "Europe/Berlin");
  EXPECT_EQ(s->jitter_seconds, 300);
  ASSERT_EQ(s->blackouts.size(), 1u);
  EXPECT_EQ(s->blackouts[0].days, 0b1000001);
  ASSERT_EQ(s->only.size(), 1u);
  EXPECT_EQ(s->only[0].from_minute, 60);
  EXPECT_EQ(s->concurrency, Concurrency::kReplace);
  EXPECT_STREQ(ConcurrencyName(s->concurrency), "replace");
  EXPECT_EQ(s->history_limit, 10u);
  EXPECT_TRUE(s->paused);
  EXPECT_EQ(s->vars.configuration, Json::parse(R"({"port": 8080, "host": "127.0.0.1",
                                                   "tls": false})"));
  EXPECT_EQ(s->deadline_seconds, 120.5);
  EXPECT_EQ(s->webhook, "https://hooks.example.test/chaos");
  EXPECT_EQ(s->raw, Json::parse(text));
  EXPECT_NE(s->compiled, nullptr);
}

TEST(ParseSchedule, Defaults) {
  std::vector<Problem> problems;
  auto s = ParseSchedule(Json::parse(R"({"name": "a", "experiment": "a.yaml", "cron": "@daily"})"),
                         "/schedules/0", problems);
  ASSERT_TRUE(s.has_value());
  EXPECT_EQ(s->timezone, "UTC");
  EXPECT_EQ(s->jitter_seconds, 0);
  EXPECT_EQ(s->concurrency, Concurrency::kForbid);
  EXPECT_EQ(s->history_limit, 50u);
  EXPECT_FALSE(s->paused);
  EXPECT_TRUE(s->vars.configuration.empty());
  EXPECT_EQ(s->deadline_seconds, 0);
  EXPECT_EQ(s->webhook, "");
  EXPECT_TRUE(s->blackouts.empty() && s->only.empty());
}

TEST(ParseSchedule, ProblemsCarryPointers) {
  EXPECT_EQ(ProblemsOf(R"({"name": "a", "experiment": "a.json", "cron": "0 25 * * *",
                           "colour": "red"})"),
            (V{"/schedules/2/colour: unknown key \"colour\"",
               "/schedules/2/cron: field 2 (hour) value 25 is out of range 0-23"}));
  EXPECT_EQ(ProblemsOf(R"({})"),
            (V{"/schedules/2/name: is required", "/schedules/2/experiment: is required",
               "/schedules/2/cron: is required"}));
  EXPECT_EQ(ProblemsOf(R"([1])"), (V{"/schedules/2: expected a schedule object"}));
  EXPECT_EQ(ProblemsOf(R"({"name": "a", "experiment": "a.json", "cron": "@daily",
                           "timezone": "Mars/Olympus"})"),
            (V{"/schedules/2/timezone: unknown time zone \"Mars/Olympus\" (not in the zone "
               "database, e.g. Europe/Berlin)"}));
  EXPECT_EQ(ProblemsOf(R"({"name": "a", "experiment": "a.json", "cron": "@daily",
                           "timezone": "../../etc/passwd"})"),
            (V{"/schedules/2/timezone: \"../../etc/passwd\" is not an IANA time zone name (e.g. "
               "Europe/Berlin)"}));
  EXPECT_EQ(ProblemsOf(R"({"name": "a", "experiment": "a.json", "cron": "@daily",
                           "timezone": "/etc/localtime"})"),
            (V{"/schedules/2/timezone: \"/etc/localtime\" is not an IANA time zone name (e.g. "
               "Europe/Berlin)"}));
  EXPECT_EQ(ProblemsOf(R"({"name": "a", "experiment": "a.json", "cron": "@daily",
                           "jitter_seconds": -1, "deadline_seconds": "10"})"),
            (V{"/schedules/2/jitter_seconds: must not be negative",
               "/schedules/2/deadline_seconds: expected a number of seconds"}));
  EXPECT_EQ(ProblemsOf(R"({"name": "a", "experiment": "a.json", "cron": "@daily",
                           "jitter_seconds": 90000})"),
            (V{"/schedules/2/jitter_seconds: must be at most 86400"}));
  EXPECT_EQ(ProblemsOf(R"({"name": "a", "experiment": "a.json", "cron": "@daily",
                           "concurrency": "queue", "history_limit": 0, "paused": "yes"})"),
            (V{"/schedules/2/concurrency: expected one of forbid, allow, replace",
               "/schedules/2/history_limit: expected a whole number of journals from 1 to 100000",
               "/schedules/2/paused: expected true or false"}));
  EXPECT_EQ(ProblemsOf(R"({"name": "a", "experiment": "a.json", "cron": "@daily",
                           "vars": {"ok": 1, "list": [1], "obj": {}, "nothing": null}})"),
            (V{"/schedules/2/vars/list: expected a string, a number or a boolean",
               "/schedules/2/vars/obj: expected a string, a number or a boolean",
               "/schedules/2/vars/nothing: expected a string, a number or a boolean"}));
  EXPECT_EQ(ProblemsOf(R"({"name": "a", "experiment": "a.json", "cron": "@daily",
                           "vars": [1]})"),
            (V{"/schedules/2/vars: expected an object of configuration values"}));
  EXPECT_EQ(ProblemsOf(R"({"name": "a", "experiment": "a.json", "cron": "@daily",
                           "webhook": "ftp://x"})"),
            (V{"/schedules/2/webhook: expected an http:// or https:// URL"}));
  EXPECT_EQ(ProblemsOf(R"({"name": "a", "experiment": "a.json", "cron": "@daily",
                           "blackouts": {"days": ["sat"]}, "only": [{"days": ["xyz"]}]})"),
            (V{"/schedules/2/blackouts: expected a list of windows",
               "/schedules/2/only/0/days/0: \"xyz\" is not a day (sun, mon, tue, wed, thu, fri, "
               "sat, full names too) or a range of days (mon-fri)"}));
}

TEST(ParseSchedule, NamesAndExperimentPaths) {
  EXPECT_EQ(ProblemsOf(R"({"name": "", "experiment": "a.json", "cron": "@daily"})"),
            (V{"/schedules/2/name: must not be empty"}));
  EXPECT_EQ(ProblemsOf(R"({"name": "a b", "experiment": "a.json", "cron": "@daily"})"),
            (V{"/schedules/2/name: \"a b\" is not a schedule name (1-64 of A-Z a-z 0-9 . _ -)"}));
  EXPECT_EQ(ProblemsOf(R"({"name": 7, "experiment": "a.json", "cron": 5})"),
            (V{"/schedules/2/name: expected a string", "/schedules/2/cron: expected a string"}));
  for (const char* bad : {"../x.json", "/etc/x.json", "a/../../b.json", "a//b.json", ".hidden",
                          "a/", "", "a\\b.json"}) {
    auto problems = ProblemsOf(std::string(R"({"name": "a", "cron": "@daily", "experiment": ")") +
                               Json(bad).dump().substr(1) + "}");
    ASSERT_EQ(problems.size(), 1u) << bad;
    EXPECT_EQ(problems[0].rfind("/schedules/2/experiment: ", 0), 0u) << problems[0];
  }
  EXPECT_TRUE(ProblemsOf(R"({"name": "a.b_c-1", "experiment": "net/tls_expiry.v2.yaml",
                             "cron": "@daily"})")
                  .empty());
}

TEST(ParseSchedule, NeverFiring) {
  EXPECT_EQ(ProblemsOf(R"({"name": "a", "experiment": "a.json", "cron": "0 0 30 2 *"})"),
            (V{"/schedules/2/cron: never matches a date (e.g. day-of-month 30 in February)"}));
  EXPECT_EQ(ProblemsOf(R"({"name": "a", "experiment": "a.json", "cron": "0 12 * * *",
                           "only": [{"from": "13:00", "to": "14:00"}]})"),
            (V{"/schedules/2: the blackouts and only windows leave no time to fire in"}));
  // Feb 29 is fine: it comes every four years.
  EXPECT_TRUE(ProblemsOf(R"({"name": "a", "experiment": "a.json", "cron": "0 0 29 2 *"})").empty());
}

}  // namespace
}  // namespace chaosrun::scheduler
