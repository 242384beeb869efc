#include "report/model.h"

#include <set>
#include <unordered_map>
#include <utility>

#include "report/time_text.h"

namespace chaosrun::report {

namespace {

// The members this model draws; everything else at the top level is shown as data.
const std::set<std::string>& KnownTopLevel() {
  static const std::set<std::string> k = {
      "chaoslib-version", "platform",      "node",       "start",        "status",
      "deviated",         "steady_states", "run",        "rollbacks",    "end",
      "duration",         "faults",        "safeguards", "interruption", "drill"};
  return k;
}

std::string Text(const Json* v) {
  if (v == nullptr || v->is_null()) return "";
  if (v->is_string()) return v->get<std::string>();
  return PythonStr(*v);
}

Status Bad(const std::string& file, const std::string& pointer, const std::string& why) {
  return Status::InvalidArgument(file + ": " + (pointer.empty() ? "/" : pointer) + ": " + why);
}

// An optional time member: absent or null -> unknown; a string that parses -> its value.
Result<double> TimeMember(const Json& obj, const char* key, const std::string& file,
                          const std::string& base) {
  const Json* v = Member(obj, key);
  if (v == nullptr || v->is_null()) return kUnknown;
  std::string p = PointerAppend(base, key);
  if (!v->is_string()) return Err(Bad(file, p, "a time must be an ISO-8601 string"));
  auto t = ParseIsoTime(v->get_ref<const std::string&>());
  if (!t) return Err(Bad(file, p, "not an ISO-8601 time: '" + v->get<std::string>() + "'"));
  return *t;
}

double NumberOr(const Json* v, double fallback) {
  return v != nullptr && v->is_number() ? v->get<double>() : fallback;
}

std::string Provider(const Json& activity) {
  const Json* p = Member(activity, "provider");
  if (p == nullptr || !p->is_object()) return "";
  std::string type = Text(Member(*p, "type"));
  if (type == "driver") {
    return "driver " + Text(Member(*p, "driver")) + "." + Text(Member(*p, "func"));
  }
  if (type == "http") return "http " + Text(Member(*p, "url"));
  if (type == "python")
    return "python " + Text(Member(*p, "module")) + "." + Text(Member(*p, "func"));
  if (type == "process") return "process " + Text(Member(*p, "path"));
  return type;
}

Result<ActivityRecord> ParseRecord(const Json& rec, const std::string& file,
                                   const std::string& pointer) {
  if (!rec.is_object()) return Err(Bad(file, pointer, "a run record must be an object"));
  ActivityRecord a;
  a.pointer = pointer;
  const Json* act = Member(rec, "activity");
  if (act != nullptr && act->is_object()) {
    a.name = Text(Member(*act, "name"));
    a.type = Text(Member(*act, "type"));
    a.provider = Provider(*act);
    const Json* bg = Member(*act, "background");
    a.background = bg != nullptr && Truthy(*bg);
    if (const Json* pauses = Member(*act, "pauses"); pauses != nullptr) {
      a.pause_before = NumberOr(Member(*pauses, "before"), 0);
      a.pause_after = NumberOr(Member(*pauses, "after"), 0);
    }
    if (const Json* tol = Member(*act, "tolerance"); tol != nullptr)
      a.tolerance = DumpCompact(*tol);
  }
  a.status = Text(Member(rec, "status"));
  auto start = TimeMember(rec, "start", file, pointer);
  if (!start) return Err(start.error());
  auto end = TimeMember(rec, "end", file, pointer);
  if (!end) return Err(end.error());
  a.start = *start;
  a.end = *end;
  if (std::isnan(a.end) && !std::isnan(a.start)) {
    if (const Json* d = Member(rec, "duration"); d != nullptr && d->is_number()) {
      a.end = a.start + d->get<double>();
    }
  }
  if (const Json* out = Member(rec, "output"); out != nullptr && !out->is_null()) {
    a.has_output = true;
    a.output = out->is_string() ? out->get<std::string>() : DumpPretty(*out);
    if (const Json* f = Member(*out, "fault"); f != nullptr && f->is_string()) a.fault = Text(f);
  }
  if (const Json* ex = Member(rec, "exception"); ex != nullptr && !ex->is_null()) {
    if (ex->is_array()) {
      for (const Json& line : *ex) a.traceback += Text(&line);
    } else {
      a.traceback = Text(ex);
    }
    std::string t = a.traceback;
    while (!t.empty() && (t.back() == '\n' || t.back() == ' ')) t.pop_back();
    size_t nl = t.rfind('\n');
    a.error = nl == std::string::npos ? t : t.substr(nl + 1);
    if (a.error.empty()) a.error = "failed";
  }
  if (const Json* m = Member(rec, "tolerance_met"); m != nullptr && m->is_boolean()) {
    a.tolerance_met = m->get<bool>();
  }
  a.tolerance_reason = Text(Member(rec, "tolerance_reason"));
  if (const Json* f = Member(rec, "fault"); f != nullptr) a.fault = Text(f);
  a.reason = Text(Member(rec, "reason"));
  return a;
}

Result<std::vector<ActivityRecord>> ParseRecords(const Json* list, const std::string& file,
                                                 const std::string& pointer) {
  std::vector<ActivityRecord> out;
  if (list == nullptr || list->is_null()) return out;
  if (!list->is_array()) return Err(Bad(file, pointer, "must be a list of run records"));
  out.reserve(list->size());
  for (size_t i = 0; i < list->size(); ++i) {
    auto r = ParseRecord((*list)[i], file, PointerAppend(pointer, i));
    if (!r) return Err(r.error());
    out.push_back(std::move(*r));
  }
  return out;
}

Status ParseCheck(const Json* state, const std::string& phase, const std::string& file,
                  const std::string& pointer, std::vector<HypothesisCheck>& out) {
  if (state == nullptr || state->is_null()) return Status::Ok();
  if (!state->is_object()) return Bad(file, pointer, "a hypothesis state must be an object");
  HypothesisCheck c;
  c.pointer = pointer;
  c.phase = phase;
  if (const Json* m = Member(*state, "steady_state_met"); m != nullptr && m->is_boolean()) {
    c.met = m->get<bool>();
  }
  auto probes = ParseRecords(Member(*state, "probes"), file, PointerAppend(pointer, "probes"));
  if (!probes) return probes.error();
  c.probes = std::move(*probes);
  for (const ActivityRecord& p : c.probes) {
    if (!std::isnan(p.start) && (std::isnan(c.start) || p.start < c.start)) c.start = p.start;
    double e = std::isnan(p.end) ? p.start : p.end;
    if (!std::isnan(e) && (std::isnan(c.end) || e > c.end)) c.end = e;
  }
  out.push_back(std::move(c));
  return Status::Ok();
}

Status ParseChecks(const Json& j, const std::string& file, Report& r) {
  const Json* ss = Member(j, "steady_states");
  if (ss != nullptr && !ss->is_null()) {
    if (!ss->is_object()) return Bad(file, "/steady_states", "must be an object");
    if (Status st =
            ParseCheck(Member(*ss, "before"), "before", file, "/steady_states/before", r.checks);
        !st.ok()) {
      return st;
    }
    if (const Json* during = Member(*ss, "during"); during != nullptr && !during->is_null()) {
      if (!during->is_array()) return Bad(file, "/steady_states/during", "must be a list");
      for (size_t i = 0; i < during->size(); ++i) {
        Status st = ParseCheck(&(*during)[i], "during", file,
                               PointerAppend("/steady_states/during", i), r.checks);
        if (!st.ok()) return st;
      }
    }
    if (Status st =
            ParseCheck(Member(*ss, "after"), "after", file, "/steady_states/after", r.checks);
        !st.ok()) {
      return st;
    }
  }
  if (const Json* sg = Member(j, "safeguards"); sg != nullptr && !sg->is_null()) {
    if (!sg->is_array()) return Bad(file, "/safeguards", "must be a list");
    for (size_t i = 0; i < sg->size(); ++i) {
      Status st =
          ParseCheck(&(*sg)[i], "safeguard", file, PointerAppend("/safeguards", i), r.checks);
      if (!st.ok()) return st;
    }
  }
  return Status::Ok();
}

Status ParseFaults(const Json& j, const std::string& file, Report& r) {
  const Json* faults = Member(j, "faults");
  if (faults == nullptr || faults->is_null()) return Status::Ok();
  if (!faults->is_array()) return Bad(file, "/faults", "must be a list");
  // Apply and undo records by fault id (one pass over each list: linear).
  std::unordered_map<std::string, const ActivityRecord*> applied, undone;
  for (const ActivityRecord& a : r.run) {
    if (!a.fault.empty()) applied.emplace(a.fault, &a);
  }
  for (const ActivityRecord& a : r.rollbacks) {
    if (!a.fault.empty()) undone[a.fault] = &a;  // the last undo attempt wins
  }
  for (size_t i = 0; i < faults->size(); ++i) {
    const Json& f = (*faults)[i];
    if (!f.is_object()) return Bad(file, PointerAppend("/faults", i), "a fault must be an object");
    Fault out;
    out.id = Text(Member(f, "id"));
    out.activity = Text(Member(f, "activity"));
    out.driver = Text(Member(f, "driver"));
    out.func = Text(Member(f, "func"));
    if (const Json* t = Member(f, "targets"); t != nullptr && t->is_array()) {
      for (const Json& x : *t) out.targets.push_back(Text(&x));
    }
    out.applied = Truthy(Member(f, "applied") ? *Member(f, "applied") : Json(false));
    out.undone = Truthy(Member(f, "undone") ? *Member(f, "undone") : Json(false));
    out.undone_by = Text(Member(f, "undone_by"));
    out.undo_error = Text(Member(f, "undo_error"));
    if (auto it = applied.find(out.id); it != applied.end()) out.applied_at = it->second->start;
    if (auto it = undone.find(out.id); it != undone.end()) {
      out.undone_at = it->second->end;
      out.undo_activity = it->second->name;
    }
    r.faults.push_back(std::move(out));
  }
  return Status::Ok();
}

Status ParseDrill(const Json& j, const std::string& file, Drill& d) {
  const Json* drill = Member(j, "drill");
  if (drill == nullptr || drill->is_null()) return Status::Ok();
  if (!drill->is_object()) return Bad(file, "/drill", "must be an object");
  d.present = true;
  const std::pair<const char*, double*> secs[] = {{"time_to_detect", &d.time_to_detect},
                                                  {"time_to_notify", &d.time_to_notify},
                                                  {"time_to_recover", &d.time_to_recover}};
  for (const auto& [key, out] : secs) {
    const Json* v = Member(*drill, key);
    if (v == nullptr || v->is_null()) continue;
    if (!v->is_number())
      return Bad(file, PointerAppend("/drill", key), "must be seconds (a number)");
    *out = v->get<double>();
  }
  const std::pair<const char*, double*> times[] = {
      {"alert_fired_at", &d.alert_fired_at},
      {"notification_received_at", &d.notification_received_at},
      {"alert_resolved_at", &d.alert_resolved_at}};
  for (const auto& [key, out] : times) {
    auto t = TimeMember(*drill, key, file, "/drill");
    if (!t) return t.error();
    *out = *t;
  }
  return Status::Ok();
}

}  // namespace

Result<Report> BuildReport(const Json& j, const std::string& file) {
  if (!j.is_object()) return Err(Bad(file, "", "a journal must be a JSON object"));
  Report r;
  r.file = file;
  if (const Json* e = Member(j, "experiment"); e != nullptr) {
    r.title = Text(Member(*e, "title"));
    r.description = Text(Member(*e, "description"));
  }
  r.engine = Text(Member(j, "chaoslib-version"));
  r.reference = !r.engine.empty() && !r.engine.starts_with("chaosrun");
  r.node = Text(Member(j, "node"));
  r.platform = Text(Member(j, "platform"));
  r.status = Text(Member(j, "status"));
  if (const Json* d = Member(j, "deviated"); d != nullptr && d->is_boolean())
    r.deviated = d->get<bool>();
  r.start_text = Text(Member(j, "start"));
  r.end_text = Text(Member(j, "end"));
  auto start = TimeMember(j, "start", file, "");
  if (!start) return Err(start.error());
  auto end = TimeMember(j, "end", file, "");
  if (!end) return Err(end.error());
  r.start = *start;
  r.end = *end;
  r.duration = NumberOr(Member(j, "duration"), kUnknown);
  if (std::isnan(r.duration) && !std::isnan(r.start) && !std::isnan(r.end)) {
    r.duration = r.end - r.start;
  }
  r.interruption = Text(Member(j, "interruption"));
  auto run = ParseRecords(Member(j, "run"), file, "/run");
  if (!run) return Err(run.error());
  r.run = std::move(*run);
  auto rollbacks = ParseRecords(Member(j, "rollbacks"), file, "/rollbacks");
  if (!rollbacks) return Err(rollbacks.error());
  r.rollbacks = std::move(*rollbacks);
  if (Status st = ParseChecks(j, file, r); !st.ok()) return Err(st);
  if (Status st = ParseFaults(j, file, r); !st.ok()) return Err(st);
  if (Status st = ParseDrill(j, file, r.drill); !st.ok()) return Err(st);
  for (auto it = j.begin(); it != j.end(); ++it) {
    if (KnownTopLevel().contains(it.key())) continue;
    r.extras.push_back({PointerAppend("", it.key()), DumpPretty(it.value())});
  }
  return r;
}

}  // namespace chaosrun::report
