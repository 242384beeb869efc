#include "fake_proc.h"

#include <algorithm>
#include <filesystem>

namespace chaosrun::drivers::process::testing {

void FakeProc::Add(int pid, const std::string& comm, const std::string& cmdline_with_spaces,
                   char state, uint64_t start_time, uint64_t flags, int tgid) {
  std::string p = std::to_string(pid);
  std::string stat = p + " (" + comm + ") " + state + " 1 1 1 0 -1 " + std::to_string(flags) +
                     " 0 0 0 0 0 0 0 0 20 0 1 0 " + std::to_string(start_time) + " 1000 100\n";
  dir_.Write(p + "/stat", stat);
  std::string cmd = cmdline_with_spaces;
  std::replace(cmd.begin(), cmd.end(), ' ', '\0');
  if (!cmd.empty()) cmd.push_back('\0');
  dir_.Write(p + "/cmdline", cmd);
  dir_.Write(p + "/status", "Name:\t" + comm + "\nUmask:\t0022\nState:\t" + state + "\nTgid:\t" +
                                std::to_string(tgid == 0 ? pid : tgid) +
                                "\nUid:\t1000\t1001\t1001\t1001\nGid:\t2000\t2001\t2001\t2001"
                                "\nGroups:\t5 6 \n");
  dir_.Write(p + "/environ", std::string("FAKE=1\0PATH=/usr/bin:/bin\0", 26));
  std::filesystem::remove(dir_.path() / p / "cwd");  // Add may rewrite an entry
  std::filesystem::create_symlink("/tmp", dir_.path() / p / "cwd");
}

void FakeProc::Unreadable(int pid, const std::string& file) {
  std::filesystem::remove(dir_.path() / std::to_string(pid) / file);
}

}  // namespace chaosrun::drivers::process::testing
