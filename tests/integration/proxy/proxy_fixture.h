// A fixture with an engine, an upstream server and helpers to create proxies and toxics.
#pragma once

#include <gtest/gtest.h>
#include <sys/socket.h>

#include <chrono>
#include <memory>
#include <string>
#include <thread>

#include "net_util.h"
#include "proxy/engine.h"

namespace chaosrun::testing {

// Sends `data` from a second thread, then half-closes; returns what came back until EOF.
inline std::string SendThenReadToEof(int fd, const std::string& data) {
  std::thread writer([&] {
    EXPECT_TRUE(WriteAll(fd, data));
    ::shutdown(fd, SHUT_WR);  // half-close: the echo server sees EOF and closes its side
  });
  std::string back = ReadToEof(fd);
  writer.join();
  return back;
}

// Creates proxy `name` on `engine` in front of `upstream` ("HOST:PORT"); returns its listening
// port (0 on error, with a failed expectation).
inline uint16_t CreateProxyTo(proxy::Engine& engine, const std::string& name,
                              const std::string& upstream) {
  proxy::ProxySpec spec;
  spec.name = name;
  spec.listen = "127.0.0.1:0";
  spec.upstream = upstream;
  auto r = engine.CreateProxy(spec);
  EXPECT_TRUE(r.has_value()) << (r ? "" : r.error().ToString());
  if (!r) return 0;
  std::string listen = (*r)["listen"].get<std::string>();
  return static_cast<uint16_t>(std::stoi(listen.substr(listen.rfind(':') + 1)));
}

// The same in front of 127.0.0.1:`upstream`.
inline uint16_t CreateProxyOn(proxy::Engine& engine, const std::string& name, uint16_t upstream) {
  return CreateProxyTo(engine, name, "127.0.0.1:" + std::to_string(upstream));
}

class ProxyTest : public ::testing::Test {
 protected:
  static proxy::Engine::Options Opts() {
    proxy::Engine::Options o;
    o.threads = 2;
    o.seed = 42;
    return o;
  }

  // Creates proxy `name` in front of `server` and returns its listening port.
  uint16_t MakeProxy(const std::string& name, const TcpServer& server) {
    return CreateProxyOn(engine_, name, server.port());
  }

  void AddToxic(const std::string& proxy, const Json& toxic) {
    auto spec = proxy::ToxicFromJson(toxic);
    ASSERT_TRUE(spec.has_value()) << spec.error().ToString();
    auto r = engine_.AddToxic(proxy, *spec);
    ASSERT_TRUE(r.has_value()) << r.error().ToString();
  }

  // Polls `pred` until it holds or a generous deadline passes.
  template <typename Pred>
  static bool Eventually(Pred pred, std::chrono::milliseconds deadline = std::chrono::seconds(10)) {
    auto end = std::chrono::steady_clock::now() + deadline;
    while (std::chrono::steady_clock::now() < end) {
      if (pred()) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
    return pred();
  }

  proxy::Engine engine_{Opts()};
};

}  // namespace chaosrun::testing
