// The tls driver's calls, independent of the SDK plumbing (tls_driver.cc) so that tests can call
// them in-process. None of them throws; bad input is CHAOSRUN_INVALID_ARGUMENT, a world that
// says no (a file missing, a reload failing, a server not answering) is CHAOSRUN_FAILED.
//
// Action replace_certificate. Plan (prepare's result, passed back to apply):
//   {"targets": ["file:<canonical cert path>", ("file:<canonical key path>" with new_key)],
//    "fault": "expired", "path": P, "key_path": K | absent, "certificate": {what the new
//    certificate says, see DescribeCertificate}, "reload": {...} | null,
//    "undo": {"reload": {...} | null,
//             "files": [{"role": "certificate"|"key", "path": P, "mode": 420, "uid": U, "gid": G,
//                        "sha256": <original>, "bytes_b64": <original>,
//                        "fault_sha256": <replacement>, "fault_b64": <replacement>}]}}
// The file bytes live only in "undo": the host writes it to its ledger and keeps it out of the
// journal (docs/tls.md says why that is acceptable).
// Probe tls_certificate: {verified, verify_error, not_before, not_after, days_left, subject,
//   issuer, san, key_type, sni, host, port}.
#pragma once

#include <ctime>
#include <functional>
#include <nlohmann/json.hpp>
#include <string>

#include "chaosrun/driver_sdk.hpp"

namespace chaosrun::drivers::tls {

// How a call sees the world: cancellation from the host; the wall clock is a seam for tests.
struct Env {
  std::function<bool()> cancelled;   // may be empty
  std::function<time_t()> wall_now;  // empty: time(nullptr)
  bool Cancelled() const { return cancelled && cancelled(); }
  time_t Now() const { return wall_now ? wall_now() : ::time(nullptr); }
};

sdk::Reply Prepare(const std::string& func, const nlohmann::json& args, const Env& env);
sdk::Reply Apply(const std::string& func, const nlohmann::json& plan, const Env& env);
sdk::Reply Undo(const std::string& func, const nlohmann::json& undo, const Env& env);
sdk::Reply Probe(const std::string& func, const nlohmann::json& args, const Env& env);

sdk::Reply PrepareReplace(const nlohmann::json& args, const Env& env);
sdk::Reply ApplyReplace(const nlohmann::json& plan, const Env& env);
sdk::Reply UndoReplace(const nlohmann::json& undo, const Env& env);
sdk::Reply ProbeCertificate(const nlohmann::json& args, const Env& env);

// Runs `fn`, turning any escaping exception into CHAOSRUN_INTERNAL.
template <typename Fn>
sdk::Reply NoThrow(Fn&& fn) {
  try {
    return fn();
  } catch (const std::exception& e) {
    return sdk::Reply::Error(CHAOSRUN_INTERNAL, std::string("tls driver: ") + e.what());
  } catch (...) {
    return sdk::Reply::Error(CHAOSRUN_INTERNAL, "tls driver: unknown exception");
  }
}

}  // namespace chaosrun::drivers::tls
