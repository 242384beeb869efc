#include "faults/recover.h"

#include <sys/stat.h>

#include <algorithm>

#include "common/log.h"
#include "faults/bounded_undo.h"
#include "ledger/ledger.h"

namespace chaosrun::faults {

namespace {

bool Exists(const std::string& p) {
  struct stat st {};
  return ::stat(p.c_str(), &st) == 0;
}

std::string Str(const Json& o, const char* k) {
  auto it = o.find(k);
  return it != o.end() && it->is_string() ? it->get<std::string>() : std::string();
}

std::string Targets(const Json& intent) {
  std::string out;
  if (intent.contains("targets") && intent["targets"].is_array()) {
    for (const auto& t : intent["targets"]) {
      if (!t.is_string()) continue;
      if (!out.empty()) out += ", ";
      out += t.get<std::string>();
    }
  }
  return out.empty() ? "no target recorded" : out;
}

}  // namespace

Result<size_t> PendingFaults(const std::string& state_dir) { return PendingFaults(state_dir, {}); }

Result<size_t> PendingFaults(const std::string& state_dir,
                             const std::vector<std::string>& excluded_runs) {
  auto dir_exists = ledger::CheckStateDir(state_dir);
  if (!dir_exists) return Err(dir_exists.error());
  if (!*dir_exists || !Exists(state_dir + "/ledger.jsonl")) return size_t{0};
  auto l = ledger::Ledger::Open(state_dir);
  if (!l) return Err(l.error());
  auto p = (*l)->Pending();
  if (!p) return Err(p.error());
  size_t n = 0;
  for (const auto& e : *p) {
    std::string run = Str(e.intent, "run");
    if (std::find(excluded_runs.begin(), excluded_runs.end(), run) == excluded_runs.end()) ++n;
  }
  return n;
}

Result<RecoverReport> Recover(const std::string& state_dir, plugin::Registry& registry,
                              const RecoverOptions& options) {
  RecoverReport report;
  auto dir_exists = ledger::CheckStateDir(state_dir);
  if (!dir_exists) return Err(dir_exists.error());
  if (!*dir_exists || !Exists(state_dir + "/ledger.jsonl")) {
    report.lines.push_back("nothing to recover: no ledger in " + state_dir);
    return report;
  }
  auto l = ledger::Ledger::Open(state_dir);
  if (!l) return Err(l.error());
  auto pending = (*l)->Pending();
  if (!pending) return Err(pending.error());
  if (pending->empty()) report.lines.push_back("nothing to recover: every fault is undone");
  for (auto it = pending->rbegin(); it != pending->rend(); ++it) {
    const Json& intent = it->intent;
    std::string driver_name = Str(intent, "driver");
    std::string func = Str(intent, "func");
    std::string what = "fault " + it->id + " (" + driver_name + "." + func + " on " +
                       Targets(intent) + ", activity '" + Str(intent, "activity") + "')";
    if (Json runner = intent.contains("runner") ? intent["runner"] : Json(nullptr);
        !it->released && ledger::RunnerAlive(runner)) {
      std::string pid = runner["pid"].dump();
      if (!options.force) {
        ++report.refused;
        report.lines.push_back("REFUSED " + what + ": its run is still alive (pid " + pid +
                               ") and undoes its own faults when it ends; stop it with "
                               "`chaosrun halt --state-dir " +
                               state_dir + "` or `kill " + pid +
                               "`, or undo anyway with `chaosrun recover --force`");
        continue;
      }
      log::Warn("--force: undoing {} although its run (pid {}) is still alive", what, pid);
    }
    plugin::Driver* driver = registry.Find(driver_name);
    if (driver == nullptr) {
      std::string path = Str(intent, "driver_path");
      if (!path.empty()) {
        Status st = registry.LoadFile(path);
        if (st.ok()) driver = registry.Find(driver_name);
      }
    }
    if (driver == nullptr) {
      ++report.failed;
      std::string err = "driver '" + driver_name + "' cannot be found";
      (void)(*l)->RecordUndoFailed(it->id, err);
      report.lines.push_back("FAILED " + what + ": " + err);
      continue;
    }
    Json undo = intent.contains("undo") ? intent["undo"] : Json(nullptr);
    plugin::CallResult r = UndoWithinLimit(SystemClock(), *driver, func, undo);  // bounded
    if (r.ok()) {
      ++report.undone;
      if (Status st = (*l)->RecordReverted(it->id); !st.ok()) {
        report.lines.push_back("undone " + what +
                               ", but the ledger could not record it: " + st.message());
      } else {
        report.lines.push_back("undone " + what);
      }
    } else {
      ++report.failed;
      (void)(*l)->RecordUndoFailed(it->id, r.error());
      report.lines.push_back("FAILED " + what + ": " + r.error());
    }
  }
  if (Status st = (*l)->CompactIfClean(); !st.ok()) report.lines.push_back(st.message());
  return report;
}

}  // namespace chaosrun::faults
