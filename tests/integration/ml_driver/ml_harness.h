// Helpers of the ML driver's integration tests. The driver is built out of tree by
// scripts/build.sh into <build>/drivers-ml/libchaosrun_ml.so, next to <build>/bin/chaosrun
// (CHAOSRUN_BINARY); every test runs the real chaosrun binary with --driver-dir on things the
// test creates (a temp registry, a `sleep` child, a loopback HTTP server). Without the driver
// the tests are skipped, or fail when CI=true.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace chaosrun::ml_test {

using nlohmann::json;

// The chaosrun binary under test (CHAOSRUN_BINARY).
std::string Binary();
// The directory holding libchaosrun_ml.so, or "" (missing).
std::string MlDriverDir();

// In a TEST body: skips (or fails under CI=true) when the driver was not built.
#define REQUIRE_ML_DRIVER(dir)                                                          \
  const std::string dir = ::chaosrun::ml_test::MlDriverDir();                           \
  if (dir.empty()) {                                                                    \
    if (::chaosrun::ml_test::InCi()) {                                                  \
      FAIL() << "libchaosrun_ml.so not found next to " << ::chaosrun::ml_test::Binary() \
             << " (../drivers-ml/); scripts/build.sh builds it";                        \
    }                                                                                   \
    GTEST_SKIP() << "libchaosrun_ml.so not built (../drivers-ml/ of "                   \
                 << ::chaosrun::ml_test::Binary() << "): run scripts/build.sh";         \
  }

bool InCi();
bool PollUntil(const std::function<bool()>& done,
               std::chrono::milliseconds cap = std::chrono::seconds(20));
std::string ReadAll(const std::string& path);
void WriteFile(const std::string& path, const std::string& bytes);

// Starts argv as our child (stdout and stderr appended to `log`).
pid_t StartChild(const std::vector<std::string>& argv, const std::string& log);
// Its exit code, 128 + signal, or -1 (did not end within `cap`: then SIGKILLed).
int WaitChild(pid_t pid, std::chrono::milliseconds cap = std::chrono::seconds(60));
// Runs chaosrun with `args` to the end: exit code; its output in *output.
int RunChaosrun(const std::vector<std::string>& args, const std::string& log,
                std::string* output = nullptr);

// An experiment of one ml action `func` with `arguments`, allowed by `allow` (blast radius
// patterns); with `gate_dir`, a second step touches GATE_DIR/at and blocks on the fifo
// GATE_DIR/go, so the test knows the fault is applied and can SIGKILL the runner there.
json MlExperiment(const std::string& func, const json& arguments, const json& allow,
                  const std::string& gate_dir = "");

// Runs `experiment` (written to dir/experiment.json; state dir dir/state, journal
// dir/journal.json, output dir/run.log) with `chaosrun run --driver-dir driver_dir`, waits for
// its gate, calls `applied` there (the fault is in place: check it), then either SIGKILLs the
// runner (`kill`) or opens the gate and lets the run end. Returns the runner's exit code
// (128 + 9 when killed), or -2 when the gate was never reached (a failure is added).
int RunThroughGate(const std::string& dir, const std::string& driver_dir, const json& experiment,
                   const std::function<void()>& applied, bool kill);

// `chaosrun recover --state-dir dir/state --driver-dir driver_dir`: exit code (output in log).
int Recover(const std::string& dir, const std::string& driver_dir, std::string* output = nullptr);

// A small model registry and pipeline as the lab lays them out (contract "Lab layout"):
// dir/registry/{manifest.json, serving.json, models/v1..v3.json, training_config.json,
// training_configs/v1..v3.json} and dir/pipeline/{deploy.json, versions/v1.json, v2.json}.
struct Registry {
  std::string registry, pipeline;
  std::string serving, artifact, training_config, deploy;  // paths
};
Registry MakeRegistry(const std::string& dir);

}  // namespace chaosrun::ml_test
