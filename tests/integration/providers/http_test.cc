// The http provider against a real loopback server (tests/support/http_server.h). No test sleeps
// or measures wall time: stalled handlers wait on a Gate the test opens at teardown.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>
#include <thread>

#include "providers/provider.h"
#include "support/http_server.h"

namespace chaosrun::providers {
namespace {

using ::chaosrun::testing::Gate;
using ::chaosrun::testing::HttpServer;
using ::chaosrun::testing::TestRequest;
using ::chaosrun::testing::TestResponse;
using ::testing::HasSubstr;
using Kind = Outcome::Kind;

// Echoes the request as JSON.
TestResponse Echo(const TestRequest& rq) {
  Json headers = Json::object();
  for (const auto& [n, v] : rq.headers) headers[n] = v;
  Json j{{"method", rq.method},
         {"target", rq.target},
         {"query", rq.query},
         {"body", rq.body},
         {"headers", headers}};
  return TestResponse{200, {{"Content-Type", "application/json"}}, j.dump(), {}};
}

class HttpProviderTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    // Everything is on 127.0.0.1: never go through a proxy the environment may configure.
    ::setenv("no_proxy", "127.0.0.1,localhost", 1);
    ::setenv("NO_PROXY", "127.0.0.1,localhost", 1);
  }
  void SetUp() override {
    server_ = std::make_unique<HttpServer>();
    server_->Handle("*", "/echo", Echo);
  }
  void TearDown() override {
    release_.Open();  // unblock stalled handlers before the server joins its threads
    server_->Stop();
  }

  Json Provider(const std::string& path_and_query) {
    return Json{{"type", "http"}, {"url", server_->Url(path_and_query)}};
  }
  static Outcome Run(const Json& provider, const Context& ctx = Context{}) {
    return RunHttp(provider, ctx);
  }

  std::unique_ptr<HttpServer> server_;
  Gate release_;
};

TEST_F(HttpProviderTest, GetWithQueryArguments) {
  Json p = Provider("/echo?pre=1");
  p["arguments"] = Json::parse(R"({"q": "a b&c", "n": [1, 2], "t": true, "none": null})");
  Outcome o = Run(p);
  ASSERT_EQ(o.kind, Kind::kSucceeded) << o.error;
  EXPECT_EQ(o.output["status"], 200);
  EXPECT_EQ(o.output["body"]["method"], "GET");
  EXPECT_EQ(o.output["body"]["query"], "pre=1&q=a+b%26c&n=1&n=2&t=True");
  EXPECT_EQ(o.output["body"]["body"], "");
}

TEST_F(HttpProviderTest, OutputShape) {
  Outcome o = Run(Provider("/echo"));
  ASSERT_EQ(o.kind, Kind::kSucceeded) << o.error;
  ASSERT_TRUE(o.output.is_object());
  std::vector<std::string> keys;
  for (const auto& [k, v] : o.output.items()) keys.push_back(k);
  EXPECT_THAT(keys, ::testing::ElementsAre("status", "headers", "body"));
  EXPECT_EQ(o.output["headers"]["Content-Type"], "application/json");
  EXPECT_EQ(o.output["headers"]["Connection"], "close");
}

TEST_F(HttpProviderTest, MethodIsCaseInsensitive) {
  Json p = Provider("/echo");
  p["method"] = "delete";
  Outcome o = Run(p);
  ASSERT_EQ(o.kind, Kind::kSucceeded) << o.error;
  EXPECT_EQ(o.output["body"]["method"], "DELETE");
  EXPECT_EQ(o.output["body"]["headers"]["Content-Length"], "0");
}

