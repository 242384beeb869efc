// bench/floor: the least any runner can spend on bench/minimal.json. Runs the experiment's four
// processes (`echo probe`, `echo action`, `echo probe`, `echo rollback`) one after the other the
// way a runner must: spawn with stdout and stderr captured through a pipe, read to EOF, reap.
// No parsing, no journal, no threads. startup.sh measures it in the same loop as chaosrun, so
// chaosrun's own cost is the difference.
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>

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

int main() {
  const char* words[] = {"probe", "action", "probe", "rollback"};
  for (const char* w : words) {
    if (RunEcho(w) != 0) {
      std::fprintf(stderr, "floor: echo %s failed\n", w);
      return 1;
    }
  }
  return 0;
}
