// Wrong JSON types everywhere: the validator must never throw or crash, and must say something
// specific (not "internal error") about whatever it is given.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "fixtures.h"

namespace chaosrun::validate::testing {
namespace {

// Every pointer of every value in `v` (the root included).
void CollectPointers(const Json& v, const std::string& ptr, std::vector<std::string>& out) {
  out.push_back(ptr);
  if (v.is_object()) {
    for (const auto& [k, child] : v.items()) CollectPointers(child, PointerAppend(ptr, k), out);
  } else if (v.is_array()) {
    for (size_t i = 0; i < v.size(); ++i) CollectPointers(v[i], PointerAppend(ptr, i), out);
  }
}

const std::vector<Json>& Replacements() {
  static const std::vector<Json> kValues = {
      nullptr,
      true,
      false,
      0,
      -1,
      18446744073709551615ull,
      1.5,
      "",
      "x",
      "${x}",
      "$",
      Json::array(),
      Json::array({nullptr, 1, "a", Json::object()}),
      Json::object(),
      Json::parse(R"({"type": "probe"})"),
      Json::parse(R"({"ref": 1})"),
      Json::parse(R"({"type": "env", "key": 3})"),
  };
  return kValues;
}

void ExpectClean(const Json& doc, const std::string& what) {
  std::vector<Diagnostic> all;
  ASSERT_NO_THROW(all = Validate(doc, TestOptions())) << what;
  for (const Diagnostic& d : all) {
    EXPECT_EQ(d.message.find("internal error"), std::string::npos) << what << ": " << d.ToString();
    EXPECT_FALSE(d.message.empty()) << what;
  }
}

TEST(Robustness, EveryValueReplacedByEveryType) {
  const Json base = Base();
  std::vector<std::string> pointers;
  CollectPointers(base, "", pointers);
  ASSERT_GT(pointers.size(), 150u);
  for (const std::string& ptr : pointers) {
    for (const Json& replacement : Replacements()) {
      Json doc = base;
      if (ptr.empty()) {
        doc = replacement;
      } else {
        doc[Json::json_pointer(ptr)] = replacement;
      }
      ExpectClean(doc, ptr + " := " + replacement.dump());
    }
  }
}

TEST(Robustness, EveryValueRemoved) {
  const Json base = Base();
  std::vector<std::string> pointers;
  CollectPointers(base, "", pointers);
  for (const std::string& ptr : pointers) {
    if (ptr.empty()) continue;
    Json doc = base;
    const Json::json_pointer p(ptr);
    doc[p.parent_pointer()].erase(doc[p.parent_pointer()].is_object()
                                      ? doc[p.parent_pointer()].find(p.back())
                                      : doc[p.parent_pointer()].begin() + std::stoi(p.back()));
    ExpectClean(doc, "remove " + ptr);
  }
}

TEST(Robustness, WrongTypesGiveSpecificErrors) {
  const Json doc = Json::parse(R"({"title": [], "description": {}, "tags": 1, "extensions": "e",
    "configuration": 1, "secrets": [], "steady-state-hypothesis": "h", "method": "m",
    "rollbacks": {}, "controls": 5, "runtime": [], "contributions": 1})");
  const auto all = Validate(doc, TestOptions());
  std::vector<std::string> pointers;
  for (const auto& d : all) pointers.push_back(d.pointer);
  EXPECT_EQ(pointers, (std::vector<std::string>{"/title", "/description", "/tags", "/extensions",
                                                "/configuration", "/secrets",
                                                "/steady-state-hypothesis", "/method", "/rollbacks",
                                                "/controls", "/runtime", "/contributions"}))
      << Describe(all);
  EXPECT_TRUE(all.back().warning);  // contributions are informative only
}

TEST(Robustness, DeeplyNestedSecretsDoNotOverflow) {
  Json nested = Json::parse(R"({"type": "env", "key": "DEEP"})");
  for (int i = 0; i < 2000; ++i) nested = Json{{"n", nested}};
  Json doc = Json::parse(R"({"title": "t", "description": "d", "method": []})");
  doc["secrets"] = Json{{"scope", Json{{"entry", nested}}}};
  ExpectClean(doc, "deep secrets");
}

}  // namespace
}  // namespace chaosrun::validate::testing