TEST_F(HttpProviderTest, PostJsonWhenContentTypeIsExactlyJson) {
  Json p = Provider("/echo");
  p["method"] = "POST";
  p["headers"] = Json{{"Content-Type", "application/json"}};
  p["arguments"] = Json::parse(R"({"b": [1, 2], "a": {"x": null}})");
  Outcome o = Run(p);
  ASSERT_EQ(o.kind, Kind::kSucceeded) << o.error;
  const Json& echoed = o.output["body"];
  EXPECT_EQ(echoed["method"], "POST");
  EXPECT_EQ(echoed["headers"]["Content-Type"], "application/json");
  EXPECT_EQ(Json::parse(echoed["body"].get<std::string>()),
            Json::parse(R"({"b": [1, 2], "a": {"x": null}})"));
  EXPECT_FALSE(echoed["headers"].contains("Expect"));
}

TEST_F(HttpProviderTest, PostFormOtherwise) {
  Json p = Provider("/echo");
  p["method"] = "PUT";
  p["arguments"] = Json::parse(R"({"name": "a b", "list": ["x", "y"]})");
  Outcome o = Run(p);
  ASSERT_EQ(o.kind, Kind::kSucceeded) << o.error;
  const Json& echoed = o.output["body"];
  EXPECT_EQ(echoed["method"], "PUT");
  EXPECT_EQ(echoed["body"], "name=a+b&list=x&list=y");
  EXPECT_EQ(echoed["headers"]["Content-Type"], "application/x-www-form-urlencoded");
}

TEST_F(HttpProviderTest, StringArgumentsAreSentRawWithoutContentType) {
  Json p = Provider("/echo");
  p["method"] = "POST";
  p["arguments"] = "raw body & stuff";
  Outcome o = Run(p);
  ASSERT_EQ(o.kind, Kind::kSucceeded) << o.error;
  EXPECT_EQ(o.output["body"]["body"], "raw body & stuff");
  EXPECT_FALSE(o.output["body"]["headers"].contains("Content-Type"));
}

TEST_F(HttpProviderTest, RequestHeadersAreSent) {
  Json p = Provider("/echo");
  p["headers"] = Json::parse(R"({"X-Token": "abc", "X-Num": 5, "X-Null": null})");
  Outcome o = Run(p);
  ASSERT_EQ(o.kind, Kind::kSucceeded) << o.error;
  const Json& h = o.output["body"]["headers"];
  EXPECT_EQ(h["X-Token"], "abc");
  EXPECT_EQ(h["X-Num"], "5");
  EXPECT_FALSE(h.contains("X-Null"));
}

TEST_F(HttpProviderTest, ResponseHeadersKeepTheServersSpelling) {
  server_->Handle("GET", "/h", [](const TestRequest&) {
    return TestResponse{200, {{"x-lower", "1"}, {"X-Mixed-Case", "2"}}, "ok", {}};
  });
  Outcome o = Run(Provider("/h"));
  ASSERT_EQ(o.kind, Kind::kSucceeded) << o.error;
  EXPECT_EQ(o.output["headers"]["x-lower"], "1");
  EXPECT_EQ(o.output["headers"]["X-Mixed-Case"], "2");
  EXPECT_EQ(o.output["body"], "ok");
}

TEST_F(HttpProviderTest, ErrorStatusesAreData) {
  server_->Handle("GET", "/boom", [](const TestRequest&) {
    return TestResponse{500, {{"Content-Type", "text/plain"}}, "kaput", {}};
  });
  Outcome o = Run(Provider("/boom"));
  ASSERT_EQ(o.kind, Kind::kSucceeded) << o.error;
  EXPECT_EQ(o.output["status"], 500);
  EXPECT_EQ(o.output["body"], "kaput");
  o = Run(Provider("/no-such-path"));
  ASSERT_EQ(o.kind, Kind::kSucceeded) << o.error;
  EXPECT_EQ(o.output["status"], 404);
}

