#!/usr/bin/env python3
"""Writes a chaosrun-shaped journal with N method activities (default 10,000): sequential
process actions and probes with outputs, every 50th one failed with an exception, every 100th
a background activity, a fault applied by the first and undone in the rollbacks, hypothesis
probes before and after. usage: make_journal.py OUT [N]"""
import json
import sys
from datetime import datetime, timedelta, timezone

out, n = sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 10000
t0 = datetime(2026, 1, 1, tzinfo=timezone.utc)


def iso(s):
    return (t0 + timedelta(seconds=s)).isoformat()


def record(i, start, end, **extra):
    kind = "probe" if i % 3 == 0 else "action"
    r = {"activity": {"type": kind, "name": f"step-{i:05d}",
                      "provider": {"type": "process", "path": "sh",
                                   "arguments": ["-c", f"echo step {i}"]}},
         "output": {"status": 0, "stdout": f"step {i} <ok> & done\n" * 3, "stderr": ""},
         "start": iso(start), "status": "succeeded", "end": iso(end), "duration": end - start}
    r.update(extra)
    return r


run = []
for i in range(n):
    start = 1 + i * 0.01
    r = record(i, start, start + 0.008)
    if i % 50 == 49:
        r["status"] = "failed"
        r["output"] = None
        r["exception"] = [f"chaoslib.exceptions.ActivityFailed: step {i} timed out\n"]
    if i % 100 == 99:
        r["activity"]["background"] = True
        r["end"] = iso(start + 0.5)
    run.append(r)
run[0]["activity"]["provider"] = {"type": "driver", "driver": "process", "func": "stop"}
run[0]["output"] = {"fault": "f-1", "targets": ["process:web/1"]}
end = 2 + n * 0.01
probe = {"activity": {"type": "probe", "name": "up", "tolerance": 0}, "output": {"status": 0},
         "start": iso(0.1), "status": "succeeded", "end": iso(0.2), "tolerance_met": True}
after = dict(probe, start=iso(end - 0.5), end=iso(end - 0.4))
undo = record(n, end - 0.3, end - 0.2, fault="f-1", reason="end of run")
journal = {"chaoslib-version": "chaosrun 0.1.0", "platform": "Linux", "node": "bench",
           "experiment": {"title": f"{n} activities", "method": []},
           "start": iso(0), "status": "completed", "deviated": False,
           "steady_states": {"before": {"steady_state_met": True, "probes": [probe]},
                             "after": {"steady_state_met": True, "probes": [after]},
                             "during": []},
           "run": run, "rollbacks": [undo], "end": iso(end), "duration": end,
           "faults": [{"id": "f-1", "activity": "step-00000", "driver": "process", "func": "stop",
                       "targets": ["process:web/1"], "applied": True, "undone": True,
                       "undone_by": "end of run"}]}
with open(out, "w") as f:
    json.dump(journal, f, indent=2)
