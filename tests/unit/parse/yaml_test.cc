#include <gtest/gtest.h>

#include <string>

#include "error_of.h"
#include "parse/loader.h"

namespace chaosrun::parse {
namespace {

Result<Json> Yaml(const std::string& text) { return ParseText(text, DocFormat::kYaml, "e.yaml"); }

TEST(YamlText, MappingKeepsOrderAndNesting) {
  auto doc = Yaml(
      "title: Hello\n"
      "zeta: 1\n"
      "alpha:\n"
      "  - name: a\n"
      "    args: [1, two, 3.0, null, yes]\n"
      "  - {k: v}\n");
  ASSERT_TRUE(doc) << doc.error().message();
  EXPECT_EQ(doc->dump(),
            R"({"title":"Hello","zeta":1,"alpha":[{"name":"a","args":[1,"two",3.0,null,true]},)"
            R"({"k":"v"}]})");
}

TEST(YamlText, BlockScalarsAndQuoting) {
  auto doc = Yaml("a: |\n  line1\n  line2\nb: >\n  folded\n  text\nc: 'it''s'\nd: \"tab\\t\"\n");
  ASSERT_TRUE(doc) << doc.error().message();
  EXPECT_EQ((*doc)["a"], "line1\nline2\n");
  EXPECT_EQ((*doc)["b"], "folded text\n");
  EXPECT_EQ((*doc)["c"], "it's");
  EXPECT_EQ((*doc)["d"], "tab\t");
}

TEST(YamlText, EmptyStreamIsNull) {
  EXPECT_EQ(*Yaml(""), Json(nullptr));
  EXPECT_EQ(*Yaml("# just a comment\n"), Json(nullptr));
  EXPECT_EQ(*Yaml("---\n"), Json(nullptr));
}

TEST(YamlText, DuplicateKeysLastWinsAtFirstPlace) {
  auto doc = Yaml("a: 1\nb: 2\na: 3\n");
  ASSERT_TRUE(doc) << doc.error().message();
  EXPECT_EQ(doc->dump(), R"({"a":3,"b":2})");
}

TEST(YamlText, NonStringKeysAreStringifiedAsJsonDumpsDoes) {
  auto doc = Yaml("1: a\ntrue: b\n~: c\n1.5: d\n0x10: e\n");
  ASSERT_TRUE(doc) << doc.error().message();
  EXPECT_EQ(doc->dump(), R"({"1":"a","true":"b","null":"c","1.5":"d","16":"e"})");
}

TEST(YamlText, CollectionKeysAreUnhashable) {
  EXPECT_TRUE(ErrorOf(Yaml("? [1, 2]\n: v\n")).find("found unhashable key") != std::string::npos)
      << ErrorOf(Yaml("? [1, 2]\n: v\n"));
  EXPECT_TRUE(ErrorOf(Yaml("{a: 1}: v\n")).find("found unhashable key") != std::string::npos);
}

TEST(YamlText, AnchorsAndAliases) {
  auto doc = Yaml("base: &b {x: 1, y: [1, 2]}\ncopy: *b\nlist: [*b, *b]\n");
  ASSERT_TRUE(doc) << doc.error().message();
  EXPECT_EQ((*doc)["copy"], (*doc)["base"]);
  EXPECT_EQ((*doc)["list"][1], (*doc)["base"]);
}

TEST(YamlText, MergeKeys) {
  auto doc = Yaml(
      "a: &a {x: 1, y: 1}\n"
      "b: &b {y: 2, z: 2}\n"
      "one:\n  <<: *a\n  y: 9\n"
      "many:\n  <<: [*a, *b]\n  w: 0\n"
      "quoted:\n  '<<': *a\n");
  ASSERT_TRUE(doc) << doc.error().message();
  // Explicit keys win over merged ones; merged keys come first.
  EXPECT_EQ((*doc)["one"].dump(), R"({"x":1,"y":9})");
  // In a list, earlier mappings win: b is applied first, then a.
  EXPECT_EQ((*doc)["many"].dump(), R"({"y":1,"z":2,"x":1,"w":0})");
  // A quoted "<<" is an ordinary key.
  EXPECT_EQ((*doc)["quoted"].dump(), R"({"<<":{"x":1,"y":1}})");
  EXPECT_TRUE(ErrorOf(Yaml("m:\n  <<: 5\n")).find("expected a mapping or list of mappings") !=
              std::string::npos);
  EXPECT_TRUE(ErrorOf(Yaml("m:\n  <<: [5]\n")).find("expected a mapping for merging") !=
              std::string::npos);
  EXPECT_TRUE(ErrorOf(Yaml("v: <<\n")).find("tag:yaml.org,2002:merge") != std::string::npos);
}

TEST(YamlText, AliasBombIsRefused) {
  std::string text = "a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n";
  for (int i = 1; i < 10; ++i) {
    const std::string prev = "*a" + std::to_string(i - 1);
    text += "a" + std::to_string(i) + ": &a" + std::to_string(i) + " [" + prev;
    for (int k = 0; k < 9; ++k) text += ", " + prev;
    text += "]\n";
  }
  EXPECT_TRUE(ErrorOf(Yaml(text)).find("too large once its aliases are expanded") !=
              std::string::npos)
      << ErrorOf(Yaml(text)).substr(0, 200);
}

TEST(YamlText, SelfReferencingAliasIsRefused) {
  const std::string msg = ErrorOf(Yaml("a: &a [*a]\n"));
  EXPECT_NE(msg.find("nesting too deep"), std::string::npos) << msg;
}

TEST(YamlText, DeepNestingIsRefusedWithoutCrashing) {
  EXPECT_TRUE(Yaml(std::string(400, '[') + std::string(400, ']')));
  EXPECT_NE(ErrorOf(Yaml(std::string(600, '[') + std::string(600, ']'))).find("nesting too deep"),
            std::string::npos);
  EXPECT_NE(ErrorOf(Yaml(std::string(100000, '['))).find("nesting too deep"), std::string::npos);
  std::string block;
  for (int i = 0; i < 3000; ++i) block += "- ";
  block += "x\n";
  EXPECT_NE(ErrorOf(Yaml(block)).find("nesting too deep"), std::string::npos);
}

TEST(YamlText, ParserRunawayIsCaught) {
  // Found by fuzzing: yaml-cpp 0.7 emits events forever on this input.
  const std::string text =
      " \"x s\", ynf]\nb: &b:\n  g {c: 1}\nd:\n  <<: .b\n  e: !!sx\", ynf]\nb: &b:\n  g {c: "
      "1}\nd:\n  <<: .b\n  e: !!st  5\n 1}\nd";
  EXPECT_NE(ErrorOf(Yaml(text)).find("parser runaway"), std::string::npos) << ErrorOf(Yaml(text));
}

TEST(YamlText, MultipleDocumentsAreRefused) {
  EXPECT_EQ(ErrorOf(Yaml("a: 1\n---\nb: 2\n")),
            "e.yaml:3:1: expected a single document in the stream, but found another document");
}

TEST(YamlText, SyntaxErrorsNameLineAndColumn) {
  EXPECT_TRUE(ErrorOf(Yaml("a: 1\nb: [1, 2\n")).starts_with("e.yaml:")) << ErrorOf(Yaml("a: [1"));
  EXPECT_EQ(ErrorOf(Yaml("a: 1\n b: 2\n c\n")).substr(0, 11), "e.yaml:2:3:")
      << ErrorOf(Yaml("a: 1\n b: 2\n c\n"));
  EXPECT_EQ(ErrorOf(Yaml("a: 'unterminated\n")),
            "e.yaml:1:4: found unexpected end of stream while scanning a quoted scalar");
  EXPECT_TRUE(ErrorOf(Yaml("a: \"x\\\"\n")).starts_with("e.yaml:1:4: found unexpected end"));
  auto closed = Yaml("a: 'it''s\n  here'\nb: \"q\\\"\"\n");
  ASSERT_TRUE(closed) << closed.error().message();
  EXPECT_EQ(closed->dump(), R"({"a":"it's here","b":"q\""})");
  EXPECT_TRUE(ErrorOf(Yaml("a: *nope\n")).starts_with("e.yaml:1:4: "))
      << ErrorOf(Yaml("a: *nope\n"));
}

TEST(YamlText, TabsInIndentationAreAnError) {
  EXPECT_EQ(ErrorOf(Yaml("a:\n\tb: 1\n")).substr(0, 9), "e.yaml:2:")
      << ErrorOf(Yaml("a:\n\tb: 1\n"));
  // A tab inside a value is fine.
  auto ok = Yaml("a: x\ty\n");
  ASSERT_TRUE(ok) << ok.error().message();
  EXPECT_EQ((*ok)["a"], "x\ty");
}

TEST(YamlText, InvalidUtf8AndControlCharacters) {
  EXPECT_EQ(ErrorOf(Yaml("a: 1\nb: x\xFFy\n")), "e.yaml:2:5: invalid UTF-8 byte #xff");
  EXPECT_EQ(ErrorOf(Yaml("a: \xC0\x80\n")), "e.yaml:1:4: invalid UTF-8 byte #xc0");  // overlong
  EXPECT_EQ(ErrorOf(Yaml("a: \xED\xA0\x80\n")),
            "e.yaml:1:4: invalid UTF-8 byte #xed");  // surrogate
  EXPECT_EQ(ErrorOf(Yaml(std::string("a: x\0", 5))),
            "e.yaml:1:5: unacceptable character #x0000: special characters are not allowed");
  EXPECT_EQ(ErrorOf(Yaml("a: \x1b[0m\n")),
            "e.yaml:1:4: unacceptable character #x001b: special characters are not allowed");
  auto ok = Yaml("a: \"é ✓ \xF0\x9F\x98\x80\"\n");
  ASSERT_TRUE(ok) << ok.error().message();
  EXPECT_EQ((*ok)["a"], "é ✓ \xF0\x9F\x98\x80");
}

TEST(YamlText, ColumnsCountCharactersEvenAfterAByteOrderMark) {
  EXPECT_EQ(ErrorOf(Yaml("\xEF\xBB\xBF"
                         "é: 1\nbé: !nope x\n")),
            "e.yaml:2:5: could not determine a constructor for the tag '!nope'");
}

TEST(YamlText, ByteOrderMarkIsAccepted) {
  auto doc = Yaml(
      "\xEF\xBB\xBF"
      "a: 1\n");
  ASSERT_TRUE(doc) << doc.error().message();
  EXPECT_EQ(doc->dump(), R"({"a":1})");
}

TEST(YamlText, WindowsLineEndings) {
  auto doc = Yaml("a: 1\r\nb:\r\n  - x\r\n");
  ASSERT_TRUE(doc) << doc.error().message();
  EXPECT_EQ(doc->dump(), R"({"a":1,"b":["x"]})");
}

TEST(YamlText, HugeIntegersBecomeFloatsLikeJson) {
  auto doc = Yaml("a: 123456789012345678901234567890\nb: -9223372036854775809\n");
  ASSERT_TRUE(doc) << doc.error().message();
  EXPECT_TRUE((*doc)["a"].is_number_float());
  EXPECT_DOUBLE_EQ((*doc)["a"].get<double>(), 1.2345678901234568e29);
  EXPECT_DOUBLE_EQ((*doc)["b"].get<double>(), -9223372036854775809.0);
}

}  // namespace
}  // namespace chaosrun::parse
