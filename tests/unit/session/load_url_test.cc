// `chaosrun run URL` / `validate URL` (session/load_url.h) against a real loopback HTTP server:
// the format from the Content-Type or the path, the reference's Accept and Authorization
// headers, and each failure (status, size, timeout) said as such.
#include "session/load_url.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <stdlib.h>

#include "support/http_server.h"

namespace chaosrun::session {
namespace {

using ::chaosrun::testing::Gate;
using ::chaosrun::testing::HttpServer;
using ::chaosrun::testing::TestRequest;
using ::chaosrun::testing::TestResponse;
using ::testing::HasSubstr;

constexpr const char* kJsonDoc = R"({"title": "from json", "description": "d", "method": []})";
constexpr const char* kYamlDoc = "title: from yaml\ndescription: d\nmethod: []\n";

TestResponse UrlReply(int status, const std::string& body) {
  TestResponse r;
  r.status = status;
  r.body = body;
  return r;
}

TestResponse Typed(const std::string& type, const std::string& body) {
  TestResponse r = UrlReply(200, body);
  if (!type.empty()) r.headers.push_back({"Content-Type", type});
  return r;
}

TEST(LoadUrl, TheContentTypeOrThePathDecidesTheFormat) {
  HttpServer server;
  server.Handle("GET", "/json", [](const TestRequest&) {
    return Typed("application/json; charset=utf-8", kJsonDoc);
  });
  server.Handle("GET", "/yaml", [](const TestRequest&) { return Typed("text/yaml", kYamlDoc); });
  server.Handle("GET", "/xyaml",
                [](const TestRequest&) { return Typed("application/x-yaml", kYamlDoc); });
  server.Handle("GET", "/plain-json",
                [](const TestRequest&) { return Typed("text/plain", kJsonDoc); });
  server.Handle("GET", "/plain-yaml",
                [](const TestRequest&) { return Typed("text/plain", kYamlDoc); });
  server.Handle("GET", "/raw/e.yaml",
                [](const TestRequest&) { return Typed("application/octet-stream", kYamlDoc); });
  server.Handle("GET", "/html", [](const TestRequest&) { return Typed("text/html", kJsonDoc); });
  for (const auto& [path, title] :
       std::vector<std::pair<std::string, std::string>>{{"/json", "from json"},
                                                        {"/yaml", "from yaml"},
                                                        {"/xyaml", "from yaml"},
                                                        {"/plain-json", "from json"},
                                                        {"/plain-yaml", "from yaml"},
                                                        {"/raw/e.yaml", "from yaml"}}) {
    auto doc = LoadSource(server.Url(path));
    ASSERT_TRUE(doc.has_value()) << path << ": " << doc.error().message();
    EXPECT_EQ((*doc)["title"], title) << path;
  }
  auto html = LoadSource(server.Url("/html"));
  ASSERT_FALSE(html.has_value());
  EXPECT_THAT(html.error().message(), HasSubstr("has the Content-Type 'text/html'"));
}

TEST(LoadUrl, SendsTheReferenceHeadersAndTheSettingsAuth) {
  HttpServer server;
  std::optional<std::string> accept, authorization;
  server.Handle("GET", "/e.json", [&](const TestRequest& r) {
    accept = r.Header("Accept");
    authorization = r.Header("Authorization");
    return Typed("application/json", kJsonDoc);
  });
  SourceOptions options;
  options.auths = {{"127.0.0.1:" + std::to_string(server.port()),
                    {{"type", "bearer"}, {"value", "from-settings"}}}};
  ASSERT_TRUE(LoadSource(server.Url("/e.json"), options).has_value());
  EXPECT_EQ(accept, "application/json, application/x-yaml");
  EXPECT_EQ(authorization, "bearer from-settings");
  // The environment's token comes first, as in the reference.
  ::setenv("CHAOSTOOLKIT_LOADER_AUTH_BEARER_TOKEN", "from-env", 1);
  auto doc = LoadSource(server.Url("/e.json"), options);
  ::unsetenv("CHAOSTOOLKIT_LOADER_AUTH_BEARER_TOKEN");
  ASSERT_TRUE(doc.has_value());
  EXPECT_EQ(authorization, "bearer from-env");
}

TEST(LoadUrl, EachFailureSaysWhatWentWrong) {
  HttpServer server;
  server.Handle("GET", "/missing", [](const TestRequest&) {
    return UrlReply(404, "no such experiment\nsecond line");
  });
  server.Handle("GET", "/big", [](const TestRequest&) {
    std::string big(2048, ' ');
    big.append(kJsonDoc);
    return Typed("application/json", big);
  });
  server.Handle("GET", "/list", [](const TestRequest&) { return Typed("application/json", "[]"); });
  server.Handle("GET", "/broken",
                [](const TestRequest&) { return Typed("application/json", "{\"title\": }"); });
  Gate release;
  server.Handle("GET", "/stall", [&](const TestRequest&) {
    release.Wait();
    return Typed("application/json", kJsonDoc);
  });
  auto missing = LoadSource(server.Url("/missing"));
  ASSERT_FALSE(missing.has_value());
  EXPECT_THAT(missing.error().message(),
              HasSubstr("Failed to fetch the experiment from " + server.Url("/missing") +
                        ": HTTP 404: no such experiment"));
  SourceOptions small;
  small.max_bytes = 1024;
  auto big = LoadSource(server.Url("/big"), small);
  ASSERT_FALSE(big.has_value());
  EXPECT_THAT(big.error().message(), HasSubstr("larger than the 1024 bytes limit"));
  auto list = LoadSource(server.Url("/list"));
  ASSERT_FALSE(list.has_value());
  EXPECT_THAT(list.error().message(), HasSubstr("the experiment document must be a mapping"));
  auto broken = LoadSource(server.Url("/broken"));
  ASSERT_FALSE(broken.has_value());
  EXPECT_THAT(broken.error().message(), HasSubstr(server.Url("/broken") + ":1:"));
  SourceOptions quick;
  quick.timeout_seconds = 0.2;  // the server answers only when released, after the timeout
  auto stalled = LoadSource(server.Url("/stall"), quick);
  release.Open();
  ASSERT_FALSE(stalled.has_value());
  EXPECT_THAT(stalled.error().message(), HasSubstr("no complete answer within 0.2 s (timeout)"));
  auto refused =
      LoadSource("http://127.0.0.1:" + std::to_string(testing::ClosedLoopbackPort()) + "/e.json");
  ASSERT_FALSE(refused.has_value());
  EXPECT_THAT(refused.error().message(), HasSubstr("Failed to fetch the experiment from"));
}

TEST(LoadUrl, AuthorityAndFormatRules) {
  EXPECT_EQ(UrlAuthority("https://user:pw@example.com:8443/x?y"), "example.com:8443");
  EXPECT_EQ(UrlAuthority("http://example.com"), "example.com");
  EXPECT_EQ(DownloadFormat(std::nullopt, "http://h/a/b.YML?x=1"), parse::DocFormat::kYaml);
  EXPECT_EQ(DownloadFormat(std::nullopt, "http://h/a.json#f"), parse::DocFormat::kJson);
  EXPECT_EQ(DownloadFormat(std::nullopt, "http://h/a"), std::nullopt);
  EXPECT_EQ(DownloadFormat("text/plain", "http://h/a.json"), parse::DocFormat::kUnknown);
}

}  // namespace
}  // namespace chaosrun::session
