// ParseSchedule: one schedule object of the daemon's configuration -> Schedule. Every problem is
// reported with its JSON pointer; the keys are documented in docs/scheduling.md.
#include <cctype>
#include <cmath>
#include <optional>
#include <string>
#include <vector>

#include "scheduler/compiled.h"
#include "scheduler/schedule.h"
#include "scheduler/window.h"

namespace chaosrun::scheduler {
namespace {

constexpr const char* kScheduleKeys[] = {
    "name", "description", "experiment",    "cron",   "timezone", "jitter_seconds",   "blackouts",
    "only", "concurrency", "history_limit", "paused", "vars",     "deadline_seconds", "webhook"};

constexpr double kMaxJitterSeconds = 86400;

bool IsNameChar(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '.';
}

// A schedule name: 1-64 of [A-Za-z0-9._-], starting with a letter or digit.
bool ValidScheduleName(const std::string& n) {
  if (n.empty() || n.size() > 64 || !std::isalnum(static_cast<unsigned char>(n[0]))) return false;
  for (char c : n) {
    if (!IsNameChar(c)) return false;
  }
  return true;
}

// An experiment name: a relative path of parts made of [A-Za-z0-9._-], none starting with '.'.
bool ValidExperimentName(const std::string& n) {
  if (n.empty() || n.size() > 255) return false;
  size_t start = 0;
  for (size_t i = 0; i <= n.size(); ++i) {
    if (i == n.size() || n[i] == '/') {
      if (i == start || n[start] == '.') return false;
      start = i + 1;
    } else if (!IsNameChar(n[i])) {
      return false;
    }
  }
  return true;
}

bool ValidWebhook(const std::string& url) {
  size_t scheme = url.rfind("https://", 0) == 0 ? 8 : url.rfind("http://", 0) == 0 ? 7 : 0;
  if (scheme == 0 || url.size() <= scheme || url.size() > 2048 || url[scheme] == '/') return false;
  for (char c : url) {
    if (static_cast<unsigned char>(c) <= 0x20 || c == 0x7f) return false;
  }
  return true;
}

struct ScheduleReader {
  const Json& obj;
  const std::string& base;
  std::vector<Problem>& problems;

  std::string Ptr(const char* key) const { return PointerAppend(base, key); }
  void Add(const char* key, std::string message) {
    problems.push_back({Ptr(key), std::move(message)});
  }

