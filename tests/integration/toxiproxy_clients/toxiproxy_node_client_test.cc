// The real Node client, toxiproxy-node-client 4.1.0 from npm, against a real `chaosrun proxy
// serve` child: node_client_check.js (beside this file) creates, reads, disables and enables
// proxies, adds, lists, updates and removes toxics, resets, populates and deletes, checking what
// the client parses, and sends traffic through the proxies to a TCP echo server it runs on
// 127.0.0.1 (see the script for how each toxic is proven without timing anything).
//
// The client comes from scripts/setup.sh, which installs it outside the checkout under
// $HOME/.cache/chaosrun/node (CHAOSRUN_NODE_PREFIX overrides). Without node or the client the test
// is skipped with the path it looked for, unless CHAOSRUN_REQUIRE_TOXIPROXY_CLIENTS=1 (.ci/run
// sets it): then it fails.
#include <gtest/gtest.h>

#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "common/which.h"
#include "integration/proxy_api/serve_process.h"
#include "support/process_helpers.h"
#include "support/temp_dir.h"

extern char** environ;

namespace chaosrun {
namespace {

namespace fs = std::filesystem;

std::string EnvOr(const char* name, const std::string& fallback) {
  const char* v = std::getenv(name);
  return v != nullptr && *v != '\0' ? v : fallback;
}

fs::path NodePrefix() {
  return EnvOr("CHAOSRUN_NODE_PREFIX", EnvOr("HOME", "/nonexistent") + "/.cache/chaosrun/node");
}

bool ClientsRequired() { return EnvOr("CHAOSRUN_REQUIRE_TOXIPROXY_CLIENTS", "") == "1"; }

std::string SlurpFile(const fs::path& path) {
  std::ifstream in(path);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

#define REQUIRE_OR_SKIP(cond, what)                                                               \
  do {                                                                                            \
    if (!(cond)) {                                                                                \
      if (ClientsRequired()) FAIL() << what << " (CHAOSRUN_REQUIRE_TOXIPROXY_CLIENTS=1)";         \
      GTEST_SKIP() << what << ": the real-client test is skipped (scripts/setup.sh installs it)"; \
    }                                                                                             \
  } while (0)

TEST(ToxiproxyNodeClient, WorksAgainstProxyServe) {
  const std::optional<std::string> node = Which("node");
  REQUIRE_OR_SKIP(node.has_value(), "no node on the PATH (" + EnvOr("PATH", "") + ")");
  const fs::path modules = NodePrefix() / "node_modules";
  const fs::path client = modules / "toxiproxy-node-client" / "package.json";
  REQUIRE_OR_SKIP(fs::exists(client),
                  "toxiproxy-node-client is not installed (" + client.string() + " is missing)");
  ASSERT_NE(SlurpFile(client).find("\"version\": \"4.1.0\""), std::string::npos)
      << client << " is not version 4.1.0";

  apitest::ServeProcess serve({"proxy", "serve", "--api", "127.0.0.1:0"});
  const int api = serve.WaitForApiPort();
  ASSERT_GT(api, 0) << "proxy serve did not report its API port";

  testing::TempDir dir;
  const fs::path out = dir.path() / "node.out";
  std::vector<std::string> env;
  for (char** e = environ; *e != nullptr; ++e) {
    if (std::string(*e).rfind("NODE_PATH=", 0) != 0) env.emplace_back(*e);
  }
  env.push_back("NODE_PATH=" + modules.string());
  testing::SpawnFiles files;
  files.stdout_path = out.string();
  files.stderr_to_stdout = true;
  files.env = &env;
  const std::string script = std::string(CHAOSRUN_SOURCE_DIR) +
                             "/tests/integration/toxiproxy_clients/node_client_check.js";
  std::string error;
  const int code = testing::RunWithFiles({*node, script, "http://127.0.0.1:" + std::to_string(api)},
                                         files, &error);
  const std::string output = SlurpFile(out);
  EXPECT_EQ(code, 0) << error << "\n" << output;
  EXPECT_NE(output.find("node client: all checks passed"), std::string::npos) << output;

  serve.Signal(SIGTERM);
  const apitest::Exit exit = serve.Wait();
  EXPECT_EQ(exit.code, 0) << exit.err;
}

}  // namespace
}  // namespace chaosrun
