// The example driver's whole fault lifecycle, as the host runs it, on a file inside `work`:
// probe -> prepare (no side effect) -> apply -> probe -> undo -> undo again (idempotent).
// Shared by the in-tree test and the out-of-tree build test.
#pragma once

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "common/cancel.h"
#include "plugin/driver.h"

namespace chaosrun::abi_test {

inline std::string Slurp(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

inline void ExpectExampleRoundTrip(plugin::Driver& driver, const std::filesystem::path& work) {
  namespace fs = std::filesystem;
  CancelToken never;
  const fs::path flag = work / "flag";
  const Json args = {{"path", flag.string()}, {"content", "chaos was here\n"}};

  auto probe = driver.Probe("file_exists", Json{{"path", flag.string()}}, never);
  ASSERT_TRUE(probe.ok()) << probe.error();
  EXPECT_EQ(probe.value, false);

  auto plan = driver.Prepare("create_file", args, never);
  ASSERT_TRUE(plan.ok()) << plan.error();
  EXPECT_EQ(plan.value["targets"], Json::array({"file:flag/" + flag.string()}));
  // (The host keeps the driver's key order; compare members, not whole objects.)
  EXPECT_EQ(plan.value["undo"].size(), 2u);
  EXPECT_EQ(plan.value["undo"]["path"], flag.string());
  EXPECT_EQ(plan.value["undo"]["content"], "chaos was here\n");
  EXPECT_FALSE(fs::exists(flag)) << "prepare must not change the world";

  auto applied = driver.Apply("create_file", plan.value, never);
  ASSERT_TRUE(applied.ok()) << applied.error();
  EXPECT_EQ(Slurp(flag), "chaos was here\n");
  probe = driver.Probe("file_exists", Json{{"path", flag.string()}}, never);
  ASSERT_TRUE(probe.ok()) << probe.error();
  EXPECT_EQ(probe.value, true);

  // While the fault is in place, preparing it again is refused: its undo would delete a file
  // that this action did not create.
  auto again = driver.Prepare("create_file", args, never);
  EXPECT_EQ(again.status, CHAOSRUN_FAILED);
  EXPECT_NE(again.error().find("already exists"), std::string::npos) << again.error();

  auto undone = driver.Undo("create_file", plan.value["undo"], never);
  ASSERT_TRUE(undone.ok()) << undone.error();
  EXPECT_EQ(undone.value["deleted"], true);
  EXPECT_FALSE(fs::exists(flag));

  undone = driver.Undo("create_file", plan.value["undo"], never);
  ASSERT_TRUE(undone.ok()) << "undo must be idempotent: " << undone.error();
  EXPECT_EQ(undone.value["deleted"], false);
}

}  // namespace chaosrun::abi_test
