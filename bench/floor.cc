// bench/floor: the least any runner can spend on bench/minimal.json. Runs the experiment's four
// processes (`echo probe`, `echo action`, `echo probe`, `echo rollback`) one after the other the
// way a runner must: spawn with stdout and stderr captured through a pipe, read to EOF, reap;
// then it writes a journal of the same size durably, as chaosrun does (a temporary file, fsync,
// rename, fsync of the directory). No parsing, no threads. startup.sh measures it in the same
// loop as chaosrun, so chaosrun's own cost is the difference.
//
//   floor JOURNAL-PATH
#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <string>

extern char** environ;

static int RunEcho(const char* word) {
  int fds[2];
  if (pipe(fds) != 0) return 1;
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_adddup2(&fa, fds[1], 1);
  posix_spawn_file_actions_adddup2(&fa, fds[1], 2);
  posix_spawn_file_actions_addclose(&fa, fds[0]);
  posix_spawn_file_actions_addclose(&fa, fds[1]);
  char* argv[] = {const_cast<char*>("echo"), const_cast<char*>(word), nullptr};
  pid_t pid = 0;
  const int rc = posix_spawnp(&pid, "echo", &fa, nullptr, argv, environ);
  posix_spawn_file_actions_destroy(&fa);
  close(fds[1]);
  if (rc != 0) {
    close(fds[0]);
    return 1;
  }
  char buf[4096];
  while (read(fds[0], buf, sizeof buf) > 0) {
  }
  close(fds[0]);
  int status = 0;
  if (waitpid(pid, &status, 0) != pid) return 1;
  return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : 1;
}

// The size of chaosrun's journal of bench/minimal.json.
constexpr size_t kJournalBytes = 3900;

static int WriteDurably(const std::string& path) {
  const std::string tmp = path + ".tmp";
  const int fd = open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return 1;
  const std::string body(kJournalBytes, ' ');
  const bool ok =
      write(fd, body.data(), body.size()) == static_cast<ssize_t>(body.size()) && fsync(fd) == 0;
  close(fd);
  if (!ok || rename(tmp.c_str(), path.c_str()) != 0) return 1;
  const size_t slash = path.rfind('/');
  const std::string dir = slash == std::string::npos ? "." : path.substr(0, slash);
  const int dfd = open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd < 0) return 1;
  const int rc = fsync(dfd);
  close(dfd);
  return rc == 0 ? 0 : 1;
}

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: floor JOURNAL-PATH\n");
    return 2;
  }
  const char* words[] = {"probe", "action", "probe", "rollback"};
  for (const char* w : words) {
    if (RunEcho(w) != 0) {
      std::fprintf(stderr, "floor: echo %s failed\n", w);
      return 1;
    }
  }
  if (WriteDurably(argv[1]) != 0) {
    std::perror("floor: journal");
    return 1;
  }
  return 0;
}