  void String(const char* key, std::string& out, bool required) {
    const Json* v = Member(obj, key);
    if (v == nullptr) {
      if (required) Add(key, "is required");
      return;
    }
    if (!v->is_string()) return Add(key, "expected a string");
    out = v->get<std::string>();
  }
  void Number(const char* key, double& out, double max) {
    const Json* v = Member(obj, key);
    if (v == nullptr) return;
    if (!v->is_number()) return Add(key, "expected a number of seconds");
    double d = v->get<double>();
    if (!std::isfinite(d)) return Add(key, "must be a finite number of seconds");
    if (d < 0) return Add(key, "must not be negative");
    if (d > max) return Add(key, "must be at most " + std::to_string(static_cast<long>(max)));
    out = d;
  }
  void Windows(const char* key, std::vector<Window>& out) {
    const Json* v = Member(obj, key);
    if (v == nullptr) return;
    if (!v->is_array()) return Add(key, "expected a list of windows");
    for (size_t i = 0; i < v->size(); ++i) {
      Window w;
      if (ParseWindow((*v)[i], PointerAppend(Ptr(key), i), problems, w)) out.push_back(w);
    }
  }
};

void ParseScheduleVars(const Json* v, const std::string& ptr, std::vector<Problem>& problems,
                       subst::Overrides& out) {
  if (v == nullptr) return;
  if (!v->is_object()) {
    problems.push_back({ptr, "expected an object of configuration values"});
    return;
  }
  for (const auto& [key, value] : v->items()) {
    if (key.empty()) {
      problems.push_back({PointerAppend(ptr, key), "a var needs a name"});
    } else if (!value.is_string() && !value.is_number() && !value.is_boolean()) {
      problems.push_back({PointerAppend(ptr, key), "expected a string, a number or a boolean"});
    } else {
      out.configuration[key] = value;
    }
  }
}

// concurrency, history_limit, paused.
void ParseScheduleChoices(ScheduleReader& r, Schedule& s) {
  const Json& value = r.obj;
  if (const Json* v = Member(value, "concurrency")) {
    std::string c = v->is_string() ? v->get<std::string>() : "";
    if (c == "forbid")
      s.concurrency = Concurrency::kForbid;
    else if (c == "allow")
      s.concurrency = Concurrency::kAllow;
    else if (c == "replace")
      s.concurrency = Concurrency::kReplace;
    else
      r.Add("concurrency", "expected one of forbid, allow, replace");
  }
  if (const Json* v = Member(value, "history_limit")) {
    if (!v->is_number_integer() || v->get<int64_t>() < 1 || v->get<int64_t>() > 100000) {
      r.Add("history_limit", "expected a whole number of journals from 1 to 100000");
    } else {
      s.history_limit = static_cast<size_t>(v->get<int64_t>());
    }
  }
  if (const Json* v = Member(value, "paused")) {
    if (!v->is_boolean())
      r.Add("paused", "expected true or false");
    else
      s.paused = v->get<bool>();
  }
}

}  // namespace

Result<Schedule> ParseSchedule(const Json& value, const std::string& pointer,
                               std::vector<Problem>& problems) {
  const size_t before = problems.size();
  Schedule s;
  s.raw = value;
  if (!value.is_object()) {
    problems.push_back({pointer, "expected a schedule object"});
    return Err(Status::InvalidArgument(pointer + ": expected a schedule object"));
  }
  for (const auto& [key, v] : value.items()) {
    bool known = false;
    for (const char* k : kScheduleKeys) known = known || key == k;
    if (!known) problems.push_back({PointerAppend(pointer, key), "unknown key \"" + key + "\""});
  }
  ScheduleReader r{value, pointer, problems};
  r.String("name", s.name, true);
  if (Member(value, "name") && !s.name.empty() && !ValidScheduleName(s.name)) {
    r.Add("name", "\"" + s.name + "\" is not a schedule name (1-64 of A-Z a-z 0-9 . _ -)");
  } else if (Member(value, "name") && Member(value, "name")->is_string() && s.name.empty()) {
    r.Add("name", "must not be empty");
  }
  r.String("description", s.description, false);
  r.String("experiment", s.experiment, true);
  if (Member(value, "experiment") && Member(value, "experiment")->is_string() &&
      !ValidExperimentName(s.experiment)) {
    r.Add("experiment", "\"" + s.experiment +
                            "\" is not a name in the experiments directory (a relative path of "
                            "A-Z a-z 0-9 . _ - parts, none starting with '.')");
  }
  r.String("cron", s.cron, true);
  std::optional<CronSpec> spec;
  if (Member(value, "cron") && Member(value, "cron")->is_string()) {
    auto parsed = ParseCron(s.cron);
    if (parsed)
      spec = *parsed;
    else
      r.Add("cron", parsed.error().message());
  }
  r.String("timezone", s.timezone, false);
  std::optional<cctz::time_zone> zone;
  if (auto z = LoadZone(s.timezone); z)
    zone = *z;
  else if (!Member(value, "timezone") || Member(value, "timezone")->is_string())
    r.Add("timezone", z.error().message());
  r.Number("jitter_seconds", s.jitter_seconds, kMaxJitterSeconds);
  r.Number("deadline_seconds", s.deadline_seconds, 1e9);
  r.Windows("blackouts", s.blackouts);
  r.Windows("only", s.only);
  ParseScheduleChoices(r, s);
  ParseScheduleVars(Member(value, "vars"), r.Ptr("vars"), problems, s.vars);
  r.String("webhook", s.webhook, false);
  if (!s.webhook.empty() && !ValidWebhook(s.webhook)) {
    r.Add("webhook", "expected an http:// or https:// URL");
  }
  if (spec && zone) {
    s.compiled = std::make_shared<const CompiledSchedule>(MakeCompiled(*spec, *zone));
    // A schedule that can never fire is a mistake worth reporting (e.g. "0 0 30 2 *").
    const WallTime reference = WallTime(std::chrono::seconds(946684800));  // 2000-01-01Z
    if (problems.size() == before && !NextNominalFire(s, reference)) {
      Schedule bare = s;
      bare.blackouts.clear();
      bare.only.clear();
      if (!NextNominalFire(bare, reference)) {
        r.Add("cron", "never matches a date (e.g. day-of-month 30 in February)");
      } else {
        problems.push_back({pointer, "the blackouts and only windows leave no time to fire in"});
      }
    }
  }
  if (problems.size() == before) return s;
  const Problem& first = problems[before];
  return Err(Status::InvalidArgument(first.pointer + ": " + first.message));
}

}  // namespace chaosrun::scheduler
