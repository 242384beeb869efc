// The json_rewrite toxic through the Toxiproxy-compatible API (Route(), no sockets): created,
// shown, updated (attributes merged), refused with the field named, removed.
#include <gtest/gtest.h>

#include <string>

#include "proxy_api/router.h"

namespace chaosrun::proxy_api {
namespace json_rewrite_api_test {

class JsonRewriteApiTest : public ::testing::Test {
 protected:
  Response Call(const std::string& method, const std::string& target,
                const std::string& body = "") {
    return Route(engine_, Request{method, target, body, "test"});
  }
  void SetUp() override {
    Json p = {{"name", "ds"}, {"listen", "127.0.0.1:0"}, {"upstream", "127.0.0.1:9"}};
    ASSERT_EQ(Call("POST", "/proxies", p.dump()).status, 201);
  }
  proxy::Engine engine_;
};

TEST_F(JsonRewriteApiTest, CreateShowUpdateDelete) {
  Json toxic = {
      {"type", "json_rewrite"},
      {"attributes",
       {{"operations", Json::array({{{"op", "rename"}, {"field", "age"}, {"to", "age_years"}},
                                    {{"op", "scale"}, {"field", "income"}, {"factor", 100}}})},
        {"records", ""}}}};
  Response r = Call("POST", "/proxies/ds/toxics", toxic.dump());
  ASSERT_EQ(r.status, 200) << r.body;
  Json got = Json::parse(r.body);
  EXPECT_EQ(got["name"], "json_rewrite_downstream");
  EXPECT_EQ(got["stream"], "downstream");
  EXPECT_EQ(got["attributes"]["max_body_bytes"], 1048576);
  EXPECT_EQ(got["attributes"]["operations"][1]["factor"], 100);
  Response shown = Call("GET", "/proxies/ds/toxics/json_rewrite_downstream");
  EXPECT_EQ(Json::parse(shown.body), got);
  // An update merges the attributes: max_body_bytes changes, the operations stay.
  Response u = Call("POST", "/proxies/ds/toxics/json_rewrite_downstream",
                    Json{{"attributes", {{"max_body_bytes", 4096}}}}.dump());
  ASSERT_EQ(u.status, 200) << u.body;
  Json updated = Json::parse(u.body);
  EXPECT_EQ(updated["attributes"]["max_body_bytes"], 4096);
  EXPECT_EQ(updated["attributes"]["operations"], got["attributes"]["operations"]);
  // A bad update is refused, naming the field, and changes nothing.
  Response bad =
      Call("POST", "/proxies/ds/toxics/json_rewrite_downstream",
           Json{{"attributes", {{"operations", Json::array({{{"op", "drop"}}})}}}}.dump());
  EXPECT_EQ(bad.status, 400);
  EXPECT_NE(bad.body.find("attributes.operations[0].field: required"), std::string::npos)
      << bad.body;
  EXPECT_EQ(Json::parse(Call("GET", "/proxies/ds/toxics/json_rewrite_downstream").body), updated);
  EXPECT_EQ(Call("DELETE", "/proxies/ds/toxics/json_rewrite_downstream").status, 204);
  EXPECT_EQ(Call("GET", "/proxies/ds/toxics/json_rewrite_downstream").status, 404);
}

TEST_F(JsonRewriteApiTest, BadAttributesNameTheField) {
  Json toxic = {
      {"type", "json_rewrite"},
      {"stream", "upstream"},
      {"attributes",
       {{"operations", Json::array({{{"op", "drop"}, {"field", "a"}},
                                    {{"op", "retype"}, {"field", "a"}, {"type", "date"}}})}}}};
  Response r = Call("POST", "/proxies/ds/toxics", toxic.dump());
  EXPECT_EQ(r.status, 400);
  Json b = Json::parse(r.body);
  EXPECT_EQ(b["error"],
            "bad request body: attributes.operations[1].type: must be one of string, number, "
            "integer, boolean, null");
  Response none = Call("POST", "/proxies/ds/toxics", Json{{"type", "json_rewrite"}}.dump());
  EXPECT_EQ(none.status, 400);
  EXPECT_NE(none.body.find("attributes.operations: required for json_rewrite"), std::string::npos);
  EXPECT_EQ(Json::parse(Call("GET", "/proxies/ds/toxics").body), Json::array());
  // Other types keep refusing non-numeric attributes.
  Response latency = Call("POST", "/proxies/ds/toxics",
                          Json{{"type", "latency"}, {"attributes", {{"latency", "x"}}}}.dump());
  EXPECT_EQ(latency.status, 400);
}

}  // namespace json_rewrite_api_test
}  // namespace chaosrun::proxy_api
