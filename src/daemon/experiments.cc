// The experiments directory: the only place runs come from. A name is a file name in it (with or
// without its .json/.yaml/.yml extension); nothing else is ever resolved (no '/', no leading '.',
// and the real path must stay inside the directory, so a symlink cannot lead out).
#include <sys/stat.h>

#include <algorithm>
#include <climits>
#include <cstdlib>
#include <filesystem>
#include <utility>

#include "daemon/daemon.h"
#include "parse/loader.h"

namespace chaosrun::daemon {
namespace {

namespace fs = std::filesystem;

bool ExperimentFileName(const std::string& name) {
  return name.ends_with(".json") || name.ends_with(".yaml") || name.ends_with(".yml");
}

std::string RealPath(const std::string& p) {
  char buf[PATH_MAX];
  return ::realpath(p.c_str(), buf) != nullptr ? std::string(buf) : std::string();
}

std::string Stem(const std::string& file) { return file.substr(0, file.rfind('.')); }

Result<std::string> ResolveExperimentIn(const std::string& dir, const std::string& name) {
  auto not_found = [&] {
    return Err(Status::NotFound("no experiment \"" + name + "\" in the experiments directory"));
  };
  if (name.empty() || name.size() > 255 || name.front() == '.' ||
      name.find('/') != std::string::npos || name.find('\0') != std::string::npos) {
    return not_found();
  }
  std::string real_dir = RealPath(dir);
  if (real_dir.empty()) return not_found();
  std::vector<std::string> candidates;
  if (ExperimentFileName(name)) candidates.push_back(name);
  for (const char* ext : {".json", ".yaml", ".yml"}) candidates.push_back(name + ext);
  for (const auto& c : candidates) {
    std::string real = RealPath(dir + "/" + c);
    if (real.empty() || !real.starts_with(real_dir + "/")) continue;
    struct stat st {};
    if (::stat(real.c_str(), &st) == 0 && S_ISREG(st.st_mode)) return real;
  }
  return not_found();
}

}  // namespace

Result<std::string> Daemon::ResolveIn(const std::string& dir, const std::string& name) {
  return ResolveExperimentIn(dir, name);
}

Json Daemon::ListExperiments() {
  std::string dir;
  {
    std::lock_guard lock(mu_);
    dir = config_.experiments_dir;
  }
  // Only what ResolveIn would run: a symlink whose real path leaves the directory is neither
  // listed nor parsed.
  std::vector<std::pair<std::string, std::string>> files;  // name in the dir, real path
  std::error_code ec;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    std::string file = it->path().filename().string();
    if (file.empty() || file.front() == '.' || !ExperimentFileName(file)) continue;
    auto real = ResolveIn(dir, file);
    if (!real) continue;
    files.emplace_back(file, *real);
  }
  std::sort(files.begin(), files.end());
  Json out = Json::array();
  for (const auto& [file, real] : files) {
    Json item = {{"name", Stem(file)}, {"path", file}, {"title", ""}};
    auto doc = parse::LoadExperimentFile(real);
    if (doc) {
      if (const Json* t = Member(*doc, "title"); t != nullptr && t->is_string()) {
        item["title"] = *t;
      }
    } else {
      item["error"] = doc.error().message();
    }
    out.push_back(std::move(item));
  }
  return out;
}

std::vector<ConfigProblem> ScheduleExperimentWarnings(const DaemonConfig& config) {
  std::vector<ConfigProblem> out;
  for (size_t i = 0; i < config.schedules.size(); ++i) {
    const auto& s = config.schedules[i];
    if (ResolveExperimentIn(config.experiments_dir, s.experiment)) continue;
    out.push_back({"/schedules/" + std::to_string(i) + "/experiment",
                   "no experiment \"" + s.experiment + "\" in " + config.experiments_dir +
                       " (a symlink must stay inside it): the schedule's fires are skipped "
                       "until it is there"});
  }
  return out;
}

}  // namespace chaosrun::daemon
