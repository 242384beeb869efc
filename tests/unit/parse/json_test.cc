#include <gtest/gtest.h>

#include <string>

#include "error_of.h"
#include "parse/loader.h"

namespace chaosrun::parse {
namespace {

Result<Json> Json_(const std::string& text) { return ParseText(text, DocFormat::kJson, "e.json"); }

TEST(JsonText, KeepsKeyOrderAndTypes) {
  auto doc = Json_(R"({"z": 1, "a": [true, null, 1.5, -2, "s"], "m": {}})");
  ASSERT_TRUE(doc) << doc.error().message();
  EXPECT_EQ(doc->dump(), R"({"z":1,"a":[true,null,1.5,-2,"s"],"m":{}})");
}

TEST(JsonText, DuplicateKeysLastWinsAtFirstPlace) {
  auto doc = Json_(R"({"a": 1, "b": 2, "a": 3})");
  ASSERT_TRUE(doc);
  EXPECT_EQ(doc->dump(), R"({"a":3,"b":2})");
}

TEST(JsonText, TopLevelScalarsParse) {
  EXPECT_EQ(*Json_("42"), Json(42));
  EXPECT_EQ(*Json_(" \"x\" "), Json("x"));
  EXPECT_EQ(*Json_("null"), Json(nullptr));
}

TEST(JsonText, SyntaxErrorNamesLineAndColumn) {
  // At the start of the bad word, as Python's json says "Expecting value: line 1 column 7".
  EXPECT_EQ(ErrorOf(Json_(R"({"a": tru})")),
            "e.json:1:7: syntax error while parsing value - invalid literal; last read: "
            "'\"a\": tru}'");
  const std::string two_lines = "{\n  \"a\": 1,\n  \"b\": ]\n}";
  EXPECT_TRUE(ErrorOf(Json_(two_lines)).starts_with("e.json:3:8: syntax error"))
      << ErrorOf(Json_(two_lines));
}

// Python's json points at the start of the offending token; nlohmann reads to its end. Each
// expected position is the one `python3 -c 'import json; json.loads(TEXT)'` reports.
TEST(JsonText, SyntaxErrorPointsAtTheStartOfTheOffendingToken) {
  const auto at = [](const std::string& text) {
    const std::string e = ErrorOf(Json_(text));
    return e.substr(0, e.find(": "));
  };
  // A missing comma before the next key: "Expecting ',' delimiter: line 5 column 3".
  EXPECT_EQ(at("{\n  \"title\": \"t\",\n  \"description\": \"d\",\n  \"method\": []\n"
               "  \"rollbacks\": []\n}\n"),
            "e.json:5:3");
  EXPECT_EQ(at(R"({"a": 1 "b": 2})"), "e.json:1:9");
  EXPECT_EQ(at(R"([1 2])"), "e.json:1:4");
  EXPECT_EQ(at("[\"x\" true]"), "e.json:1:6");
  // Trailing commas: "Expecting property name enclosed in double quotes" / "Expecting value".
  EXPECT_EQ(at(R"({"a": 1,})"), "e.json:1:9");
  EXPECT_EQ(at("{\n  \"a\": [1, 2,],\n}"), "e.json:2:14");
  // Unquoted keys, whatever letter they start with (n, t, f begin literals for the lexer).
  EXPECT_EQ(at("{\n  title: 1}"), "e.json:2:3");
  EXPECT_EQ(at("{\n  name: 1}"), "e.json:2:3");
  EXPECT_EQ(at("{\n  abc: 1}"), "e.json:2:3");
  EXPECT_EQ(at("{\"a\": 1, b: 2}"), "e.json:1:10");
  // An unterminated string: "Unterminated string starting at: line 1 column 7".
  EXPECT_EQ(at(R"({"a": "abc)"), "e.json:1:7");
  EXPECT_EQ(at("{\n  \"a\": \"b\",\n  \"cde"), "e.json:3:3");
  // Inside a string the exact byte: "Invalid control character at: line 3 column 5".
  EXPECT_EQ(at("{\n  \"a\": \"b\",\n  \"c\n"), "e.json:3:5");
  // A truncated file: the end of the input.
  EXPECT_EQ(at("{\n  \"a\": [1, 2"), "e.json:2:13");
  EXPECT_EQ(at("{\"a\": "), "e.json:1:7");
  // A key without its colon, a colon where a comma belongs.
  EXPECT_EQ(at(R"({"a" 1})"), "e.json:1:6");
  EXPECT_EQ(at(R"({"a": 1: 2})"), "e.json:1:8");
}

TEST(JsonText, ColumnsCountCharactersNotBytes) {
  // "é" is two bytes but one column, as Python counts.
  EXPECT_TRUE(ErrorOf(Json_("{\"é\": x}")).starts_with("e.json:1:7: "))
      << ErrorOf(Json_("{\"é\": x}"));
}

TEST(JsonText, EndOfInputPointsPastTheLastCharacter) {
  EXPECT_TRUE(ErrorOf(Json_(R"({"a": 1)")).starts_with("e.json:1:8: "))
      << ErrorOf(Json_(R"({"a": 1)"));
  EXPECT_TRUE(ErrorOf(Json_("{\"a\": 1\n")).starts_with("e.json:2:1: "));
  EXPECT_TRUE(ErrorOf(Json_("")).starts_with("e.json:1:1: ")) << ErrorOf(Json_(""));
  EXPECT_TRUE(ErrorOf(Json_("  \n ")).starts_with("e.json:2:2: ")) << ErrorOf(Json_("  \n "));
}

TEST(JsonText, TrailingGarbageIsAnError) {
  EXPECT_TRUE(ErrorOf(Json_("{} x")).starts_with("e.json:1:4: ")) << ErrorOf(Json_("{} x"));
  EXPECT_TRUE(ErrorOf(Json_("{}{}")).starts_with("e.json:1:3: "));
}

TEST(JsonText, ByteOrderMarkIsRejectedLikePython) {
  EXPECT_EQ(ErrorOf(Json_("\xEF\xBB\xBF{}")),
            "e.json:1:1: unexpected UTF-8 BOM (the file must be plain UTF-8)");
}

TEST(JsonText, InvalidUtf8IsAParseError) {
  const std::string msg = ErrorOf(Json_("{\"a\": \"\xC3\x28\"}"));
  EXPECT_TRUE(msg.starts_with("e.json:1:9: ")) << msg;  // found at the byte after 0xC3
  EXPECT_NE(msg.find("ill-formed UTF-8"), std::string::npos) << msg;
  // Raw bytes in the message are shown escaped, never copied as-is.
  EXPECT_EQ(msg.find('\xC3'), std::string::npos) << msg;
}

TEST(JsonText, ControlCharacterInStringIsAnErrorWithPrintableMessage) {
  const std::string msg = ErrorOf(Json_("{\"a\": \"x\ny\"}"));
  EXPECT_TRUE(msg.starts_with("e.json:1:9: ")) << msg;
  EXPECT_EQ(msg.find('\n'), std::string::npos) << msg;
}

TEST(JsonText, CommentsAreNotJson) {
  EXPECT_FALSE(Json_("{} // c"));
  EXPECT_FALSE(Json_("/* c */ {}"));
}

TEST(JsonText, HugeNumbers) {
  auto big = Json_("[123456789012345678901234567890, 18446744073709551615, -9223372036854775808]");
  ASSERT_TRUE(big);
  EXPECT_TRUE((*big)[0].is_number_float());
  EXPECT_DOUBLE_EQ((*big)[0].get<double>(), 1.2345678901234568e29);
  EXPECT_EQ((*big)[1].get<uint64_t>(), 18446744073709551615u);
  EXPECT_EQ((*big)[2].get<int64_t>(), INT64_MIN);
  EXPECT_TRUE(ErrorOf(Json_("[1e400]")).starts_with("e.json:1:6: number overflow"))
      << ErrorOf(Json_("[1e400]"));
}

TEST(JsonText, NestingIsCapped) {
  const std::string ok = std::string(512, '[') + std::string(512, ']');
  EXPECT_TRUE(Json_(ok));
  const std::string deep = std::string(513, '[') + std::string(513, ']');
  EXPECT_EQ(ErrorOf(Json_(deep)), "e.json:1:513: nesting too deep (more than 512 levels)");
  const std::string very_deep(1'000'000, '{');
  EXPECT_TRUE(ErrorOf(Json_(very_deep)).starts_with("e.json:1:513: nesting too deep"));
}

TEST(JsonText, BracketsInsideStringsDoNotCountAsNesting) {
  const std::string text = "[\"" + std::string(2000, '[') + "\\\"\"]";
  auto doc = Json_(text);
  ASSERT_TRUE(doc) << doc.error().message();
  EXPECT_EQ((*doc)[0].get<std::string>().size(), 2001u);
}

TEST(JsonText, NulByteIsAnError) {
  const std::string text("{\"a\":\0}", 7);
  EXPECT_TRUE(ErrorOf(Json_(text)).starts_with("e.json:1:6: ")) << ErrorOf(Json_(text));
}

}  // namespace
}  // namespace chaosrun::parse