TEST_F(HttpProviderTest, JsonBodyOnlyForExactContentType) {
  server_->Handle("GET", "/json", [](const TestRequest&) {
    return TestResponse{200, {{"Content-Type", "application/json"}}, R"({"ok": true})", {}};
  });
  server_->Handle("GET", "/charset", [](const TestRequest&) {
    return TestResponse{
        200, {{"Content-Type", "application/json; charset=utf-8"}}, R"({"ok": true})", {}};
  });
  server_->Handle("GET", "/broken", [](const TestRequest&) {
    return TestResponse{200, {{"Content-Type", "application/json"}}, "{not json", {}};
  });
  Outcome o = Run(Provider("/json"));
  ASSERT_EQ(o.kind, Kind::kSucceeded) << o.error;
  EXPECT_EQ(o.output["body"], Json::parse(R"({"ok": true})"));
  o = Run(Provider("/charset"));
  ASSERT_EQ(o.kind, Kind::kSucceeded) << o.error;
  EXPECT_EQ(o.output["body"], R"({"ok": true})");  // text, as the reference
  o = Run(Provider("/broken"));
  ASSERT_EQ(o.kind, Kind::kSucceeded) << o.error;
  EXPECT_EQ(o.output["body"], "{not json");  // the reference crashes; we keep the text
}

TEST_F(HttpProviderTest, RedirectsAreFollowed) {
  const std::string target = server_->Url("/echo");
  server_->Handle("GET", "/old", [target](const TestRequest&) {
    return TestResponse{302, {{"Location", target}, {"X-Hop", "1"}}, "", {}};
  });
  Outcome o = Run(Provider("/old"));
  ASSERT_EQ(o.kind, Kind::kSucceeded) << o.error;
  EXPECT_EQ(o.output["status"], 200);
  EXPECT_FALSE(o.output["headers"].contains("X-Hop"));  // the final response's headers
}

TEST_F(HttpProviderTest, ExpectedStatusMismatchFails) {
  Json p = Provider("/no-such-path");
  p["expected_status"] = Json::array({200, 204});
  Outcome o = Run(p);
  EXPECT_EQ(o.kind, Kind::kFailed);
  EXPECT_THAT(o.error, HasSubstr("404"));
  EXPECT_THAT(o.error, HasSubstr("[200, 204]"));
  p["expected_status"] = 404;
  o = Run(p);
  EXPECT_EQ(o.kind, Kind::kSucceeded) << o.error;
}

TEST_F(HttpProviderTest, ConnectionRefusedFails) {
  const std::string url =
      "http://127.0.0.1:" + std::to_string(chaosrun::testing::ClosedLoopbackPort()) + "/";
  Outcome o = Run(Json{{"type", "http"}, {"url", url}});
  EXPECT_EQ(o.kind, Kind::kFailed);
  EXPECT_THAT(o.error, ::testing::StartsWith("failed to connect to " + url + ": "));
}

TEST_F(HttpProviderTest, MaxRetriesRetriesConnectionFailures) {
  const std::string url =
      "http://127.0.0.1:" + std::to_string(chaosrun::testing::ClosedLoopbackPort()) + "/";
  Outcome o = Run(Json{{"type", "http"}, {"url", url}, {"max_retries", 2}});
  EXPECT_EQ(o.kind, Kind::kFailed);
  EXPECT_THAT(o.error, HasSubstr("failed to connect to " + url));
  EXPECT_THAT(o.error, HasSubstr("(3 attempts)"));
}

TEST_F(HttpProviderTest, MaxRetriesDoesNotRepeatAnAnsweredRequest) {
  Json p = Provider("/no-such-path");
  p["max_retries"] = 3;
  Outcome o = Run(p);
  ASSERT_EQ(o.kind, Kind::kSucceeded) << o.error;
  EXPECT_EQ(server_->request_count(), 1);
}

TEST_F(HttpProviderTest, ReadTimeoutOnAStalledHandler) {
  server_->Handle("GET", "/stall", [this](const TestRequest&) {
    release_.Wait();
    return TestResponse{200, {}, "late", {}};
  });
  Json p = Provider("/stall");
  p["timeout"] = Json::array({5, 0.2});
  Outcome o = Run(p);
  EXPECT_EQ(o.kind, Kind::kFailed);
  EXPECT_EQ(o.error, "activity took too long to complete");
}

