// bench/measure: runs a command once and prints "<wall-ms> <maxrss-kib> <cpu-ms>" on stdout.
// Wall time is CLOCK_MONOTONIC around fork..wait4; max RSS is ru_maxrss of the child as reported
// by wait4 (the peak of the largest single process in the child's tree that was waited for: for
// chaosrun, chaosrun itself); CPU time is user + system time of the child and of the children it
// reaped (the `echo`s), which a busy machine inflates far less than wall time. The child's stdout
// and stderr go to /dev/null. Exit status: the command's (127 if it could not be started).
#include <fcntl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cstdio>

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: measure COMMAND [ARGS...]\n");
    return 2;
  }
  timespec t0{}, t1{};
  clock_gettime(CLOCK_MONOTONIC, &t0);
  pid_t pid = fork();
  if (pid < 0) {
    std::perror("fork");
    return 127;
  }
  if (pid == 0) {
    int null = open("/dev/null", O_RDWR);
    if (null >= 0) {
      dup2(null, 1);
      dup2(null, 2);
    }
    execvp(argv[1], argv + 1);
    _exit(127);
  }
  int status = 0;
  rusage ru{};
  while (wait4(pid, &status, 0, &ru) < 0) {
  }
  clock_gettime(CLOCK_MONOTONIC, &t1);
  double ms = (t1.tv_sec - t0.tv_sec) * 1e3 + (t1.tv_nsec - t0.tv_nsec) / 1e6;
  double cpu_ms = (ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1e3 +
                  (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e3;
  std::printf("%.3f %ld %.3f\n", ms, ru.ru_maxrss, cpu_ms);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}
