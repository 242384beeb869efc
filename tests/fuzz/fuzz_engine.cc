// libFuzzer target: the engine end to end. Each input is decoded (not parsed as JSON) into a
// structured experiment — hypothesis probes, method actions and probes (some in the background,
// some with pauses of 0, some references, some for no driver), rollbacks, safeguards, strategies,
// a deadline, an interruption at the Nth activity, the kill switch set at the Nth activity — and
// run by the real engine::Runner with faults::FaultManager + faults::FaultDispatcher on a real
// ledger in a fresh state directory, over the misbehaving driver of engine_driver.cc (loaded
// through plugin::Registry) whose prepare/apply/undo/probe succeed, fail, hang briefly or until
// cancelled, answer malformed JSON or throw, as the input says.
//
// Invariant after every run: a journal object with a status is produced, and every fault the
// driver applied was undone by the driver or is still pending in the ledger (Ledger::Pending()).
// A violation aborts with the input's experiment and journal on stderr.
#include <dlfcn.h>
#include <fuzzer/FuzzedDataProvider.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <set>
#include <string>
#include <vector>

#include "common/clock.h"
#include "common/json.h"
#include "common/log.h"
#include "engine/fault_hooks.h"
#include "engine/observer.h"
#include "engine/runner.h"
#include "faults/dispatcher.h"
#include "faults/fault_manager.h"
#include "guard/guard.h"
#include "guard/policy.h"
#include "ledger/ledger.h"
#include "plugin/registry.h"

namespace {

using chaosrun::Json;
namespace engine = chaosrun::engine;
namespace faults = chaosrun::faults;

using ResetFn = void (*)();
using NotUndoneFn = uint64_t (*)(uint64_t*, uint64_t);

struct Fixture {
  chaosrun::plugin::Registry registry;
  ResetFn reset = nullptr;
  NotUndoneFn not_undone = nullptr;
  std::string base_dir;
  uint64_t runs = 0;
};

[[noreturn]] void Die(const std::string& why) {
  std::fprintf(stderr, "fuzz_engine: %s\n", why.c_str());
  std::abort();
}

Fixture& TheFixture() {
  static Fixture* f = [] {
    auto* fx = new Fixture;
    chaosrun::log::Options lo;
    lo.quiet = true;
    chaosrun::log::Init(lo);
    if (auto st = fx->registry.LoadFile(CHAOSRUN_FUZZ_ENGINE_DRIVER); !st.ok()) {
      Die("cannot load the test driver: " + st.message());
    }
    void* h = ::dlopen(CHAOSRUN_FUZZ_ENGINE_DRIVER, RTLD_NOW | RTLD_NOLOAD);
    if (h == nullptr) Die("the test driver is not loaded");
    fx->reset = reinterpret_cast<ResetFn>(::dlsym(h, "chaosrun_fuzz_driver_reset"));
    fx->not_undone = reinterpret_cast<NotUndoneFn>(::dlsym(h, "chaosrun_fuzz_driver_not_undone"));
    if (fx->reset == nullptr || fx->not_undone == nullptr) Die("the test driver exports nothing");
    // tmpfs when there is one: the ledger syncs every record.
    std::string root = ::access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp";
    std::string tmpl = root + "/chaosrun-fuzz-engine-XXXXXX";
    if (::mkdtemp(tmpl.data()) == nullptr) Die("cannot make a temp dir in " + root);
    fx->base_dir = tmpl;
    return fx;
  }();
  return *f;
}

// ---- Decoding the input into an experiment ---------------------------------------------------

// True once in k + 1 inputs; false when the input is used up (FuzzedDataProvider then answers
// the minimum), so a short input is a plain run without deadline, interruption or kill switch.
bool Rarely(FuzzedDataProvider& in, int k) { return in.ConsumeIntegralInRange<int>(0, k) == k; }

struct Decoder {
  explicit Decoder(FuzzedDataProvider& input) : in(input) {}
  FuzzedDataProvider& in;
  int names = 0;
  std::vector<std::string> named;  // activities a later one may reference

  int Mode() { return in.ConsumeIntegralInRange<int>(0, 7); }
  // Mostly 0-2 ms; now and then long enough to meet an interruption or a deadline.
  int HangMs() { return in.ConsumeBool() ? in.ConsumeIntegralInRange<int>(0, 2) : 0; }

  Json Provider(const std::string& func, Json args) {
    return {{"type", "driver"}, {"driver", "fuzz"}, {"func", func}, {"arguments", std::move(args)}};
  }

