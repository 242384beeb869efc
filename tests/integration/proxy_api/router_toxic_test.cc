// The toxic routes through Route() on a real engine (no HTTP server): create, list, show, update
// (POST and PATCH), delete, every error in Toxiproxy's order, and chaosrun's `duration`.
#include "router_fixture.h"

namespace chaosrun::proxy_api {
namespace {

TEST_F(RouterTest, ToxicLifecycle) {
  Create("db");
  EXPECT_EQ(Body(Call("GET", "/proxies/db/toxics")), Json::array());
  Json t = AddLatency("db", 25);
  EXPECT_EQ(t["name"], "latency_downstream");  // Toxiproxy's default name: <type>_<stream>
  EXPECT_EQ(t["type"], "latency");
  EXPECT_EQ(t["stream"], "downstream");
  EXPECT_EQ(t["toxicity"], 1.0);
  EXPECT_EQ(t["attributes"]["latency"], 25);

  Response list = Call("GET", "/proxies/db/toxics");
  ASSERT_EQ(Body(list).size(), 1u);
  EXPECT_EQ(Body(list)[0]["name"], "latency_downstream");
  EXPECT_EQ(Body(Call("GET", "/proxies/db"))["toxics"].size(), 1u);
  Response show = Call("GET", "/proxies/db/toxics/latency_downstream");
  EXPECT_EQ(show.status, 200);
  EXPECT_EQ(Body(show)["attributes"]["latency"], 25);

  // Update: the Go client's PATCH body; attributes merge, toxicity changes.
  Response up = Call("PATCH", "/proxies/db/toxics/latency_downstream",
                     R"({"attributes":{"latency":40},"toxicity":0.5})");
  ASSERT_EQ(up.status, 200) << up.body;
  EXPECT_EQ(Body(up)["attributes"]["latency"], 40);
  EXPECT_EQ(Body(up)["attributes"]["jitter"], 0);
  EXPECT_DOUBLE_EQ(Body(up)["toxicity"].get<double>(), 0.5);
  Response post_up =
      Call("POST", "/proxies/db/toxics/latency_downstream", R"({"attributes":{"jitter":3}})");
  ASSERT_EQ(post_up.status, 200) << post_up.body;
  EXPECT_EQ(Body(post_up)["attributes"]["latency"], 40);
  EXPECT_EQ(Body(post_up)["attributes"]["jitter"], 3);
  EXPECT_DOUBLE_EQ(Body(post_up)["toxicity"].get<double>(), 0.5);  // absent: unchanged

  Response del = Call("DELETE", "/proxies/db/toxics/latency_downstream");
  EXPECT_EQ(del.status, 204);
  EXPECT_TRUE(del.body.empty());
  EXPECT_EQ(Body(Call("GET", "/proxies/db/toxics")), Json::array());
}

TEST_F(RouterTest, ToxicNamesStreamsAndTypes) {
  Create("p");
  Json up = {{"name", "slow_up"},
             {"type", "bandwidth"},
             {"stream", "Upstream"},  // case-insensitive, as Toxiproxy parses it
             {"toxicity", 0.25},
             {"attributes", {{"rate", 100}}}};
  Response r = Call("POST", "/proxies/p/toxics", up.dump());
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(Body(r)["name"], "slow_up");
  EXPECT_EQ(Body(r)["stream"], "upstream");
  EXPECT_DOUBLE_EQ(Body(r)["toxicity"].get<double>(), 0.25);
  // ctk's body: attributes null is "no attributes".
  Response ctk = Call("POST", "/proxies/p/toxics",
                      R"({"name":"cut","type":"reset_peer","stream":"downstream",)"
                      R"("toxicity":1.0,"attributes":null})");
  EXPECT_EQ(ctk.status, 200) << ctk.body;
  for (const char* type : {"latency", "bandwidth", "slow_close", "timeout", "reset_peer", "slicer",
                           "limit_data", "noop"}) {
    Json t = {{"name", std::string("t_") + type}, {"type", type}};
    if (std::string(type) == "slicer") t["attributes"] = {{"average_size", 64}};  // required
    EXPECT_EQ(Call("POST", "/proxies/p/toxics", t.dump()).status, 200) << type;
  }
}

TEST_F(RouterTest, ToxicErrors) {
  Create("p");
  AddLatency("p", 10);
  ExpectError(Call("POST", "/proxies/p/toxics", R"({"type":"latency"})"), 409,
              "toxic already exists");
  ExpectError(Call("POST", "/proxies/p/toxics", R"({"type":"teleport"})"), 400,
              "invalid toxic type");
  ExpectError(Call("POST", "/proxies/p/toxics", R"({"name":"x"})"), 400, "invalid toxic type");
  ExpectError(Call("POST", "/proxies/p/toxics", R"({"type":"latency","stream":"sideways"})"), 400,
              "stream was invalid, can be either upstream or downstream");
  ExpectError(Call("POST", "/proxies/p/toxics", ""), 400, "bad request body: EOF");
  ExpectErrorPrefix(Call("POST", "/proxies/p/toxics", "{nope"), 400, "bad request body: ");
  ExpectError(Call("POST", "/proxies/p/toxics", R"({"type":"latency","name":"a","toxicity":"x"})"),
              400, "bad request body: toxicity must be a number");
  ExpectError(Call("POST", "/proxies/p/toxics", R"({"type":"latency","name":"b","attributes":7})"),
              400, "bad request body: attributes must be an object");
  ExpectErrorPrefix(Call("POST", "/proxies/p/toxics",
                         R"({"type":"latency","name":"c","attributes":{"latency":"slow"}})"),
                    400, "bad request body: attributes.latency");
  ExpectError(Call("POST", "/proxies/p/toxics", R"({"type":"slicer","name":"s"})"), 400,
              "bad request body: attributes.average_size: required for slicer");
  ExpectError(Call("GET", "/proxies/p/toxics/nope"), 404, "toxic not found");
  ExpectError(Call("PATCH", "/proxies/p/toxics/nope", "{}"), 404, "toxic not found");
  ExpectError(Call("POST", "/proxies/p/toxics/nope", "garbage"), 404, "toxic not found");
  ExpectError(Call("DELETE", "/proxies/p/toxics/nope"), 404, "toxic not found");
  ExpectError(Call("PATCH", "/proxies/p/toxics/latency_downstream", ""), 400,
              "bad request body: EOF");
  ExpectError(Call("PATCH", "/proxies/p/toxics/latency_downstream", R"({"toxicity":true})"), 400,
              "bad request body: toxicity must be a number");
  // Only the latency toxic exists after all that.
  EXPECT_EQ(Body(Call("GET", "/proxies/p/toxics")).size(), 1u);
}

TEST_F(RouterTest, DeepOrHugeBodiesAre400) {
  Create("p");
  std::string deep = R"({"type":"latency","attributes":{"latency":1,"x":)" +
                     std::string(200000, '[') + std::string(200000, ']') + "}}";
  ExpectError(Call("POST", "/proxies/p/toxics", deep), 400,
              "bad request body: nested deeper than 64 levels");
  ExpectErrorPrefix(Call("POST", "/populate", std::string(100000, '[') + std::string(100000, ']')),
                    400, "bad request body: nested deeper than 64 levels");
  // Brackets inside strings do not count.
  Json named = {{"type", "latency"}, {"name", std::string(100, '[') + "\\\"" + "{"}};
  EXPECT_EQ(Call("POST", "/proxies/p/toxics", named.dump()).status, 200);
  ExpectErrorPrefix(Call("POST", "/proxies/p/toxics", R"({"type":"latency","toxicity":1e999})"),
                    400, "bad request body: ");
}

TEST_F(RouterTest, DurationExtensionIsAccepted) {
  Create("p");
  Response r = Call("POST", "/proxies/p/toxics",
                    R"({"type":"latency","attributes":{"latency":5},"duration":60000})");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(Body(r)["duration"], 60000);
  ExpectError(Call("POST", "/proxies/p/toxics", R"({"name":"d","type":"latency","duration":"1s"})"),
              400, "bad request body: duration must be a number of milliseconds");
}

}  // namespace
}  // namespace chaosrun::proxy_api
