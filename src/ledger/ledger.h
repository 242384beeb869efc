// The undo ledger: a crash-safe, append-only record of every fault chaosrun applies, so that
// whatever happens to the runner (a crash, `kill -9`, a power cut after the sync), every fault
// can be undone by `chaosrun recover` or a restarting daemon.
//
// File: <state-dir>/ledger.jsonl, one JSON object per line:
//   {"op": "intent",   "id": ..., "driver": ..., "func": ..., "undo": {...}, "targets": [...], ...}
//   {"op": "applied",  "id": ...}
//   {"op": "reverted", "id": ...}
//   {"op": "undo-failed", "id": ..., "error": "..."}
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

namespace chaosrun::ledger {

struct Entry {
  std::string id;
  Json intent;           // the intent record as written
  bool applied = false;  // "applied" was recorded (the fault may exist even when false)
  std::string last_error;
};

class Ledger {
 public:
  // Creates the state directory (0700) and the ledger file if needed.
  static Result<std::unique_ptr<Ledger>> Open(const std::string& state_dir);
  ~Ledger();
  Ledger(const Ledger&) = delete;
  Ledger& operator=(const Ledger&) = delete;

  // `intent` must be an object with a non-empty string "id"; "op" is set here.
  Status RecordIntent(const Json& intent);
  Status RecordApplied(const std::string& id);
  Status RecordReverted(const std::string& id);
  Status RecordUndoFailed(const std::string& id, const std::string& error);

  // Intents not yet reverted, in the order they were recorded.
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

// Default state directory: /var/lib/chaosrun for root, else $XDG_STATE_HOME/chaosrun, else
// ~/.local/state/chaosrun.
std::string DefaultStateDir();

// A fresh id for an intent: "<unix-ms>-<pid>-<counter>".
std::string NewFaultId();

}  // namespace chaosrun::ledger