  Json Probe() {
    std::string name = "probe-" + std::to_string(++names);
    named.push_back(name);
    return {{"type", "probe"},
            {"name", name},
            {"tolerance", true},
            {"provider", Provider("check", {{"mode", Mode()}, {"hang_ms", HangMs()}})}};
  }

  Json Action() {
    std::string name = "fault-" + std::to_string(++names);
    named.push_back(name);
    Json args = {{"prepare", Mode()}, {"apply", Mode()}, {"undo", Mode()}, {"hang_ms", HangMs()}};
    Json a = {{"type", "action"}, {"name", name}, {"provider", Provider("fault", args)}};
    if (Rarely(in, 7)) {  // the watchdog undoes it almost at once
      a["provider"]["duration"] = in.ConsumeIntegralInRange<int>(1, 5) / 1000.0;
    }
    return a;
  }

  Json Activity(bool allow_background) {
    Json a;
    switch (in.ConsumeIntegralInRange<int>(0, 9)) {
      case 0:
      case 1:
      case 2:
      case 3:
        a = Action();
        break;
      case 4:
      case 5:
        a = Probe();
        break;
      case 6:
        if (named.empty()) return Action();
        return {{"ref", named[in.ConsumeIntegralInRange<size_t>(0, named.size() - 1)]}};
      case 7:  // a driver nobody loaded, or a func the driver does not have
        a = Action();
        if (in.ConsumeBool()) {
          a["provider"]["driver"] = "absent";
        } else {
          a["provider"]["func"] = "absent";
        }
        break;
      case 8:
        a = Action();
        a.erase("provider");
        break;  // no provider at all
      default:
        a = Probe();
        a["type"] = "action";
        break;  // an action that is a probe
    }
    if (in.ConsumeBool()) a["pauses"] = {{"before", 0}, {"after", 0}};
    if (allow_background && Rarely(in, 3)) a["background"] = true;
    return a;
  }

  Json Experiment() {
    Json e = {{"title", "fuzz"}, {"description", "fuzz_engine"}};
    int probes = in.ConsumeIntegralInRange<int>(0, 3);
    if (probes > 0) {
      Json list = Json::array();
      for (int i = 0; i < probes; ++i) list.push_back(Probe());
      e["steady-state-hypothesis"] = {{"title", "steady"}, {"probes", list}};
    }
    Json method = Json::array();
    for (int i = in.ConsumeIntegralInRange<int>(0, 8); i > 0; --i) method.push_back(Activity(true));
    e["method"] = method;
    Json rollbacks = Json::array();
    for (int i = in.ConsumeIntegralInRange<int>(0, 3); i > 0; --i) {
      rollbacks.push_back(Activity(false));
    }
    if (!rollbacks.empty()) e["rollbacks"] = rollbacks;
    if (Rarely(in, 5)) {
      e["safeguards"] = {{"frequency", 0.05}, {"probes", Json::array({Probe()})}};
    }
    return e;
  }
};

// ---- The run -------------------------------------------------------------------------------

class Hooks final : public engine::FaultHooks {
 public:
  Hooks(faults::FaultManager& fm, std::string state_dir)
      : fm_(fm), state_dir_(std::move(state_dir)) {}
  Json UndoAll(const std::string& reason, const chaosrun::CancelToken& hurry) override {
    return fm_.UndoAll(reason, hurry);  // as the CLI's hooks (src/cli/commands.cc)
  }
  Json TakeWatchdogRecords() override { return fm_.TakeWatchdogRecords(); }
  Json Summary() override { return fm_.Summary(); }
  std::optional<std::string> HaltReason() override {
    if (!faults::Halted(state_dir_)) return std::nullopt;
    return "the kill switch is set";
  }

 private:
  faults::FaultManager& fm_;
  std::string state_dir_;
};

// Interrupts the run, or sets the kill switch, when the Nth activity finishes (0: never).
class Trigger final : public engine::Observer {
 public:
  Trigger(int interrupt_at, int halt_at, std::string halt_file)
      : interrupt_at_(interrupt_at), halt_at_(halt_at), halt_file_(std::move(halt_file)) {}
  void Attach(engine::Runner* runner) { runner_ = runner; }
  void OnActivityFinished(engine::Phase, const Json&) override {
    int n = ++finished_;
    if (n == interrupt_at_ && runner_ != nullptr) {
      runner_->Interrupt(engine::InterruptKind::kSigterm, "fuzz: interrupted");
    }
    if (n == halt_at_) {
      if (FILE* f = std::fopen(halt_file_.c_str(), "w")) std::fclose(f);
    }
  }

