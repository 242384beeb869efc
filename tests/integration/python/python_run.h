// The fixture of tests/integration/python: the real `chaosrun` with the system's Python and the
// modules of modules/ on PYTHONPATH, in a temporary directory of its own.
#pragma once

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "common/json.h"
#include "providers/spawn.h"
#include "support/temp_dir.h"

namespace chaosrun::python_run {

namespace fs = std::filesystem;

inline std::string Modules() {
  return std::string(CHAOSRUN_SOURCE_DIR) + "/tests/integration/python/modules";
}
inline std::string Python() {
  return fs::exists("/usr/bin/python3") ? "/usr/bin/python3" : "python3";
}

struct RunOutput {
  int status = -1;
  std::string out, err;
};

class PythonRunTest : public ::testing::Test {
 protected:
  // chaosrun ARGS with PYTHONPATH and (unless `with_python` is false: then it is unset)
  // CHAOSRUN_PYTHON set, through env(1); `env_extra` adds NAME=VALUE entries.
  RunOutput Chaosrun(std::vector<std::string> args, std::vector<std::string> env_extra = {},
                     bool with_python = true) {
    std::vector<std::string> argv = {"/usr/bin/env", "-u", "CHAOSRUN_PYTHON",
                                     "PYTHONPATH=" + Modules()};
    if (with_python) argv.push_back("CHAOSRUN_PYTHON=" + Python());
    argv.insert(argv.end(), env_extra.begin(), env_extra.end());
    argv.push_back(CHAOSRUN_BINARY);
    argv.insert(argv.end(), args.begin(), args.end());
    auto r = providers::SpawnAndWait(argv, CancelToken(), {});
    EXPECT_TRUE(r.has_value());
    if (!r) return {};
    return {r->status, r->out, r->err};
  }
  RunOutput Run(const Json& experiment, std::vector<std::string> flags = {},
                std::vector<std::string> env_extra = {}) {
    const std::string path = tmp_.Write("experiment.json", experiment.dump());
    std::vector<std::string> args = {"run", "--state-dir", (tmp_.path() / "state").string(),
                                     "--journal-path", Journal()};
    args.insert(args.end(), flags.begin(), flags.end());
    args.push_back(path);
    return Chaosrun(args, env_extra);
  }
  std::string Journal() const { return (tmp_.path() / "journal.json").string(); }
  Json ReadJournal() const {
    std::ifstream in(Journal());
    std::stringstream ss;
    ss << in.rdbuf();
    return Json::parse(ss.str(), nullptr, false);
  }
  static std::string ReadText(const std::string& path) {
    std::ifstream in(path);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
  }
  static size_t Lines(const std::string& text) {
    return static_cast<size_t>(std::count(text.begin(), text.end(), '\n'));
  }
  std::vector<Json> ReadLines(const std::string& path) const {
    std::vector<Json> out;
    std::ifstream in(path);
    for (std::string line; std::getline(in, line);) out.push_back(Json::parse(line));
    return out;
  }
  static Json Py(const std::string& type, const std::string& name, const std::string& func,
                 Json arguments = Json::object()) {
    return {
        {"type", type},
        {"name", name},
        {"provider",
         {{"type", "python"}, {"module", "pyfuncs"}, {"func", func}, {"arguments", arguments}}}};
  }
  static Json Experiment(Json method) {
    return {{"title", "python"}, {"description", "d"}, {"method", std::move(method)}};
  }
  testing::TempDir tmp_;
};

}  // namespace chaosrun::python_run
