// The misbehaving driver of fuzz_engine (libchaosrun_fuzz_engine_driver.so, built by
// tests/fuzz/CMakeLists.txt, loaded through plugin::Registry like any driver). Every call does
// what its arguments say: succeed, fail, hang (a few milliseconds, or until the host cancels the
// call), answer malformed JSON, or throw (the SDK turns the exception into an error at the ABI).
//
//   action fault {"prepare": P, "apply": A, "undo": U, "hang_ms": H}
//   probe  check {"mode": M, "hang_ms": H}
//
// Its "fault" is a token: prepare hands out a fresh one (in the plan and in the undo), apply
// records it as applied, undo as undone. The fuzz target reads that record through the exported
// C functions below (dlsym on the library) and checks that every token applied and not undone is
// still pending in the ledger.
#include <atomic>
#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <set>
#include <stdexcept>
#include <string>
#include <thread>

#include "chaosrun/driver_sdk.hpp"

namespace {

using chaosrun::sdk::Call;
using chaosrun::sdk::Host;
using chaosrun::sdk::Reply;
using Json = nlohmann::json;

constexpr const char* kDescriptor = R"json({
  "name": "fuzz",
  "version": "1.0.0",
  "description": "fuzz_engine's test driver: every call succeeds, fails, hangs, answers garbage or throws, as its arguments say.",
  "actions": [{"name": "fault", "description": "a token fault"}],
  "probes": [{"name": "check", "description": "answers true, false, or misbehaves"}]
})json";

// What a call does (prepare/apply/undo/probe read the same numbers, each in its own way).
enum Mode : int {
  kOk = 0,
  kFail = 1,          // an error status, nothing done
  kHang = 2,          // waits hang_ms or until cancelled (then answers CANCELLED, nothing done)
  kMalformed = 3,     // done, but the output is not JSON
  kThrow = 4,         // throws before doing anything
  kDoneThenFail = 5,  // done, then an error status (prepare: a plan without an undo)
  kDoneThenThrow = 6,
  kFailOnce = 7,  // undo: fails the first time it is asked for a token, then succeeds
};

struct Record {
  std::mutex mu;
  uint64_t next_token = 1;
  std::set<uint64_t> applied;
  std::set<uint64_t> undone;
  std::map<uint64_t, int> undo_attempts;
  uint64_t applies = 0, undos = 0;
};

Record& TheRecord() {
  static Record r;
  return r;
}

// Set by a call that must answer malformed JSON; read by the ABI wrapper on the same thread.
thread_local bool answer_malformed = false;

int IntArg(const Json& j, const char* key) {
  if (!j.is_object() || !j.contains(key) || !j[key].is_number_integer()) return 0;
  return j[key].get<int>();
}

uint64_t TokenOf(const Json& j) {
  if (!j.is_object() || !j.contains("token") || !j["token"].is_number_unsigned()) return 0;
  return j["token"].get<uint64_t>();
}

// Waits up to `ms` milliseconds; false when the host cancelled the call first.
bool Hang(const Call& call, int ms) {
  auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(ms);
  while (std::chrono::steady_clock::now() < until) {
    if (call.Cancelled()) return false;
    std::this_thread::sleep_for(std::chrono::microseconds(100));
  }
  return !call.Cancelled();
}

class FuzzDriver : public chaosrun::sdk::Driver {
 public:
  explicit FuzzDriver(const Host& host) : Driver(host) {}

  Reply Probe(const Call& call, const std::string& func, const Json& args) override {
    if (func != "check") return Reply::Unsupported("no probe named '" + func + "'");
    switch (IntArg(args, "mode")) {
      case kFail:
        return Reply::Failed("the probe failed");
      case kHang:
        if (!Hang(call, IntArg(args, "hang_ms"))) return Cancelled();
        return Reply::Ok(true);
      case kMalformed:
        answer_malformed = true;
        return Reply::Ok(true);
      case kThrow:
        throw std::runtime_error("the probe threw");
      case kDoneThenFail:
        return Reply::Ok(false);
      default:
        return Reply::Ok(true);
    }
  }

  Reply Prepare(const Call& call, const std::string& func, const Json& args) override {
    if (func != "fault") return Reply::Unsupported("no action named '" + func + "'");
    int mode = IntArg(args, "prepare");
    if (mode == kFail) return Reply::Failed("prepare refused");
    if (mode == kThrow) throw std::runtime_error("prepare threw");
    if (mode == kHang && !Hang(call, IntArg(args, "hang_ms"))) return Cancelled();
    uint64_t token;
    {
      Record& r = TheRecord();
      std::lock_guard lock(r.mu);
      token = r.next_token++;
    }
    Json undo = {
        {"token", token}, {"undo", IntArg(args, "undo")}, {"hang_ms", IntArg(args, "hang_ms")}};
    Json plan = {{"targets", Json::array({"fuzz:t" + std::to_string(token)})},
                 {"token", token},
                 {"apply", IntArg(args, "apply")},
                 {"hang_ms", IntArg(args, "hang_ms")}};
    if (mode != kDoneThenFail) plan["undo"] = undo;
    if (mode == kMalformed) answer_malformed = true;
    if (mode == kDoneThenThrow) throw std::runtime_error("prepare threw after planning");
    return Reply::Ok(plan);
  }

