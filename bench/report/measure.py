#!/usr/bin/env python3
"""Runs a command REPEAT times and prints the best wall time (s) and the largest peak RSS (MiB)
of the child, from os.wait4's rusage. usage: measure.py REPEAT CMD..."""
import os
import sys
import time

repeat, cmd = int(sys.argv[1]), sys.argv[2:]
best, rss = float("inf"), 0
for _ in range(repeat):
    t = time.perf_counter()
    pid = os.posix_spawnp(cmd[0], cmd, os.environ,
                          file_actions=[(os.POSIX_SPAWN_OPEN, 1, os.devnull, os.O_WRONLY, 0)])
    _, status, usage = os.wait4(pid, 0)
    best = min(best, time.perf_counter() - t)
    rss = max(rss, usage.ru_maxrss / 1024)
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit(f"{cmd[0]} failed")
print(f"{best:.3f} {rss:.1f}")