 private:
  int interrupt_at_, halt_at_;
  std::string halt_file_;
  engine::Runner* runner_ = nullptr;
  std::atomic<int> finished_{0};
};

void CheckInvariant(const Json& experiment, const Json& journal, const std::string& state_dir) {
  Fixture& fx = TheFixture();
  auto fail = [&](const std::string& why) {
    Die(why + "\nexperiment: " + experiment.dump(2) + "\njournal: " + journal.dump(2));
  };
  if (!journal.is_object() || !journal.contains("status") || !journal["status"].is_string()) {
    fail("the run produced no journal with a status");
  }
  uint64_t tokens[64];
  uint64_t n = fx.not_undone(tokens, 64);
  if (n == 0) return;
  if (n > 64) fail("more faults than the decoder can make");
  auto ledger = chaosrun::ledger::Ledger::Open(state_dir);
  if (!ledger) fail("cannot open the ledger: " + ledger.error().message());
  auto pending = (*ledger)->Pending();
  if (!pending) fail("cannot read the ledger: " + pending.error().message());
  std::set<uint64_t> in_ledger;
  for (const auto& e : *pending) {
    const Json& undo = e.intent.contains("undo") ? e.intent["undo"] : Json();
    if (undo.is_object() && undo.contains("token") && undo["token"].is_number_unsigned()) {
      in_ledger.insert(undo["token"].get<uint64_t>());
    }
  }
  for (uint64_t i = 0; i < n; ++i) {
    if (in_ledger.count(tokens[i]) == 0) {
      fail("fault token " + std::to_string(tokens[i]) +
           " was applied, is not undone and is not pending in the ledger");
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  Fixture& fx = TheFixture();
  FuzzedDataProvider in(data, size);
  engine::RunOptions ro;
  static const engine::RollbackStrategy kRollbacks[] = {
      engine::RollbackStrategy::kDefault, engine::RollbackStrategy::kAlways,
      engine::RollbackStrategy::kNever, engine::RollbackStrategy::kDeviated};
  static const engine::HypothesisStrategy kHypotheses[] = {
      engine::HypothesisStrategy::kDefault, engine::HypothesisStrategy::kBeforeMethodOnly,
      engine::HypothesisStrategy::kAfterMethodOnly, engine::HypothesisStrategy::kDuringMethodOnly,
      engine::HypothesisStrategy::kContinuously};
  ro.rollback_strategy = kRollbacks[in.ConsumeIntegralInRange<int>(0, 3)];
  ro.hypothesis_strategy = kHypotheses[in.ConsumeIntegralInRange<int>(0, 4)];
  ro.hypothesis_frequency = 0.05;
  ro.fail_fast = in.ConsumeBool();
  if (Rarely(in, 7)) {
    ro.deadline_seconds = in.ConsumeIntegralInRange<int>(1, 5) / 1000.0;
  }
  int interrupt_at = Rarely(in, 3) ? in.ConsumeIntegralInRange(1, 12) : 0;
  int halt_at = Rarely(in, 7) ? in.ConsumeIntegralInRange(1, 12) : 0;
  bool interrupt_first = Rarely(in, 15);
  int max_targets = in.ConsumeIntegralInRange<int>(0, 4);  // 0: no per-run limit

  Decoder d(in);
  Json experiment = d.Experiment();

  std::string state_dir = fx.base_dir + "/s" + std::to_string(++fx.runs);
  ::mkdir(state_dir.c_str(), 0700);  // the halt file may be made before the ledger
  fx.reset();
  Json journal;
  {
    chaosrun::guard::Policy policy;
    policy.origin = "fuzz";
    if (max_targets > 0) policy.max_targets = max_targets;
    chaosrun::guard::Guard guard({policy}, {});
    faults::FaultManager fm(fx.registry, guard, chaosrun::SystemClock(), {"fuzz-run", state_dir});
    Hooks hooks(fm, state_dir);
    ro.faults = &hooks;
    faults::FaultDispatcher dispatcher(fm);
    Trigger trigger(interrupt_at, halt_at, faults::HaltFilePath(state_dir));
    engine::Runner runner(chaosrun::SystemClock(), dispatcher, trigger);
    trigger.Attach(&runner);
    if (interrupt_first) runner.Interrupt(engine::InterruptKind::kSigint, "fuzz: before the run");
    journal = runner.Run(experiment, ro).journal;
  }
  CheckInvariant(experiment, journal, state_dir);
  std::error_code ec;
  std::filesystem::remove_all(state_dir, ec);
  return 0;
}
