#include "fifo_gate.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "harness.h"

namespace chaosrun::safety_test {

namespace {

std::string GoPath(const std::string& dir, const std::string& occurrence) {
  return dir + "/go_" + occurrence;
}

}  // namespace

bool MakeGateFifo(const std::string& dir, const std::string& occurrence) {
  return ::mkfifo(GoPath(dir, occurrence).c_str(), 0600) == 0;
}

bool GateReached(const std::string& dir, const std::string& occurrence) {
  return Exists(dir + "/at_" + occurrence);
}

bool ReleaseGate(const std::string& dir, const std::string& occurrence) {
  // Without a reader, a non-blocking open for writing fails (ENXIO): the gate has created its
  // marker but its `cat` has not opened the fifo yet.
  int fd = -1;
  std::string path = GoPath(dir, occurrence);
  if (!WaitUntil([&] {
        fd = ::open(path.c_str(), O_WRONLY | O_NONBLOCK | O_CLOEXEC);
        return fd >= 0;
      })) {
    return false;
  }
  bool wrote = ::write(fd, "x", 1) == 1;
  ::close(fd);
  return wrote;
}

void UnblockGate(const std::string& dir, const std::string& occurrence) {
  int fd = ::open(GoPath(dir, occurrence).c_str(), O_WRONLY | O_NONBLOCK | O_CLOEXEC);
  if (fd >= 0) ::close(fd);
}

}  // namespace chaosrun::safety_test
