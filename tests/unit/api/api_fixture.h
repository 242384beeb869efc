// The fixture of the API tests: a RecordingControl behind a real api::Server on a free loopback
// port, and helpers that send requests as raw bytes (raw_http.h).
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "api/server.h"
#include "raw_http.h"
#include "recording_control.h"

namespace chaosrun::apitest {

inline constexpr const char* kToken = "test-token-0123456789abcdef";

// "Authorization: Bearer <token>" (built out of line: GCC 12 warns falsely on the inlined +).
std::string BearerHeader(const std::string& token = kToken);

class ApiTest : public ::testing::Test {
 protected:
  void SetUp() override { StartServer(api::ServerOptions{}); }

  // (Re)starts the server with `options` (host, port and token filled in when left default).
  void StartServer(api::ServerOptions options) {
    server_.reset();
    options.port = 0;
    if (options.token.empty()) options.token = kToken;
    server_ = std::make_unique<api::Server>(control_, options);
    auto endpoint = server_->Start();
    ASSERT_TRUE(endpoint.has_value()) << endpoint.error().ToString();
    port_ = endpoint->port;
  }

  // A request with the right token; a JSON Content-Type when there is a body and no
  // Content-Type among `headers`.
  RawReply Call(const std::string& method, const std::string& target, const std::string& body = "",
                std::vector<std::string> headers = {}) {
    headers.push_back(BearerHeader());
    return CallWithHeaders(method, target, body, std::move(headers));
  }
  // Exactly these headers (plus Host, Content-Length and the default Content-Type).
  RawReply CallWithHeaders(const std::string& method, const std::string& target,
                           const std::string& body, std::vector<std::string> headers) {
    bool has_type = false;
    for (const auto& h : headers) has_type = has_type || h.rfind("Content-Type:", 0) == 0;
    if (!body.empty() && !has_type) headers.push_back("Content-Type: application/json");
    return Exchange(port_, BuildRequest(method, target, headers, body));
  }

  // The API's error shape: exactly {"error": <non-empty reason>, "status": status}.
  static void ExpectError(const RawReply& r, int status, const std::string& reason_part = "") {
    EXPECT_EQ(r.status, status) << r.body;
    EXPECT_EQ(r.Header("content-type"), "application/json") << r.body;
    Json b = r.JsonBody();
    ASSERT_TRUE(b.is_object()) << r.body;
    EXPECT_EQ(b.size(), 2u) << r.body;
    ASSERT_TRUE(b.contains("error") && b["error"].is_string()) << r.body;
    EXPECT_FALSE(b["error"].get<std::string>().empty());
    EXPECT_EQ(b.value("status", 0), status) << r.body;
    if (!reason_part.empty()) {
      EXPECT_NE(b["error"].get<std::string>().find(reason_part), std::string::npos)
          << "reason: " << b["error"] << ", expected to contain: " << reason_part;
    }
  }

  RecordingControl control_;
  std::unique_ptr<api::Server> server_;
  uint16_t port_ = 0;
};

}  // namespace chaosrun::apitest
