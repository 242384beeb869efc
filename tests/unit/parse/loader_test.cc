#include "parse/loader.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include "support/temp_dir.h"

namespace chaosrun::parse {
namespace {

using chaosrun::testing::TempDir;

TEST(FormatFromPath, ByExtensionOnlyLikeSplitext) {
  EXPECT_EQ(FormatFromPath("e.json"), DocFormat::kJson);
  EXPECT_EQ(FormatFromPath("/a/b.c/e.yaml"), DocFormat::kYaml);
  EXPECT_EQ(FormatFromPath("e.yml"), DocFormat::kYaml);
  EXPECT_EQ(FormatFromPath("e.tar.json"), DocFormat::kJson);
  EXPECT_EQ(FormatFromPath(".a.json"), DocFormat::kJson);
  EXPECT_EQ(FormatFromPath("e.JSON"), DocFormat::kUnknown);  // case-sensitive, as the reference
  EXPECT_EQ(FormatFromPath("e.YML"), DocFormat::kUnknown);
  EXPECT_EQ(FormatFromPath(".json"), DocFormat::kUnknown);  // a hidden name, no extension
  EXPECT_EQ(FormatFromPath("dir/.yaml"), DocFormat::kUnknown);
  EXPECT_EQ(FormatFromPath("dir.json/e"), DocFormat::kUnknown);
  EXPECT_EQ(FormatFromPath("e.json.txt"), DocFormat::kUnknown);
  EXPECT_EQ(FormatFromPath("e"), DocFormat::kUnknown);
  EXPECT_EQ(FormatFromPath(""), DocFormat::kUnknown);
}

TEST(ParseText, UnknownFormatIsInvalidArgument) {
  auto r = ParseText("{}", DocFormat::kUnknown, "x");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code(), Code::kInvalidArgument);
  EXPECT_EQ(r.error().message(), "only files with json, yaml or yml extensions are supported");
}

TEST(LoadExperimentFile, MissingFile) {
  TempDir dir;
  const std::string p = (dir.path() / "nope.json").string();
  auto r = LoadExperimentFile(p);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code(), Code::kNotFound);
  EXPECT_EQ(r.error().message(), "Path \"" + p + "\" does not exist.");
}

TEST(LoadExperimentFile, UnsupportedExtension) {
  TempDir dir;
  auto r = LoadExperimentFile(dir.Write("e.txt", "{}"));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code(), Code::kInvalidArgument);
  EXPECT_EQ(r.error().message(), "only files with json, yaml or yml extensions are supported");
}

TEST(LoadExperimentFile, JsonAndYamlGiveTheSameDocument) {
  TempDir dir;
  auto j = LoadExperimentFile(dir.Write("e.json", R"({"title": "t", "method": [{"n": 1}]})"));
  auto y = LoadExperimentFile(dir.Write("e.yaml", "title: t\nmethod:\n  - n: 1\n"));
  auto y2 = LoadExperimentFile(dir.Write("e.yml", "{title: t, method: [{n: 1}]}"));
  ASSERT_TRUE(j) << j.error().message();
  ASSERT_TRUE(y) << y.error().message();
  ASSERT_TRUE(y2) << y2.error().message();
  EXPECT_EQ(*j, *y);
  EXPECT_EQ(*j, *y2);
}

TEST(LoadExperimentFile, NonMappingDocuments) {
  TempDir dir;
  for (auto [name, text] : {std::pair{"a.json", "[1]"}, std::pair{"b.json", "\"x\""},
                            std::pair{"c.yaml", "- 1"}, std::pair{"d.yaml", ""},
                            std::pair{"e.yaml", "just text"}, std::pair{"f.yml", "# only\n"}}) {
    const std::string p = dir.Write(name, text);
    auto r = LoadExperimentFile(p);
    ASSERT_FALSE(r) << name;
    EXPECT_EQ(r.error().code(), Code::kInvalidArgument) << name;
    EXPECT_EQ(r.error().message(), p + ": the experiment document must be a mapping");
  }
}

TEST(LoadExperimentFile, SyntaxErrorsNameFileLineAndColumn) {
  TempDir dir;
  const std::string j = dir.Write("e.json", "{\n  \"title\": \"t\",\n}");
  auto rj = LoadExperimentFile(j);
  ASSERT_FALSE(rj);
  EXPECT_EQ(rj.error().code(), Code::kParseError);
  EXPECT_TRUE(rj.error().message().starts_with(j + ":3:1: ")) << rj.error().message();

  const std::string y = dir.Write("e.yaml", "title: t\nmethod: [1, 2\n");
  auto ry = LoadExperimentFile(y);
  ASSERT_FALSE(ry);
  EXPECT_EQ(ry.error().code(), Code::kParseError);
  EXPECT_TRUE(ry.error().message().starts_with(y + ":")) << ry.error().message();
}

TEST(LoadExperimentFile, EmptyJsonFileIsAParseError) {
  TempDir dir;
  const std::string p = dir.Write("e.json", "");
  auto r = LoadExperimentFile(p);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code(), Code::kParseError);
  EXPECT_TRUE(r.error().message().starts_with(p + ":1:1: ")) << r.error().message();
}

TEST(LoadExperimentFile, DirectoryIsAnIoError) {
  TempDir dir;
  const std::string p = (dir.path() / "d.json").string();
  ASSERT_EQ(::mkdir(p.c_str(), 0700), 0);
  auto r = LoadExperimentFile(p);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code(), Code::kIoError) << r.error().message();
}

TEST(ReadFile, ReadsBinaryContentExactly) {
  TempDir dir;
  const std::string content("a\0b\xFF\r\n", 6);
  auto r = ReadFile(dir.Write("f.bin", content));
  ASSERT_TRUE(r);
  EXPECT_EQ(*r, content);
  auto missing = ReadFile((dir.path() / "none").string());
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code(), Code::kNotFound);
}

TEST(ReadFile, ADirectoryIsAnError) {
  TempDir dir;
  auto r = ReadFile(dir.path().string());
  ASSERT_FALSE(r);
}

}  // namespace
}  // namespace chaosrun::parse
