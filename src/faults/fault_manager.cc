#include "faults/fault_manager.h"

#include <poll.h>
#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <exception>
#include <system_error>

#include "common/log.h"
#include "faults/describe.h"
#include "faults/func_kind.h"

namespace chaosrun::faults {

namespace {

std::string StrField(const Json& obj, const char* key) {
  if (!obj.is_object()) return {};
  auto it = obj.find(key);
  return it != obj.end() && it->is_string() ? it->get<std::string>() : std::string();
}

double UnixNow() {
  return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

}  // namespace

std::string HaltFilePath(const std::string& state_dir) { return state_dir + "/halt"; }

bool Halted(const std::string& state_dir) {
  struct stat st {};
  return ::stat(HaltFilePath(state_dir).c_str(), &st) == 0;
}

FaultManager::FaultManager(plugin::Registry& registry, guard::Guard& guard, Clock& clock,
                           Options options)
    : registry_(registry),
      guard_(guard),
      clock_(clock),
      options_(std::move(options)),
      wake_(std::make_unique<CancelSource>()) {}

FaultManager::~FaultManager() {
  stop_watchdog_.Cancel("shutdown");
  watchdog_hurry_.Cancel("shutdown");
  {
    std::lock_guard lock(wake_mu_);
    wake_->Cancel("shutdown");
  }
  {
    std::lock_guard lock(watchdog_mu_);
    if (watchdog_.joinable()) watchdog_.join();
  }
  // A fault still applied now outlives its run (its undo failed or hung): no one in this process
  // will undo it any more. Released, it is recovered as a dead runner's would be, also when this
  // process (a daemon) lives on.
  if (!ledger_) return;
  for (const auto& f : faults_) {
    if (!f->applied || f->undone) continue;
    if (Status st = ledger_->RecordReleased(f->id); !st.ok()) {
      log::Error("fault {}: cannot record in the ledger that its run has ended: {}", f->id,
                 st.message());
    }
  }
}

Status FaultManager::EnsureLedger() {
  std::lock_guard lock(mu_);
  if (ledger_) return Status::Ok();
  auto l = ledger::Ledger::Open(options_.state_dir);
  if (!l) return l.error();
  ledger_ = std::move(*l);
  return Status::Ok();
}

providers::Outcome FaultManager::Run(const Json& activity, const Json& provider,
                                     const CancelToken& cancel) {
  std::string name = StrField(provider, "driver");
  std::string func = StrField(provider, "func");
  plugin::Driver* driver = registry_.Find(name);
  // An action whose driver or func is missing injected nothing: like a refused fault, it must
  // not let the drill pass (possible under --no-validation, or with a driver that failed to load).
  const bool action_activity = StrField(activity, "type") == "action";
  auto not_injected = [&](const std::string& why) {
    if (!action_activity) return providers::Outcome::Failed(why);
    return providers::Outcome::Refused(why + "; the fault is not injected",
                                       {{"phase", "driver"}, {"reason", why}});
  };
  if (driver == nullptr) return not_injected("no driver named '" + name + "' is loaded");
  Json args = provider.is_object() && provider.contains("arguments") ? provider["arguments"]
                                                                     : Json::object();
  // The func decides what runs, and it must agree with the activity's type (validation says so
  // too; this holds under --no-validation): a fault is never injected by a "probe".
  const FuncKind kind = DriverFuncKind(registry_, provider);
  const bool labelled_action = StrField(activity, "type") == "action";
  if (kind == FuncKind::kAction && !labelled_action) {
    const std::string reason = "'" + func + "' is an action of driver '" + name +
                               "' and this activity is not an action; the fault is not injected";
    return providers::Outcome::Refused(name + "." + func + ": refused: " + reason,
                                       {{"phase", "activity-type"}, {"reason", reason}});
  }
  if (kind == FuncKind::kProbe && labelled_action) {
    return providers::Outcome::Failed("'" + func + "' is a probe of driver '" + name +
                                      "'; this activity is an action");
  }
  if (kind == FuncKind::kProbe) {
    log::Debug("driver call: {}.{} {}", name, func, DumpCompact(args));
    plugin::CallResult r = driver->Probe(func, args, cancel);
    if (r.status == CHAOSRUN_CANCELLED || (!r.ok() && cancel.cancelled())) {
      return providers::Outcome::Interrupted();
    }
    if (!r.ok()) return providers::Outcome::Failed(name + "." + func + ": " + r.error());
    return providers::Outcome::Succeeded(r.value);
  }
  if (kind != FuncKind::kAction) {
    return not_injected("driver '" + name + "' has no action or probe named '" + func + "'");
  }
  return RunAction(activity, *driver, func, provider, cancel);
}

providers::Outcome FaultManager::RunAction(const Json& activity, plugin::Driver& driver,
                                           const std::string& func, const Json& provider,
                                           const CancelToken& cancel) {
  try {
    return RunActionPhases(activity, driver, func, provider, cancel);
  } catch (const std::exception& e) {
    // A fault already in the list is still undone at the end of the run; the run is aborted.
    std::string why = driver.descriptor().name + "." + func + ": internal error: " + e.what();
    return providers::Outcome::Refused(why, {{"phase", "internal"}, {"reason", why}});
  }
}

providers::Outcome FaultManager::RunActionPhases(const Json& activity, plugin::Driver& driver,
                                                 const std::string& func, const Json& provider,
                                                 const CancelToken& cancel) {
  const std::string label = driver.descriptor().name + "." + func;
  auto refuse = [&](const char* phase, const std::string& reason, Json extra = Json::object()) {
    extra["phase"] = phase;
    extra["reason"] = reason;
    return providers::Outcome::Refused(label + ": refused: " + reason, std::move(extra));
  };
  if (Halted(options_.state_dir)) {
    return refuse("halt", "the kill switch is set (" + HaltFilePath(options_.state_dir) +
                              "); no new fault is applied until `chaosrun halt --clear`");
  }
  Json args = provider.contains("arguments") ? provider["arguments"] : Json::object();

  // 1. Prepare: the driver chooses targets and computes the undo, changing nothing.
  log::Debug("driver call: {} prepare {}", label, DumpCompact(args));
  plugin::CallResult plan = driver.Prepare(func, args, cancel);
  if (plan.status == CHAOSRUN_CANCELLED || (!plan.ok() && cancel.cancelled())) {
    return providers::Outcome::Interrupted();
  }
  if (!plan.ok()) return refuse("prepare", "prepare failed: " + plan.error());
  if (!plan.value.is_object() || !plan.value.contains("undo") || plan.value["undo"].is_null()) {
    return refuse("prepare", "the driver computed no undo");
  }
  // Every target must be a string the guard can check: a number or an object is refused, and
  // so is a selection no count, percent or max-targets-per-action bounds (Guard::PlanTargets).
  guard::Refusal listing;
  auto listed = guard_.PlanTargets(plan.value, &listing);
  if (!listed) {
    return refuse("guard", listed.error().message(),
                  {{"rule", listing.rule}, {"target", ""}, {"layer", listing.layer}});
  }
  std::vector<std::string> targets = std::move(*listed);

  // 2. Guard: blast radius and duration, checked by the host.
  auto refuse_guard = [&](const Status& st, const guard::Refusal& r) {
    std::string target = r.target;
    if (target.empty()) {
      for (const auto& t : targets) target += (target.empty() ? "" : ", ") + t;
    }
    return refuse("guard", st.message(),
                  {{"rule", r.rule}, {"target", target}, {"layer", r.layer}});
  };
  std::optional<double> duration;
  guard::Refusal refusal;
  if (provider.contains("duration") && provider["duration"].is_number()) {
    duration = provider["duration"].get<double>();
    if (Status st = guard_.CheckDuration(*duration, &refusal); !st.ok()) {
      return refuse_guard(st, refusal);
    }
  }
  if (Status st = guard_.Admit(targets, &refusal); !st.ok()) return refuse_guard(st, refusal);
  std::optional<double> limit = guard_.max_duration();
  if (duration && (!limit || *duration < *limit)) limit = duration;

  // 3. Ledger: intent + undo, synced before anything changes; the watchdog that keeps the
  // fault's time limit runs before the fault can exist.
  if (Status st = EnsureLedger(); !st.ok()) {
    return refuse("ledger", "cannot record the undo: " + st.message());
  }
  if (Status st = EnsureWatchdog(); !st.ok()) return refuse("internal", st.message());
  auto fault = std::make_unique<Fault>();
  fault->id = ledger::NewFaultId();
  fault->activity = StrField(activity, "name");
  fault->driver = &driver;
  fault->func = func;
  fault->undo = plan.value["undo"];
  fault->targets = targets;
  fault->shown = label + " on " + DescribeTargets(targets);
  fault->undo_description = DescribeUndo(driver.descriptor().name, func, plan.value);
  fault->undo_limit = UndoLimitSeconds(driver.descriptor(), func, guard_.undo_timeout());
  Json intent = {{"id", fault->id},
                 {"run", options_.run_id},
                 {"driver", driver.descriptor().name},
                 {"driver_path", driver.path()},
                 {"func", func},
                 {"activity", fault->activity},
                 {"targets", targets},
                 {"undo", fault->undo},
                 {"time", UnixNow()}};
  if (limit) intent["deadline"] = UnixNow() + *limit;
  if (Status st = ledger_->RecordIntent(intent); !st.ok()) {
    return refuse("ledger", "cannot record the undo: " + st.message());
  }
  Fault* f = fault.get();
  {
    std::lock_guard lock(mu_);
    f->applied = true;  // from here on the fault may exist: it counts until it is undone
    faults_.push_back(std::move(fault));
  }

  // 4. Apply. Whatever happens from here, the fault is in the list and will be undone.
  log::Debug("driver call: {} apply (fault {})", label, f->id);
  plugin::CallResult applied = driver.Apply(func, plan.value, cancel);
  {
    std::lock_guard lock(mu_);
    if (limit) f->deadline = clock_.Now() + SecondsToDuration(*limit);
  }
  if (Status st = ledger_->RecordApplied(f->id); !st.ok()) {
    log::Warn("{}: cannot record 'applied' in the ledger: {}", label, st.message());
  }
  {
    std::lock_guard lock(wake_mu_);
    wake_->Cancel("deadlines changed");
  }
  if (applied.status == CHAOSRUN_CANCELLED) return providers::Outcome::Interrupted();
  if (!applied.ok()) {
    return refuse("apply", "apply failed (the undo will still run): " + applied.error(),
                  {{"fault", f->id}});
  }
  Json output = {
      {"fault", f->id}, {"targets", targets}, {"plan", plan.value}, {"result", applied.value}};
  output["plan"].erase("undo");
  // What the console shows (cli/console_observer.h): never the id or the raw plan by default.
  output["undo_description"] = f->undo_description;
  if (limit) output["max_duration"] = *limit;
  log::Write(options_.log_applied ? log::Level::kInfo : log::Level::kDebug,
             fmt::format("fault {} applied: {}{}", f->id, f->shown,
                         limit ? fmt::format(" (undone automatically after {:g} s)", *limit) : ""));
  return providers::Outcome::Succeeded(std::move(output));
}

plugin::CallResult FaultManager::AttemptUndo(Fault& f, const CancelToken& hurry) {
  std::shared_ptr<UndoAttempt> stuck;
  double limit = 0;
  {
    std::lock_guard lock(mu_);
    stuck = f.stuck;
    limit = f.undo_limit;
  }
  if (stuck) {
    if (!stuck->finished()) {
      plugin::CallResult busy;
      busy.status = CHAOSRUN_FAILED;
      busy.value = {{"error", "the earlier undo of this fault, abandoned, has still not returned"}};
      return busy;
    }
    std::lock_guard lock(mu_);
    f.stuck.reset();
    if (plugin::CallResult late = stuck->result(); late.ok()) return late;  // finished late
  }
  log::Debug("driver call: {}.{} undo (fault {})", f.driver->descriptor().name, f.func, f.id);
  BoundedUndoResult r =
      RunBoundedUndo(clock_, f.driver->DetachableUndo(f.func, f.undo), limit, hurry);
  if (r.abandoned) {
    std::lock_guard lock(mu_);
    f.stuck = r.attempt;
  }
  return r.call;
}

void FaultManager::NoteUndoResult(Fault& f, const std::string& reason,
                                  const plugin::CallResult& r) {
  if (r.ok()) {
    {
      std::lock_guard lock(mu_);
      f.undone = true;
      f.undone_by = reason;
      f.undo_error.clear();
    }
    if (ledger_) {
      if (Status st = ledger_->RecordReverted(f.id); !st.ok()) {
        log::Error("fault {}: undone, but cannot record it in the ledger: {}", f.id, st.message());
      }
    }
    log::Debug("fault {} undone ({})", f.id, reason);
    log::Info("  undone: {}: {} ({})", f.shown, f.undo_description, reason);
    return;
  }
  std::string error = r.error();
  bool changed = false;
  bool record = false;
  int failures = 0;
  {
    std::lock_guard lock(mu_);
    changed = error != f.undo_error;
    failures = ++f.undo_failures;
    f.undo_error = error;
    record = changed && f.failed_records < kMaxUndoFailedRecords;
    if (record) ++f.failed_records;
  }
  if (record && ledger_) (void)ledger_->RecordUndoFailed(f.id, error);
  if (changed) {
    log::Error("  undo of fault {} ({}: {}) FAILED: {}; run `chaosrun recover`", f.id, f.shown,
               f.undo_description, error);
  } else if (failures % kLogEveryFailures == 0) {
    log::Error("  undo of fault {} ({}) still FAILING after {} attempts: {}", f.id, f.shown,
               failures, error);
  }
}

Json FaultManager::UndoOne(Fault& f, const std::string& reason, const CancelToken& hurry) {
  auto start = clock_.Now();
  std::string started = IsoTimestamp(clock_.WallNow());
  plugin::CallResult r;
  try {
    r = AttemptUndo(f, hurry);
  } catch (const std::exception& e) {
    r.status = CHAOSRUN_FAILED;
    r.value = {{"error", std::string("undo failed: internal error: ") + e.what()}};
  }
  NoteUndoResult(f, reason, r);
  Json record = Json::object();
  try {
    record["activity"] = {{"type", "action"},
                          {"name", "undo " + (f.activity.empty() ? f.id : f.activity)},
                          {"provider",
                           {{"type", "driver"},
                            {"driver", f.driver->descriptor().name},
                            {"func", f.func},
                            {"undo", true}}}};
    record["output"] = r.ok() ? r.value : Json(nullptr);
    record["status"] = r.ok() ? "succeeded" : "failed";
    if (!r.ok()) {
      record["exception"] =
          Json::array({"chaoslib.exceptions.ActivityFailed: undo failed: " + r.error() + "\n"});
    }
    record["start"] = started;
    record["end"] = IsoTimestamp(clock_.WallNow());
    record["duration"] = DurationToSeconds(clock_.Now() - start);
    record["fault"] = f.id;
    record["reason"] = reason;
  } catch (const std::exception& e) {
    record = {{"status", r.ok() ? "succeeded" : "failed"}, {"fault", f.id}, {"reason", reason}};
  }
  return record;
}

Json FaultManager::UndoAll(const std::string& reason, const CancelToken& hurry) {
  // A watchdog turn may hold undo_mu_ with an undo in flight: the hurry reaches it too, so an
  // interrupt during the final undo never waits for a watchdog undo's whole limit.
  CancelSource linked;
  std::thread linker;
  bool watchdog_running;
  {
    std::lock_guard lock(watchdog_mu_);
    watchdog_running = watchdog_.joinable();
  }
  if (hurry.fd() >= 0 && watchdog_running) {  // no watchdog (no fault yet): nothing to hurry
    try {
      linker = std::thread([this, hurry, done = linked.token()] {
        // An event, not a time: wait on the two tokens' descriptors.
        pollfd fds[2] = {{hurry.fd(), POLLIN, 0}, {done.fd(), POLLIN, 0}};
        while (!hurry.cancelled() && !done.cancelled()) {
          if (::poll(fds, 2, -1) < 0 && errno != EINTR) return;
        }
        if (hurry.cancelled()) watchdog_hurry_.Cancel(hurry.reason());
      });
    } catch (const std::exception&) {  // no thread: a watchdog undo in flight keeps its limit
    }
  }
  struct StopLinker {
    CancelSource& linked;
    std::thread& linker;
    ~StopLinker() {
      linked.Cancel("done");
      if (linker.joinable()) linker.join();
    }
  } stop_linker{linked, linker};
  std::lock_guard undo_lock(undo_mu_);
  std::vector<Fault*> to_undo;
  {
    std::lock_guard lock(mu_);
    for (auto it = faults_.rbegin(); it != faults_.rend(); ++it) {
      if (!(*it)->undone) to_undo.push_back(it->get());
    }
  }
  Json records = Json::array();
  for (Fault* f : to_undo) records.push_back(UndoOne(*f, reason, hurry));
  if (ledger_) (void)ledger_->CompactIfClean();
  return records;
}

Json FaultManager::Summary() const {
  std::lock_guard lock(mu_);
  Json out = Json::array();
  for (const auto& f : faults_) {
    Json s = {
        {"id", f->id},        {"activity", f->activity}, {"driver", f->driver->descriptor().name},
        {"func", f->func},    {"targets", f->targets},   {"applied", f->applied},
        {"undone", f->undone}};
    if (!f->undone_by.empty()) s["undone_by"] = f->undone_by;
    if (!f->undo_error.empty()) s["undo_error"] = f->undo_error;
    if (f->undo_failures > 0) s["undo_failures"] = f->undo_failures;
    if (f->stuck && !f->stuck->finished()) s["undo_abandoned"] = true;
    if (f->watchdog_attempts > 0) s["watchdog_attempts"] = f->watchdog_attempts;
    out.push_back(std::move(s));
  }
  return out;
}

size_t FaultManager::applied_count() const {
  std::lock_guard lock(mu_);
  return static_cast<size_t>(std::count_if(faults_.begin(), faults_.end(),
                                           [](const auto& f) { return f->applied && !f->undone; }));
}

}  // namespace chaosrun::faults
