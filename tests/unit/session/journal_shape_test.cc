// A session run writes the journal `chaosrun run` writes: the same experiment through the real
// binary (started with the process provider's spawn helper) and through a Session give journals
// with the same keys in the same order, the same records and the same status.
#include <gtest/gtest.h>

#include "providers/spawn.h"
#include "session_fixture.h"

namespace chaosrun::session {
namespace {

// The keys of an object, in order.
std::vector<std::string> KeysOf(const Json& j) {
  std::vector<std::string> out;
  if (!j.is_object()) return out;
  for (const auto& [k, v] : j.items()) out.push_back(k);
  return out;
}

// Compares the shape (keys, types, array lengths) of two journals; values that differ from one
// run to the next (times, durations, ids, pids, paths) are not compared.
void ExpectSameShape(const Json& a, const Json& b, const std::string& where) {
  ASSERT_EQ(a.type(), b.type()) << where;
  if (a.is_object()) {
    ASSERT_EQ(KeysOf(a), KeysOf(b)) << where;
    for (const auto& [k, v] : a.items()) ExpectSameShape(v, b[k], where + "/" + k);
  } else if (a.is_array()) {
    ASSERT_EQ(a.size(), b.size()) << where;
    for (size_t i = 0; i < a.size(); ++i)
      ExpectSameShape(a[i], b[i], where + "/" + std::to_string(i));
  }
}

TEST_F(SessionTest, ASessionJournalHasTheShapeOfTheCliJournal) {
  Json e = Experiment("shape", Json::array({Fault("a"), Shell("echo", "echo hello")}));
  e["steady-state-hypothesis"] = {
      {"title", "the shell works"},
      {"probes", Json::array({{{"type", "probe"},
                               {"name", "true"},
                               {"tolerance", 0},
                               {"provider", {{"type", "process"}, {"path", "/bin/true"}}}}})}};
  std::string file = dir_.Write("experiment.json", DumpPretty(e));

  Session s(Request(e, "session.json"));
  Outcome out = s.Run();
  ASSERT_EQ(out.exit_code, 0) << out.error;

  // The CLI run uses its own state directory (a fresh ledger).
  auto cli = providers::SpawnAndWait(
      {CHAOSRUN_BINARY, "run", "--journal-path", PathOf("cli.json"), "--state-dir",
       PathOf("cli-state"), "--driver-dir", TestDriverDir(), "--policy", policy_, file},
      CancelToken(), {});
  ASSERT_TRUE(cli.has_value()) << cli.error().message();
  ASSERT_EQ(cli->status, 0) << cli->err;

  Json from_cli = ReadJson(PathOf("cli.json"));
  Json from_session = ReadJson(PathOf("session.json"));
  EXPECT_EQ(from_session["status"], from_cli["status"]);
  EXPECT_EQ(from_session["deviated"], from_cli["deviated"]);
  ExpectSameShape(from_cli, from_session, "");
  EXPECT_EQ(CountLines(PathOf("a.undo")), 2);  // each run undid its fault
}

}  // namespace
}  // namespace chaosrun::session
