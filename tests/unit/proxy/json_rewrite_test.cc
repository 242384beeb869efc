// The json_rewrite toxic's framer and rewriter (http_json_rewrite.h), driven directly: bytes in
// any split, no sockets.
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "proxy/engine.h"
#include "proxy/http_json_rewrite.h"
#include "proxy/toxic_params.h"

namespace chaosrun::proxy {
namespace json_rewrite_test {

using Role = HttpJsonRewriter::Role;

std::shared_ptr<const JsonRewriteConfig> Config(const Json& attributes) {
  auto c = ParseJsonRewrite(attributes);
  EXPECT_TRUE(c.has_value()) << (c ? "" : c.error().ToString());
  return std::make_shared<const JsonRewriteConfig>(c ? *c : JsonRewriteConfig{});
}

std::shared_ptr<const JsonRewriteConfig> Ops(const Json& operations) {
  return Config(Json{{"operations", operations}});
}

std::string Response(const std::string& body, const std::string& type = "application/json") {
  return "HTTP/1.1 200 OK\r\nContent-Type: " + type +
         "\r\nContent-Length: " + std::to_string(body.size()) + "\r\nX-Keep: 1\r\n\r\n" + body;
}

std::string Request(const std::string& method, const std::string& body) {
  return method + " /events HTTP/1.1\r\nHost: h\r\nContent-Type: application/json\r\n" +
         "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
}

// Feeds `input` cut at `cuts` (positions, increasing) and returns everything let out, plus what
// a final Flush gives back.
std::string Feed(HttpJsonRewriter& r, const std::string& input,
                 const std::vector<size_t>& cuts = {}, bool flush = true) {
  std::string out;
  size_t at = 0;
  for (size_t cut : cuts) {
    r.Feed(std::string_view(input).substr(at, cut - at), out);
    EXPECT_LE(r.held(), r.bound());
    at = cut;
  }
  r.Feed(std::string_view(input).substr(at), out);
  EXPECT_LE(r.held(), r.bound());
  if (flush) r.Flush(out);
  return out;
}

std::string Through(std::shared_ptr<const JsonRewriteConfig> c, const std::string& input,
                    Role role = Role::kResponses) {
  HttpMethods methods;
  HttpJsonRewriter r(role, std::move(c), &methods);
  return Feed(r, input);
}

// The body of the only message in `out`.
Json BodyOf(const std::string& out) {
  size_t at = out.find("\r\n\r\n");
  EXPECT_NE(at, std::string::npos) << out;
  return Json::parse(out.substr(at + 4));
}

std::string HeaderOf(const std::string& out) { return out.substr(0, out.find("\r\n\r\n") + 4); }

TEST(JsonRewriteTest, DropRemovesTheFieldAndFixesContentLength) {
  std::string out = Through(Ops(Json::array({{{"op", "drop"}, {"field", "clicks"}}})),
                            Response(R"([{"id":1,"clicks":3},{"id":2}])"));
  EXPECT_EQ(BodyOf(out), Json::parse(R"([{"id":1},{"id":2}])"));
  EXPECT_NE(out.find("Content-Length: 19\r\n"), std::string::npos) << out;
  EXPECT_NE(out.find("X-Keep: 1\r\n"), std::string::npos) << out;  // other headers kept
  EXPECT_EQ(out.rfind("HTTP/1.1 200 OK\r\n", 0), 0u);
}

TEST(JsonRewriteTest, RenameMovesTheValue) {
  std::string out =
      Through(Ops(Json::array({{{"op", "rename"}, {"field", "age"}, {"to", "age_years"}}})),
              Response(R"([{"age":30,"x":1}])"));
  EXPECT_EQ(BodyOf(out), Json::parse(R"([{"x":1,"age_years":30}])"));
}

TEST(JsonRewriteTest, ScaleKeepsIntegersIntegralUnderAnIntegerFactor) {
  auto c = Ops(Json::array({{{"op", "scale"}, {"field", "income"}, {"factor", 100}}}));
  Json body = BodyOf(Through(c, Response(R"([{"income":543},{"income":54321.5},{"income":"x"}])")));
  EXPECT_TRUE(body[0]["income"].is_number_integer());
  EXPECT_EQ(body[0]["income"], 54300);
  EXPECT_DOUBLE_EQ(body[1]["income"].get<double>(), 5432150.0);
  EXPECT_EQ(body[2]["income"], "x");  // not a number: left alone
  auto half = Ops(Json::array({{{"op", "scale"}, {"field", "n"}, {"factor", 0.5}}}));
  EXPECT_DOUBLE_EQ(BodyOf(Through(half, Response(R"({"n":3})")))["n"].get<double>(), 1.5);
  // An integer product that would overflow becomes a float.
  auto big = Ops(Json::array({{{"op", "scale"}, {"field", "n"}, {"factor", 1000000}}}));
  Json b = BodyOf(Through(big, Response(R"({"n":9000000000000000})")));
  EXPECT_TRUE(b["n"].is_number_float());
}

TEST(JsonRewriteTest, RetypeToEachType) {
  auto retype = [](const std::string& type, const std::string& value) {
    auto c = Ops(Json::array({{{"op", "retype"}, {"field", "v"}, {"type", type}}}));
    return BodyOf(Through(c, Response("{\"v\":" + value + "}")))["v"];
  };
  EXPECT_EQ(retype("string", "42"), "42");
  EXPECT_EQ(retype("string", "true"), "true");
  EXPECT_EQ(retype("number", "\"4.5\""), 4.5);
  EXPECT_TRUE(retype("number", "7").is_number_float());
  EXPECT_TRUE(retype("number", "\"abc\"").is_null());
  EXPECT_EQ(retype("integer", "4.9"), 4);
  EXPECT_TRUE(retype("integer", "4.9").is_number_integer());
  EXPECT_EQ(retype("integer", "\"12\""), 12);
  EXPECT_EQ(retype("boolean", "0"), false);
  EXPECT_EQ(retype("boolean", "\"yes\""), true);
  EXPECT_TRUE(retype("null", "\"DE\"").is_null());
}

TEST(JsonRewriteTest, RecordsPointerArrayObjectAndNested) {
  auto drop = Json::array({{{"op", "drop"}, {"field", "a"}}});
  // An object body is one record.
  EXPECT_EQ(BodyOf(Through(Ops(drop), Response(R"({"a":1,"b":2})"))), Json::parse(R"({"b":2})"));
  // A nested array of records.
  auto nested = Config(Json{{"operations", drop}, {"records", "/data/items"}});
  EXPECT_EQ(
      BodyOf(Through(nested, Response(R"({"data":{"items":[{"a":1},{"a":2,"c":3}]},"a":9})"))),
      Json::parse(R"({"data":{"items":[{},{"c":3}]},"a":9})"));
  // Fields given as pointers reach inside a record.
  auto inner = Ops(Json::array({{{"op", "drop"}, {"field", "/geo/country"}},
                                {{"op", "rename"}, {"field", "/geo/city"}, {"to", "town"}}}));
  EXPECT_EQ(BodyOf(Through(inner, Response(R"([{"geo":{"country":"DE","city":"B"}}])"))),
            Json::parse(R"([{"geo":{"town":"B"}}])"));
  // A pointer to nothing: the body passes unchanged.
  auto missing = Config(Json{{"operations", drop}, {"records", "/nope"}});
  std::string in = Response(R"({"a":1})");
  EXPECT_EQ(Through(missing, in), in);
}

TEST(JsonRewriteTest, ChunkedBodyIsResentWithContentLength) {
  std::string body = R"([{"age":1},{"age":2}])";
  std::string in =
      "HTTP/1.1 200 OK\r\nContent-Type: application/json; charset=utf-8\r\n"
      "Transfer-Encoding: chunked\r\n\r\n5\r\n" +
      body.substr(0, 5) + "\r\n" + "10;ext=1\r\n" + body.substr(5, 16) + "\r\n0\r\n\r\n";
  std::string out =
      Through(Ops(Json::array({{{"op", "rename"}, {"field", "age"}, {"to", "age_years"}}})), in);
  std::string head = HeaderOf(out);
  EXPECT_EQ(head.find("Transfer-Encoding"), std::string::npos) << out;
  std::string want = R"([{"age_years":1},{"age_years":2}])";
  EXPECT_NE(head.find("Content-Length: " + std::to_string(want.size()) + "\r\n"), std::string::npos)
      << out;
  EXPECT_EQ(out.substr(head.size()), want);
}

TEST(JsonRewriteTest, KeepAliveMessagesAreEachRewrittenAtEverySplit) {
  auto c = Ops(Json::array({{{"op", "drop"}, {"field", "x"}}}));
  std::string in = Response(R"({"x":1,"y":1})") + Response("plain x", "text/plain") +
                   "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: "
                   "chunked\r\n\r\nd\r\n{\"x\":3,\"y\":3}\r\n0\r\n\r\n" +
                   Response(R"({"x":2,"y":2})");
  std::string whole = Through(c, in);
  std::string want = Response(R"({"y":1})") + Response("plain x", "text/plain") +
                     "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: "
                     "7\r\n\r\n{\"y\":3}" +
                     Response(R"({"y":2})");
  EXPECT_EQ(whole, want);
  // Cut once at every byte, and byte by byte: the same output.
  for (size_t k = 0; k <= in.size(); ++k) {
    HttpMethods m;
    HttpJsonRewriter r(Role::kResponses, c, &m);
    ASSERT_EQ(Feed(r, in, {k}), want) << "cut at " << k;
  }
  std::vector<size_t> every;
  for (size_t k = 1; k < in.size(); ++k) every.push_back(k);
  HttpMethods m;
  HttpJsonRewriter r(Role::kResponses, c, &m);
  EXPECT_EQ(Feed(r, in, every), want);
  EXPECT_EQ(r.stats().rewritten, 3u);
}

TEST(JsonRewriteTest, PipelinedRequestsAreRewrittenAndReportTheirMethods) {
  auto c = Ops(Json::array({{{"op", "retype"}, {"field", "kind"}, {"type", "integer"}}}));
  std::string in = Request("POST", R"([{"kind":"negative"}])") +
                   "GET /x HTTP/1.1\r\nHost: h\r\n\r\n" +
                   Request("PUT", R"([{"kind":"positive","n":1}])") + "\r\nHEAD / HTTP/1.1\r\n\r\n";
  HttpMethods methods;
  HttpJsonRewriter r(Role::kRequests, c, &methods);
  std::string out = Feed(r, in);
  std::string want = Request("POST", R"([{"kind":null}])") + "GET /x HTTP/1.1\r\nHost: h\r\n\r\n" +
                     Request("PUT", R"([{"kind":null,"n":1}])") + "\r\nHEAD / HTTP/1.1\r\n\r\n";
  EXPECT_EQ(out, want);
  EXPECT_EQ(methods.Pop(), "POST");
  EXPECT_EQ(methods.Pop(), "GET");
  EXPECT_EQ(methods.Pop(), "PUT");
  EXPECT_EQ(methods.Pop(), "HEAD");
  EXPECT_EQ(methods.Pop(), "");
}

TEST(JsonRewriteTest, ResponsesWithoutBodyAreFramedAsSuch) {
  auto c = Ops(Json::array({{{"op", "drop"}, {"field", "x"}}}));
  // HEAD: Content-Length without a body; 204 and 304: no body; 100: interim. Each followed by
  // a response that must still be rewritten.
  std::string head =
      "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 50\r\n\r\n";
  std::string no_content = "HTTP/1.1 204 No Content\r\nContent-Type: application/json\r\n\r\n";
  std::string not_modified =
      "HTTP/1.1 304 Not Modified\r\nContent-Type: application/json\r\nContent-Length: 9\r\n\r\n";
  std::string interim = "HTTP/1.1 100 Continue\r\n\r\n";
  std::string in = head + no_content + not_modified + interim + Response(R"({"x":1})");
  HttpMethods methods;
  for (const char* m : {"HEAD", "GET", "GET", "POST"}) methods.Push(m);
  HttpJsonRewriter r(Role::kResponses, c, &methods);
  std::string out;
  r.Feed(in, out);
  EXPECT_EQ(r.held(), 0u);  // nothing waits for a body that will not come
  EXPECT_EQ(out, head + no_content + not_modified + interim + Response("{}"));
}

TEST(JsonRewriteTest, NonJsonEncodedAndUnparseableBodiesPassUnchanged) {
  auto c = Ops(Json::array({{{"op", "drop"}, {"field", "x"}}}));
  std::string text = Response(R"({"x":1})", "text/plain");
  EXPECT_EQ(Through(c, text), text);
  std::string gzip =
      "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Encoding: "
      "gzip\r\nContent-Length: 7\r\n\r\n{\"x\":1}";
  EXPECT_EQ(Through(c, gzip), gzip);
  std::string broken = Response(R"({"x":1)");
  HttpMethods m;
  HttpJsonRewriter r(Role::kResponses, c, &m);
  EXPECT_EQ(Feed(r, broken), broken);
  EXPECT_EQ(r.stats().unchanged, 1u);
  std::string deep = Response(std::string(1000, '[') + std::string(1000, ']'));
  EXPECT_EQ(Through(c, deep), deep);
  // application/problem+json is JSON too.
  EXPECT_EQ(BodyOf(Through(c, Response(R"({"x":1})", "application/problem+json"))), Json::object());
}

TEST(JsonRewriteTest, OverTheBoundStreamsUnchangedAndCounts) {
  auto c = Config(Json{{"operations", Json::array({{{"op", "drop"}, {"field", "x"}}})},
                       {"max_body_bytes", 64}});
  std::string big = "[" + std::string(200, ' ') + "{\"x\":1}]";
  // Content-Length over the bound: the body streams as it comes, nothing is held.
  std::string in = Response(big) + Response(R"({"x":1})");
  HttpMethods m;
  HttpJsonRewriter r(Role::kResponses, c, &m);
  std::string out;
  r.Feed(std::string_view(in).substr(0, 150), out);
  EXPECT_EQ(out, in.substr(0, 150));
  r.Feed(std::string_view(in).substr(150), out);
  EXPECT_EQ(out, Response(big) + Response("{}"));
  EXPECT_EQ(r.stats().oversize, 1u);
  // Chunked over the bound: held up to the bound, then given back and streamed.
  std::string chunked =
      "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: "
      "chunked\r\n\r\n";
  for (int k = 0; k < 10; ++k) chunked += "10\r\n" + std::string(16, ' ') + "\r\n";
  chunked += "0\r\n\r\n";
  HttpJsonRewriter r2(Role::kResponses, c, &m);
  std::vector<size_t> every;
  for (size_t k = 1; k < chunked.size(); ++k) every.push_back(k);
  EXPECT_EQ(Feed(r2, chunked, every), chunked);
  EXPECT_EQ(r2.stats().oversize, 1u);
}

TEST(JsonRewriteTest, GarbageAndNonHttpPassAtOnce) {
  auto c = Ops(Json::array({{{"op", "drop"}, {"field", "x"}}}));
  for (const std::string& junk :
       {std::string("\x16\x03\x01\x02\x00", 5), std::string("SSH-2.0-OpenSSH\r\n"),
        std::string("hello world"), std::string(100, 'A')}) {
    HttpMethods m;
    HttpJsonRewriter responses(Role::kResponses, c, &m);
    std::string out;
    responses.Feed(junk, out);
    EXPECT_EQ(out, junk);
    EXPECT_EQ(responses.held(), 0u);
    // And from then on everything passes.
    responses.Feed(Response(R"({"x":1})"), out);
    EXPECT_EQ(out, junk + Response(R"({"x":1})"));
  }
  // A header block over 64 KiB: given back unchanged.
  std::string huge = "HTTP/1.1 200 OK\r\nX: " + std::string(70000, 'a') + "\r\n\r\n";
  EXPECT_EQ(Through(c, huge), huge);
  // An upgraded connection (101) is a tunnel: what follows passes unchanged.
  std::string upgrade =
      "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\r\n" + Response(R"({"x":1})");
  EXPECT_EQ(Through(c, upgrade), upgrade);
}

TEST(JsonRewriteTest, RequestsThatMustNotBeHeldOrFramedPassUnchanged) {
  auto c = Ops(Json::array({{{"op", "drop"}, {"field", "x"}}}));
  // Expect: 100-continue: the client waits for the server before the body; held, it would hang.
  std::string expect =
      "POST / HTTP/1.1\r\nContent-Type: application/json\r\nExpect: 100-continue\r\n"
      "Content-Length: 7\r\n\r\n";
  HttpMethods m;
  HttpJsonRewriter r(Role::kRequests, c, &m);
  std::string out;
  r.Feed(expect, out);
  EXPECT_EQ(out, expect);
  r.Feed("{\"x\":1}", out);
  EXPECT_EQ(out, expect + "{\"x\":1}");
  // CONNECT and Upgrade: what follows is another protocol.
  std::string connect = "CONNECT h:443 HTTP/1.1\r\nHost: h\r\n\r\n" + Request("POST", "{\"x\":1}");
  EXPECT_EQ(Through(c, connect, Role::kRequests), connect);
  std::string upgrade =
      "GET /ws HTTP/1.1\r\nUpgrade: websocket\r\n\r\n" + Request("POST", "{\"x\":1}");
  EXPECT_EQ(Through(c, upgrade, Role::kRequests), upgrade);
  // A response whose coding is not chunked alone ends with the connection: unchanged.
  std::string gzip_te =
      "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: "
      "gzip\r\nContent-Length: 7\r\n\r\n{\"x\":1}" +
      Response("{\"x\":1}");
  EXPECT_EQ(Through(c, gzip_te), gzip_te);
}

TEST(JsonRewriteTest, UnsyncedStartWaitsForAStartLineAndFlushGivesBack) {
  auto c = Ops(Json::array({{{"op", "drop"}, {"field", "x"}}}));
  HttpMethods m;
  HttpJsonRewriter r(Role::kResponses, c, &m, /*synced=*/false);
  std::string out;
  r.Feed("rest of an earlier body", out);
  EXPECT_EQ(out, "rest of an earlier body");
  r.Feed(Response(R"({"x":1})"), out);
  EXPECT_EQ(out, "rest of an earlier body" + Response("{}"));
  // Half a message held: Flush gives it back as it came.
  std::string half = Response(R"({"x":1,"y":2})").substr(0, 80);
  out.clear();
  r.Feed(half, out);
  EXPECT_TRUE(out.empty());
  r.Flush(out);
  EXPECT_EQ(out, half);
  out.clear();
  r.Feed("anything", out);
  EXPECT_EQ(out, "anything");
}

TEST(JsonRewriteTest, NewConfigAppliesFromTheNextMessage) {
  HttpMethods m;
  HttpJsonRewriter r(Role::kResponses, Ops(Json::array({{{"op", "drop"}, {"field", "x"}}})), &m);
  std::string first = Response(R"({"x":1,"y":1})");
  std::string out;
  r.Feed(first.substr(0, first.size() - 3), out);  // the head and part of the body
  r.SetConfig(Ops(Json::array({{{"op", "drop"}, {"field", "y"}}})));
  r.Feed(first.substr(first.size() - 3) + Response(R"({"x":1,"y":1})"), out);
  EXPECT_EQ(out, Response(R"({"y":1})") + Response(R"({"x":1})"));
}

TEST(JsonRewriteTest, BadAttributesNameTheField) {
  auto error = [](const Json& attributes) {
    auto t = ToxicFromJson(Json{{"type", "json_rewrite"}, {"attributes", attributes}});
    return t ? std::string("ok") : t.error().message();
  };
  EXPECT_EQ(error(Json::object()), "attributes.operations: required for json_rewrite");
  EXPECT_EQ(error(Json{{"operations", Json::array()}}),
            "attributes.operations: must be a non-empty array of operations");
  EXPECT_EQ(error(Json{{"operations", Json::array({{{"op", "drop"}, {"field", "a"}},
                                                   {{"op", "explode"}, {"field", "a"}}})}}),
            "attributes.operations[1].op: must be one of drop, rename, scale, retype");
  EXPECT_EQ(error(Json{{"operations", Json::array({{{"op", "drop"}}})}}),
            "attributes.operations[0].field: required");
  EXPECT_EQ(error(Json{{"operations", Json::array({{{"op", "rename"}, {"field", "a"}}})}}),
            "attributes.operations[0].to: required");
  EXPECT_EQ(error(Json{
                {"operations", Json::array({{{"op", "scale"}, {"field", "a"}, {"factor", "x"}}})}}),
            "attributes.operations[0].factor: must be a finite number (at most 1e15 in magnitude)");
  EXPECT_EQ(error(Json{{"operations",
                        Json::array({{{"op", "retype"}, {"field", "a"}, {"type", "date"}}})}}),
            "attributes.operations[0].type: must be one of string, number, integer, boolean, null");
  EXPECT_EQ(
      error(Json{{"operations", Json::array({{{"op", "drop"}, {"field", "a"}, {"to", "b"}}})}}),
      "attributes.operations[0].to: unknown member of this operation");
  EXPECT_EQ(error(Json{{"operations", Json::array({{{"op", "drop"}, {"field", "/a~9"}}})}}),
            "attributes.operations[0].field: not a valid JSON pointer");
  Json ok_ops = Json::array({{{"op", "drop"}, {"field", "a"}}});
  EXPECT_EQ(error(Json{{"operations", ok_ops}, {"records", "items"}}),
            "attributes.records: not a valid JSON pointer (\"\" or \"/a/b\")");
  EXPECT_EQ(error(Json{{"operations", ok_ops}, {"max_body_bytes", 0}}),
            "attributes.max_body_bytes: must be an integer from 1 to 67108864");
  EXPECT_EQ(error(Json{{"operations", ok_ops}, {"rate", 1}}),
            "attributes.rate: unknown attribute of json_rewrite");
  // The normalised form: every attribute present.
  auto t = ToxicFromJson(Json{{"type", "json_rewrite"}, {"attributes", {{"operations", ok_ops}}}});
  ASSERT_TRUE(t.has_value());
  EXPECT_EQ(t->attributes,
            (Json{{"operations", ok_ops}, {"records", ""}, {"max_body_bytes", 1048576}}));
  EXPECT_EQ(t->name, "json_rewrite_downstream");
}

}  // namespace json_rewrite_test
}  // namespace chaosrun::proxy
