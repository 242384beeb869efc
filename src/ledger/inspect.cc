#include "ledger/inspect.h"

#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>

#include "ledger/ledger.h"

namespace chaosrun::ledger {

namespace {

bool LedgerFileExists(const std::string& state_dir) {
  struct stat st {};
  return ::lstat((state_dir + "/ledger.jsonl").c_str(), &st) == 0;
}

std::string StrOf(const Json& o, const char* key) {
  auto it = o.find(key);
  return it != o.end() && it->is_string() ? it->get<std::string>() : std::string();
}

PendingFault ToPendingFault(const Entry& e) {
  const Json& in = e.intent;
  PendingFault f;
  f.id = e.id;
  f.run = StrOf(in, "run");
  f.driver = StrOf(in, "driver");
  f.func = StrOf(in, "func");
  f.activity = StrOf(in, "activity");
  if (auto t = in.find("targets"); t != in.end() && t->is_array()) {
    for (const auto& v : *t) {
      if (v.is_string()) f.targets.push_back(v.get<std::string>());
    }
  }
  if (auto t = in.find("time"); t != in.end() && t->is_number()) f.time = t->get<double>();
  f.applied = e.applied;
  f.last_error = e.last_error;
  Json runner = in.contains("runner") ? in["runner"] : Json(nullptr);
  if (auto r = RunnerIdentity::FromJson(runner)) f.runner_pid = r->pid;
  f.runner_alive = !e.released && RunnerAlive(runner);
  return f;
}

std::optional<double> AgeOf(const PendingFault& f, double now) {
  if (!f.time) return std::nullopt;
  return now - *f.time;
}

std::string JoinTargets(const std::vector<std::string>& targets) {
  std::string out;
  for (const auto& t : targets) out += (out.empty() ? "" : ", ") + t;
  return out;
}

std::string RunState(const PendingFault& f) {
  if (f.runner_pid <= 0) return "unknown";
  return std::string(f.runner_alive ? "alive" : "gone") + " (pid " + std::to_string(f.runner_pid) +
         ")";
}

}  // namespace

Result<std::vector<PendingFault>> ListPending(const std::string& state_dir) {
  std::vector<PendingFault> out;
  auto exists = CheckStateDir(state_dir);
  if (!exists) return Err(exists.error());
  if (!*exists || !LedgerFileExists(state_dir)) return out;
  auto l = Ledger::Open(state_dir);
  if (!l) return Err(l.error());
  auto pending = (*l)->Pending();
  if (!pending) return Err(pending.error());
  for (const auto& e : *pending) out.push_back(ToPendingFault(e));
  return out;
}

std::string HumanAge(std::optional<double> seconds) {
  if (!seconds || !std::isfinite(*seconds) || *seconds < 0) return "?";
  auto s = static_cast<long long>(*seconds);
  auto two = [](long long v) { return (v < 10 ? "0" : "") + std::to_string(v); };
  if (s < 60) return std::to_string(s) + "s";
  if (s < 3600) return std::to_string(s / 60) + "m" + two(s % 60) + "s";
  if (s < 86400) return std::to_string(s / 3600) + "h" + two(s % 3600 / 60) + "m";
  return std::to_string(s / 86400) + "d" + two(s % 86400 / 3600) + "h";
}

Json PendingJson(const std::string& state_dir, const std::vector<PendingFault>& faults,
                 double now) {
  Json list = Json::array();
  for (const auto& f : faults) {
    std::optional<double> age = AgeOf(f, now);
    Json j = {{"id", f.id},
              {"run", f.run},
              {"driver", f.driver},
              {"func", f.func},
              {"activity", f.activity},
              {"targets", f.targets},
              {"time", f.time ? Json(*f.time) : Json(nullptr)},
              {"age_seconds", age ? Json(*age) : Json(nullptr)},
              {"age", HumanAge(age)},
              {"applied", f.applied},
              {"last_undo_error", f.last_error.empty() ? Json(nullptr) : Json(f.last_error)},
              {"runner",
               {{"pid", f.runner_pid > 0 ? Json(f.runner_pid) : Json(nullptr)},
                {"alive", f.runner_alive}}}};
    list.push_back(std::move(j));
  }
  return Json{{"state_dir", state_dir}, {"pending", std::move(list)}};
}

std::string PendingTable(const std::vector<PendingFault>& faults, double now) {
  if (faults.empty()) return "no pending fault\n";
  std::vector<std::vector<std::string>> rows = {{"ID", "AGE", "DRIVER", "ACTION", "TARGETS",
                                                 "ACTIVITY", "APPLIED", "RUN", "LAST UNDO ERROR"}};
  for (const auto& f : faults) {
    rows.push_back({f.id, HumanAge(AgeOf(f, now)), f.driver, f.func,
                    f.targets.empty() ? "-" : JoinTargets(f.targets),
                    f.activity.empty() ? "-" : f.activity, f.applied ? "yes" : "unknown",
                    RunState(f), f.last_error.empty() ? "-" : f.last_error});
  }
  std::vector<size_t> width(rows[0].size(), 0);
  for (const auto& r : rows) {
    for (size_t i = 0; i < r.size(); ++i) width[i] = std::max(width[i], r[i].size());
  }
  std::string out;
  for (const auto& r : rows) {
    for (size_t i = 0; i < r.size(); ++i) {
      out += r[i];
      if (i + 1 < r.size()) out += std::string(width[i] - r[i].size() + 2, ' ');
    }
    out += "\n";
  }
  return out;
}

Json WhoAmI() {
  uid_t uid = ::getuid();
  Json user = nullptr;
  struct passwd pw {};
  struct passwd* found = nullptr;
  char buf[4096];
  if (::getpwuid_r(uid, &pw, buf, sizeof buf, &found) == 0 && found != nullptr) {
    user = found->pw_name;
  }
  const char* sudo = std::getenv("SUDO_USER");
  return Json{{"uid", uid},
              {"user", user},
              {"sudo_user", sudo != nullptr && *sudo != '\0' ? Json(sudo) : Json(nullptr)}};
}

std::string DescribeWho(const Json& by) {
  std::string detail = "uid " + (by.contains("uid") ? by["uid"].dump() : std::string("?"));
  if (std::string sudo = StrOf(by, "sudo_user"); !sudo.empty()) {
    detail += ", via sudo from " + sudo;
  }
  std::string user = StrOf(by, "user");
  return user.empty() ? detail : user + " (" + detail + ")";
}

std::string DescribeFault(const PendingFault& f) {
  return f.driver + "." + f.func + " on " +
         (f.targets.empty() ? std::string("no target recorded") : JoinTargets(f.targets)) +
         ", activity '" + f.activity + "'";
}

Result<PendingFault> Forget(const std::string& state_dir, const std::string& id, const Json& by,
                            double now) {
  auto pending = ListPending(state_dir);
  if (!pending) return Err(pending.error());
  auto it = std::find_if(pending->begin(), pending->end(),
                         [&](const PendingFault& f) { return f.id == id; });
  if (it == pending->end()) {
    return Err(Status::NotFound("no pending fault has the id '" + id + "' in " + state_dir +
                                " (see `chaosrun recover --list`)"));
  }
  auto l = Ledger::Open(state_dir);
  if (!l) return Err(l.error());
  if (Status st = (*l)->RecordForgotten(id, by, now); !st.ok()) return Err(st);
  return *it;
}

}  // namespace chaosrun::ledger
