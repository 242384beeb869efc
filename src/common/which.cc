#include "common/which.h"

#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <map>
#include <mutex>
#include <string_view>
#include <utility>

namespace chaosrun {

namespace {
bool IsExecutableFile(const std::string& p) {
  struct stat st {};
  if (::stat(p.c_str(), &st) != 0) return false;
  return S_ISREG(st.st_mode) && ::access(p.c_str(), X_OK) == 0;
}

std::atomic<bool> remember{false};
std::mutex memo_mu;
// (PATH, name) -> the path found; a handful of entries per run (bounded all the same).
std::map<std::pair<std::string, std::string>, std::string> memo;
constexpr size_t kMaxMemo = 256;

std::optional<std::string> SearchPath(std::string_view path, const std::string& name) {
  size_t start = 0;
  while (start <= path.size()) {
    size_t end = path.find(':', start);
    if (end == std::string_view::npos) end = path.size();
    std::string dir(path.substr(start, end - start));
    if (dir.empty()) dir = ".";
    std::string candidate = dir + "/" + name;
    if (IsExecutableFile(candidate)) return candidate;
    start = end + 1;
  }
  return std::nullopt;
}
}  // namespace

void RememberExecutableLookups(bool on) {
  remember.store(on);
  if (!on) {
    std::lock_guard lock(memo_mu);
    memo.clear();
  }
}

std::optional<std::string> Which(const std::string& name) {
  if (name.empty()) return std::nullopt;
  if (name.find('/') != std::string::npos) {
    if (IsExecutableFile(name)) return name;
    return std::nullopt;
  }
  const char* path_env = std::getenv("PATH");
  std::string_view path = path_env ? path_env : "/usr/local/bin:/usr/bin:/bin";
  if (!remember.load()) return SearchPath(path, name);
  auto key = std::make_pair(std::string(path), name);
  {
    std::lock_guard lock(memo_mu);
    if (auto it = memo.find(key); it != memo.end()) {
      if (IsExecutableFile(it->second)) return it->second;
      memo.erase(it);
    }
  }
  auto found = SearchPath(path, name);
  if (found && found->front() == '/') {  // found through a relative entry: depends on the cwd
    std::lock_guard lock(memo_mu);
    if (memo.size() >= kMaxMemo) memo.clear();
    memo.emplace(std::move(key), *found);
  }
  return found;
}

std::optional<std::string> WhichExpandingHome(const std::string& name) {
  if (name.size() >= 2 && name[0] == '~' && name[1] == '/') {
    const char* home = std::getenv("HOME");
    if (home) return Which(std::string(home) + name.substr(1));
  }
  return Which(name);
}

}  // namespace chaosrun
