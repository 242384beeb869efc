#include "cli/console_format.h"

#include <fmt/format.h>

#include <vector>

#include "faults/describe.h"
#include "report/time_text.h"

namespace chaosrun::cli {

namespace {

std::string FormatText(const Json& obj, const char* key) {
  if (!obj.is_object()) return {};
  auto it = obj.find(key);
  return it != obj.end() && it->is_string() ? it->get<std::string>() : std::string();
}

// "1.00 s" -> "1 s", "1.50 s" -> "1.5 s", "2 min 05 s" -> "2 min 5 s".
std::string TrimZeros(std::string s) {
  size_t dot = s.find('.');
  if (dot != std::string::npos) {
    size_t end = s.find(' ', dot);
    if (end == std::string::npos) end = s.size();
    size_t last = end;
    while (last > dot + 1 && s[last - 1] == '0') --last;
    if (last == dot + 1) last = dot;
    s.erase(last, end - last);
  }
  for (size_t p = s.find(" 0"); p != std::string::npos; p = s.find(" 0", p + 1)) {
    if (p + 2 < s.size() && s[p + 2] >= '0' && s[p + 2] <= '9') s.erase(p + 1, 1);
  }
  // "2 min 0 s" -> "2 min", "1 h 0 min" -> "1 h".
  for (std::string_view zero : {" 0 s", " 0 min"}) {
    if (s.size() > zero.size() + 1 && s.ends_with(zero)) s.erase(s.size() - zero.size());
  }
  return s;
}

std::string FailureWhy(const Json& record) {
  const Json* ex = Member(record, "exception");
  if (ex == nullptr || !ex->is_array() || ex->empty() || !ex->back().is_string()) return {};
  std::string why = ex->back().get<std::string>();
  if (!why.empty() && why.back() == '\n') why.pop_back();
  const std::string prefix = "chaoslib.exceptions.ActivityFailed: ";
  if (why.rfind(prefix, 0) == 0) why = why.substr(prefix.size());
  return why;
}

}  // namespace

std::string HumanDuration(double seconds) { return TrimZeros(report::FormatDuration(seconds)); }

std::string ActivityLabel(engine::Phase phase, const Json& activity) {
  switch (phase) {
    case engine::Phase::kRollbacks:
      return "Rollback";
    case engine::Phase::kHypothesisBefore:
    case engine::Phase::kHypothesisAfter:
    case engine::Phase::kHypothesisDuring:
    case engine::Phase::kSafeguards:
      return "Probe";
    case engine::Phase::kMethod:
      break;
  }
  return FormatText(activity, "type") == "probe" ? "Probe" : "Action";
}

std::string ActivityNameOf(const Json& activity) {
  std::string name = FormatText(activity, "name");
  if (name.empty()) name = FormatText(activity, "ref");
  return name.empty() ? "<unnamed>" : name;
}

FaultParts FaultPartsOf(const Json& record) {
  FaultParts parts;
  const Json* out = Member(record, "output");
  if (out == nullptr || !out->is_object() || !out->contains("fault")) return parts;
  const Json* activity = Member(record, "activity");
  const Json* provider = activity != nullptr ? Member(*activity, "provider") : nullptr;
  std::string label = provider != nullptr
                          ? FormatText(*provider, "driver") + "." + FormatText(*provider, "func")
                          : std::string("driver fault");
  std::vector<std::string> targets;
  if (const Json* t = Member(*out, "targets"); t != nullptr && t->is_array()) {
    for (const auto& v : *t) {
      if (v.is_string()) targets.push_back(v.get<std::string>());
    }
  }
  parts.what = label + " on " + faults::DescribeTargets(targets);
  if (const Json* d = Member(*out, "max_duration"); d != nullptr && d->is_number()) {
    parts.duration = HumanDuration(d->get<double>());
  }
  parts.undo = FormatText(*out, "undo_description");
  return parts;
}

std::string FaultLine(const Json& record) {
  FaultParts parts = FaultPartsOf(record);
  if (parts.what.empty()) return {};
  std::string line = parts.what;
  if (!parts.duration.empty()) line += ", " + parts.duration;
  if (!parts.undo.empty()) line += "; undo: " + parts.undo;
  return line;
}

std::string ActivityResult(const Json& record) {
  std::string took = " [" + HumanDuration(record.value("duration", 0.0)) + "]";
  std::string status = FormatText(record, "status");
  if (status.empty()) return "interrupted" + took;
  if (status == "failed") {
    std::string why = FailureWhy(record);
    return "failed" + (why.empty() ? std::string() : ": " + why) + took;
  }
  if (std::string fault = FaultLine(record); !fault.empty()) {
    return "fault injected: " + fault + took;
  }
  std::string out = status;
  const Json* output = Member(record, "output");
  if (output != nullptr && output->is_object()) {
    if (const Json* s = Member(*output, "status"); s != nullptr && s->is_number_integer()) {
      out += " (status " + std::to_string(s->get<int64_t>()) + ")";
    }
  }
  if (const Json* met = Member(record, "tolerance_met"); met != nullptr && met->is_boolean()) {
    out += met->get<bool>() ? ", tolerance met" : ", tolerance NOT met";
    if (std::string why = FormatText(record, "tolerance_reason"); !why.empty())
      out += " (" + why + ")";
  }
  return out + took;
}

std::string ShellJoin(const Json& argv) {
  std::string out;
  if (!argv.is_array()) return out;
  for (const auto& a : argv) {
    std::string s = a.is_string() ? a.get<std::string>() : DumpCompact(a);
    bool plain = !s.empty() && s.find_first_not_of(
                                   "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTU"
                                   "VWXYZ0123456789-_./=:,+@%") == std::string::npos;
    if (!plain) {
      std::string quoted = "'";
      for (char c : s) quoted += c == '\'' ? std::string("'\\''") : std::string(1, c);
      s = quoted + "'";
    }
    out += (out.empty() ? "" : " ") + s;
  }
  return out;
}

std::string VerboseStart(const Json& provider) {
  std::string type = FormatText(provider, "type");
  if (type == "process") {
    Json argv = Json::array({FormatText(provider, "path")});
    const Json* args = Member(provider, "arguments");
    if (args != nullptr && args->is_array()) {
      for (const auto& a : *args) argv.push_back(a);
    } else if (args != nullptr && args->is_string()) {
      // A string is split by a shell-like lexer (ctk-spec §4.2): shown as written.
      return "command: " + ShellJoin(argv) + " " + args->get<std::string>();
    }
    return "command: " + ShellJoin(argv);
  }
  if (type == "http") {
    std::string line = "request: " + HttpRequestText(provider);
    if (const Json* t = Member(provider, "timeout"); t != nullptr && t->is_number()) {
      line += " (timeout " + HumanDuration(t->get<double>()) + ")";
    }
    return line;
  }
  if (type == "python")
    return "python: " + FormatText(provider, "module") + "." + FormatText(provider, "func");
  return {};
}

std::string HttpRequestText(const Json& provider) {
  if (FormatText(provider, "type") != "http") return {};
  std::string method = FormatText(provider, "method");
  return (method.empty() ? std::string("GET") : method) + " " +
         ShownUrl(FormatText(provider, "url"));
}

std::string VerboseEnd(const Json& record, const std::string& request) {
  if (request.empty()) return {};
  std::string took = " in " + HumanDuration(record.value("duration", 0.0));
  const Json* out = Member(record, "output");
  if (out != nullptr && out->is_object()) {
    if (const Json* s = Member(*out, "status"); s != nullptr && s->is_number_integer()) {
      return "response: " + std::to_string(s->get<int64_t>()) + " from " + request + took;
    }
  }
  std::string status = FormatText(record, "status");
  return "response: none from " + request + took + " (" +
         (status.empty() ? std::string("interrupted") : status) + ")";
}

}  // namespace chaosrun::cli
