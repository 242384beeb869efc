// A fake procfs tree in a temporary directory: lets the driver's choice and plan logic run
// deterministically, with no real process involved. Fake pids are above the kernel's pid_max
// (4194304), so they can never be this test's own pid or parent.
#pragma once

#include <cstdint>
#include <string>

#include "support/temp_dir.h"

namespace chaosrun::drivers::process::testing {

class FakeProc {
 public:
  static constexpr int kBase = 5000000;

  // Adds /PID/{stat,cmdline,status,environ,cwd}. `argv` is NUL-separated when written; status
  // says uid 1000/1001, gid 2000/2001, groups 5 6; environ is FAKE=1 PATH=/usr/bin:/bin; cwd
  // links to /tmp.
  void Add(int pid, const std::string& comm, const std::string& cmdline_with_spaces,
           char state = 'S', uint64_t start_time = 1000, uint64_t flags = 0x400000, int tgid = 0);
  // Removes /PID/FILE, as if it could not be read.
  void Unreadable(int pid, const std::string& file);
  std::string root() const { return dir_.path().string(); }

 private:
  chaosrun::testing::TempDir dir_;
};

}  // namespace chaosrun::drivers::process::testing
