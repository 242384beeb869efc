// Who a restarted process runs as. kill's undo starts a new instance as the killed process was:
// its real and effective uid and gid, its supplementary groups, its working directory and its
// environment, all read from /proc at prepare and recorded in the undo (which the host keeps in
// its ledger, mode 0600: environment values may hold secrets, and the undo needs them). A named
// `user` (restart {"argv": [...], "user": "redis"}) stands in when /proc cannot be read.
#pragma once

#include <sys/types.h>

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace chaosrun::drivers::process {

inline constexpr size_t kMaxEnvironBytes = 1 << 20;  // /proc/PID/environ read at most

struct Credentials {
  uid_t ruid = 0, euid = 0;
  gid_t rgid = 0, egid = 0;
  std::vector<gid_t> groups;     // supplementary groups
  std::string cwd;               // absolute
  std::vector<std::string> env;  // "NAME=value", in the order the process had them
  std::string user;              // set when taken from the password database (restart.user)
};

// Reads /proc/PID/status (Uid, Gid, Groups), /proc/PID/cwd and /proc/PID/environ under `root`.
// Returns an error message (what could not be read, and why), empty on success.
std::string ReadCredentials(const std::string& root, int pid, Credentials* out);

// The user's uid, primary gid and groups from the password and group databases (`user` is a
// name or a decimal uid); cwd is the home directory (or "/" when it is not a directory); the
// environment is HOME, USER, LOGNAME, SHELL and PATH=/usr/local/bin:/usr/bin:/bin. An error
// message, empty on success.
std::string CredentialsOfUser(const std::string& user, Credentials* out);

// {"uid": [real, effective], "gid": [real, effective], "groups": [...], "cwd": "...",
//  "environ": ["NAME=value", ...], "user": "..." (when named)}
nlohmann::json ToJson(const Credentials& c);
// Parses ToJson's shape; an error message, empty on success.
std::string ParseCredentials(const nlohmann::json& j, Credentials* out);

// The value of NAME in `env` ("NAME=value" entries), if set.
std::optional<std::string> EnvValue(const std::vector<std::string>& env, const std::string& name);

}  // namespace chaosrun::drivers::process
