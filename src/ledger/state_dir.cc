#include "ledger/state_dir.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>

namespace chaosrun::ledger {

namespace {

Status ErrnoStatus(const std::string& what) {
  return Status::IoError(what + ": " + std::strerror(errno));
}

std::string OctalMode(mode_t mode) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04o", static_cast<unsigned>(mode & 07777));
  return buf;
}

// "/a/b/" → "/a/b" (but "/" stays "/").
std::string WithoutTrailingSlashes(std::string p) {
  while (p.size() > 1 && p.back() == '/') p.pop_back();
  return p;
}

Status SyncDirectory(const std::string& dir) {
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return ErrnoStatus("cannot open the directory " + dir + " to sync it");
  int rc = ::fsync(fd);
  int saved = errno;
  ::close(fd);
  errno = saved;
  if (rc != 0) return ErrnoStatus("cannot sync the directory " + dir);
  return Status::Ok();
}

// Creates `dir` and its missing parents, each 0700 (as the XDG spec asks for its directories).
Status MakeParents(const std::string& dir) {
  struct stat st {};
  if (dir.empty() || ::stat(dir.c_str(), &st) == 0) return Status::Ok();
  std::string up = std::filesystem::path(dir).parent_path().string();
  if (!up.empty() && up != dir) {
    if (Status s = MakeParents(up); !s.ok()) return s;
  }
  if (::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST) return ErrnoStatus("mkdir " + dir);
  return Status::Ok();
}

bool UsablePath(const char* value) { return value != nullptr && value[0] == '/'; }

}  // namespace

UniqueFd::~UniqueFd() {
  if (fd_ >= 0) ::close(fd_);
}

UniqueFd& UniqueFd::operator=(UniqueFd&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = other.release();
  }
  return *this;
}

Status CheckPrivate(const std::string& path, const struct stat& st, uid_t euid,
                    std::string_view what) {
  std::string problems;
  if (st.st_uid != euid) problems = "it belongs to uid " + std::to_string(st.st_uid);
  if ((st.st_mode & (S_IWGRP | S_IWOTH)) != 0) {
    if (!problems.empty()) problems += ", ";
    problems += "mode " + OctalMode(st.st_mode) + " (group or others can write)";
  }
  if (problems.empty()) return Status::Ok();
  return Status::InvalidArgument("refusing the " + std::string(what) + " " + path + ": " +
                                 problems + "; it must belong to uid " + std::to_string(euid) +
                                 " and be writable only by it");
}

Result<UniqueFd> OpenStateDir(const std::string& dir_in, bool create) {
  if (dir_in.empty()) return Err(Status::InvalidArgument("the state directory path is empty"));
  const std::string dir = WithoutTrailingSlashes(dir_in);
  bool created = false;
  struct stat st {};
  if (::stat(dir.c_str(), &st) != 0) {
    if (errno != ENOENT) return Err(ErrnoStatus("cannot read the state directory " + dir));
    if (!create) return Err(Status::NotFound("the state directory " + dir + " does not exist"));
    std::string parent = std::filesystem::path(dir).parent_path().string();
    if (parent.empty()) parent = ".";
    if (Status s = MakeParents(parent); !s.ok()) {
      return Err(Status::IoError("cannot create the state directory " + dir + ": " + s.message()));
    }
    if (::mkdir(dir.c_str(), 0700) == 0) {
      created = true;
    } else if (errno != EEXIST) {
      return Err(ErrnoStatus("cannot create the state directory " + dir));
    }
    if (created) {
      if (Status s = SyncDirectory(parent); !s.ok()) return Err(s);
    }
  }
  UniqueFd fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (fd.get() < 0) return Err(ErrnoStatus("cannot open the state directory " + dir));
  if (created && ::fchmod(fd.get(), 0700) != 0) {
    return Err(ErrnoStatus("cannot set the mode of the state directory " + dir));
  }
  if (::fstat(fd.get(), &st) != 0) {
    return Err(ErrnoStatus("cannot read the state directory " + dir));
  }
  if (Status s = CheckPrivate(dir, st, ::geteuid(), "state directory"); !s.ok()) return Err(s);
  return fd;
}

Result<bool> CheckStateDir(const std::string& dir) {
  auto fd = OpenStateDir(dir, /*create=*/false);
  if (fd) return true;
  if (fd.error().code() == Code::kNotFound) return false;
  return Err(fd.error());
}

Result<UniqueFd> OpenLedgerFile(int dir_fd, const std::string& name, const std::string& path) {
  constexpr int kFlags = O_RDWR | O_APPEND | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY;
  bool created = true;
  UniqueFd fd(::openat(dir_fd, name.c_str(), kFlags | O_CREAT | O_EXCL, 0600));
  if (fd.get() < 0 && errno == EEXIST) {
    created = false;
    fd = UniqueFd(::openat(dir_fd, name.c_str(), kFlags));
  }
  if (fd.get() < 0) {
    if (errno == ELOOP) {
      return Err(Status::InvalidArgument("refusing the ledger " + path +
                                         ": it is a symbolic link; it must be a regular file"));
    }
    return Err(ErrnoStatus("cannot open the ledger " + path));
  }
  if (created) {
    if (::fchmod(fd.get(), 0600) != 0) {
      return Err(ErrnoStatus("cannot set the mode of the ledger " + path));
    }
    // The new directory entry must survive a power cut as well as the records in the file.
    if (::fsync(dir_fd) != 0) return Err(ErrnoStatus("cannot sync the state directory of " + path));
  }
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0) return Err(ErrnoStatus("cannot read the ledger " + path));
  if (!S_ISREG(st.st_mode)) {
    return Err(Status::InvalidArgument("refusing the ledger " + path + ": not a regular file"));
  }
  if (Status s = CheckPrivate(path, st, ::geteuid(), "ledger"); !s.ok()) return Err(s);
  return fd;
}

Result<std::string> DefaultStateDirFor(uid_t euid, const char* xdg_state_home, const char* home) {
  if (euid == 0) return std::string("/var/lib/chaosrun");
  if (UsablePath(xdg_state_home)) {
    return WithoutTrailingSlashes(xdg_state_home) + "/chaosrun";
  }
  if (UsablePath(home)) {
    std::string h = WithoutTrailingSlashes(home);
    return (h == "/" ? std::string() : h) + "/.local/state/chaosrun";
  }
  return Err(Status::InvalidArgument(
      "no state directory for the undo ledger: HOME and XDG_STATE_HOME are unset (or not "
      "absolute paths); pass --state-dir DIR, or set HOME or XDG_STATE_HOME"));
}

Result<std::string> DefaultStateDir() {
  return DefaultStateDirFor(::geteuid(), std::getenv("XDG_STATE_HOME"), std::getenv("HOME"));
}

}  // namespace chaosrun::ledger