TEST_F(HttpProviderTest, ReadTimeoutMidBody) {
  server_->Handle("GET", "/half", [this](const TestRequest&) {
    return TestResponse{200, {}, "body", [this] { release_.Wait(); }};
  });
  Json p = Provider("/half");
  p["timeout"] = Json::array({nullptr, 0.2});
  Outcome o = Run(p);
  EXPECT_EQ(o.kind, Kind::kFailed);
  EXPECT_EQ(o.error, "activity took too long to complete");
}

TEST_F(HttpProviderTest, TotalTimeout) {
  server_->Handle("GET", "/stall", [this](const TestRequest&) {
    release_.Wait();
    return TestResponse{};
  });
  Json p = Provider("/stall");
  p["timeout"] = 0.2;
  Outcome o = Run(p);
  EXPECT_EQ(o.kind, Kind::kFailed);
  EXPECT_EQ(o.error, "activity took too long to complete");
}

TEST_F(HttpProviderTest, CancellationMidRequestIsInterrupted) {
  Gate arrived;
  server_->Handle("GET", "/stall", [&](const TestRequest&) {
    arrived.Open();
    release_.Wait();
    return TestResponse{};
  });
  CancelSource source;
  std::thread canceller([&] {
    arrived.Wait();
    source.Cancel("SIGINT");
  });
  Outcome o = Run(Provider("/stall"), Context{source.token()});
  arrived.Open();  // if the request never arrived, let the canceller finish
  canceller.join();
  EXPECT_EQ(o.kind, Kind::kInterrupted) << o.error;
  EXPECT_TRUE(o.output.is_null());
}

TEST_F(HttpProviderTest, LargeBodyAndNonUtf8Text) {
  server_->Handle("GET", "/big", [](const TestRequest&) {
    return TestResponse{200, {{"Content-Type", "text/plain"}}, std::string(3 << 20, 'z'), {}};
  });
  server_->Handle("GET", "/latin", [](const TestRequest&) {
    return TestResponse{200, {{"Content-Type", "text/plain"}}, "caf\xE9", {}};
  });
  Outcome o = Run(Provider("/big"));
  ASSERT_EQ(o.kind, Kind::kSucceeded) << o.error;
  EXPECT_EQ(o.output["body"].get_ref<const std::string&>().size(), size_t{3} << 20);
  o = Run(Provider("/latin"));
  ASSERT_EQ(o.kind, Kind::kSucceeded) << o.error;
  EXPECT_EQ(o.output["body"], "caf\xEF\xBF\xBD");
}

TEST_F(HttpProviderTest, NoDescriptorLeaks) {
  auto count_fds = [] {
    int n = 0;
    for ([[maybe_unused]] const auto& e : std::filesystem::directory_iterator("/proc/self/fd")) ++n;
    return n;
  };
  Run(Provider("/echo"));  // warm up (libcurl's lazily opened descriptors)
  server_->Stop();         // joins the workers: their connections are closed
  const int before = count_fds();
  {
    HttpServer server;
    server.Handle("GET", "/echo", Echo);
    server.Handle("GET", "/stall", [this](const TestRequest&) {
      release_.Wait();
      return TestResponse{};
    });
    Json stall{{"type", "http"}, {"url", server.Url("/stall")}, {"timeout", 0.05}};
    for (int i = 0; i < 10; ++i) {
      Run(Json{{"type", "http"}, {"url", server.Url("/echo")}});
      Run(stall);
    }
    release_.Open();
  }
  EXPECT_EQ(count_fds(), before);
}

TEST_F(HttpProviderTest, DispatcherRunsHttp) {
  BuiltinDispatcher d;
  Outcome o = d.Run(Json{{"name", "probe"}}, Provider("/echo"), Context{});
  ASSERT_EQ(o.kind, Kind::kSucceeded) << o.error;
  EXPECT_EQ(o.output["status"], 200);
}

}  // namespace
}  // namespace chaosrun::providers
