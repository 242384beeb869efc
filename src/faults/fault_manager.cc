#include "faults/fault_manager.h"

#include <sys/stat.h>

#include <algorithm>

#include "common/log.h"
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
      wake_(std::make_unique<CancelSource>()) {
  watchdog_ = std::thread([this] { WatchdogLoop(); });
}

FaultManager::~FaultManager() {
  stop_watchdog_.Cancel("shutdown");
  {
    std::lock_guard lock(wake_mu_);
    wake_->Cancel("shutdown");
  }
  if (watchdog_.joinable()) watchdog_.join();
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
  if (driver == nullptr) {
    return providers::Outcome::Failed("no driver named '" + name + "' is loaded");
  }
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
    plugin::CallResult r = driver->Probe(func, args, cancel);
    if (r.status == CHAOSRUN_CANCELLED || (!r.ok() && cancel.cancelled())) {
      return providers::Outcome::Interrupted();
    }
    if (!r.ok()) return providers::Outcome::Failed(name + "." + func + ": " + r.error());
    return providers::Outcome::Succeeded(r.value);
  }
  if (kind != FuncKind::kAction) {
    return providers::Outcome::Failed("driver '" + name + "' has no action or probe named '" +
                                      func + "'");
  }
  return RunAction(activity, *driver, func, provider, cancel);
}

providers::Outcome FaultManager::RunAction(const Json& activity, plugin::Driver& driver,
                                           const std::string& func, const Json& provider,
                                           const CancelToken& cancel) {
  const std::string label = driver.descriptor().name + "." + func;
  if (Halted(options_.state_dir)) {
    return providers::Outcome::Failed("refused: the kill switch is set (" +
                                      HaltFilePath(options_.state_dir) +
                                      "); no new fault is applied until `chaosrun halt --clear`");
  }
  Json args = provider.contains("arguments") ? provider["arguments"] : Json::object();

  // 1. Prepare: the driver chooses targets and computes the undo, changing nothing.
  plugin::CallResult plan = driver.Prepare(func, args, cancel);
  if (plan.status == CHAOSRUN_CANCELLED) return providers::Outcome::Interrupted();
  if (!plan.ok())
    return providers::Outcome::Failed(label + ": refused by prepare: " + plan.error());
  if (!plan.value.is_object() || !plan.value.contains("undo") || plan.value["undo"].is_null()) {
    return providers::Outcome::Failed(label + ": refused: the driver computed no undo");
  }
  std::vector<std::string> targets;
  if (plan.value.contains("targets") && plan.value["targets"].is_array()) {
    for (const auto& t : plan.value["targets"]) {
      if (t.is_string()) targets.push_back(t.get<std::string>());
    }
  }

  // 2. Guard: blast radius and duration, checked by the host.
  std::optional<double> duration;
  if (provider.contains("duration") && provider["duration"].is_number()) {
    duration = provider["duration"].get<double>();
    if (Status st = guard_.CheckDuration(*duration); !st.ok()) {
      return providers::Outcome::Failed(label + ": refused: " + st.message());
    }
  }
  if (Status st = guard_.Admit(targets); !st.ok()) {
    return providers::Outcome::Failed(label + ": refused: " + st.message());
  }
  std::optional<double> limit = guard_.max_duration();
  if (duration && (!limit || *duration < *limit)) limit = duration;

  // 3. Ledger: intent + undo, synced before anything changes.
  if (Status st = EnsureLedger(); !st.ok()) {
    return providers::Outcome::Failed(label + ": refused: cannot record the undo: " + st.message());
  }
  auto fault = std::make_unique<Fault>();
  fault->id = ledger::NewFaultId();
  fault->activity = StrField(activity, "name");
  fault->driver = &driver;
  fault->func = func;
  fault->undo = plan.value["undo"];
  fault->targets = targets;
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
    return providers::Outcome::Failed(label + ": refused: cannot record the undo: " + st.message());
  }
  Fault* f = fault.get();
  {
    std::lock_guard lock(mu_);
    faults_.push_back(std::move(fault));
  }

  // 4. Apply. Whatever happens from here, the fault is in the list and will be undone.
  plugin::CallResult applied = driver.Apply(func, plan.value, cancel);
  {
    std::lock_guard lock(mu_);
    f->applied = true;
    if (limit) f->deadline = clock_.Now() + SecondsToDuration(*limit);
  }
  if (Status st = ledger_->RecordApplied(f->id); !st.ok()) {
    log::Warn("{}: cannot record 'applied' in the ledger: {}", label, st.message());
  }
  {
    std::lock_guard lock(wake_mu_);
    wake_->Cancel("deadlines changed");
  }
  Json output = {
      {"fault", f->id}, {"targets", targets}, {"plan", plan.value}, {"result", applied.value}};
  output["plan"].erase("undo");
  if (applied.status == CHAOSRUN_CANCELLED) return providers::Outcome::Interrupted();
  if (!applied.ok()) {
    return providers::Outcome::Failed(
        label + ": apply failed (the undo will still run): " + applied.error());
  }
  log::Info("  fault {} applied to {} target(s){}", f->id, targets.size(),
            limit ? " (undone automatically after " + std::to_string(*limit) + " s)" : "");
  return providers::Outcome::Succeeded(std::move(output));
}

