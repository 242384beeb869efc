#include "daemon/config.h"

#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <set>

#include "parse/loader.h"
#include "proxy/address.h"
#include "proxy/engine.h"
#include "proxy_api/route_util.h"

namespace chaosrun::daemon {
namespace {

namespace fs = std::filesystem;

// Reads the fields of one object, recording every problem under `base`.
class FieldReader {
 public:
  FieldReader(const Json& obj, std::string base, std::vector<ConfigProblem>& problems)
      : obj_(obj), base_(std::move(base)), problems_(problems) {}

  std::string Ptr(std::string_view key) const { return PointerAppend(base_, key); }
  void Problem(std::string_view key, std::string message) {
    problems_.push_back({Ptr(key), std::move(message)});
  }
  void ProblemAt(std::string pointer, std::string message) {
    problems_.push_back({std::move(pointer), std::move(message)});
  }
  const Json* Get(const char* key) {
    seen_.insert(key);
    return Member(obj_, key);
  }
  void String(const char* key, std::string& out) {
    const Json* v = Get(key);
    if (v == nullptr) return;
    if (!v->is_string() || v->get_ref<const std::string&>().empty()) {
      Problem(key, "expected a non-empty string");
      return;
    }
    out = v->get<std::string>();
  }
  void Bool(const char* key, bool& out) {
    const Json* v = Get(key);
    if (v == nullptr) return;
    if (!v->is_boolean()) return Problem(key, "expected true or false");
    out = v->get<bool>();
  }
  void Count(const char* key, size_t& out, size_t min, size_t max) {
    const Json* v = Get(key);
    if (v == nullptr) return;
    // A float (1.5, .nan, .inf) is refused; so is an integer out of range.
    if (!v->is_number_integer() || !(v->get<int64_t>() >= static_cast<int64_t>(min) &&
                                     v->get<int64_t>() <= static_cast<int64_t>(max))) {
      return Problem(
          key, "expected an integer from " + std::to_string(min) + " to " + std::to_string(max));
    }
    out = v->get<size_t>();
  }
  void Seconds(const char* key, double& out, double min, double max) {
    const Json* v = Get(key);
    if (v == nullptr) return;
    // Written so that NaN (YAML's .nan) fails too; .inf is out of every range.
    if (!v->is_number() || !(v->get<double>() >= min && v->get<double>() <= max)) {
      return Problem(key, "expected a number of seconds from " + FormatNumber(min) + " to " +
                              FormatNumber(max));
    }
    out = v->get<double>();
  }
  // Every key not read is an error naming it.
  void RejectUnknown() {
    if (!obj_.is_object()) return;
    for (const auto& [key, value] : obj_.items()) {
      if (!seen_.contains(key)) Problem(key, "unknown key \"" + key + "\"");
    }
  }

