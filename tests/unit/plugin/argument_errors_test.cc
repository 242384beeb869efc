// Driver-argument errors in plain words (plugin/schema_explain.h through CheckAgainstSchema): one
// test per JSON Schema keyword the built-in drivers use, each asserting the exact sentence at the
// exact JSON pointer, and that no JSON Schema wording (valijson's) ever reaches the user.
#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

#include "plugin/schema.h"
#include "plugin/schema_explain.h"

namespace chaosrun::plugin {
namespace {

using Lines = std::vector<std::string>;

constexpr const char* kArgs = "/method/0/provider/arguments";

// Each problem as "POINTER: REASON".
Lines Errors(const Json& schema, const char* value) {
  Lines out;
  for (const auto& [p, m] : CheckAgainstSchema(schema, Json::parse(value), kArgs)) {
    out.push_back(p + ": " + m);
  }
  return out;
}

std::string At(const std::string& tail, const std::string& reason) {
  return std::string(kArgs) + tail + ": " + reason;
}

// A schema shaped like the process driver's stop: five selectors of which exactly one, a choice
// of count or percent (not both).
Json StopSchema() {
  Json props = Json::object();
  props["pids"] = {{"type", "array"},
                   {"items", {{"type", "integer"}, {"minimum", 1}}},
                   {"minItems", 1},
                   {"maxItems", 3}};
  props["pidfile"] = {{"type", "string"}, {"minLength", 1}};
  props["name"] = {{"type", "string"}, {"minLength", 1}, {"maxLength", 15}};
  props["cmdline"] = {{"type", "string"}, {"minLength", 1}};
  props["unit"] = {{"type", "string"}, {"pattern", "^[A-Za-z0-9:_.@-]+$"}};
  props["count"] = {{"type", "integer"}, {"minimum", 1}};
  props["percent"] = {{"type", "number"}, {"exclusiveMinimum", 0}, {"maximum", 100}};
  Json one = Json::array();
  for (const char* k : {"pids", "pidfile", "name", "cmdline", "unit"}) {
    one.push_back(Json{{"required", Json::array({k})}});
  }
  return Json{
      {"type", "object"},
      {"properties", props},
      {"additionalProperties", false},
      {"allOf", Json::array({Json{{"oneOf", one}},
                             Json{{"not", {{"required", Json::array({"count", "percent"})}}}}})}};
}

// valijson's own vocabulary: none of it may show.
void ExpectPlain(const Lines& lines) {
  for (const auto& l : lines) {
    for (const char* raw : {"constraint", "property", "Property", "schema", "Failed", "Expected",
                            "Object contains", "Value type"}) {
      EXPECT_EQ(l.find(raw), std::string::npos) << l;
    }
  }
}

TEST(ArgumentErrors, AnUnknownArgumentNamesTheLikelyOneAndTheAllowedOnes) {
  Lines e = Errors(StopSchema(), R"({"nmae": "redis-server"})");
  // The selector that is missing only because of the typo is not reported as missing.
  EXPECT_EQ(e, Lines{At("/nmae",
                        "unknown argument; did you mean 'name'? (allowed: pids, pidfile, name, "
                        "cmdline, unit, count, percent)")});
}

TEST(ArgumentErrors, AnUnknownArgumentFarFromAnyIsStillListedWithTheAllowedOnes) {
  Lines e = Errors(StopSchema(), R"({"name": "x", "zzz": 1})");
  EXPECT_EQ(e, Lines{At("/zzz",
                        "unknown argument (allowed: pids, pidfile, name, cmdline, unit, count, "
                        "percent)")});
}

TEST(ArgumentErrors, ATypoOfARequiredArgumentIsOneProblem) {
  Json s{{"type", "object"},
         {"properties", {{"proxy", {{"type", "string"}}}, {"latency", {{"type", "number"}}}}},
         {"required", Json::array({"proxy", "latency"})},
         {"additionalProperties", false}};
  EXPECT_EQ(Errors(s, R"({"proxy": "p", "latnecy": 5})"),
            Lines{At("/latnecy",
                     "unknown argument; did you mean 'latency'? (allowed: proxy, "
                     "latency)")});
  // Truly missing: said once, in plain words.
  EXPECT_EQ(Errors(s, R"({"proxy": "p"})"), Lines{At("", "missing required argument 'latency'")});
}

TEST(ArgumentErrors, NoSelectorAtAllIsOneMissingArgument) {
  EXPECT_EQ(Errors(StopSchema(), "{}"),
            Lines{At("",
                     "missing required argument: one of 'pids', 'pidfile', 'name', 'cmdline' "
                     "or 'unit'")});
}

TEST(ArgumentErrors, TwoSelectorsAreOneProblem) {
  EXPECT_EQ(Errors(StopSchema(), R"({"pids": [2], "name": "x"})"),
            Lines{At("",
                     "only one of 'pids', 'pidfile', 'name', 'cmdline' or 'unit' may be given "
                     "(got 'pids' and 'name')")});
}

TEST(ArgumentErrors, ArgumentsThatCannotGoTogether) {
  EXPECT_EQ(Errors(StopSchema(), R"({"name": "x", "count": 1, "percent": 5})"),
            Lines{At("", "'count' and 'percent' cannot be given together")});
}

TEST(ArgumentErrors, AWrongTypeSaysWhatWasGiven) {
  EXPECT_EQ(Errors(StopSchema(), R"({"name": "x", "count": "3"})"),
            Lines{At("/count", "must be an integer, got string \"3\"")});
  EXPECT_EQ(Errors(StopSchema(), R"({"name": "x", "count": 1.5})"),
            Lines{At("/count", "must be an integer, got number 1.5")});
  EXPECT_EQ(Errors(StopSchema(), R"({"name": true})"),
            Lines{At("/name", "must be a string, got boolean true")});
  EXPECT_EQ(Errors(StopSchema(), R"({"pids": {"a": 1}})"),
            Lines{At("/pids", "must be a list, got an object with 'a'")});
  Json multi{{"properties", {{"user", {{"type", Json::array({"string", "integer"})}}}}}};
  EXPECT_EQ(Errors(multi, R"({"user": null})"),
            Lines{At("/user", "must be a string or an integer, got null")});
  EXPECT_EQ(Errors(StopSchema(), R"(["name"])"), Lines{At("", "must be an object, got a list")});
}

TEST(ArgumentErrors, AnEnumListsTheAllowedValues) {
  Json s{{"properties", {{"stream", {{"enum", Json::array({"upstream", "downstream"})}}}}}};
  EXPECT_EQ(
      Errors(s, R"({"stream": "up"})"),
      Lines{At("/stream", "must be one of \"upstream\" or \"downstream\", got string \"up\"")});
  Json c{{"properties", {{"v", {{"const", 1}}}}}};
  EXPECT_EQ(Errors(c, R"({"v": 2})"), Lines{At("/v", "must be 1, got number 2")});
}

TEST(ArgumentErrors, ARangeIsSaid) {
  EXPECT_EQ(Errors(StopSchema(), R"({"name": "x", "count": 0})"),
            Lines{At("/count", "must be at least 1, got 0")});
  EXPECT_EQ(Errors(StopSchema(), R"({"name": "x", "percent": 0})"),
            Lines{At("/percent", "must be above 0 and at most 100, got 0")});
  EXPECT_EQ(Errors(StopSchema(), R"({"name": "x", "percent": 100.5})"),
            Lines{At("/percent", "must be above 0 and at most 100, got 100.5")});
  Json port{{"properties", {{"port", {{"type", "integer"}, {"minimum", 1}, {"maximum", 65535}}}}}};
  EXPECT_EQ(Errors(port, R"({"port": 70000})"),
            Lines{At("/port", "must be from 1 to 65535, got 70000")});
  Json below{{"properties", {{"t", {{"type", "number"}, {"exclusiveMaximum", 5}}}}}};
  EXPECT_EQ(Errors(below, R"({"t": 5})"), Lines{At("/t", "must be below 5, got 5")});
  Json m{{"properties", {{"m", {{"type", "integer"}, {"multipleOf", 5}}}}}};
  EXPECT_EQ(Errors(m, R"({"m": 7})"), Lines{At("/m", "must be a multiple of 5, got 7")});
}

TEST(ArgumentErrors, LengthsAndPatterns) {
  EXPECT_EQ(Errors(StopSchema(), R"({"name": ""})"), Lines{At("/name", "must not be empty")});
  EXPECT_EQ(Errors(StopSchema(), R"({"name": "a-very-long-process-name"})"),
            Lines{At("/name", "must be at most 15 characters long, got 24")});
  Json two{{"properties", {{"p", {{"type", "string"}, {"minLength", 2}, {"maxLength", 4}}}}}};
  EXPECT_EQ(Errors(two, R"({"p": "é"})"),  // one character, two bytes
            Lines{At("/p", "must be at least 2 characters long, got 1")});
  EXPECT_EQ(Errors(StopSchema(), R"({"unit": "a b"})"),
            Lines{At("/unit",
                     "must match the regular expression ^[A-Za-z0-9:_.@-]+$, got string \"a b\"")});
}

TEST(ArgumentErrors, ListsAndTheirItems) {
  EXPECT_EQ(Errors(StopSchema(), R"({"pids": []})"),
            Lines{At("/pids", "must not be an empty list")});
  EXPECT_EQ(Errors(StopSchema(), R"({"pids": [2, 3, 4, 5]})"),
            Lines{At("/pids", "must have at most 3 items, got 4")});
  EXPECT_EQ(Errors(StopSchema(), R"({"pids": [2, "x", 0]})"),
            (Lines{At("/pids/1", "must be an integer, got string \"x\""),
                   At("/pids/2", "must be at least 1, got 0")}));
  Json u{{"properties", {{"l", {{"type", "array"}, {"uniqueItems", true}}}}}};
  EXPECT_EQ(Errors(u, R"({"l": [1, 2, 1]})"),
            Lines{At("/l/2", "repeats an earlier item; items must differ")});
}

// The signal of the process driver's kill: a number or a name.
Json SignalSchema() {
  return Json{
      {"type", "object"},
      {"properties",
       {{"signal",
         {{"anyOf",
           Json::array({Json{{"type", "integer"}, {"minimum", 1}, {"maximum", 64}},
                        Json{{"type", "string"}, {"enum", Json::array({"KILL", "TERM"})}}})}}},
        {"restart", {{"type", "array"}}},
        {"unit", {{"type", "string"}}}}},
      {"additionalProperties", false},
      {"anyOf", Json::array({Json{{"required", Json::array({"restart"})}},
                             Json{{"required", Json::array({"unit"})}}})}};
}

TEST(ArgumentErrors, AlternativesAreWordedByTheOneThatFitsTheValue) {
  EXPECT_EQ(Errors(SignalSchema(), R"({"unit": "u", "signal": "FOO"})"),
            Lines{At("/signal", "must be one of \"KILL\" or \"TERM\", got string \"FOO\"")});
  EXPECT_EQ(Errors(SignalSchema(), R"({"unit": "u", "signal": 65})"),
            Lines{At("/signal", "must be from 1 to 64, got 65")});
  EXPECT_EQ(Errors(SignalSchema(), R"({"unit": "u", "signal": 1.5})"),
            Lines{At("/signal",
                     "must be an integer from 1 to 64 or one of \"KILL\" or \"TERM\", got number "
                     "1.5")});
  EXPECT_EQ(Errors(SignalSchema(), R"({"signal": 9})"),
            Lines{At("", "missing required argument: one of 'restart' or 'unit'")});
  // A typo of one of the alternatives: only the typo.
  EXPECT_EQ(
      Errors(SignalSchema(), R"({"restrat": []})"),
      Lines{At("/restrat",
               "unknown argument; did you mean 'restart'? (allowed: signal, restart, unit)")});
}

// The tls driver's reload: one of three object forms.
Json ReloadSchema() {
  Json argv{{"type", "array"}, {"minItems", 1}, {"items", {{"type", "string"}}}};
  Json command{{"type", "object"},
               {"properties", {{"command", argv}}},
               {"required", Json::array({"command"})},
               {"additionalProperties", false}};
  Json to_pid{{"type", "object"},
              {"properties", {{"signal", {{"type", "string"}}}, {"pid", {{"type", "integer"}}}}},
              {"required", Json::array({"signal", "pid"})},
              {"additionalProperties", false}};
  return Json{{"properties", {{"reload", {{"oneOf", Json::array({command, to_pid})}}}}},
              {"dependencies", {{"issuer_cert", Json::array({"issuer_key"})}}}};
}

TEST(ArgumentErrors, ObjectFormsAndNestedKeys) {
  // The form with the fewest problems is the one meant.
  EXPECT_EQ(Errors(ReloadSchema(), R"({"reload": {"command": []}})"),
            Lines{At("/reload/command", "must not be an empty list")});
  EXPECT_EQ(Errors(ReloadSchema(), R"({"reload": {"signal": "HUP", "pid": 1, "pdi": 2}})"),
            Lines{At("/reload/pdi", "unknown key (allowed: signal, pid)")});
  EXPECT_EQ(Errors(ReloadSchema(), R"({"reload": {"signal": "HUP"}})"),
            Lines{At("/reload", "missing required key 'pid'")});
  EXPECT_EQ(Errors(ReloadSchema(), R"({"reload": {"signal": "HUP", "command": ["x"]}})"),
            Lines{At("/reload/signal", "unknown key (allowed: command)")});
  // Two forms as near: what the forms are, and what was given.
  EXPECT_EQ(
      Errors(ReloadSchema(), R"({"reload": {"signal": "HUP", "pid": "x", "command": ["x"]}})"),
      Lines{At("/reload",
               "must be an object with 'command' or an object with 'signal' and 'pid', got "
               "an object with 'signal', 'pid' and 'command'")});
  EXPECT_EQ(Errors(ReloadSchema(), R"({"reload": 3})"),
            Lines{At("/reload",
                     "must be an object with 'command' or an object with 'signal' and 'pid', got "
                     "number 3")});
}

TEST(ArgumentErrors, ADependencyNamesWhatIsMissing) {
  EXPECT_EQ(Errors(ReloadSchema(), R"({"issuer_cert": "/ca.pem"})"),
            Lines{At("/issuer_cert", "needs 'issuer_key' as well")});
}

TEST(ArgumentErrors, EveryProblemIsReported) {
  Lines e = Errors(StopSchema(), R"({"nmae": "x", "count": "3", "percnt": 5})");
  EXPECT_EQ(e, (Lines{At("/nmae",
                         "unknown argument; did you mean 'name'? (allowed: pids, pidfile, name, "
                         "cmdline, unit, count, percent)"),
                      At("/count", "must be an integer, got string \"3\""),
                      At("/percnt",
                         "unknown argument; did you mean 'percent'? (allowed: pids, pidfile, "
                         "name, cmdline, unit, count, percent)")}));
}

TEST(ArgumentErrors, AKeywordWithoutWordsGetsAGenericSentenceAtItsPlace) {
  Json s{{"properties", {{"labels", {{"type", "object"}, {"minProperties", 2}}}}}};
  EXPECT_EQ(
      Errors(s, R"({"labels": {"a": 1}})"),
      Lines{At("/labels", "is not a value the driver accepts here (see `chaosrun drivers`)")});
}

// Tagged alternatives, as the ML driver's schema_drift operations: one oneOf branch per "op",
// each with its own required members. The branch the value's tag names is the one explained;
// a tag that names no branch is the problem itself.
Json TaggedSchema() {
  auto branch = [](const char* op, Json extra, Json required) {
    Json props{{"op", {{"const", op}}}, {"field", {{"type", "string"}}}};
    for (auto& [k, v] : extra.items()) props[k] = v;
    required.push_back("op");
    required.push_back("field");
    return Json{{"type", "object"},
                {"properties", props},
                {"required", required},
                {"additionalProperties", false}};
  };
  Json one =
      Json::array({branch("drop", Json::object(), Json::array()),
                   branch("rename", {{"to", {{"type", "string"}}}}, Json::array({"to"})),
                   branch("scale", {{"factor", {{"type", "number"}}}}, Json::array({"factor"}))});
  return Json{{"properties", {{"operations", {{"type", "array"}, {"items", {{"oneOf", one}}}}}}}};
}

TEST(ArgumentErrors, TheBranchATagNamesIsTheOneExplained) {
  EXPECT_EQ(Errors(TaggedSchema(), R"({"operations": [{"op": "rename", "field": "age"}]})"),
            Lines{At("/operations/0", "missing required key 'to'")});
  EXPECT_EQ(Errors(TaggedSchema(),
                   R"({"operations": [{"op": "scale", "field": "a", "factor": 2, "to": "x"}]})"),
            Lines{At("/operations/0/to", "unknown key (allowed: op, field, factor)")});
  EXPECT_EQ(Errors(TaggedSchema(), R"({"operations": [{"op": "shred", "field": "a"}]})"),
            Lines{At("/operations/0/op",
                     "must be one of \"drop\", \"rename\" or \"scale\", got string \"shred\"")});
  EXPECT_TRUE(
      Errors(TaggedSchema(), R"({"operations": [{"op": "rename", "field": "a", "to": "b"}]})")
          .empty());
}

TEST(ArgumentErrors, NoSchemaWordingEverShows) {
  for (const char* v :
       {R"({"nmae": "x"})", "{}", R"({"pids": [1], "name": "x"})", R"({"name": "", "count": 0})",
        R"({"name": "x", "count": 1, "percent": 2})", R"({"pids": ["a"]})", "[]", "3"}) {
    Lines e = Errors(StopSchema(), v);
    EXPECT_FALSE(e.empty()) << v;
    ExpectPlain(e);
  }
  for (const char* v : {R"({"signal": "X"})", R"({"restart": 1, "signal": []})"}) {
    ExpectPlain(Errors(SignalSchema(), v));
  }
  for (const char* v : {R"({"reload": {}})", R"({"reload": {"command": [1]}, "issuer_cert": 1})"}) {
    ExpectPlain(Errors(ReloadSchema(), v));
  }
}

TEST(ArgumentErrors, AValidValueHasNoProblem) {
  EXPECT_TRUE(Errors(StopSchema(), R"({"name": "redis", "count": 2})").empty());
  EXPECT_TRUE(Errors(SignalSchema(), R"({"unit": "u", "signal": "KILL"})").empty());
  EXPECT_TRUE(Errors(ReloadSchema(), R"({"reload": {"signal": "HUP", "pid": 3}})").empty());
}

}  // namespace
}  // namespace chaosrun::plugin
