#include "integration/ml_driver/ml_harness.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "support/process_helpers.h"

namespace chaosrun::ml_test {

namespace fs = std::filesystem;

std::string Binary() { return CHAOSRUN_BINARY; }

std::string MlDriverDir() {
  fs::path dir = fs::path(CHAOSRUN_BINARY).parent_path().parent_path() / "drivers-ml";
  std::error_code ec;
  if (fs::is_regular_file(dir / "libchaosrun_ml.so", ec)) return dir.string();
  return {};
}

bool InCi() {
  const char* ci = std::getenv("CI");
  return ci != nullptr && std::string(ci) == "true";
}

bool PollUntil(const std::function<bool()>& done, std::chrono::milliseconds cap) {
  auto end = std::chrono::steady_clock::now() + cap;
  auto pause = std::chrono::milliseconds(1);
  for (;;) {
    if (done()) return true;
    if (std::chrono::steady_clock::now() >= end) return false;
    std::this_thread::sleep_for(pause);
    pause = std::min(pause * 2, std::chrono::milliseconds(50));
  }
}

std::string ReadAll(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void WriteFile(const std::string& path, const std::string& bytes) {
  std::ofstream(path, std::ios::binary | std::ios::trunc) << bytes;
}

pid_t StartChild(const std::vector<std::string>& argv, const std::string& log) {
  chaosrun::testing::SpawnFiles files;
  files.stdout_path = log.empty() ? "/dev/null" : log;
  files.append_stdout = true;
  files.stderr_to_stdout = true;
  std::string error;
  pid_t pid = chaosrun::testing::SpawnWithFiles(argv, files, &error);
  if (pid == -1) ADD_FAILURE() << error;
  return pid;
}

int WaitChild(pid_t pid, std::chrono::milliseconds cap) {
  if (pid <= 0) return -1;
  int status = 0;
  if (!PollUntil([&] { return ::waitpid(pid, &status, WNOHANG) == pid; }, cap)) {
    ::kill(pid, SIGKILL);
    ::waitpid(pid, &status, 0);
    return -1;
  }
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

int RunChaosrun(const std::vector<std::string>& args, const std::string& log, std::string* output) {
  std::vector<std::string> argv{CHAOSRUN_BINARY};
  argv.insert(argv.end(), args.begin(), args.end());
  ::unlink(log.c_str());
  int rc = WaitChild(StartChild(argv, log));
  if (output != nullptr) *output = ReadAll(log);
  return rc;
}

json MlExperiment(const std::string& func, const json& arguments, const json& allow,
                  const std::string& gate_dir) {
  json method = json::array(
      {json{{"type", "action"},
            {"name", "ml-fault"},
            {"provider",
             {{"type", "driver"}, {"driver", "ml"}, {"func", func}, {"arguments", arguments}}}}});
  if (!gate_dir.empty()) {
    method.push_back(json{
        {"type", "action"},
        {"name", "gate"},
        {"provider",
         {{"type", "process"},
          {"path", "sh"},
          {"arguments",
           json::array({"-c", ": > \"$1/at\"; exec timeout 60 cat \"$1/go\"", "sh", gate_dir})},
          {"timeout", 90}}}});
  }
  return json{{"title", "ml." + func},
              {"description", "one ml driver fault"},
              {"blast-radius", {{"allow", allow}}},
              {"method", method}};
}

int RunThroughGate(const std::string& dir, const std::string& driver_dir, const json& experiment,
                   const std::function<void()>& applied, bool kill) {
  const std::string gate = dir + "/go";
  if (::mkfifo(gate.c_str(), 0600) != 0) {
    ADD_FAILURE() << "mkfifo " << gate;
    return -2;
  }
  const std::string exp_path = dir + "/experiment.json";
  WriteFile(exp_path, experiment.dump(2));
  pid_t runner = StartChild({CHAOSRUN_BINARY, "run", "--driver-dir", driver_dir, "--state-dir",
                             dir + "/state", "--journal-path", dir + "/journal.json", exp_path},
                            dir + "/run.log");
  bool reached = PollUntil([&] { return ::access((dir + "/at").c_str(), F_OK) == 0; },
                           std::chrono::seconds(60));
  if (reached && applied) applied();
  if (kill || !reached) ::kill(runner, SIGKILL);
  // Opens the gate: the run goes on, or (killed) the orphaned gate ends.
  // (Opening fails with ENXIO until cat has opened its end: retry, bounded.)
  if (reached) {
    PollUntil([&] {
      int fd = ::open(gate.c_str(), O_WRONLY | O_NONBLOCK | O_CLOEXEC);
      if (fd < 0) return false;
      (void)!::write(fd, "x", 1);
      ::close(fd);
      return true;
    });
  }
  int rc = WaitChild(runner);
  if (!reached) {
    ADD_FAILURE() << "the run never reached its gate:\n" << ReadAll(dir + "/run.log");
    return -2;
  }
  return rc;
}

int Recover(const std::string& dir, const std::string& driver_dir, std::string* output) {
  return RunChaosrun({"recover", "--state-dir", dir + "/state", "--driver-dir", driver_dir},
                     dir + "/recover.log", output);
}

Registry MakeRegistry(const std::string& dir) {
  Registry r;
  r.registry = dir + "/registry";
  r.pipeline = dir + "/pipeline";
  for (const std::string& d : {r.registry, r.registry + "/models", r.registry + "/training_configs",
                               r.pipeline, r.pipeline + "/versions"}) {
    fs::create_directories(d);
  }
  json models = json::object();
  for (int v = 1; v <= 3; ++v) {
    json artifact{{"version", v},
                  {"created_at", 1700000000 + v},
                  {"features", {"age", "income_k", "clicks", "country"}},
                  {"weights", {0.1 * v, -0.2, 0.03, 0.5}},
                  {"bias", 0.25},
                  {"training_config_version", v}};
    const std::string file = "models/v" + std::to_string(v) + ".json";
    WriteFile(r.registry + "/" + file, artifact.dump(2) + "\n");
    models[std::to_string(v)] = {{"file", file}, {"sha256", "-"}, {"created_at", 1700000000 + v}};
    json config{{"config_version", v},
                {"code_version", "train-" + std::to_string(v) + ".0.0"},
                {"hyperparameters", {{"learning_rate", 0.01 * v}, {"epochs", 10 * v}}}};
    WriteFile(r.registry + "/training_configs/v" + std::to_string(v) + ".json",
              config.dump(2) + "\n");
  }
  WriteFile(r.registry + "/manifest.json", json{{"latest", 3}, {"models", models}}.dump(2) + "\n");
  r.serving = r.registry + "/serving.json";
  WriteFile(r.serving, "{\"version\": 3}\n");
  r.artifact = r.registry + "/models/v3.json";
  r.training_config = r.registry + "/training_config.json";
  WriteFile(r.training_config, ReadAll(r.registry + "/training_configs/v3.json"));
  WriteFile(r.pipeline + "/versions/v1.json",
            json{{"code_version", 1}, {"features", {"age", "income_k", "clicks"}}}.dump(2) + "\n");
  WriteFile(
      r.pipeline + "/versions/v2.json",
      json{{"code_version", 2}, {"features", {"age", "income_k", "clicks", "country"}}}.dump(2) +
          "\n");
  r.deploy = r.pipeline + "/deploy.json";
  WriteFile(r.deploy, ReadAll(r.pipeline + "/versions/v2.json"));
  return r;
}

}  // namespace chaosrun::ml_test
