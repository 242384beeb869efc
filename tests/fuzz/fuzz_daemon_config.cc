// libFuzzer target: chaosrund's configuration (src/daemon/config.h): JSON or YAML text through
// parse::ParseText into ParseConfig. Input: first byte picks the format ('y' YAML, anything else
// JSON), the rest is the document. Relative paths resolve against a private temporary directory
// holding a token file and an experiments directory (the seeds name them), removed at exit; the
// parser only stat()s paths. Never a crash or an exception; every problem names a JSON pointer
// and a reason, and a config without problems holds only values its documented ranges allow.
#include <stdlib.h>
#include <unistd.h>

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>
#include <vector>

#include "daemon/config.h"
#include "parse/loader.h"

namespace cfg = chaosrun::daemon;
namespace parse = chaosrun::parse;

namespace {

std::string& ConfigDir() {
  static std::string dir;
  return dir;
}

void RemoveConfigDir() {
  std::error_code ec;
  if (!ConfigDir().empty()) std::filesystem::remove_all(ConfigDir(), ec);
}

const std::string& BaseDir() {
  if (ConfigDir().empty()) {
    char tmpl[] = "/tmp/chaosrun-fuzz-config-XXXXXX";
    if (::mkdtemp(tmpl) == nullptr) std::abort();
    ConfigDir() = tmpl;
    std::atexit(RemoveConfigDir);
    std::filesystem::create_directory(ConfigDir() + "/experiments");
    std::ofstream(ConfigDir() + "/token") << "0123456789abcdef0123\n";
  }
  return ConfigDir();
}

bool InRange(double v, double lo, double hi) { return v >= lo && v <= hi; }  // false for NaN

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const std::string_view text(reinterpret_cast<const char*>(data + 1), size - 1);
  const bool yaml = data[0] == 'y';
  auto doc = parse::ParseText(text, yaml ? parse::DocFormat::kYaml : parse::DocFormat::kJson,
                              yaml ? "chaosrund.yaml" : "chaosrund.json");
  if (!doc) return 0;
  std::vector<cfg::ConfigProblem> problems;
  const cfg::DaemonConfig c = cfg::ParseConfig(*doc, BaseDir(), problems);
  for (const auto& p : problems) {
    if ((!p.pointer.empty() && p.pointer[0] != '/') || p.message.empty()) std::abort();
  }
  (void)cfg::FormatProblems(problems);
  if (!problems.empty()) return 0;
  const cfg::RunLimits& l = c.limits;
  if (l.max_concurrent_runs < 1 || l.max_concurrent_runs > 256 || l.queue_size > 100000 ||
      !InRange(l.run_deadline_seconds, 0, 7 * 86400.0) || l.api_history_limit < 1) {
    std::abort();
  }
  const cfg::WebhookLimits& w = c.webhooks;
  if (!InRange(w.timeout_seconds, 0.1, 60) || w.attempts < 1 || w.attempts > 10 ||
      !InRange(w.backoff_seconds, 0, 60)) {
    std::abort();
  }
  if (c.token_file.empty() || c.experiments_dir.empty() || !c.proxies.is_array()) std::abort();
  return 0;
}
