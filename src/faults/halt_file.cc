#include "faults/halt_file.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "common/log.h"
#include "faults/fault_manager.h"
#include "ledger/state_dir.h"

namespace chaosrun::faults {

Status SetHalt(const std::string& state_dir, const std::string& reason) {
  std::string path = HaltFilePath(state_dir);
  auto dir_fd = ledger::OpenStateDir(state_dir, /*create=*/true);
  if (!dir_fd) return dir_fd.error();
  int fd =
      ::openat(dir_fd->get(), "halt", O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0644);
  if (fd < 0) return Status::IoError("cannot create " + path + ": " + std::strerror(errno));
  std::string text = reason + "\n";
  bool written = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size());
  int write_errno = errno;
  ::fsync(fd);
  ::close(fd);
  // The file's existence is the switch; its text only says why, so a short write still halts.
  if (!written) {
    log::Warn("the kill switch is set, but its reason could not be written to {}: {}", path,
              std::strerror(write_errno));
  }
  return Status::Ok();
}

Result<bool> ClearHalt(const std::string& state_dir) {
  auto exists = ledger::CheckStateDir(state_dir);
  if (!exists) return Err(exists.error());
  if (!*exists) return false;
  std::string path = HaltFilePath(state_dir);
  if (::unlink(path.c_str()) == 0) return true;
  if (errno == ENOENT) return false;
  return Err(Status::IoError("cannot remove " + path + ": " + std::strerror(errno)));
}

}  // namespace chaosrun::faults
