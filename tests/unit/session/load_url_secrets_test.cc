// A URL's credentials and query never reach an error or a log line of `run URL` / `validate
// URL` (they show as common/url_text.h's ShownUrl: no user:password@, the query as "?…").
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "common/url_text.h"
#include "session/load_url.h"
#include "support/http_server.h"

namespace chaosrun::session {
namespace {

using ::chaosrun::testing::HttpServer;
using ::chaosrun::testing::TestRequest;
using ::chaosrun::testing::TestResponse;
using ::testing::HasSubstr;
using ::testing::Not;

TEST(ShownUrl, DropsCredentialsQueryAndFragment) {
  EXPECT_EQ(ShownUrl("http://user:pw@127.0.0.1:8080/x.json?token=abc#frag"),
            "http://127.0.0.1:8080/x.json?…");
  EXPECT_EQ(ShownUrl("https://h/a@b/c"), "https://h/a@b/c");
  EXPECT_EQ(ShownUrl("http://h/x#f"), "http://h/x");
  EXPECT_EQ(ShownUrl("http://h/x"), "http://h/x");
}

TEST(LoadUrlSecrets, AFailedFetchShowsNoCredentialOrToken) {
  HttpServer server;
  server.Handle("GET", "/missing.json", [](const TestRequest&) {
    TestResponse r;
    r.status = 404;
    r.body = "not here";
    return r;
  });
  server.Handle("GET", "/list.json", [](const TestRequest&) {
    TestResponse r;
    r.status = 200;
    r.headers.push_back({"Content-Type", "application/json"});
    r.body = "[1, 2";  // a syntax error: the parser names its source
    return r;
  });
  const std::string base = "http://alice:s3cretpw@127.0.0.1:" + std::to_string(server.port());
  for (const std::string path : {"/missing.json", "/list.json"}) {
    auto doc = LoadUrl(base + path + "?token=T0KEN", SourceOptions{});
    ASSERT_FALSE(doc.has_value()) << path;
    EXPECT_THAT(doc.error().message(), Not(HasSubstr("s3cretpw"))) << path;
    EXPECT_THAT(doc.error().message(), Not(HasSubstr("T0KEN"))) << path;
    EXPECT_THAT(doc.error().message(), HasSubstr("127.0.0.1")) << path;
  }
}

}  // namespace
}  // namespace chaosrun::session
