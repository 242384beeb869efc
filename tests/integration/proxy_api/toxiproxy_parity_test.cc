// What Toxiproxy 2.12 clients compare in the API's answers, against a real engine with real
// loopback listeners: `listen` as bound, a slicer whose size_variation equals its average_size,
// toxics listed upstream first, bind failures in Go's words, X-Toxiproxy-Request-Id on every
// response (over the wire, through ApiServer).
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <memory>
#include <regex>
#include <set>
#include <string>
#include <vector>

#include "proxy_api/api_server.h"
#include "proxy_api/request_id.h"
#include "router_fixture.h"

namespace chaosrun::proxy_api {
namespace {

// One TCP connection kept open through a proxy: proves a proxy was not restarted (a restart cuts
// its connections). Every read has a receive timeout.
class HeldConnection {
 public:
  explicit HeldConnection(int port) {
    fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    timeval tv{10, 0};
    ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(static_cast<uint16_t>(port));
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
      ::close(fd_);
      fd_ = -1;
    }
  }
  ~HeldConnection() {
    if (fd_ >= 0) ::close(fd_);
  }
  // Sends `text` and reads as many bytes back (the upstream echoes); "" when the link is cut.
  std::string Echo(const std::string& text) {
    if (fd_ < 0 || ::write(fd_, text.data(), text.size()) != static_cast<ssize_t>(text.size())) {
      return "";
    }
    std::string got;
    char buf[256];
    while (got.size() < text.size()) {
      ssize_t n = ::read(fd_, buf, sizeof buf);
      if (n <= 0) return "";
      got.append(buf, static_cast<size_t>(n));
    }
    return got;
  }

