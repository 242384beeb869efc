// The telemetry driver declares "concurrent_calls": true, so a fault's undo (the watchdog's, at the
// end of a blackhole's duration) does not wait for a telemetry probe of the same instance. Real
// library (libchaosrun_telemetry.so through plugin::Driver), real loopback servers: a Prometheus
// that holds the probe's query until the test opens a gate, and a proxy API that answers the
// undo's DELETE.
#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "abi_test_util.h"
#include "common/cancel.h"
#include "plugin/driver.h"
#include "support/http_server.h"

namespace chaosrun::abi_test {
namespace {

using chaosrun::testing::Gate;
using chaosrun::testing::HttpServer;
using chaosrun::testing::TestRequest;
using chaosrun::testing::TestResponse;

TEST(TelemetryConcurrentCalls, BlackholeUndoCompletesWhileAQueryIsInFlight) {
  auto loaded =
      plugin::Driver::Load((BuildDir() / "lib/chaosrun/drivers/libchaosrun_telemetry.so").string());
  ASSERT_TRUE(loaded.has_value()) << loaded.error().message();
  plugin::Driver& driver = **loaded;
  ASSERT_TRUE(driver.descriptor().concurrent_calls);  // else the undo below would wait forever

  Gate gate;
  std::atomic<bool> query_held{false};
  HttpServer prometheus;
  prometheus.Handle("GET", "/api/v1/query", [&](const TestRequest&) {
    query_held = true;
    gate.Wait();
    return TestResponse{200,
                        {{"Content-Type", "application/json"}},
                        R"({"status": "success", "data": {"resultType": "vector", "result": []}})",
                        nullptr};
  });
  HttpServer proxy_api;
  std::atomic<int> deletes{0};
  proxy_api.Handle("DELETE", "/proxies/prom/toxics/chaosrun_blackhole", [&](const TestRequest&) {
    ++deletes;
    return TestResponse{204, {}, "", nullptr};
  });

  plugin::CallResult probe;
  std::atomic<bool> probe_done{false};
  std::thread t([&] {
    probe = driver.Probe("prometheus_query", {{"url", prometheus.Url("")}, {"query", "up"}},
                         CancelSource().token());
    probe_done = true;
  });
  for (int i = 0; i < 2000 && !query_held; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  ASSERT_TRUE(query_held);

  // The query is held by the server: the probe is in the driver. The undo runs anyway.
  plugin::CallResult undo = driver.Undo(
      "blackhole", {{"api", proxy_api.Url("")}, {"proxy", "prom"}, {"toxic", "chaosrun_blackhole"}},
      CancelSource().token());
  EXPECT_TRUE(undo.ok()) << undo.error();
  EXPECT_EQ(deletes.load(), 1);
  EXPECT_FALSE(probe_done.load());

  gate.Open();
  t.join();
  EXPECT_TRUE(probe.ok()) << probe.error();
}

}  // namespace
}  // namespace chaosrun::abi_test
