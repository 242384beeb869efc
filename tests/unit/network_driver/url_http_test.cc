// The API address and the HTTP response parser of the driver's small HTTP client.
#include <gtest/gtest.h>

#include "network/http_client.h"
#include "network/url.h"

namespace chaosrun::drivers::network {
namespace {

TEST(UrlTest, ParsesHostPortAndBase) {
  std::string error;
  auto u = ParseUrl("http://127.0.0.1:8474", &error);
  ASSERT_TRUE(u) << error;
  EXPECT_EQ(u->host, "127.0.0.1");
  EXPECT_EQ(u->port, 8474);
  EXPECT_EQ(u->base, "");
  EXPECT_EQ(u->HostPort(), "127.0.0.1:8474");

  u = ParseUrl("http://toxiproxy.local/api/", &error);
  ASSERT_TRUE(u) << error;
  EXPECT_EQ(u->port, 80);
  EXPECT_EQ(u->base, "/api");
  EXPECT_EQ(u->ToString(), "http://toxiproxy.local:80/api");

  u = ParseUrl("http://[::1]:9000", &error);
  ASSERT_TRUE(u) << error;
  EXPECT_EQ(u->host, "::1");
  EXPECT_EQ(u->HostPort(), "[::1]:9000");
}

TEST(UrlTest, Rejects) {
  for (const char* bad : {"https://127.0.0.1:8474", "127.0.0.1:8474", "http://", "http://:80",
                          "http://a b:80", "http://host:99999", "http://host:12x",
                          "http://user:pw@host:80", "http://host:80/x?y=1", "http://[::1"}) {
    std::string error;
    EXPECT_FALSE(ParseUrl(bad, &error)) << bad;
    EXPECT_FALSE(error.empty()) << bad;
  }
}

TEST(UrlTest, SplitHostPort) {
  std::string host;
  int port = -1;
  EXPECT_TRUE(SplitHostPort("127.0.0.1:0", &host, &port));
  EXPECT_EQ(host, "127.0.0.1");
  EXPECT_EQ(port, 0);
  EXPECT_TRUE(SplitHostPort("[::1]:26379", &host, &port));
  EXPECT_EQ(host, "::1");
  EXPECT_EQ(port, 26379);
  EXPECT_FALSE(SplitHostPort("localhost", &host, &port));
  EXPECT_FALSE(SplitHostPort(":80", &host, &port));
  EXPECT_FALSE(SplitHostPort("h:70000", &host, &port));
}

TEST(HttpParseTest, ContentLength) {
  HttpResponse r;
  const std::string raw =
      "HTTP/1.1 201 Created\r\nContent-Type: application/json\r\nContent-Length: 11\r\n\r\n"
      "{\"a\": true}";
  ASSERT_TRUE(ParseHttpResponse(raw, false, &r));
  EXPECT_TRUE(r.ok);
  EXPECT_EQ(r.status, 201);
  EXPECT_EQ(r.body, "{\"a\": true}");
  HttpResponse partial;
  EXPECT_FALSE(ParseHttpResponse(raw.substr(0, raw.size() - 1), false, &partial));
  EXPECT_FALSE(ParseHttpResponse("HTTP/1.1 200 OK\r\nContent-Le", false, &partial));
}

TEST(HttpParseTest, ChunkedAndCaseInsensitiveHeaders) {
  HttpResponse r;
  const std::string raw =
      "HTTP/1.1 200 OK\r\ntransfer-encoding: Chunked\r\n\r\n4\r\n{\"x\"\r\n3;ext=1\r\n: 1\r\n"
      "1\r\n}\r\n0\r\n\r\n";
  ASSERT_TRUE(ParseHttpResponse(raw, false, &r));
  EXPECT_EQ(r.body, "{\"x\": 1}");
  HttpResponse partial;
  EXPECT_FALSE(ParseHttpResponse(raw.substr(0, raw.size() - 5), false, &partial));
}

TEST(HttpParseTest, NoContentAndReadToClose) {
  HttpResponse r;
  ASSERT_TRUE(ParseHttpResponse("HTTP/1.1 204 No Content\r\n\r\n", false, &r));
  EXPECT_EQ(r.status, 204);
  EXPECT_EQ(r.body, "");
  HttpResponse open;
  EXPECT_FALSE(ParseHttpResponse("HTTP/1.0 200 OK\r\n\r\nabc", false, &open));
  ASSERT_TRUE(ParseHttpResponse("HTTP/1.0 200 OK\r\n\r\nabc", true, &open));
  EXPECT_EQ(open.body, "abc");
}

TEST(HttpParseTest, RejectsGarbage) {
  HttpResponse r;
  EXPECT_FALSE(ParseHttpResponse("SSH-2.0-OpenSSH\r\n\r\n", true, &r));
  EXPECT_FALSE(ParseHttpResponse("HTTP/1.1 2x0 OK\r\n\r\n", true, &r));
  EXPECT_FALSE(r.ok);
}

}  // namespace
}  // namespace chaosrun::drivers::network
