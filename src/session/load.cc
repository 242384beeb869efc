#include "session/load.h"

#include "parse/loader.h"
#include "session/load_url.h"

namespace chaosrun::session {

Status BuildOverrides(const std::vector<std::string>& var_files,
                      const std::vector<std::string>& vars, subst::Overrides& out) {
  for (const auto& f : var_files) {
    Status st = subst::LoadVarFile(f, out);
    if (!st.ok()) return st;
  }
  for (const auto& v : vars) {
    Status st = subst::ParseVarArgument(v, out);
    if (!st.ok()) return st;
  }
  return Status::Ok();
}

void MergeOverrides(const subst::Overrides& extra, subst::Overrides& out) {
  if (extra.configuration.is_object()) {
    for (const auto& [k, v] : extra.configuration.items()) out.configuration[k] = v;
  }
  if (extra.secrets.is_object()) {
    for (const auto& [k, v] : extra.secrets.items()) out.secrets[k] = v;
  }
}

bool IsUrl(const std::string& source) {
  return source.rfind("http://", 0) == 0 || source.rfind("https://", 0) == 0;
}

Result<Json> LoadSource(const std::string& source, const SourceOptions& options) {
  if (IsUrl(source)) return LoadUrl(source, options);
  return parse::LoadExperimentFile(source);
}

Result<Json> LoadSource(const std::string& source) { return LoadSource(source, SourceOptions{}); }

bool UsesDrivers(const Json& value) {
  if (value.is_object()) {
    auto p = value.find("provider");
    if (p != value.end() && p->is_object()) {
      auto t = p->find("type");
      if (t != p->end() && t->is_string() && t->get<std::string>() == "driver") return true;
    }
    for (const auto& [k, v] : value.items()) {
      if (UsesDrivers(v)) return true;
    }
  } else if (value.is_array()) {
    for (const auto& v : value) {
      if (UsesDrivers(v)) return true;
    }
  }
  return false;
}

}  // namespace chaosrun::session
