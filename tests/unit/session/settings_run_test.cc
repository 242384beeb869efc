// A session run and a validation with --settings (docs/settings.md): the notifications a real
// loopback receiver gets (events, payloads, no secret), the settings' rollback strategy and its
// precedence, and a bad settings file as a usage error before anything runs.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <mutex>

#include "session_fixture.h"
#include "support/http_server.h"

namespace chaosrun::session {
namespace {

using ::chaosrun::testing::HttpServer;
using ::chaosrun::testing::TestRequest;
using ::chaosrun::testing::TestResponse;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

TestResponse ReceiverReply(int status, const std::string& body) {
  TestResponse r;
  r.status = status;
  r.body = body;
  return r;
}

// A receiver of notifications: the event documents, in the order they arrived.
class Receiver {
 public:
  Receiver() {
    server_.Handle("POST", "/events", [this](const TestRequest& r) {
      std::lock_guard lock(mu_);
      events_.push_back(Json::parse(r.body, nullptr, false));
      return ReceiverReply(200, "thanks");
    });
  }
  std::string Url() const { return server_.Url("/events"); }
  std::vector<Json> events() const {
    std::lock_guard lock(mu_);
    return events_;
  }
  std::vector<std::string> names() const {
    std::vector<std::string> out;
    for (const Json& e : events()) out.push_back(e.value("name", "?"));
    return out;
  }

 private:
  HttpServer server_;
  mutable std::mutex mu_;
  std::vector<Json> events_;
};

class SettingsRunTest : public SessionTest {
 protected:
  std::string Settings(const Json& doc) { return dir_.Write("settings.json", doc.dump()); }
  Json Channels(const Receiver& r) {
    return {{"notifications", Json::array({{{"type", "http"}, {"url", r.Url()}}})}};
  }
};

TEST_F(SettingsRunTest, ACompletedRunNotifiesStartedThenCompletedWithoutItsSecrets) {
  Receiver receiver;
  Json e = Experiment("notified", Json::array({Shell("touch", "touch ran")}));
  e["secrets"] = {{"vault", {{"token", "sup3rs3cret-token-42"}}}};
  RunRequest r = Request(e);
  r.settings_path = Settings(Channels(receiver));
  Outcome out = Session(r).Run();
  EXPECT_EQ(out.exit_code, 0) << out.error;
  EXPECT_THAT(receiver.names(), ElementsAre("run-started", "run-completed"));
  auto events = receiver.events();
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0]["phase"], "run");
  EXPECT_EQ(events[0]["payload"]["title"], "notified");    // the experiment
  EXPECT_EQ(events[1]["payload"]["status"], "completed");  // the journal
  for (const Json& ev : events) {
    EXPECT_EQ(ev.dump().find("sup3rs3cret-token-42"), std::string::npos) << ev.dump();
  }
}

TEST_F(SettingsRunTest, ADeviatedRunNotifiesCompletedAndDeviated) {
  Receiver receiver;
  Json e = Experiment("deviates", Json::array({Shell("remove", "rm flag")}));
  Json probe = Shell("flag-is-there", "test -e flag");
  probe["type"] = "probe";
  probe["tolerance"] = 0;
  e["steady-state-hypothesis"] = {{"title", "flag"}, {"probes", Json::array({probe})}};
  dir_.Write("flag", "");
  RunRequest r = Request(e);
  r.settings_path = Settings(Channels(receiver));
  Outcome out = Session(r).Run();
  EXPECT_EQ(out.exit_code, 1);
  EXPECT_TRUE(out.deviated);
  EXPECT_THAT(receiver.names(), ElementsAre("run-started", "run-completed", "run-deviated"));
}

TEST_F(SettingsRunTest, AnInvalidExperimentNotifiesRunFailedWithTheReason) {
  Receiver receiver;
  Json e = Experiment("invalid", Json::array({{{"type", "action"}, {"name", "no-provider"}}}));
  RunRequest r = Request(e);
  r.settings_path = Settings(Channels(receiver));
  Outcome out = Session(r).Run();
  EXPECT_EQ(out.exit_code, 1);
  auto events = receiver.events();
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[1]["name"], "run-failed");
  EXPECT_THAT(events[1].value("error", ""), HasSubstr("not valid"));
}

TEST_F(SettingsRunTest, TheSettingsRollbackStrategyHoldsUnlessTheExperimentHasARuntime) {
  Json e = Experiment("rollbacks", Json::array({Shell("touch", "touch ran")}));
  e["rollbacks"] = Json::array({Shell("rollback", "touch rolled-back")});
  RunRequest never = Request(e);
  never.settings_path = Settings({{"runtime", {{"rollbacks", {{"strategy", "never"}}}}}});
  EXPECT_EQ(Session(never).Run().exit_code, 0);
  EXPECT_TRUE(Exists("ran"));
  EXPECT_FALSE(Exists("rolled-back"));
  // The experiment's runtime block decides (its missing rollbacks key means `default`).
  e["runtime"] = {{"hypothesis", {{"strategy", "default"}}}};
  RunRequest own = Request(e, "journal2.json");
  own.settings_path = never.settings_path;
  EXPECT_EQ(Session(own).Run().exit_code, 0);
  EXPECT_TRUE(Exists("rolled-back"));
}

TEST_F(SettingsRunTest, ABadSettingsFileIsAUsageErrorAndNothingRuns) {
  RunRequest r = Request(Experiment("never", Json::array({Shell("touch", "touch ran")})));
  r.settings_path = Settings({{"runtime", {{"rollbacks", {{"strategy", "sometimes"}}}}}});
  Outcome out = Session(r).Run();
  EXPECT_EQ(out.exit_code, 2);
  EXPECT_TRUE(out.usage_error);
  EXPECT_THAT(out.error, HasSubstr("/runtime/rollbacks/strategy: unknown strategy 'sometimes'"));
  EXPECT_FALSE(Exists("ran"));
  EXPECT_FALSE(Exists("journal.json"));
}

TEST_F(SettingsRunTest, ValidateNotifiesStartedThenCompletedOrFailed) {
  Receiver receiver;
  ValidateRequest ok;
  ok.source = dir_.Write("ok.json", Experiment("ok", Json::array({Shell("a", "true")})).dump());
  ok.settings_path = Settings(Channels(receiver));
  ok.env = Env();
  EXPECT_TRUE(Validate(ok).valid());
  EXPECT_THAT(receiver.names(), ElementsAre("validate-started", "validate-completed"));
  ValidateRequest bad = ok;
  bad.source = dir_.Write("bad.json", Experiment("bad", Json::array({{{"name", "x"}}})).dump());
  EXPECT_FALSE(Validate(bad).valid());
  auto events = receiver.events();
  ASSERT_EQ(events.size(), 4u);
  EXPECT_EQ(events[3]["name"], "validate-failed");
  EXPECT_EQ(events[3]["phase"], "validate");
  EXPECT_FALSE(events[3].value("error", "").empty());
}

}  // namespace
}  // namespace chaosrun::session
