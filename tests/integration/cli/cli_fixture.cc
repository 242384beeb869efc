#include "cli_fixture.h"

namespace chaosrun::clitest {

Json ProcessActivity(const std::string& type, const std::string& name, const std::string& path,
                     const Json& arguments) {
  return Json{{"type", type},
              {"name", name},
              {"provider", {{"type", "process"}, {"path", path}, {"arguments", arguments}}}};
}

Json Experiment(const Json& method, const Json& probes, const Json& rollbacks) {
  Json e = Json::object();
  e["title"] = "cli test";
  e["description"] = "an experiment written by the CLI integration tests";
  if (!probes.is_null()) e["steady-state-hypothesis"] = {{"title", "steady"}, {"probes", probes}};
  e["method"] = method;
  if (!rollbacks.is_null()) e["rollbacks"] = rollbacks;
  return e;
}

}  // namespace chaosrun::clitest
