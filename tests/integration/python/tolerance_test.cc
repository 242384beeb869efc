// Tolerances on python results, as the reference evaluates them (ctk-spec §5.2), through the real
// `chaosrun` and the system's Python: a `{"type": "probe"}` tolerance that is itself a python
// probe (the output as `value`, with configuration and secrets, met when it returns a truthy
// value, not met when it returns a falsy one or raises), and jsonpath, range and regex tolerances
// on python outputs as on process outputs. Validation checks a python tolerance probe as the
// reference does (its `value` is not among the arguments then).
#include "python_run.h"

namespace chaosrun::python_run {
namespace {

using ::testing::HasSubstr;

// A `{"type": "probe"}` tolerance calling tolerances.FUNC.
Json ToleranceProbe(const std::string& func, Json arguments = Json::object()) {
  return {{"type", "probe"},
          {"name", "tolerance-" + func},
          {"provider",
           {{"type", "python"},
            {"module", "tolerances"},
            {"func", func},
            {"arguments", std::move(arguments)}}}};
}

// A hypothesis probe returning pyfuncs.value(kind) with `tolerance`.
Json Checked(const std::string& name, const std::string& kind, Json tolerance) {
  Json p = {{"type", "probe"},
            {"name", name},
            {"tolerance", std::move(tolerance)},
            {"provider",
             {{"type", "python"},
              {"module", "pyfuncs"},
              {"func", "value"},
              {"arguments", {{"kind", kind}}}}}};
  return p;
}

class PythonToleranceTest : public PythonRunTest {
 protected:
  // Runs an experiment whose hypothesis is `probes` and whose method writes a marker.
  RunOutput RunHypothesis(Json probes, Json secrets = Json::object()) {
    Json e = {{"title", "tolerances"},
              {"description", "d"},
              {"configuration", {{"expected", "héllo"}}},
              {"secrets", std::move(secrets)},
              {"steady-state-hypothesis", {{"title", "h"}, {"probes", std::move(probes)}}},
              {"method", Json::array({{{"type", "action"},
                                       {"name", "mark"},
                                       {"provider",
                                        {{"type", "process"},
                                         {"path", "touch"},
                                         {"arguments", Json::array({Marker()})}}}}})}};
    return Run(e);
  }
  std::string Marker() const { return (tmp_.path() / "method-ran").string(); }
};

TEST_F(PythonToleranceTest, EveryKindOfToleranceIsMetOnPythonOutputs) {
  Json probes = Json::array({
      Checked("probe-tolerance", "int", ToleranceProbe("at_least", {{"minimum", 40}})),
      Checked("probe-configuration", "string", ToleranceProbe("equals_configured")),
      Checked("jsonpath", "object",
              {{"type", "jsonpath"}, {"path", "$.a.b[*]"}, {"expect", Json::array({1, 2})}}),
      Checked("jsonpath-count", "list", {{"type", "jsonpath"}, {"path", "$[*]"}, {"count", 4}}),
      Checked("range", "float", {{"type", "range"}, {"range", Json::array({2, 3})}}),
      Checked("pair", "int", Json::array({40, 50})),
      Checked("regex", "string", {{"type", "regex"}, {"pattern", "^h.llo$"}}),
      Checked("boolean", "bool", true),
      Checked("string", "string", "héllo"),
  });
  RunOutput r = RunHypothesis(probes);
  EXPECT_EQ(r.status, 0) << r.err;
  Json j = ReadJournal();
  ASSERT_TRUE(j.is_object()) << r.err;
  EXPECT_EQ(j["status"], "completed");
  for (const char* when : {"before", "after"}) {
    const Json& state = j["steady_states"][when];
    EXPECT_EQ(state["steady_state_met"], true) << when << ": " << state << "\n" << r.err;
    ASSERT_EQ(state["probes"].size(), probes.size()) << when;
    for (size_t i = 0; i < probes.size(); ++i) {
      EXPECT_EQ(state["probes"][i]["tolerance_met"], true)
          << when << " " << probes[i]["name"] << ": " << state["probes"][i];
    }
  }
  EXPECT_TRUE(fs::exists(Marker()));
}

TEST_F(PythonToleranceTest, AToleranceProbeGetsTheSecretsItsProviderLists) {
  // tolerances.token_matches(value, secrets): met when the output is the token it is given.
  Json listed = ToleranceProbe("token_matches");
  listed["provider"]["secrets"] = {"vault"};
  RunOutput r = RunHypothesis(Json::array({Checked("listed", "string", listed)}),
                              {{"vault", {{"token", "héllo"}}}});
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(ReadJournal()["steady_states"]["before"]["probes"][0]["tolerance_met"], true) << r.err;
  // Without `secrets` on its provider the function gets none (the reference's rule).
  r = RunHypothesis(Json::array({Checked("unlisted", "string", ToleranceProbe("token_matches"))}),
                    {{"vault", {{"token", "héllo"}}}});
  EXPECT_EQ(ReadJournal()["steady_states"]["before"]["probes"][0]["tolerance_met"], false) << r.err;
}

TEST_F(PythonToleranceTest, AFalsyOrRaisingToleranceProbeIsNotMetAndNothingRuns) {
  for (const Json& tolerance :
       {ToleranceProbe("at_least", {{"minimum", 43}}), ToleranceProbe("raises"),
        Json{{"type", "range"}, {"range", Json::array({0, 1})}},
        Json{{"type", "regex"}, {"pattern", "^nope$"}}}) {
    const std::string kind = tolerance.value("type", "") == "regex" ? "string" : "int";
    RunOutput r = RunHypothesis(Json::array({Checked("checked", kind, tolerance)}));
    Json j = ReadJournal();
    ASSERT_TRUE(j.is_object()) << r.err;
    const Json& probe = j["steady_states"]["before"]["probes"][0];
    EXPECT_EQ(probe["status"], "succeeded") << tolerance;
    EXPECT_EQ(probe["tolerance_met"], false) << tolerance << "\n" << r.err;
    EXPECT_EQ(j["steady_states"]["before"]["steady_state_met"], false) << tolerance;
    EXPECT_FALSE(fs::exists(Marker())) << tolerance;  // the method never ran
    if (tolerance["type"] == "probe" && tolerance["provider"]["func"] == "raises") {
      EXPECT_THAT(r.err, HasSubstr("RuntimeError: the tolerance itself broke on 42"));
    }
  }
}

TEST_F(PythonToleranceTest, AToleranceProbeIsValidatedAsTheReferenceDoes) {
  // The reference validates the tolerance probe as an activity, before `value` is injected: a
  // function whose `value` has no default fails, naming the function (ctk-spec §12.13).
  Json e = {{"title", "tolerances"},
            {"description", "d"},
            {"steady-state-hypothesis",
             {{"title", "h"},
              {"probes", Json::array({Checked("checked", "int", ToleranceProbe("needs_value"))})}}},
            {"method", Json::array()}};
  e["method"].push_back(Checked("m", "int", 42));
  e["method"][0].erase("tolerance");
  const std::string path = tmp_.Write("experiment.json", e.dump());
  RunOutput r = Chaosrun({"validate", path});
  EXPECT_EQ(r.status, 1);
  EXPECT_THAT(r.out + r.err,
              HasSubstr("/steady-state-hypothesis/probes/0/tolerance/provider/arguments: required "
                        "argument 'value' is missing from activity 'needs_value'"));
  e["steady-state-hypothesis"]["probes"][0]["tolerance"]["provider"]["func"] = "no_such_func";
  r = Chaosrun({"validate", tmp_.Write("experiment.json", e.dump())});
  EXPECT_EQ(r.status, 1);
  EXPECT_THAT(r.out + r.err, HasSubstr("The python module 'tolerances' does not expose a function "
                                       "called 'no_such_func' in probe 'tolerance-needs_value'"));
  // With a default for `value` (or `value` among the arguments) it is valid and runs.
  e["steady-state-hypothesis"]["probes"][0]["tolerance"] = ToleranceProbe("at_least");
  r = Chaosrun({"validate", tmp_.Write("experiment.json", e.dump())});
  EXPECT_EQ(r.status, 0) << r.out << r.err;
}

}  // namespace
}  // namespace chaosrun::python_run
