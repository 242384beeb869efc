#include "support/lab_harness.h"

#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "support/process_helpers.h"

extern char** environ;

namespace chaosrun::testing {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

bool OnLabPath(const std::string& name) {
  std::string path = std::getenv("PATH") != nullptr ? std::getenv("PATH") : "";
  path += ":/usr/sbin:/sbin";
  std::stringstream ss(path);
  std::string d;
  while (std::getline(ss, d, ':')) {
    if (!d.empty() && ::access((fs::path(d) / name).c_str(), X_OK) == 0) return true;
  }
  return false;
}

std::string Slurp(const fs::path& p) {
  std::ifstream in(p);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace

std::string MissingLabTools() {
  std::string missing;
  for (const char* t : {"nginx", "prometheus", "prometheus-alertmanager", "openssl", "python3"}) {
    if (!OnLabPath(t)) missing += std::string(missing.empty() ? "" : ", ") + t;
  }
  return missing;
}

json ReadJsonFile(const fs::path& p) {
  std::ifstream in(p);
  return json::parse(in, nullptr, /*allow_exceptions=*/false);
}

LabHarness::LabHarness(fs::path dir, std::string chaosrun, std::string source_dir)
    : dir_(std::move(dir)), chaosrun_(std::move(chaosrun)), source_dir_(std::move(source_dir)) {
  const std::vector<std::string> own = {"CHAOSRUN=" + chaosrun_,
                                        "CHAOSRUN_LAB_STATE=" + (dir_ / "lab.json").string(),
                                        "TMPDIR=" + dir_.string()};
  for (char** e = environ; e != nullptr && *e != nullptr; ++e) {
    const std::string kv = *e;
    const std::string key = kv.substr(0, kv.find('='));
    if (key != "CHAOSRUN" && key != "CHAOSRUN_LAB_STATE" && key != "TMPDIR") env_.push_back(kv);
  }
  env_.insert(env_.end(), own.begin(), own.end());
}

LabHarness::~LabHarness() {
  if (up_) Lab({"down"});  // whatever failed: stop what the lab started
}

LoggedResult LabHarness::Lab(const std::vector<std::string>& args) {
  std::vector<std::string> argv = {source_dir_ + "/scripts/lab.sh"};
  argv.insert(argv.end(), args.begin(), args.end());
  const std::string what = args.empty() ? "usage" : args[0];
  LoggedResult r = Run(argv, dir_ / ("lab-" + what + ".log"));
  if (what == "up" && r.exit_code == 0) up_ = true;
  if (what == "down" && r.exit_code == 0) up_ = false;
  return r;
}

json LabHarness::State() const { return ReadJsonFile(dir_ / "lab.json"); }

fs::path LabHarness::LabDir() const {
  const json s = State();
  return s.is_object() ? fs::path(s.value("dir", "")) : fs::path();
}

fs::path LabHarness::VarFile() const { return LabDir() / "vars.json"; }

json LabHarness::Configuration() const {
  const json s = State();
  return s.is_object() && s.contains("configuration") ? s["configuration"] : json::object();
}

pid_t LabHarness::Start(const std::vector<std::string>& argv, const fs::path& log) const {
  SpawnFiles files;
  files.stdout_path = log.string();
  files.stderr_to_stdout = true;
  files.mode = 0600;
  files.env = &env_;
  return SpawnWithFiles(argv, files);
}

LoggedResult LabHarness::Finish(pid_t pid, const fs::path& log) {
  LoggedResult r;
  if (pid > 0) r.exit_code = WaitForExit(pid);
  r.output = Slurp(log);
  return r;
}

}  // namespace chaosrun::testing