Json FaultManager::UndoOne(Fault& f, const std::string& reason) {
  Json record = Json::object();
  record["activity"] = {{"type", "action"},
                        {"name", "undo " + (f.activity.empty() ? f.id : f.activity)},
                        {"provider",
                         {{"type", "driver"},
                          {"driver", f.driver->descriptor().name},
                          {"func", f.func},
                          {"undo", true}}}};
  record["output"] = nullptr;
  auto start = clock_.Now();
  record["start"] = IsoTimestamp(clock_.WallNow());
  plugin::CallResult r = f.driver->Undo(f.func, f.undo, CancelToken());
  if (r.ok()) {
    f.undone = true;
    f.undone_by = reason;
    record["output"] = r.value;
    record["status"] = "succeeded";
    if (ledger_) {
      if (Status st = ledger_->RecordReverted(f.id); !st.ok()) {
        log::Error("fault {}: undone, but cannot record it in the ledger: {}", f.id, st.message());
      }
    }
    log::Info("  undo of fault {} ({}): done ({})", f.id, f.activity, reason);
  } else {
    f.undo_error = r.error();
    record["status"] = "failed";
    record["exception"] =
        Json::array({"chaoslib.exceptions.ActivityFailed: undo failed: " + r.error() + "\n"});
    if (ledger_) (void)ledger_->RecordUndoFailed(f.id, r.error());
    log::Error("  undo of fault {} ({}) FAILED: {}; run `chaosrun recover`", f.id, f.activity,
               r.error());
  }
  record["end"] = IsoTimestamp(clock_.WallNow());
  record["duration"] = DurationToSeconds(clock_.Now() - start);
  record["fault"] = f.id;
  record["reason"] = reason;
  return record;
}

Json FaultManager::UndoAll(const std::string& reason) {
  std::lock_guard undo_lock(undo_mu_);
  std::vector<Fault*> to_undo;
  {
    std::lock_guard lock(mu_);
    for (auto it = faults_.rbegin(); it != faults_.rend(); ++it) {
      if (!(*it)->undone) to_undo.push_back(it->get());
    }
  }
  Json records = Json::array();
  for (Fault* f : to_undo) records.push_back(UndoOne(*f, reason));
  if (ledger_) (void)ledger_->CompactIfClean();
  return records;
}

void FaultManager::WatchdogLoop() {
  while (!stop_watchdog_.cancelled()) {
    CancelToken wake;
    {
      std::lock_guard lock(wake_mu_);
      if (wake_->cancelled()) wake_ = std::make_unique<CancelSource>();
      wake = wake_->token();
    }
    std::optional<Clock::SteadyTime> next;
    {
      std::lock_guard lock(mu_);
      for (const auto& f : faults_) {
        if (f->applied && !f->undone && f->deadline && (!next || *f->deadline < *next)) {
          next = f->deadline;
        }
      }
    }
    if (!next) {
      clock_.SleepUntil(clock_.Now() + std::chrono::hours(24 * 365), wake);
      continue;
    }
    if (!clock_.SleepUntil(*next, wake)) continue;  // woken: deadlines changed
    std::lock_guard undo_lock(undo_mu_);
    std::vector<Fault*> due;
    {
      std::lock_guard lock(mu_);
      for (auto& f : faults_) {
        if (f->applied && !f->undone && f->deadline && *f->deadline <= clock_.Now()) {
          due.push_back(f.get());
        }
      }
    }
    for (Fault* f : due) {
      log::Warn("watchdog: fault {} ({}) reached its maximum duration; undoing it", f->id,
                f->activity);
      watchdog_records_.push_back(UndoOne(*f, "watchdog: maximum duration reached"));
    }
  }
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
    out.push_back(std::move(s));
  }
  return out;
}

Json FaultManager::TakeWatchdogRecords() {
  std::lock_guard lock(undo_mu_);
  Json out = std::move(watchdog_records_);
  watchdog_records_ = Json::array();
  return out;
}

size_t FaultManager::applied_count() const {
  std::lock_guard lock(mu_);
  return static_cast<size_t>(std::count_if(faults_.begin(), faults_.end(),
                                           [](const auto& f) { return f->applied && !f->undone; }));
}

}  // namespace chaosrun::faults