  Reply Apply(const Call& call, const std::string& func, const Json& plan) override {
    if (func != "fault") return Reply::Unsupported("no action named '" + func + "'");
    uint64_t token = TokenOf(plan);
    int mode = IntArg(plan, "apply");
    if (mode == kFail || mode == kFailOnce) return Reply::Failed("apply failed, nothing done");
    if (mode == kThrow) throw std::runtime_error("apply threw, nothing done");
    Mark(token, /*undo=*/false);
    switch (mode) {
      case kHang:
        if (!Hang(call, IntArg(plan, "hang_ms"))) return Cancelled();
        break;
      case kMalformed:
        answer_malformed = true;
        break;
      case kDoneThenFail:
        return Reply::Failed("apply failed after applying");
      case kDoneThenThrow:
        throw std::runtime_error("apply threw after applying");
      default:
        break;
    }
    return Reply::Ok({{"applied", token}});
  }

  Reply Undo(const Call& call, const std::string& func, const Json& undo) override {
    if (func != "fault") return Reply::Unsupported("no action named '" + func + "'");
    uint64_t token = TokenOf(undo);
    int mode = IntArg(undo, "undo");
    int attempt;
    {
      Record& r = TheRecord();
      std::lock_guard lock(r.mu);
      attempt = ++r.undo_attempts[token];
    }
    if (mode == kFail || (mode == kFailOnce && attempt == 1)) return Reply::Failed("undo failed");
    if (mode == kThrow) throw std::runtime_error("undo threw, nothing undone");
    if (mode == kHang && !Hang(call, IntArg(undo, "hang_ms"))) return Cancelled();
    Mark(token, /*undo=*/true);
    if (mode == kMalformed) answer_malformed = true;
    if (mode == kDoneThenFail) return Reply::Failed("undo failed after undoing");
    if (mode == kDoneThenThrow) throw std::runtime_error("undo threw after undoing");
    return Reply::Ok({{"undone", token}});
  }

 private:
  static Reply Cancelled() { return Reply::Error(CHAOSRUN_CANCELLED, "cancelled by the host"); }

  static void Mark(uint64_t token, bool undo) {
    Record& r = TheRecord();
    std::lock_guard lock(r.mu);
    if (undo) {
      ++r.undos;
      r.undone.insert(token);
    } else {
      ++r.applies;
      r.applied.insert(token);
    }
  }
};

using Exporter = chaosrun::sdk::internal::Exporter<FuzzDriver>;

// The SDK's entry points, then the output replaced by text that is not JSON when asked for.
int32_t Garble(int32_t status, char** out) {
  if (answer_malformed && out != nullptr) {
    answer_malformed = false;
    std::free(*out);
    *out = chaosrun::sdk::internal::Dup("{\"not\": json");
  }
  return status;
}
int32_t ProbeFn(void* p, uint64_t id, const char* f, const char* a, char** out) {
  answer_malformed = false;
  return Garble(Exporter::ProbeFn(p, id, f, a, out), out);
}
int32_t PrepareFn(void* p, uint64_t id, const char* f, const char* a, char** out) {
  answer_malformed = false;
  return Garble(Exporter::PrepareFn(p, id, f, a, out), out);
}
int32_t ApplyFn(void* p, uint64_t id, const char* f, const char* a, char** out) {
  answer_malformed = false;
  return Garble(Exporter::ApplyFn(p, id, f, a, out), out);
}
int32_t UndoFn(void* p, uint64_t id, const char* f, const char* a, char** out) {
  answer_malformed = false;
  return Garble(Exporter::UndoFn(p, id, f, a, out), out);
}

}  // namespace

extern "C" {

__attribute__((visibility("default"))) const chaosrun_driver_api* chaosrun_driver_entry(
    uint16_t host_abi_major, uint16_t /*host_abi_minor*/) {
  if (host_abi_major != CHAOSRUN_DRIVER_ABI_MAJOR) return nullptr;
  static const chaosrun_driver_api api = [] {
    chaosrun_driver_api a = *Exporter::Api(kDescriptor);
    a.probe = &ProbeFn;
    a.prepare = &PrepareFn;
    a.apply = &ApplyFn;
    a.undo = &UndoFn;
    return a;
  }();
  return &api;
}

// Forgets every token recorded so far (the fuzz target calls it before each input).
__attribute__((visibility("default"))) void chaosrun_fuzz_driver_reset() {
  Record& r = TheRecord();
  std::lock_guard lock(r.mu);
  r.applied.clear();
  r.undone.clear();
  r.undo_attempts.clear();
  r.applies = r.undos = 0;
}

// The tokens applied and not undone since the last reset: the count, and up to `cap` of them.
__attribute__((visibility("default"))) uint64_t chaosrun_fuzz_driver_not_undone(uint64_t* out,
                                                                                uint64_t cap) {
  Record& r = TheRecord();
  std::lock_guard lock(r.mu);
  uint64_t n = 0;
  for (uint64_t t : r.applied) {
    if (r.undone.count(t) != 0) continue;
    if (n < cap) out[n] = t;
    ++n;
  }
  return n;
}

}  // extern "C"
