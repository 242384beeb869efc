#include "telemetry/descriptor.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace chaosrun::drivers::telemetry {
namespace {

TEST(TelemetryDescriptor, NamesTheDriverAndItsProbes) {
  auto d = nlohmann::json::parse(DescriptorJson());
  EXPECT_EQ(d["name"], "telemetry");
  ASSERT_TRUE(d["probes"].is_array());
  bool found = false;
  for (const auto& p : d["probes"]) found = found || p["name"] == "prometheus_query";
  EXPECT_TRUE(found);
}

}  // namespace
}  // namespace chaosrun::drivers::telemetry