 private:
  int fd_ = -1;
};

class ParityTest : public RouterTest {
 protected:
  Json Toxic(const std::string& proxy, const std::string& name, const std::string& stream) {
    Json req = {{"name", name}, {"type", "noop"}, {"stream", stream}};
    Response r = Call("POST", "/proxies/" + proxy + "/toxics", req.dump());
    EXPECT_EQ(r.status, 200) << r.body;
    return Body(r);
  }
  static std::vector<std::string> Names(const Json& toxics) {
    std::vector<std::string> out;
    for (const Json& t : toxics) out.push_back(t.value("name", ""));
    return out;
  }
};

TEST_F(ParityTest, ListenIsTheAddressBoundOnceListening) {
  Json req = {{"name", "l"}, {"listen", "localhost:0"}, {"upstream", Upstream()}};
  Response r = Call("POST", "/proxies", req.dump());
  ASSERT_EQ(r.status, 201) << r.body;
  const std::string listen = Body(r)["listen"];
  EXPECT_TRUE(std::regex_match(listen, std::regex(R"(127\.0\.0\.1:[1-9][0-9]*)"))) << listen;
  EXPECT_EQ(Body(Call("GET", "/proxies/l"))["listen"], listen);
  EXPECT_EQ(Body(Call("GET", "/proxies"))["l"]["listen"], listen);

  Json v6 = {{"name", "v6"}, {"listen", "[::1]:0"}, {"upstream", Upstream()}};
  Response r6 = Call("POST", "/proxies", v6.dump());
  ASSERT_EQ(r6.status, 201) << r6.body;
  EXPECT_TRUE(
      std::regex_match(Body(r6)["listen"].get<std::string>(), std::regex(R"(\[::1\]:[1-9][0-9]*)")))
      << r6.body;
}

TEST_F(ParityTest, ListenIsAsGivenWhileDisabledAndBoundOnceEnabled) {
  Json req = {
      {"name", "d"}, {"listen", "localhost:0"}, {"upstream", Upstream()}, {"enabled", false}};
  Response r = Call("POST", "/proxies", req.dump());
  ASSERT_EQ(r.status, 201) << r.body;
  EXPECT_EQ(Body(r)["listen"], "localhost:0");
  Response on = Call("PATCH", "/proxies/d", R"({"enabled":true})");
  ASSERT_EQ(on.status, 200) << on.body;
  const std::string bound = Body(on)["listen"];
  EXPECT_EQ(bound.rfind("127.0.0.1:", 0), 0u) << bound;
  EXPECT_NE(PortOf(bound), 0);
  // Disabling keeps the address last bound, as Toxiproxy does.
  EXPECT_EQ(Body(Call("PATCH", "/proxies/d", R"({"enabled":false})"))["listen"], bound);
}

TEST_F(ParityTest, TheBoundAddressWrittenAsLocalhostIsNoChange) {
  Json p = Create("same");
  const int port = PortOf(p["listen"].get<std::string>());
  HeldConnection held(port);
  ASSERT_EQ(held.Echo("before"), "before");
  Json patch = {{"listen", "localhost:" + std::to_string(port)}, {"upstream", Upstream()}};
  Response r = Call("POST", "/proxies/same", patch.dump());
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(Body(r)["listen"], p["listen"]);
  EXPECT_EQ(held.Echo("after"), "after");  // not restarted: the connection lives
}

TEST_F(ParityTest, SlicerVariationEqualToAverageIsAcceptedLargerIsNot) {
  Json p = Create("s");
  Json equal = {{"type", "slicer"}, {"attributes", {{"average_size", 1}, {"size_variation", 1}}}};
  Response r = Call("POST", "/proxies/s/toxics", equal.dump());
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(Body(r)["attributes"]["size_variation"], 1);
  EXPECT_EQ(apitest::EchoThrough(PortOf(p["listen"].get<std::string>()), "sliced bytes"),
            "sliced bytes");

  Json larger = {{"name", "big"},
                 {"type", "slicer"},
                 {"attributes", {{"average_size", 64}, {"size_variation", 65}}}};
  ExpectError(Call("POST", "/proxies/s/toxics", larger.dump()), 400,
              "bad request body: attributes.size_variation: must be at most average_size");
  // An update to the limit is accepted too (the popular client's test sends 64/64 this way).
  Response up = Call("PATCH", "/proxies/s/toxics/slicer_downstream",
                     R"({"attributes":{"average_size":64,"size_variation":64}})");
  ASSERT_EQ(up.status, 200) << up.body;
  EXPECT_EQ(Body(up)["attributes"]["size_variation"], 64);
}

TEST_F(ParityTest, ToxicsAreListedUpstreamFirstEachInCreationOrder) {
  Create("o");
  Toxic("o", "down_a", "downstream");
  Toxic("o", "up_b", "upstream");
  Toxic("o", "down_c", "downstream");
  Toxic("o", "up_d", "UPSTREAM");
  const std::vector<std::string> want = {"up_b", "up_d", "down_a", "down_c"};
  EXPECT_EQ(Names(Body(Call("GET", "/proxies/o/toxics"))), want);
  EXPECT_EQ(Names(Body(Call("GET", "/proxies/o"))["toxics"]), want);
  EXPECT_EQ(Names(Body(Call("GET", "/proxies"))["o"]["toxics"]), want);
  ASSERT_EQ(Call("DELETE", "/proxies/o/toxics/up_b").status, 204);
  Toxic("o", "up_e", "upstream");
  EXPECT_EQ(Names(Body(Call("GET", "/proxies/o/toxics"))),
            (std::vector<std::string>{"up_d", "up_e", "down_a", "down_c"}));
}

TEST_F(ParityTest, BindFailuresAreWordedAsToxiproxyWordsThem) {
  Json p = Create("first");
  const std::string bound = p["listen"];
  for (const std::string& listen : {bound, "localhost:" + std::to_string(PortOf(bound))}) {
    Json req = {{"name", "second"}, {"listen", listen}, {"upstream", Upstream()}};
    // Go's net.Listen error, naming the resolved address, with Toxiproxy's status.
    ExpectError(Call("POST", "/proxies", req.dump()), 500,
                "listen tcp " + bound + ": bind: address already in use");
  }
  Create("other");
  Response moved =
      Call("PATCH", "/proxies/other", Json{{"listen", bound}, {"upstream", Upstream()}}.dump());
  ExpectError(moved, 500, "listen tcp " + bound + ": bind: address already in use");
}

TEST(RequestIdTest, FormatIsXids) {
  // The example of github.com/rs/xid's README and its 12 bytes.
  EXPECT_EQ(FormatXid(0x4d88e15b, {0x60, 0xf4, 0x86}, 0xe428, 0x412dc9), "9m4e2mr0ui3e8a215n4g");
  EXPECT_EQ(FormatXid(0, {0, 0, 0}, 0, 0), "00000000000000000000");
  EXPECT_EQ(FormatXid(0xffffffff, {0xff, 0xff, 0xff}, 0xffff, 0xffffff), "vvvvvvvvvvvvvvvvvvvg");
  // Only the low 24 bits of the counter count, as in xid.
  EXPECT_EQ(FormatXid(1, {1, 2, 3}, 4, 0x1000005), FormatXid(1, {1, 2, 3}, 4, 5));
}

TEST(RequestIdTest, EveryResponseCarriesAFreshOne) {
  proxy::Engine engine;
  ApiServer::Options o;
  o.host = "127.0.0.1";
  o.port = 0;
  ApiServer server(engine, o);
  auto ep = server.Start();
  ASSERT_TRUE(ep) << ep.error().ToString();
  apitest::HttpConnection c(ep->port);
  ASSERT_TRUE(c.connected());
  const std::regex xid("[0-9a-v]{20}");
  std::set<std::string> seen;
  struct Case {
    const char* method;
    const char* target;
    const char* body;
    int status;
  };
  for (const Case& k : {Case{"GET", "/version", "", 200}, Case{"GET", "/proxies/none", "", 404},
                        Case{"POST", "/reset", "", 204}, Case{"PUT", "/proxies", "", 405},
                        Case{"POST", "/proxies", "{", 400}, Case{"GET", "/version", "", 200}}) {
    auto r = c.Request(k.method, k.target, k.body);
    ASSERT_TRUE(r) << k.target;
    EXPECT_EQ(r->status, k.status) << k.method << " " << k.target;
    const std::string id = r->header("x-toxiproxy-request-id");
    EXPECT_TRUE(std::regex_match(id, xid)) << k.method << " " << k.target << ": '" << id << "'";
    seen.insert(id);
  }
  EXPECT_EQ(seen.size(), 6u);  // one per response
  // The client's own header is not echoed: Toxiproxy makes a new one for every request.
  auto mine = c.Request("GET", "/version", "", {"X-Toxiproxy-Request-Id: mine"});
  ASSERT_TRUE(mine);
  EXPECT_TRUE(std::regex_match(mine->header("x-toxiproxy-request-id"), xid));
}

}  // namespace
}  // namespace chaosrun::proxy_api
