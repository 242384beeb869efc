// faults/describe.h: a fault's targets and undo in words, from the plans the built-in drivers
// compute (shapes as drivers/*/ prepare them), and a driver's own undo_description.
#include "faults/describe.h"

#include <gtest/gtest.h>

namespace chaosrun::faults {
namespace {

std::string Undo(const std::string& driver, const std::string& func, const Json& undo) {
  return DescribeUndo(driver, func, Json{{"undo", undo}});
}

TEST(Describe, TargetsByNameAndPid) {
  EXPECT_EQ(DescribeTarget("process:nginx/1234"), "nginx (pid 1234)");
  EXPECT_EQ(DescribeTarget("proxy:127.0.0.1:8474/web"), "proxy web (API 127.0.0.1:8474)");
  EXPECT_EQ(DescribeTarget("file:/etc/ssl/x.pem"), "file /etc/ssl/x.pem");
  EXPECT_EQ(DescribeTarget("unit:nginx.service"), "unit nginx.service");
  EXPECT_EQ(DescribeTarget("something"), "something");
  const std::vector<std::string> none;
  EXPECT_EQ(DescribeTargets(none), "no target");
  const std::vector<std::string> two = {"process:a/1", "process:b/2"};
  EXPECT_EQ(DescribeTargets(two), "a (pid 1), b (pid 2)");
  const std::vector<std::string> many(8, "process:x/9");
  EXPECT_NE(DescribeTargets(many).find("and 3 more"), std::string::npos);
}

TEST(Describe, UndoOfEachBuiltInShape) {
  const Json one = {{"action", "stop"}, {"processes", Json::array({{{"pid", 12}}})}};
  EXPECT_EQ(Undo("process", "stop", one), "SIGCONT pid 12");
  const Json two = {{"action", "stop"}, {"processes", Json::array({{{"pid", 1}}, {{"pid", 2}}})}};
  EXPECT_EQ(Undo("process", "stop", two), "SIGCONT pids 1, 2");
  const Json restart = {{"action", "kill"},
                        {"restart", Json::array({"nginx", "-g", "daemon off;"})}};
  EXPECT_EQ(Undo("process", "kill", restart), "restart: nginx -g 'daemon off;'");
  const Json unit = {{"action", "kill"}, {"unit", "x.service"}};
  EXPECT_EQ(Undo("process", "kill", unit), "systemctl start x.service");
  const Json toxic = {{"api", "http://h"}, {"proxy", "web"}, {"toxic", "lat"}};
  EXPECT_EQ(Undo("network", "add_toxic", toxic), "remove toxic lat from proxy web");
  const Json enable = {{"proxy", "web"}, {"enabled", true}};
  EXPECT_EQ(Undo("network", "disable_proxy", enable), "enable proxy web");
  const Json created = {{"proxy", "web"}, {"upstream", "127.0.0.1:80"}};
  EXPECT_EQ(Undo("network", "create_proxy", created), "delete proxy web");
  const Json files = {{"files", Json::array({1, 2})}, {"reload", {{"pid", 3}}}};
  EXPECT_EQ(Undo("tls", "replace_certificate", files), "restore 2 files, then reload");
  const Json opaque = {{"opaque", 1}, {"more", 2}};
  EXPECT_EQ(Undo("x", "y", opaque), "x.y's undo");
  const Json own = {{"undo_description", "mine"}, {"undo", 1}};
  EXPECT_EQ(DescribeUndo("x", "y", own), "mine");
}

}  // namespace
}  // namespace chaosrun::faults
