#include "process/credentials.h"

#include <grp.h>
#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <sstream>

#include "process/args.h"
#include "process/proc.h"

namespace chaosrun::drivers::process {

namespace {

using nlohmann::json;

// The numbers after "Key:" on its line of /proc/PID/status.
bool StatusNumbers(const std::string& status, const std::string& key, std::vector<uint64_t>* out) {
  std::istringstream in(status);
  std::string line;
  while (std::getline(in, line)) {
    if (line.compare(0, key.size() + 1, key + ":") != 0) continue;
    std::istringstream nums(line.substr(key.size() + 1));
    uint64_t v = 0;
    while (nums >> v) out->push_back(v);
    return true;
  }
  return false;
}

std::string Why(const std::string& what) {
  return what + (errno != 0 ? std::string(": ") + std::strerror(errno) : std::string());
}

}  // namespace

std::string ReadCredentials(const std::string& root, int pid, Credentials* out) {
  const std::string dir = root + "/" + std::to_string(pid);
  Credentials c;
  errno = 0;
  auto status = ReadSmallFile(dir + "/status", 64 * 1024);
  if (!status) return Why("cannot read " + dir + "/status");
  std::vector<uint64_t> uids, gids, groups;
  if (!StatusNumbers(*status, "Uid", &uids) || uids.size() < 2 ||
      !StatusNumbers(*status, "Gid", &gids) || gids.size() < 2 ||
      !StatusNumbers(*status, "Groups", &groups)) {
    return dir + "/status has no Uid, Gid or Groups line";
  }
  c.ruid = static_cast<uid_t>(uids[0]);
  c.euid = static_cast<uid_t>(uids[1]);
  c.rgid = static_cast<gid_t>(gids[0]);
  c.egid = static_cast<gid_t>(gids[1]);
  for (uint64_t g : groups) c.groups.push_back(static_cast<gid_t>(g));

  char buf[4096];
  errno = 0;
  ssize_t n = ::readlink((dir + "/cwd").c_str(), buf, sizeof(buf) - 1);
  if (n <= 0) return Why("cannot read the working directory " + dir + "/cwd");
  c.cwd.assign(buf, static_cast<size_t>(n));
  if (c.cwd[0] != '/')
    return "the working directory of pid " + std::to_string(pid) + " is " + c.cwd + ", not a path";

  errno = 0;
  auto environ_text = ReadSmallFile(dir + "/environ", kMaxEnvironBytes + 1);
  if (!environ_text) return Why("cannot read the environment " + dir + "/environ");
  if (environ_text->size() > kMaxEnvironBytes) {
    return "the environment of pid " + std::to_string(pid) + " is larger than 1 MiB";
  }
  size_t start = 0;
  while (start < environ_text->size()) {
    size_t end = environ_text->find('\0', start);
    if (end == std::string::npos) end = environ_text->size();
    if (end > start) c.env.push_back(environ_text->substr(start, end - start));
    start = end + 1;
  }
  *out = std::move(c);
  return {};
}

std::string CredentialsOfUser(const std::string& user, Credentials* out) {
  if (user.empty()) return "restart.user is empty";
  std::vector<char> buf(16384);
  passwd pw{};
  passwd* found = nullptr;
  bool numeric = user.size() <= 10 && user.find_first_not_of("0123456789") == std::string::npos;
  int rc = numeric ? ::getpwuid_r(static_cast<uid_t>(std::strtoull(user.c_str(), nullptr, 10)), &pw,
                                  buf.data(), buf.size(), &found)
                   : ::getpwnam_r(user.c_str(), &pw, buf.data(), buf.size(), &found);
  if (rc != 0 || found == nullptr) {
    return "restart.user '" + user + "' is not a known user" +
           (rc != 0 ? std::string(": ") + std::strerror(rc) : std::string());
  }
  Credentials c;
  c.user = pw.pw_name;
  c.ruid = c.euid = pw.pw_uid;
  c.rgid = c.egid = pw.pw_gid;
  int ngroups = 64;
  std::vector<gid_t> groups(static_cast<size_t>(ngroups));
  if (::getgrouplist(pw.pw_name, pw.pw_gid, groups.data(), &ngroups) < 0) {
    groups.resize(static_cast<size_t>(ngroups));
    if (::getgrouplist(pw.pw_name, pw.pw_gid, groups.data(), &ngroups) < 0) {
      return "cannot list the groups of user '" + user + "'";
    }
  }
  groups.resize(static_cast<size_t>(ngroups));
  c.groups = std::move(groups);
  struct stat st {};
  std::string home = pw.pw_dir != nullptr ? pw.pw_dir : "";
  c.cwd = !home.empty() && home[0] == '/' && ::stat(home.c_str(), &st) == 0 && S_ISDIR(st.st_mode)
              ? home
              : "/";
  c.env = {"HOME=" + home, "USER=" + c.user, "LOGNAME=" + c.user,
           "SHELL=" + std::string(pw.pw_shell != nullptr ? pw.pw_shell : "/bin/sh"),
           "PATH=/usr/local/bin:/usr/bin:/bin"};
  *out = std::move(c);
  return {};
}

json ToJson(const Credentials& c) {
  json j{{"uid", json::array({c.ruid, c.euid})},
         {"gid", json::array({c.rgid, c.egid})},
         {"groups", c.groups},
         {"cwd", c.cwd},
         {"environ", c.env}};
  if (!c.user.empty()) j["user"] = c.user;
  return j;
}

std::string ParseCredentials(const json& j, Credentials* out) {
  if (!j.is_object()) return "the identity to restart as is not an object";
  auto pair = [&](const char* key, uint64_t* a, uint64_t* b) {
    if (!j.contains(key) || !j[key].is_array() || j[key].size() != 2) return false;
    auto x = Unsigned(j[key][0]);
    auto y = Unsigned(j[key][1]);
    if (!x || !y || *x > 0xffffffffu || *y > 0xffffffffu) return false;
    *a = *x;
    *b = *y;
    return true;
  };
  uint64_t ru = 0, eu = 0, rg = 0, eg = 0;
  if (!pair("uid", &ru, &eu) || !pair("gid", &rg, &eg)) return "the identity has no valid uid/gid";
  Credentials c;
  c.ruid = static_cast<uid_t>(ru);
  c.euid = static_cast<uid_t>(eu);
  c.rgid = static_cast<gid_t>(rg);
  c.egid = static_cast<gid_t>(eg);
  if (!j.contains("groups") || !j["groups"].is_array()) return "the identity has no groups";
  for (const auto& g : j["groups"]) {
    auto v = Unsigned(g);
    if (!v || *v > 0xffffffffu) return "the identity has an invalid group";
    c.groups.push_back(static_cast<gid_t>(*v));
  }
  if (!j.contains("cwd") || !j["cwd"].is_string() || j["cwd"].get<std::string>().empty() ||
      j["cwd"].get<std::string>()[0] != '/') {
    return "the identity has no absolute cwd";
  }
  c.cwd = j["cwd"].get<std::string>();
  if (!j.contains("environ") || !j["environ"].is_array()) return "the identity has no environ";
  for (const auto& e : j["environ"]) {
    if (!e.is_string()) return "the identity's environ holds a non-string";
    c.env.push_back(e.get<std::string>());
  }
  if (j.contains("user") && j["user"].is_string()) c.user = j["user"].get<std::string>();
  *out = std::move(c);
  return {};
}

std::optional<std::string> EnvValue(const std::vector<std::string>& env, const std::string& name) {
  for (const auto& e : env) {
    if (e.size() > name.size() && e.compare(0, name.size(), name) == 0 && e[name.size()] == '=') {
      return e.substr(name.size() + 1);
    }
  }
  return std::nullopt;
}

}  // namespace chaosrun::drivers::process
