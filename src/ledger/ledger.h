// The undo ledger: a crash-safe, append-only record of every fault chaosrun applies, so that
// whatever happens to the runner (a crash, `kill -9`, a power cut after the sync), every fault
// can be undone by `chaosrun recover` or a restarting daemon.
//
// File: <state-dir>/ledger.jsonl, one JSON object per line:
//   {"op": "intent",   "id": ..., "driver": ..., "func": ..., "undo": {...}, "targets": [...],
//                      "runner": {"pid": ..., "start": ..., "boot_id": ...}, ...}
//   {"op": "applied",  "id": ...}
//   {"op": "reverted", "id": ...}
//   {"op": "undo-failed", "id": ..., "error": "..."}
//   {"op": "forgotten", "id": ..., "by": {"uid": ..., "user": ..., "sudo_user": ...}, "time": ...}
//   {"op": "released", "id": ...}   its run ended without undoing it (the undo failed): no live
//                                   runner owns it any more, even if the runner's process (a
//                                   daemon) lives on, so `recover` undoes it without --force
// An intent keeps only what undo, recover and `recover --list` need (kIntentFields below, plus
// the runner's identity, see runner.h); any other key given to RecordIntent is dropped.
// The state directory and the file are private to the effective user, and checked on every
// Open (state_dir.h).
// Each record is appended with one write() on an O_APPEND descriptor and fsync'ed before the
// call returns, under an exclusive flock (several runners may share a state directory). The
// intent is synced *before* the fault is applied. A torn last line (a crash mid-write) is
// ignored when reading: its fault was never applied. When nothing is pending the file is
// truncated to empty.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "common/json.h"
#include "common/status.h"
#include "ledger/runner.h"
#include "ledger/state_dir.h"

namespace chaosrun::ledger {

// The intent keys kept in the ledger: id, run, driver, driver_path, func, activity, targets,
// undo, time, deadline.
extern const char* const kIntentFields[10];

struct Entry {
  std::string id;
  Json intent;            // the intent record as written
  bool applied = false;   // "applied" was recorded (the fault may exist even when false)
  bool released = false;  // "released": the run that applied it has ended (see above)
  std::string last_error;
};

class Ledger {
 public:
  // Creates the state directory (0700) and the ledger file (0600) if needed, syncing each new
  // entry into its parent directory; refuses either when it is not private (CheckPrivate).
  static Result<std::unique_ptr<Ledger>> Open(const std::string& state_dir);
  ~Ledger();
  Ledger(const Ledger&) = delete;
  Ledger& operator=(const Ledger&) = delete;

  // `intent` must be an object with a non-empty string "id"; "op" and "runner" (this process,
  // or `runner`) are set here, and only kIntentFields are kept.
  Status RecordIntent(const Json& intent);
  Status RecordIntent(const Json& intent, const RunnerIdentity& runner);
  Status RecordApplied(const std::string& id);
  Status RecordReverted(const std::string& id);
  Status RecordUndoFailed(const std::string& id, const std::string& error);
  // The run that applied it has ended and left it applied (its undo failed): the fault stays
  // pending, for `recover` (or a daemon's restart), as if its runner had died.
  Status RecordReleased(const std::string& id);
  // A person repaired the fault by hand: it is no longer pending. `by` says who.
  Status RecordForgotten(const std::string& id, const Json& by, double unix_time);

  // Intents not yet reverted (nor forgotten), in the order they were recorded.
  Result<std::vector<Entry>> Pending() const;
  // Truncates the file when nothing is pending (keeps it small; "the ledger is empty").
  Status CompactIfClean();

  const std::string& path() const { return path_; }
  const std::string& state_dir() const { return state_dir_; }

 private:
  Ledger(std::string state_dir, std::string path, int fd);
  Status Append(const Json& record);

  std::string state_dir_;
  std::string path_;
  int fd_;
};

// A fresh id for an intent: "<unix-ms>-<pid>-<counter>".
std::string NewFaultId();

}  // namespace chaosrun::ledger
