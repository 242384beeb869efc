// The state directory: where the undo ledger (ledger.jsonl) and the kill switch (halt) live.
//
// It is private to the user chaosrun runs as, and that is checked, not assumed: every path that
// opens or reads it (the ledger, `run`'s pending check, `recover`, `halt`) goes through
// CheckPrivate(), which refuses a directory or ledger that the effective uid does not own or
// that group or others can write — whoever can write the ledger chooses what `recover` "undoes".
// What chaosrun creates is 0700 (the directory) and 0600 (the ledger) whatever the umask
// (fchmod after creation), and each creation is synced into its parent directory.
#pragma once

#include <sys/stat.h>
#include <sys/types.h>

#include <string>
#include <string_view>

#include "common/status.h"

namespace chaosrun::ledger {

// A file descriptor closed when the object dies (move-only).
class UniqueFd {
 public:
  UniqueFd() = default;
  explicit UniqueFd(int fd) : fd_(fd) {}
  ~UniqueFd();
  UniqueFd(UniqueFd&& other) noexcept : fd_(other.release()) {}
  UniqueFd& operator=(UniqueFd&& other) noexcept;
  UniqueFd(const UniqueFd&) = delete;
  UniqueFd& operator=(const UniqueFd&) = delete;

  int get() const { return fd_; }
  int release() {
    int fd = fd_;
    fd_ = -1;
    return fd;
  }

 private:
  int fd_ = -1;
};

// Ok when `st` (of `path`) belongs to `euid` and group and others cannot write it; otherwise
// an error naming `what` ("state directory", "ledger"), the path, the owner and the mode, e.g.
//   refusing the state directory /x/state: mode 0777 (group or others can write); it must
//   belong to uid 0 and be writable only by it
Status CheckPrivate(const std::string& path, const struct stat& st, uid_t euid,
                    std::string_view what);

// Opens the state directory (O_DIRECTORY) and checks it: a directory, CheckPrivate with the
// effective uid. With `create`, makes it first when absent: its missing parents as usual, the
// directory itself 0700 (fchmod), then syncs its parent so the new entry survives a power cut.
// Without `create` an absent directory is a kNotFound error.
Result<UniqueFd> OpenStateDir(const std::string& dir, bool create);

// Checks the state directory when it exists: false when it does not, true when it passes.
Result<bool> CheckStateDir(const std::string& dir);

// Opens `name` in the state directory `dir_fd` (no symlink followed) read-write for appends,
// creating it 0600 (fchmod) and syncing the directory when it is new, and checks it: a regular
// file, CheckPrivate with the effective uid. `path` is only for messages.
Result<UniqueFd> OpenLedgerFile(int dir_fd, const std::string& name, const std::string& path);

// The default state directory, from the effective uid and the environment's values (null or
// empty = unset; a relative path is ignored, as the XDG spec says):
//   uid 0 → /var/lib/chaosrun; else $XDG_STATE_HOME/chaosrun; else $HOME/.local/state/chaosrun;
//   else an error (there is no shared fallback such as /tmp).
Result<std::string> DefaultStateDirFor(uid_t euid, const char* xdg_state_home, const char* home);
// The same for this process (geteuid(), getenv).
Result<std::string> DefaultStateDir();

}  // namespace chaosrun::ledger
