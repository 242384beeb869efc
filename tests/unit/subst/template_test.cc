#include "subst/template.h"

#include <gtest/gtest.h>

namespace chaosrun::subst {
namespace {

Scope MakeScope() {
  return Scope(Json::parse(R"({"name": "Jane", "n": 5, "flag": true, "none": null,
                               "pi": 2.5, "list": [1, "a"], "obj": {"k": "v"},
                               "empty": "", "shadow": "from-config"})"),
               Json::parse(R"({"first": {"token": "s3cr3t", "shadow": "from-secret"},
                               "second": {"token": "other", "only2": "two"},
                               "odd": "not-a-scope"})"));
}

std::string S(std::string_view text) {
  return SubstituteString(text, MakeScope()).get<std::string>();
}

TEST(Scope, LookupChainConfigurationThenSecretScopesInOrder) {
  Scope scope = MakeScope();
  ASSERT_NE(scope.Lookup("name"), nullptr);
  EXPECT_EQ(*scope.Lookup("shadow"), "from-config");
  EXPECT_EQ(*scope.Lookup("token"), "s3cr3t");
  EXPECT_EQ(*scope.Lookup("only2"), "two");
  EXPECT_EQ(scope.Lookup("odd"), nullptr);  // a non-object scope holds no keys
  EXPECT_EQ(scope.Lookup("missing"), nullptr);
  EXPECT_FALSE(scope.empty());
  EXPECT_TRUE(Scope().empty());
  EXPECT_EQ(Scope().Lookup("x"), nullptr);
}

TEST(SubstituteString, BracedAndBarePlaceholders) {
  EXPECT_EQ(S("hello ${name}"), "hello Jane");
  EXPECT_EQ(S("hello $name!"), "hello Jane!");
  EXPECT_EQ(S("$name$name"), "JaneJane");
  EXPECT_EQ(S("${name}_x"), "Jane_x");
  EXPECT_EQ(S("$name_x"), "$name_x");  // the identifier is name_x, which is unknown
  EXPECT_EQ(S("$n.5"), "5.5");
  EXPECT_EQ(S("token=$token"), "token=s3cr3t");
}

TEST(SubstituteString, StringifiesLikePythonStr) {
  EXPECT_EQ(S("n=${n}"), "n=5");
  EXPECT_EQ(S("flag=${flag}"), "flag=True");
  EXPECT_EQ(S("none=${none}"), "none=None");
  EXPECT_EQ(S("pi=$pi"), "pi=2.5");
  EXPECT_EQ(S("e=[${empty}]"), "e=[]");
}

TEST(SubstituteString, DollarRules) {
  EXPECT_EQ(S("$$"), "$");
  EXPECT_EQ(S("$$name"), "$name");
  EXPECT_EQ(S("$$$name"), "$Jane");
  EXPECT_EQ(S("5$"), "5$");
  EXPECT_EQ(S("$"), "$");
  EXPECT_EQ(S("$ x"), "$ x");
  EXPECT_EQ(S("$1"), "$1");
  EXPECT_EQ(S("${a-b}"), "${a-b}");
  EXPECT_EQ(S("${name"), "${name");
  EXPECT_EQ(S("${}"), "${}");
  EXPECT_EQ(S("${ name }"), "${ name }");
  EXPECT_EQ(S("${1x}"), "${1x}");
  EXPECT_EQ(S("${${name}}"), "${Jane}");
  EXPECT_EQ(S("$HOME/bin"), "$HOME/bin");
  EXPECT_EQ(S("${undeclared}"), "${undeclared}");
  EXPECT_EQ(S("a ${undeclared} b $also"), "a ${undeclared} b $also");
  EXPECT_EQ(S("\xC3\xA9$name\xFF"), "\xC3\xA9Jane\xFF");
}

TEST(SubstituteString, TypedWholeStringOnlyForBracedForm) {
  Scope scope = MakeScope();
  EXPECT_EQ(SubstituteString("${n}", scope), Json(5));
  EXPECT_EQ(SubstituteString("${flag}", scope), Json(true));
  EXPECT_EQ(SubstituteString("${none}", scope), Json(nullptr));
  EXPECT_EQ(SubstituteString("${list}", scope), Json::parse(R"([1, "a"])"));
  EXPECT_EQ(SubstituteString("${obj}", scope), Json::parse(R"({"k": "v"})"));
  EXPECT_EQ(SubstituteString("${empty}", scope), Json(""));
  // A bare whole-string $name is stringified (the reference's typed rule reads the braced group).
  EXPECT_EQ(SubstituteString("$n", scope), Json("5"));
  EXPECT_EQ(SubstituteString("$flag", scope), Json("True"));
  // Anything around the placeholder makes it text; containers as compact JSON.
  EXPECT_EQ(SubstituteString(" ${n}", scope), Json(" 5"));
  EXPECT_EQ(SubstituteString("${n}${n}", scope), Json("55"));
  EXPECT_EQ(SubstituteString("l=${list}", scope), Json(R"(l=[1,"a"])"));
  EXPECT_EQ(SubstituteString("${missing}", scope), Json("${missing}"));
  EXPECT_EQ(SubstituteString("", scope), Json(""));
}

TEST(Substitute, RecursesIntoValuesButNotKeys) {
  Scope scope = MakeScope();
  Json in = Json::parse(R"({"${name}": "${name}", "args": {"count": "${n}", "msg": "hi $name"},
                           "keep": 3, "nil": null, "b": false})");
  Json out = Substitute(in, scope);
  EXPECT_EQ(
      out.dump(),
      R"({"${name}":"Jane","args":{"count":5,"msg":"hi Jane"},"keep":3,"nil":null,"b":false})");
  EXPECT_EQ(in["args"]["count"], "${n}");  // the input is untouched
}

TEST(Substitute, ArraysAndTheReferenceSplicingOfNestedArrays) {
  Scope scope = MakeScope();
  EXPECT_EQ(Substitute(Json::parse(R"(["${n}", "$name", {"a": "${flag}"}, 7])"), scope).dump(),
            R"([5,"Jane",{"a":true},7])");
  // A list nested in a list is spliced into it, as chaostoolkit-lib's substitute_in_sequence does.
  EXPECT_EQ(Substitute(Json::parse(R"([["${n}", ["x"]], [], "y"])"), scope).dump(),
            R"([5,"x","y"])");
  // ... but a list that is an object value stays a list, and a typed list value is one element.
  EXPECT_EQ(Substitute(Json::parse(R"({"m": [[1], 2], "l": ["${list}"]})"), scope).dump(),
            R"({"m":[1,2],"l":[[1,"a"]]})");
}

TEST(Substitute, ScalarsPassThrough) {
  Scope scope = MakeScope();
  EXPECT_EQ(Substitute(Json(3), scope), Json(3));
  EXPECT_EQ(Substitute(Json(nullptr), scope), Json(nullptr));
  EXPECT_EQ(Substitute(Json("${pi}"), scope), Json(2.5));
}

}  // namespace
}  // namespace chaosrun::subst
