#include "common/which.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <optional>
#include <string>

#include "support/temp_dir.h"

namespace chaosrun {
namespace {

// PATH set to two directories of the test's own for the test's duration (restored after).
class WhichTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (const char* p = std::getenv("PATH")) saved_ = p;
    early_ = (dir_.path() / "early").string();
    late_ = (dir_.path() / "late").string();
    std::filesystem::create_directories(early_);
    std::filesystem::create_directories(late_);
    ::setenv("PATH", (early_ + ":" + late_).c_str(), 1);
  }
  void TearDown() override {
    RememberExecutableLookups(false);
    if (saved_) ::setenv("PATH", saved_->c_str(), 1);
  }
  static std::string Executable(const std::string& dir, const std::string& name) {
    const std::string path = dir + "/" + name;
    std::FILE* f = std::fopen(path.c_str(), "w");
    std::fputs("#!/bin/sh\n", f);
    std::fclose(f);
    ::chmod(path.c_str(), 0755);
    return path;
  }

  testing::TempDir dir_;
  std::optional<std::string> saved_;
  std::string early_, late_;
};

TEST_F(WhichTest, SearchesThePathEveryTimeByDefault) {
  const std::string late = Executable(late_, "tool");
  EXPECT_EQ(Which("tool"), late);
  // Installed earlier on the PATH since: found, as a long-lived process must.
  const std::string early = Executable(early_, "tool");
  EXPECT_EQ(Which("tool"), early);
  EXPECT_EQ(Which("missing-tool"), std::nullopt);
}

TEST_F(WhichTest, RemembersAHitForTheSamePathWhileItIsExecutable) {
  RememberExecutableLookups(true);
  const std::string late = Executable(late_, "tool");
  EXPECT_EQ(Which("tool"), late);
  Executable(early_, "tool");
  EXPECT_EQ(Which("tool"), late) << "the remembered path is used again";

  // Another PATH is another search.
  ::setenv("PATH", early_.c_str(), 1);
  EXPECT_EQ(Which("tool"), early_ + "/tool");
  ::setenv("PATH", (early_ + ":" + late_).c_str(), 1);

  // Gone or no longer executable: searched again.
  ::chmod(late.c_str(), 0644);
  EXPECT_EQ(Which("tool"), early_ + "/tool");
  std::filesystem::remove(early_ + "/tool");
  EXPECT_EQ(Which("tool"), std::nullopt);
  // A miss is never remembered.
  const std::string back = Executable(late_, "other");
  EXPECT_EQ(Which("other"), back);
}

TEST_F(WhichTest, NamesWithASlashAreNeverSearched) {
  RememberExecutableLookups(true);
  const std::string late = Executable(late_, "tool");
  EXPECT_EQ(Which(late), late);
  EXPECT_EQ(Which("./no/such/tool"), std::nullopt);
}

}  // namespace
}  // namespace chaosrun
