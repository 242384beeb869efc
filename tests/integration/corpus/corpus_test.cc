// Validation over the public Chaos Toolkit corpus (shared/corpus/ctk-public, see SOURCES.md):
// every experiment is either accepted or rejected for the reason the reference gave.
//
// The environment is clean (no variables but PATH), as in the reference's run. The reference
// stopped at its first error; chaosrun reports all of them, so for a rejected file the test asserts
// that the reference's reason is *among* ours. Python activities are resolved through the python
// bridge with the system's Python, as the reference imports them: a missing module is the
// reference's "could not find Python module 'M' in activity 'N'", files whose modules are in the
// standard library (os, os.path) are valid because the bridge imports them, and the one whose
// module was installed for the reference's own tests only (tests.fixtures) gets only that error
// (kOnlyPython). CorpusPython.TheModulesAreTheOnesChecked pins the python modules the corpus
// imports: none but the standard library's is packaged by Debian (docs/python.md), so "the
// reference's verdict with the module installed" is the verdict of the standard-library files.
#include <gtest/gtest.h>

#include <cctype>
#include <cstdlib>
#include <filesystem>
#include <optional>
#include <ostream>
#include <set>
#include <string>

#include "common/json.h"
#include "parse/loader.h"
#include "validate/validator.h"

namespace chaosrun {
namespace {

namespace fs = std::filesystem;
using validate::Diagnostic;

enum class Expect {
  kValid,       // no error at all (warnings allowed, e.g. python controls)
  kOnlyPython,  // valid for the reference; our only errors are its modules missing here
  kRejected,    // an error containing `message` (at `pointer` when given)
};

struct CorpusCase {
  const char* file;
  Expect expect;
  const char* pointer = nullptr;
  const char* message = nullptr;
  // Structurally broken files have further errors of their own; real-world files must not.
  bool other_errors_allowed = false;
};

constexpr const char* kPython = "could not find Python module";
constexpr const char* kCounterUrl =
    "Configuration makes reference to an environment key that does not exist: COUNTER_URL";
constexpr const char* kEntrypointUrl =
    "Configuration makes reference to an environment key that does not exist: "
    "APPLICATION_ENTRYPOINT_URL";
constexpr const char* kSuperpowerUrl =
    "Configuration makes reference to an environment key that does not exist: SUPERPOWER_URL";
constexpr const char* kVegeta =
    "path 'vegeta' cannot be found, in activity 'simulate-some-traffic'";
constexpr const char* kTolerancesModule =
    "could not find Python module 'tolerances' in activity "
    "'front-service-does-not-return-an-error'";
// SOURCES.md truncates this activity name; a prefix is enough.
constexpr const char* kPrometheusModule =
    "could not find Python module 'chaosprometheus.probes' in activity "
    "'fetch-number-of-failed-calls-from-front-to-";
constexpr const char* kK8sProbes =
    "could not find Python module 'chaosk8s.probes' in activity 'all-services-are-healthy'";

// clang-format off
const CorpusCase kCorpus[] = {
  {"chaostoolkit-incubator__community-playground__from-local-to-automated-chaostoolkit__experiments__rollout-v1-service2.json", Expect::kRejected, "/configuration/counter_service_url", kCounterUrl},
  {"chaostoolkit-incubator__community-playground__from-local-to-automated-chaostoolkit__experiments__rollout-v2-service2-global-settings.json", Expect::kRejected, "/configuration/counter_service_url", kCounterUrl},
  {"chaostoolkit-incubator__community-playground__from-local-to-automated-chaostoolkit__experiments__rollout-v2-service2.json", Expect::kRejected, "/configuration/counter_service_url", kCounterUrl},
  {"chaostoolkit-incubator__community-playground__from-local-to-automated-chaostoolkit__experiments__rollout-v3-service2.json", Expect::kRejected, "/configuration/counter_service_url", kCounterUrl},
  {"chaostoolkit-incubator__community-playground__from-local-to-automated-chaostoolkit__experiments__rollout-v4-service2.json", Expect::kRejected, "/configuration/counter_service_url", kCounterUrl},
  {"chaostoolkit-incubator__community-playground__interactive-controls__samples__simple-interactive-experiment.json", Expect::kValid},
  {"chaostoolkit-incubator__community-playground__interactive-controls__samples__yorn-interactive-experiment.json", Expect::kValid},
  {"chaostoolkit-incubator__community-playground__kubernetes-pack__drain-node-experiment.json", Expect::kRejected, "/configuration/service_url", kEntrypointUrl},
  {"chaostoolkit-incubator__community-playground__kubernetes-pack__kill-pods-experiment.json", Expect::kRejected, "/configuration/service_url", kEntrypointUrl},
  {"chaostoolkit-incubator__community-playground__learning-chaos-engineering-book-samples__chapter5__experiment.json", Expect::kValid},
  {"chaostoolkit-incubator__community-playground__learning-chaos-engineering-book-samples__chapter6__experiment.json", Expect::kRejected, nullptr,
   "could not find Python module 'chaosk8s.pod.probes' in activity 'pods_in_phase'"},
  {"chaostoolkit-incubator__community-playground__superpower__experiments__kubernetes__latency-should-remain-sane-under-heavy-load.json", Expect::kRejected, "/configuration/service_url", kSuperpowerUrl},
  {"chaostoolkit-incubator__community-playground__superpower__experiments__kubernetes__lose-all-of-powersources.json", Expect::kRejected, "/configuration/service_url", kSuperpowerUrl},
  {"chaostoolkit-incubator__community-playground__superpower__experiments__kubernetes__lose-half-of-powersources.json", Expect::kRejected, "/configuration/service_url", kSuperpowerUrl},
  {"chaosiq__chaostoolkit-demos__lab1__experiment.json", Expect::kRejected, nullptr, kTolerancesModule},
  {"chaosiq__chaostoolkit-demos__lab2__experiment.json", Expect::kRejected, nullptr, kVegeta},
  {"chaosiq__chaostoolkit-demos__lab3__experiment.json", Expect::kRejected, nullptr, kVegeta},
  {"chaosiq__chaostoolkit-demos__lab4__experiment.json", Expect::kRejected, nullptr, kPrometheusModule},
  {"chaosiq__chaostoolkit-demos__lab5__experiment.json", Expect::kRejected, nullptr, kPrometheusModule},
  {"chaostoolkit__walkthrough__lab1__experiment.json", Expect::kRejected, nullptr, kTolerancesModule},
  {"chaostoolkit__walkthrough__lab2__experiment.json", Expect::kRejected, nullptr, kVegeta},
  {"chaostoolkit__walkthrough__lab3__experiment.json", Expect::kRejected, nullptr, kVegeta},
  {"chaostoolkit__walkthrough__lab4__experiment.json", Expect::kRejected, nullptr, kPrometheusModule},
  {"chaostoolkit__walkthrough__lab5__experiment.json", Expect::kRejected, nullptr, kPrometheusModule},
  {"chaostoolkit__chaostoolkit-samples__pod-should-be-restarted-when-service-is-unhealthy__experiment.json", Expect::kRejected, "/configuration/webapp_service_url",
   "Configuration makes reference to an environment key that does not exist: WEBAPP_SERVICE_ADDR"},
  {"chaostoolkit__chaostoolkit-samples__service-down-not-visible-to-users__experiment.json", Expect::kRejected, nullptr, kK8sProbes},
  {"chaostoolkit__chaostoolkit-samples__service-killed-not-visible-to-users__experiment.json", Expect::kRejected, "/secrets/gremlin/email",
   "Secrets make reference to an environment key that does not exist: GREMLIN_EMAIL"},
  {"nh-777__chaostoolkit-tutorials__02-chaos-engineering-experiments-with-chaostoolkit__service-down-not-visible-to-users__assets__experiment.json", Expect::kRejected, nullptr, kK8sProbes},
  {"Lawouach__chaostoolkit-from-rust__experiment.json", Expect::kValid},
  {"chaostoolkit__chaostoolkit__tests__fixtures__well-formed-experiment.json", Expect::kRejected, "/method/0/type", "an activity must have a type", true},
  {"chaostoolkit__chaostoolkit__tests__fixtures__check-file-exists.json", Expect::kValid},
  {"chaostoolkit__chaostoolkit__tests__fixtures__check-file-exists-fail.json", Expect::kOnlyPython},
  {"chaostoolkit__chaostoolkit__tests__fixtures__check-file-exists-deviated.json", Expect::kValid},
  {"chaostoolkit__chaostoolkit__tests__fixtures__override-rollbacks-runtime-strategy.json", Expect::kValid},
  {"chaostoolkit__chaostoolkit__tests__fixtures__override-hypothesis-runtime-strategy.json", Expect::kValid},
  {"chaostoolkit__chaostoolkit__tests__fixtures__invalid-plan.json", Expect::kRejected, "/description", "experiment requires a description", true},
};
// clang-format on

fs::path CorpusDir() { return fs::path(CHAOSRUN_SHARED_DIR) / "corpus" / "ctk-public"; }

// The corpus lives in shared/ beside the checkout. A clone anywhere else skips these tests with a
// message; CI (CI=true, shared/ laid beside the clone) makes them required.
#define REQUIRE_CORPUS()                                                       \
  do {                                                                         \
    if (!fs::is_directory(CorpusDir())) {                                      \
      const char* ci = std::getenv("CI");                                      \
      if (ci != nullptr && std::string(ci) == "true") {                        \
        FAIL() << "CI needs the corpus at " << CorpusDir();                    \
      }                                                                        \
      GTEST_SKIP() << "no shared/ folder beside the checkout (" << CorpusDir() \
                   << " is missing): the public-corpus tests are skipped";     \
    }                                                                          \
  } while (0)

// A clean environment: PATH only (process paths are looked up the way the reference did).
validate::Options CleanOptions() {
  validate::Options options = validate::DefaultOptions();
  // The system's interpreter where there is one (a shim on the PATH may take seconds to start).
  if (fs::exists("/usr/bin/python3"))
    options.python = validate::BridgePythonCheck("/usr/bin/python3");
  const char* path = std::getenv("PATH");
  const std::string path_value = path == nullptr ? "" : path;
  options.env = [path_value](const std::string& key) -> std::optional<std::string> {
    if (key == "PATH") return path_value;
    return std::nullopt;
  };
  return options;
}

std::string Describe(const std::vector<Diagnostic>& all) {
  std::string out;
  for (const Diagnostic& d : all) out += "  " + d.ToString() + "\n";
  return out.empty() ? "  (no diagnostics)\n" : out;
}

// The errors a well-formed public experiment may get in a clean environment without extensions.
bool IsEnvironmentDependent(const Diagnostic& d) {
  return d.message.starts_with(kPython) ||
         d.message.find("makes reference to an environment key that does not exist") !=
             std::string::npos ||
         d.message.find("make reference to an environment key that does not exist") !=
             std::string::npos ||
         d.message.find("cannot be found, in activity") != std::string::npos;
}

void PrintTo(const CorpusCase& c, std::ostream* os) { *os << c.file; }

class Corpus : public ::testing::TestWithParam<CorpusCase> {};

TEST_P(Corpus, MatchesTheReferenceVerdict) {
  REQUIRE_CORPUS();
  const CorpusCase& c = GetParam();
  auto doc = parse::LoadExperimentFile((CorpusDir() / c.file).string());
  ASSERT_TRUE(doc.has_value()) << c.file << ": " << doc.error().ToString();
  const std::vector<Diagnostic> all = validate::Validate(*doc, CleanOptions());
  std::vector<Diagnostic> errors;
  for (const Diagnostic& d : all) {
    if (!d.warning) errors.push_back(d);
  }
  switch (c.expect) {
    case Expect::kValid:
      EXPECT_TRUE(errors.empty()) << c.file << ":\n" << Describe(all);
      break;
    case Expect::kOnlyPython:
      EXPECT_FALSE(errors.empty()) << c.file;
      for (const Diagnostic& e : errors) {
        EXPECT_TRUE(e.message.starts_with(kPython)) << c.file << ": " << e.ToString();
      }
      break;
    case Expect::kRejected: {
      bool found = false;
      for (const Diagnostic& e : errors) {
        if ((c.pointer == nullptr || e.pointer == c.pointer) &&
            e.message.find(c.message) != std::string::npos) {
          found = true;
        }
      }
      EXPECT_TRUE(found) << c.file << ": expected " << (c.pointer ? c.pointer : "(anywhere)")
                         << ": " << c.message << "\ngot:\n"
                         << Describe(all);
      if (!c.other_errors_allowed) {
        for (const Diagnostic& e : errors) {
          EXPECT_TRUE(IsEnvironmentDependent(e)) << c.file << ": unexpected " << e.ToString();
        }
      }
      break;
    }
  }
}

std::string CaseName(const ::testing::TestParamInfo<CorpusCase>& info) {
  std::string name = std::to_string(info.index) + "_";
  for (char ch : std::string(info.param.file)) {
    if (std::isalnum(static_cast<unsigned char>(ch))) name.push_back(ch);
  }
  return name.substr(0, 80);
}

INSTANTIATE_TEST_SUITE_P(CtkPublic, Corpus, ::testing::ValuesIn(kCorpus), CaseName);

// The table covers every experiment file in the corpus (journals excluded), no more, no less.
TEST(CorpusTable, CoversEveryExperimentFile) {
  REQUIRE_CORPUS();
  std::set<std::string> on_disk;
  for (const auto& entry : fs::directory_iterator(CorpusDir())) {
    if (entry.is_regular_file() && entry.path().extension() == ".json") {
      on_disk.insert(entry.path().filename().string());
    }
  }
  std::set<std::string> in_table;
  for (const CorpusCase& c : kCorpus) in_table.insert(c.file);
  EXPECT_EQ(on_disk, in_table);
  EXPECT_EQ(in_table.size(), 36u);
}

// Every python module the corpus imports (providers, tolerance probes, controls and the probes
// of safeguard controls). The standard library's are the only ones Debian packages: the chaos*
// extensions (chaostoolkit-kubernetes, -prometheus, -addons, ...) are not packaged, and `load`,
// `probes`, `tolerances` and `tests.fixtures.force_failure` are the source repositories' own files
// (not in the corpus). A new file importing another module must be checked against Debian.
void CollectPythonModules(const Json& node, std::set<std::string>& out) {
  if (node.is_object()) {
    auto type = node.find("type");
    auto module = node.find("module");
    if (type != node.end() && *type == "python" && module != node.end() && module->is_string()) {
      out.insert(module->get<std::string>());
    }
    for (const auto& [key, value] : node.items()) CollectPythonModules(value, out);
  } else if (node.is_array()) {
    for (const Json& value : node) CollectPythonModules(value, out);
  }
}

TEST(CorpusPython, TheModulesAreTheOnesChecked) {
  REQUIRE_CORPUS();
  std::set<std::string> modules;
  for (const CorpusCase& c : kCorpus) {
    auto doc = parse::LoadExperimentFile((CorpusDir() / c.file).string());
    ASSERT_TRUE(doc.has_value()) << c.file;
    CollectPythonModules(*doc, modules);
  }
  const std::set<std::string> checked = {
      // the standard library (python3-minimal): imported by the bridge, the files are valid
      "os", "os.path",
      // not packaged by Debian
      "chaosaddons.controls.safeguards", "chaosgremlin.actions", "chaoshumio.control",
      "chaosk8s.actions", "chaosk8s.crd.actions", "chaosk8s.deployment.actions",
      "chaosk8s.deployment.probes", "chaosk8s.networking.actions", "chaosk8s.node.actions",
      "chaosk8s.pod.actions", "chaosk8s.pod.probes", "chaosk8s.probes", "chaospower.probes",
      "chaosprometheus.probes", "chaossimpleinteract.control", "chaostracing.control",
      "chaosyorn.control",
      // the source repositories' own modules
      "load", "probes", "tolerances", "tests.fixtures.force_failure"};
  EXPECT_EQ(modules, checked);
}

}  // namespace
}  // namespace chaosrun
