// `cmake --install` of this build tree into a temporary prefix installs the built-in drivers
// but never the example driver (it creates files wherever an experiment names).
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>

#include "support/temp_dir.h"

namespace chaosrun::process_driver_test {
namespace {

namespace fs = std::filesystem;

TEST(Install, TheExampleDriverIsNotInstalled) {
  fs::path build = fs::path(CHAOSRUN_BINARY).parent_path().parent_path();
  ASSERT_TRUE(fs::exists(build / "cmake_install.cmake")) << build;
  ASSERT_TRUE(fs::exists(build / "lib/chaosrun/drivers/libchaosrun_example.so"))
      << "the example driver is still built";
  chaosrun::testing::TempDir prefix;
  std::string cmd = "cmake --install '" + build.string() + "' --prefix '" + prefix.path().string() +
                    "' >/dev/null 2>&1";
  ASSERT_EQ(std::system(cmd.c_str()), 0) << cmd;
  bool process = false;
  for (const auto& e : fs::recursive_directory_iterator(prefix.path())) {
    std::string name = e.path().filename().string();
    EXPECT_EQ(name.find("chaosrun_example"), std::string::npos) << e.path();
    process = process || name == "libchaosrun_process.so";
  }
  EXPECT_TRUE(process) << "the process driver is installed";
}

}  // namespace
}  // namespace chaosrun::process_driver_test
