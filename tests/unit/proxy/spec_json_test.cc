// Parsing and printing of toxics and proxies, and every validation error.
#include <gtest/gtest.h>

#include <limits>

#include "proxy/address.h"
#include "proxy/engine.h"
#include "proxy/toxic_params.h"

namespace chaosrun::proxy {
namespace {

std::string ErrorOf(const Json& j) {
  auto r = ToxicFromJson(j);
  EXPECT_FALSE(r.has_value()) << j.dump();
  if (r) return "";
  EXPECT_EQ(r.error().code(), Code::kInvalidArgument);
  return r.error().message();
}

TEST(ToxicJsonTest, DefaultsFollowToxiproxy) {
  auto t = ToxicFromJson(Json{{"type", "latency"}, {"attributes", {{"latency", 100}}}});
  ASSERT_TRUE(t.has_value());
  EXPECT_EQ(t->name, "latency_downstream");
  EXPECT_EQ(t->stream, Stream::kDownstream);
  EXPECT_EQ(t->toxicity, 1.0);
  EXPECT_FALSE(t->duration.has_value());
  Json out = ToxicToJson(*t);
  EXPECT_EQ(out, Json::parse(R"({"name":"latency_downstream","type":"latency",
      "stream":"downstream","toxicity":1.0,"attributes":{"latency":100,"jitter":0}})"));
}

TEST(ToxicJsonTest, EveryTypeRoundTripsWithItsAttributes) {
  const Json cases = Json::parse(R"([
    {"type":"latency","attributes":{"latency":10,"jitter":2}},
    {"type":"bandwidth","attributes":{"rate":100}},
    {"type":"slow_close","attributes":{"delay":50}},
    {"type":"timeout","attributes":{"timeout":0}},
    {"type":"reset_peer","attributes":{"timeout":20}},
    {"type":"slicer","attributes":{"average_size":10,"size_variation":5,"delay":100}},
    {"type":"limit_data","attributes":{"bytes":1000}}])");
  for (const Json& c : cases) {
    Json in = c;
    in["name"] = "x";
    in["stream"] = "upstream";
    in["toxicity"] = 0.5;
    in["duration"] = 1500;
    auto t = ToxicFromJson(in);
    ASSERT_TRUE(t.has_value()) << c.dump() << t.error().ToString();
    EXPECT_EQ(t->stream, Stream::kUpstream);
    EXPECT_EQ(t->duration, std::chrono::milliseconds(1500));
    Json out = ToxicToJson(*t);
    EXPECT_EQ(out["attributes"], c["attributes"]) << c.dump();
    EXPECT_EQ(out["duration"], 1500);
    auto again = ToxicFromJson(out);
    ASSERT_TRUE(again.has_value());
    EXPECT_EQ(ToxicToJson(*again), out);
  }
}

TEST(ToxicJsonTest, MissingAttributesTakeZero) {
  auto t = ToxicFromJson(Json{{"type", "bandwidth"}});
  ASSERT_TRUE(t.has_value());
  EXPECT_EQ(t->attributes, Json({{"rate", 0}}));
}

TEST(ToxicJsonTest, ValidationErrorsNameTheField) {
  EXPECT_EQ(ErrorOf(Json::array()), "toxic: must be a JSON object");
  EXPECT_EQ(ErrorOf(Json::object()), "type: required");
  EXPECT_EQ(ErrorOf(Json{{"type", 3}}), "type: must be a string");
  EXPECT_EQ(ErrorOf(Json{{"type", "nope"}}), "type: unknown toxic type 'nope'");
  EXPECT_EQ(ErrorOf(Json{{"type", "latency"}, {"stream", "sideways"}}),
            "stream: must be \"upstream\" or \"downstream\"");
  EXPECT_EQ(ErrorOf(Json{{"type", "latency"}, {"name", 1}}), "name: must be a string");
  EXPECT_EQ(ErrorOf(Json{{"type", "latency"}, {"toxicity", 1.5}}),
            "toxicity: must be a number between 0 and 1");
  EXPECT_EQ(ErrorOf(Json{{"type", "latency"}, {"toxicity", "high"}}),
            "toxicity: must be a number between 0 and 1");
  // A YAML populate file can hold `.nan`.
  EXPECT_EQ(
      ErrorOf(Json{{"type", "latency"}, {"toxicity", std::numeric_limits<double>::quiet_NaN()}}),
      "toxicity: must be a number between 0 and 1");
  EXPECT_EQ(ErrorOf(Json{{"type", "latency"}, {"duration", -1}}),
            "duration: must be a non-negative integer (milliseconds)");
  EXPECT_EQ(ErrorOf(Json{{"type", "latency"}, {"attributes", 5}}), "attributes: must be an object");
  EXPECT_EQ(ErrorOf(Json{{"type", "latency"}, {"attributes", {{"latency", -1}}}}),
            "attributes.latency: must be a non-negative integer");
  EXPECT_EQ(ErrorOf(Json{{"type", "latency"}, {"attributes", {{"latency", "100"}}}}),
            "attributes.latency: must be a non-negative integer");
  EXPECT_EQ(ErrorOf(Json{{"type", "latency"}, {"attributes", {{"latency", 1.5}}}}),
            "attributes.latency: must be a non-negative integer");
  EXPECT_EQ(ErrorOf(Json{{"type", "latency"}, {"attributes", {{"rate", 1}}}}),
            "attributes.rate: unknown attribute of latency");
  EXPECT_EQ(ErrorOf(Json{{"type", "slicer"}}), "attributes.average_size: required for slicer");
  EXPECT_EQ(ErrorOf(Json{{"type", "slicer"}, {"attributes", {{"average_size", 0}}}}),
            "attributes.average_size: must be a positive integer");
  EXPECT_EQ(ErrorOf(Json{{"type", "slicer"},
                         {"attributes", {{"average_size", 5}, {"size_variation", 6}}}}),
            "attributes.size_variation: must be at most average_size");
}

TEST(ToxicJsonTest, WholeNumberFloatsAreAccepted) {
  auto t = ToxicFromJson(Json{{"type", "latency"}, {"attributes", {{"latency", 100.0}}}});
  ASSERT_TRUE(t.has_value());
  EXPECT_EQ(t->attributes["latency"], 100);
}

TEST(ToxicParamsTest, MergeKeepsOtherAttributes) {
  auto p = ParseAttributes(ToxicType::kLatency, Json{{"latency", 10}, {"jitter", 3}});
  ASSERT_TRUE(p.has_value());
  auto m = MergeAttributes(*p, Json{{"latency", 20}});
  ASSERT_TRUE(m.has_value());
  EXPECT_EQ(m->latency, 20);
  EXPECT_EQ(m->jitter, 3);
  EXPECT_FALSE(MergeAttributes(*p, Json{{"jitter", -2}}).has_value());
  EXPECT_EQ(ToxicTypeName(ToxicType::kResetPeer), std::string("reset_peer"));
  EXPECT_FALSE(ToxicTypeFromName("Latency").has_value());
}

TEST(ProxyJsonTest, ParsesAndValidates) {
  auto p = ProxyFromJson(Json{{"name", "db"}, {"listen", "127.0.0.1:0"}, {"upstream", "x:1"}});
  ASSERT_TRUE(p.has_value());
  EXPECT_TRUE(p->enabled);
  p = ProxyFromJson(Json{{"name", "db"}, {"upstream", "x:1"}, {"enabled", false}});
  ASSERT_TRUE(p.has_value());
  EXPECT_FALSE(p->enabled);
  EXPECT_EQ(p->listen, "127.0.0.1:0");
  auto err = [](const Json& j) {
    auto r = ProxyFromJson(j);
    return r ? std::string() : r.error().message();
  };
  EXPECT_EQ(err(Json::array()), "proxy: must be a JSON object");
  EXPECT_EQ(err(Json{{"upstream", "x:1"}}), "name: required");
  EXPECT_EQ(err(Json{{"name", "a"}}), "upstream: required");
  EXPECT_EQ(err(Json{{"name", "a"}, {"upstream", "x:1"}, {"enabled", "yes"}}),
            "enabled: must be a boolean");
  EXPECT_EQ(err(Json{{"name", "a"}, {"upstream", 5}}), "upstream: must be a string");
}

TEST(AddressTest, HostPortForms) {
  auto a = ParseHostPort("127.0.0.1:8080", "listen");
  ASSERT_TRUE(a.has_value());
  EXPECT_EQ(a->host, "127.0.0.1");
  EXPECT_EQ(a->port, 8080);
  a = ParseHostPort("[::1]:0", "listen");
  ASSERT_TRUE(a.has_value());
  EXPECT_EQ(a->host, "::1");
  EXPECT_EQ(FormatHostPort("::1", 5), "[::1]:5");
  EXPECT_EQ(ParseHostPort(":80", "listen")->host, "0.0.0.0");
  EXPECT_FALSE(ParseHostPort("nohost", "upstream").has_value());
  auto bad = ParseHostPort("h:70000", "upstream");
  ASSERT_FALSE(bad.has_value());
  EXPECT_EQ(bad.error().message().rfind("upstream: port must be a number", 0), 0u);
}

TEST(EngineValidationTest, StatusCodesPerEngineContract) {
  Engine engine;
  ProxySpec bad;
  bad.name = "p";
  bad.listen = "127.0.0.1:0";
  bad.upstream = "nonsense";
  EXPECT_EQ(engine.CreateProxy(bad).error().code(), Code::kInvalidArgument);
  EXPECT_EQ(engine.GetProxy("p").error().code(), Code::kNotFound);
  EXPECT_EQ(engine.DeleteProxy("p").code(), Code::kNotFound);
  ToxicSpec t;
  t.type = "latency";
  EXPECT_EQ(engine.AddToxic("p", t).error().code(), Code::kNotFound);
  ProxySpec ok = bad;
  ok.upstream = "127.0.0.1:9";
  ASSERT_TRUE(engine.CreateProxy(ok).has_value());
  EXPECT_EQ(engine.CreateProxy(ok).error().code(), Code::kAlreadyExists);
  t.type = "warp";
  EXPECT_EQ(engine.AddToxic("p", t).error().code(), Code::kInvalidArgument);
  t.type = "latency";
  t.attributes = Json{{"latency", -5}};
  auto r = engine.AddToxic("p", t);
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().message(), "attributes.latency: must be a non-negative integer");
  t.attributes = Json{{"latency", 5}};
  ASSERT_TRUE(engine.AddToxic("p", t).has_value());
  EXPECT_EQ(engine.AddToxic("p", t).error().code(), Code::kAlreadyExists);
  EXPECT_EQ(engine.RemoveToxic("p", "nope").code(), Code::kNotFound);
  EXPECT_EQ(
      engine.UpdateToxic("p", "latency_downstream", Json{{"stream", "upstream"}}).error().code(),
      Code::kInvalidArgument);
  auto u = engine.UpdateToxic("p", "latency_downstream", Json{{"attributes", {{"jitter", 2}}}});
  ASSERT_TRUE(u.has_value());
  EXPECT_EQ((*u)["attributes"], Json({{"latency", 5}, {"jitter", 2}}));
  EXPECT_EQ(engine.UpdateProxy("p", Json{{"enabled", "no"}}).error().code(),
            Code::kInvalidArgument);
  EXPECT_EQ(engine.UpdateProxy("q", Json::object()).error().code(), Code::kNotFound);
  EXPECT_EQ(engine.Stats("p")->toxics_active, 1u);
}

}  // namespace
}  // namespace chaosrun::proxy