 private:
  static std::string FormatNumber(double d) {
    std::string s = std::to_string(d);
    while (s.size() > 1 && s.back() == '0') s.pop_back();
    if (!s.empty() && s.back() == '.') s.pop_back();
    return s;
  }
  const Json& obj_;
  std::string base_;
  std::vector<ConfigProblem>& problems_;
  std::set<std::string, std::less<>> seen_;
};

std::string Resolve(const std::string& base_dir, const std::string& p) {
  if (p.empty() || p.front() == '/' || base_dir.empty()) return p;
  return (fs::path(base_dir) / p).lexically_normal().string();
}

// kind: 'd' a directory, 'f' a regular file. `pointer` is the field's full JSON pointer.
void CheckPathAt(FieldReader& r, const std::string& pointer, const std::string& path, char kind) {
  if (path.empty()) return;
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) {
    return r.ProblemAt(pointer, "\"" + path + "\" does not exist");
  }
  if (kind == 'd' && !S_ISDIR(st.st_mode)) {
    r.ProblemAt(pointer, "\"" + path + "\" is not a directory");
  }
  if (kind == 'f' && !S_ISREG(st.st_mode)) r.ProblemAt(pointer, "\"" + path + "\" is not a file");
}
void CheckPath(FieldReader& r, const char* key, const std::string& path, char kind) {
  CheckPathAt(r, r.Ptr(key), path, kind);
}

void ParseListen(FieldReader& r, DaemonConfig& c) {
  std::string listen = kDefaultListen;
  r.String("listen", listen);
  auto hp = proxy::ParseHostPort(listen, "listen");
  if (!hp) return r.Problem("listen", "expected HOST:PORT, got \"" + listen + "\"");
  c.listen_host = hp->host;
  c.listen_port = hp->port;
}

void ParseDrivers(FieldReader& r, DaemonConfig& c, const std::string& base_dir) {
  if (const Json* one = r.Get("drivers_dir")) {
    if (!one->is_string() || one->get_ref<const std::string&>().empty()) {
      r.Problem("drivers_dir", "expected a non-empty string");
    } else {
      c.driver_dirs.push_back(Resolve(base_dir, one->get<std::string>()));
      CheckPath(r, "drivers_dir", c.driver_dirs.back(), 'd');
    }
  }
  if (const Json* many = r.Get("drivers_dirs")) {
    if (!many->is_array()) return r.Problem("drivers_dirs", "expected a list of directories");
    for (size_t i = 0; i < many->size(); ++i) {
      const Json& d = (*many)[i];
      std::string ptr = PointerAppend(r.Ptr("drivers_dirs"), i);
      if (!d.is_string() || d.get_ref<const std::string&>().empty()) {
        r.ProblemAt(ptr, "expected a non-empty string");
        continue;
      }
      c.driver_dirs.push_back(Resolve(base_dir, d.get<std::string>()));
      CheckPathAt(r, ptr, c.driver_dirs.back(), 'd');
    }
  }
  r.Bool("installed_drivers", c.installed_drivers);
}

void ParseProxies(FieldReader& r, DaemonConfig& c) {
  const Json* v = r.Get("proxies");
  if (v == nullptr) return;
  if (!v->is_array()) return r.Problem("proxies", "expected a list of proxies (populate format)");
  std::set<std::string> names;
  for (size_t i = 0; i < v->size(); ++i) {
    const Json& p = (*v)[i];
    std::string ptr = PointerAppend(r.Ptr("proxies"), i);
    auto spec = proxy::ProxyFromJson(p);
    if (!spec) {
      r.ProblemAt(ptr, spec.error().message());
      continue;
    }
    if (!names.insert(spec->name).second) {
      r.ProblemAt(PointerAppend(ptr, "name"), "duplicate proxy name \"" + spec->name + "\"");
    }
  }
  c.proxies = *v;
}

void ParseSchedules(FieldReader& r, DaemonConfig& c, const std::string& base,
                    std::vector<ConfigProblem>& problems) {
  const Json* v = r.Get("schedules");
  if (v == nullptr) return;
  if (!v->is_array()) return r.Problem("schedules", "expected a list of schedules");
  std::set<std::string> names;
  for (size_t i = 0; i < v->size(); ++i) {
    std::string ptr = PointerAppend(PointerAppend(base, "schedules"), i);
    std::vector<scheduler::Problem> sp;
    auto s = scheduler::ParseSchedule((*v)[i], ptr, sp);
    for (auto& p : sp) problems.push_back({std::move(p.pointer), std::move(p.message)});
    if (!s) {
      if (sp.empty()) problems.push_back({ptr, s.error().message()});
      continue;
    }
    if (!names.insert(s->name).second) {
      problems.push_back({PointerAppend(ptr, "name"), "duplicate schedule \"" + s->name + "\""});
    }
    c.schedules.push_back(std::move(*s));
  }
}

void ParseLimits(FieldReader& parent, DaemonConfig& c, std::vector<ConfigProblem>& problems) {
  const Json* v = parent.Get("limits");
  if (v == nullptr) return;
  if (!v->is_object()) return parent.Problem("limits", "expected an object");
  FieldReader r(*v, parent.Ptr("limits"), problems);
  r.Count("max_concurrent_runs", c.limits.max_concurrent_runs, 1, 256);
  r.Count("queue_size", c.limits.queue_size, 0, 100000);
  r.Seconds("run_deadline_seconds", c.limits.run_deadline_seconds, 0, 7 * 86400.0);
  r.Count("api_history_limit", c.limits.api_history_limit, 1, 1000000);
  r.RejectUnknown();
}

void ParseWebhooks(FieldReader& parent, DaemonConfig& c, std::vector<ConfigProblem>& problems) {
  const Json* v = parent.Get("webhooks");
  if (v == nullptr) return;
  if (!v->is_object()) return parent.Problem("webhooks", "expected an object");
  FieldReader r(*v, parent.Ptr("webhooks"), problems);
  r.Seconds("timeout_seconds", c.webhooks.timeout_seconds, 0.1, 60);
  size_t attempts = static_cast<size_t>(c.webhooks.attempts);
  r.Count("attempts", attempts, 1, 10);
  c.webhooks.attempts = static_cast<int>(attempts);
  r.Seconds("backoff_seconds", c.webhooks.backoff_seconds, 0, 60);
  r.RejectUnknown();
}

}  // namespace

