// What a driver author does, end to end: install chaosrun (headers, CMake package, binary,
// drivers) into a prefix, copy drivers/example/ elsewhere, build it as its own CMake project
// against that prefix, load the result with the host's loader and run a fault through it, then
// `cmake --install` it into the prefix's drivers directory. Slow-ish (two CMake configures and a
// compile), well under a minute.
#include <gtest/gtest.h>

#include <filesystem>
#include <memory>
#include <string>

#include "abi_test_util.h"
#include "example_round_trip.h"
#include "plugin/driver.h"
#include "plugin/registry.h"
#include "support/temp_dir.h"

namespace chaosrun::abi_test {
namespace {

namespace fs = std::filesystem;

// Runs a step; on failure the assertion shows the command and everything it printed.
#define RUN_STEP(command, log)                                                       \
  do {                                                                               \
    const std::string cmd_ = (command);                                              \
    const CommandResult r_ = RunCommand(cmd_, (log));                                \
    ASSERT_TRUE(r_.ok()) << "command failed (exit " << r_.exit_code << "): " << cmd_ \
                         << "\n----- output -----\n"                                 \
                         << r_.output;                                               \
  } while (false)

TEST(OutOfTree, ExampleDriverBuildsAgainstTheInstalledSdkAndLoads) {
  testing::TempDir tmp;
  const fs::path prefix = tmp.path() / "prefix";
  const fs::path src = tmp.path() / "my_driver";
  const fs::path build = tmp.path() / "build";
  const std::string cmake = ShellQuote(CMakeCommand());

  // 1. Install chaosrun (needs a complete build of the tree, as ctest runs after).
  RUN_STEP(cmake + " --install " + ShellQuote(BuildDir().string()) + " --prefix " +
               ShellQuote(prefix.string()),
           tmp.path() / "install.log");
  ASSERT_TRUE(fs::exists(prefix / "include/chaosrun/driver_abi.h"));
  ASSERT_TRUE(fs::exists(prefix / "include/chaosrun/driver_sdk.hpp"));

  // 2. Copy the example folder, as a newcomer does: it must not depend on the tree around it.
  fs::copy(fs::path(CHAOSRUN_SOURCE_DIR) / "drivers/example", src, fs::copy_options::recursive);

  // 3. Configure and build it as a separate project against the installed package.
  RUN_STEP(cmake + " -S " + ShellQuote(src.string()) + " -B " + ShellQuote(build.string()) +
               " -G Ninja" + " -DCMAKE_MAKE_PROGRAM=" + ShellQuote(NinjaCommand()) +
               " -DCMAKE_CXX_COMPILER=" + ShellQuote(CxxCompiler()) +
               " -DCMAKE_PREFIX_PATH=" + ShellQuote(prefix.string()),
           tmp.path() / "configure.log");
  RUN_STEP(cmake + " --build " + ShellQuote(build.string()) + " -j 2", tmp.path() / "build.log");
  const fs::path so = build / "libchaosrun_example.so";
  ASSERT_TRUE(fs::exists(so)) << so;

  // 4. Load it with the host's loader and run a fault through it.
  auto driver = plugin::Driver::Load(so.string());
  ASSERT_TRUE(driver.has_value()) << driver.error().message();
  EXPECT_EQ((*driver)->descriptor().name, "example");
  EXPECT_EQ((*driver)->descriptor().version, "1.0.0");
  const fs::path work = tmp.path() / "work";
  fs::create_directory(work);
  ExpectExampleRoundTrip(**driver, work);

  // 5. Install it: by default into the drivers directory of the chaosrun it was built against,
  //    where a registry (and so `chaosrun`) finds it.
  const fs::path drivers = prefix / "lib/chaosrun/drivers";
  fs::remove(drivers / "libchaosrun_example.so");  // the copy installed from the tree in step 1
  RUN_STEP(cmake + " --install " + ShellQuote(build.string()), tmp.path() / "install2.log");
  ASSERT_TRUE(fs::exists(drivers / "libchaosrun_example.so"));
  plugin::Registry registry;
  Status st = registry.LoadFile((drivers / "libchaosrun_example.so").string());
  ASSERT_TRUE(st.ok()) << st.message();
  ASSERT_NE(registry.Find("example"), nullptr);
}

}  // namespace
}  // namespace chaosrun::abi_test
