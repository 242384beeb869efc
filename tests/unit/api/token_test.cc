// LoadTokenFile: the token file must be private to the daemon's user; the token is the first
// line, trimmed, and at least kMinTokenBytes long.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>

#include "api/server.h"
#include "support/temp_dir.h"

namespace chaosrun::api {
namespace {

class TokenFileTest : public ::testing::Test {
 protected:
  std::string WritePrivate(const std::string& name, const std::string& content,
                           mode_t mode = 0600) {
    std::string path = dir_.Write(name, content);
    EXPECT_EQ(::chmod(path.c_str(), mode), 0);
    return path;
  }
  static void ExpectRefused(const Result<std::string>& r, const std::string& reason_part) {
    ASSERT_FALSE(r.has_value()) << *r;
    EXPECT_EQ(r.error().code(), Code::kInvalidArgument) << r.error().ToString();
    EXPECT_NE(r.error().message().find(reason_part), std::string::npos) << r.error().ToString();
  }
  testing::TempDir dir_;
};

TEST_F(TokenFileTest, FirstLineTrimmed) {
  auto token = LoadTokenFile(WritePrivate("t", "  0123456789abcdefXYZ \r\nsecond line\n"));
  ASSERT_TRUE(token.has_value()) << token.error().ToString();
  EXPECT_EQ(*token, "0123456789abcdefXYZ");
  token = LoadTokenFile(WritePrivate("u", "0123456789abcdef"));
  ASSERT_TRUE(token.has_value());
  EXPECT_EQ(*token, "0123456789abcdef");
  EXPECT_TRUE(LoadTokenFile(WritePrivate("r", "0123456789abcdef\n", 0400)).has_value());
}

TEST_F(TokenFileTest, GroupOrOtherBitsAreRefused) {
  for (mode_t mode : {0640, 0604, 0660, 0644, 0602, 0610}) {
    SCOPED_TRACE(mode);
    ExpectRefused(LoadTokenFile(WritePrivate("t", "0123456789abcdef\n", mode)),
                  "group and others must have no permission");
  }
}

TEST_F(TokenFileTest, EmptyShortOrSpacedTokensAreRefused) {
  ExpectRefused(LoadTokenFile(WritePrivate("a", "")), "is empty");
  ExpectRefused(LoadTokenFile(WritePrivate("b", "\n0123456789abcdef\n")), "is empty");
  ExpectRefused(LoadTokenFile(WritePrivate("c", "   \n")), "is empty");
  ExpectRefused(LoadTokenFile(WritePrivate("d", "0123456789abcde\n")), "shorter than 16 bytes");
  ExpectRefused(LoadTokenFile(WritePrivate("e", "0123456789 abcdef\n")), "space");
}

TEST_F(TokenFileTest, NotARegularFile) {
  ExpectRefused(LoadTokenFile(dir_.path().string()), "not a regular file");
  std::string target = WritePrivate("real", "0123456789abcdef\n");
  std::string link = (dir_.path() / "link").string();
  ASSERT_EQ(::symlink(target.c_str(), link.c_str()), 0);
  ExpectRefused(LoadTokenFile(link), "symbolic link");
}

TEST_F(TokenFileTest, MissingIsNotFound) {
  auto r = LoadTokenFile((dir_.path() / "none").string());
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code(), Code::kNotFound);
}

TEST_F(TokenFileTest, AnotherOwnerIsRefused) {
  if (::geteuid() != 0) GTEST_SKIP() << "needs root to give the file to another user";
  std::string path = WritePrivate("t", "0123456789abcdef\n");
  ASSERT_EQ(::chown(path.c_str(), 65534, 65534), 0);
  ExpectRefused(LoadTokenFile(path), "is owned by uid 65534");
}

}  // namespace
}  // namespace chaosrun::api