std::string FormatProblems(const std::vector<ConfigProblem>& problems) {
  std::string out;
  for (const auto& p : problems) {
    if (!out.empty()) out += '\n';
    out += (p.pointer.empty() ? std::string("/") : p.pointer) + ": " + p.message;
  }
  return out;
}

DaemonConfig ParseConfig(const Json& doc, const std::string& base_dir,
                         std::vector<ConfigProblem>& problems) {
  DaemonConfig c;
  if (!doc.is_object()) {
    problems.push_back({"", "the configuration must be a mapping"});
    return c;
  }
  FieldReader r(doc, "", problems);
  ParseListen(r, c);
  r.Bool("allow_remote", c.allow_remote);
  if (!c.allow_remote && !proxy_api::IsLoopbackHost(c.listen_host)) {  // 127.0.0.0/8, ::1
    r.Problem("listen",
              "\"" + c.listen_host +
                  "\" is not a loopback address (set allow_remote: true to listen there)");
  }
  r.String("token_file", c.token_file);
  if (c.token_file.empty() && Member(doc, "token_file") == nullptr) {
    r.Problem("token_file", "required: the file holding the API's bearer token");
  }
  c.token_file = Resolve(base_dir, c.token_file);
  CheckPath(r, "token_file", c.token_file, 'f');
  r.String("state_dir", c.state_dir);
  c.state_dir = Resolve(base_dir, c.state_dir);
  r.String("experiments_dir", c.experiments_dir);
  if (c.experiments_dir.empty() && Member(doc, "experiments_dir") == nullptr) {
    r.Problem("experiments_dir", "required: the only directory runs come from");
  }
  c.experiments_dir = Resolve(base_dir, c.experiments_dir);
  CheckPath(r, "experiments_dir", c.experiments_dir, 'd');
  ParseDrivers(r, c, base_dir);
  r.String("policy", c.policy_path);
  c.policy_path = Resolve(base_dir, c.policy_path);
  CheckPath(r, "policy", c.policy_path, 'f');
  size_t body = c.api_max_body_bytes;
  r.Count("api_max_body_bytes", body, 1024, size_t{64} << 20);
  c.api_max_body_bytes = body;
  ParseProxies(r, c);
  ParseSchedules(r, c, "", problems);
  ParseLimits(r, c, problems);
  ParseWebhooks(r, c, problems);
  r.RejectUnknown();
  return c;
}

Result<DaemonConfig> LoadConfig(const std::string& path, std::vector<ConfigProblem>* problems) {
  auto text = parse::ReadFile(path);
  if (!text) return Err(text.error());
  auto format = parse::FormatFromPath(path);
  if (format == parse::DocFormat::kUnknown) {
    return Err(Status::InvalidArgument(path + ": the configuration must be .json, .yaml or .yml"));
  }
  auto doc = parse::ParseText(*text, format, path);
  if (!doc) return Err(doc.error());
  std::vector<ConfigProblem> found;
  std::error_code ec;
  fs::path abs = fs::absolute(path, ec);
  DaemonConfig c = ParseConfig(*doc, abs.parent_path().string(), found);
  if (problems != nullptr) *problems = found;
  if (!found.empty()) {
    return Err(Status::InvalidArgument(path + ": " + std::to_string(found.size()) +
                                       " problem(s):\n" + FormatProblems(found)));
  }
  c.source = path;
  return c;
}

}  // namespace chaosrun::daemon
