// --var and --var-file (ctk-spec §6.3).
#include <sys/stat.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <utility>
#include <vector>

#include "parse/loader.h"
#include "parse/python_number.h"
#include "subst/configuration.h"

namespace chaosrun::subst {
namespace {

// A .env file: KEY=VALUE lines, blank and '#' lines skipped, split at the first '=', no quote
// handling. Every line is checked before any variable is set.
Status LoadDotEnv(const std::string& path, std::string_view content) {
  std::vector<std::pair<std::string, std::string>> vars;
  size_t line_no = 0;
  size_t start = 0;
  while (start <= content.size()) {
    size_t end = content.find('\n', start);
    if (end == std::string_view::npos) end = content.size();
    const std::string_view line = parse::PyStrip(content.substr(start, end - start));
    start = end + 1;
    ++line_no;
    if (line.empty() || line.front() == '#') continue;
    const std::string where = path + ":" + std::to_string(line_no) + ": ";
    const size_t eq = line.find('=');
    if (eq == std::string_view::npos) {
      return Status::InvalidArgument(where + "expected KEY=VALUE in a .env var file");
    }
    if (eq == 0) return Status::InvalidArgument(where + "empty environment variable name");
    if (line.find('\0') != std::string_view::npos) {
      return Status::InvalidArgument(where + "embedded NUL byte");
    }
    vars.emplace_back(std::string(line.substr(0, eq)), std::string(line.substr(eq + 1)));
  }
  for (const auto& [key, value] : vars) {
    if (::setenv(key.c_str(), value.c_str(), 1) != 0) {
      return Status::IoError(path + ": cannot set " + key + ": " + std::strerror(errno));
    }
  }
  return Status::Ok();
}

// Copies the entries of data[block] (an object, or absent/null) into target.
Status MergeBlock(const std::string& path, const Json& data, const char* block, Json& target) {
  auto it = data.find(block);
  if (it == data.end() || it->is_null()) return Status::Ok();
  if (!it->is_object()) {
    return Status::InvalidArgument(path + ": \"" + block + "\" must be a mapping");
  }
  for (auto entry = it->begin(); entry != it->end(); ++entry) target[entry.key()] = entry.value();
  return Status::Ok();
}

}  // namespace

Status ParseVarArgument(const std::string& arg, Overrides& out) {
  const std::string where = "invalid --var \"" + arg + "\": ";
  const size_t eq = arg.find('=');
  if (eq == std::string::npos) {
    return Status::InvalidArgument(where + "expected name[:type]=value");
  }
  std::string name = arg.substr(0, eq);
  const std::string text = arg.substr(eq + 1);
  Json value = text;
  if (const size_t colon = name.rfind(':'); colon != std::string::npos) {
    const std::string type = name.substr(colon + 1);
    name.resize(colon);
    auto converted = ConvertEnvValue(text, type);
    if (!converted) return Status::InvalidArgument(where + converted.error().message());
    value = std::move(*converted);
  }
  out.configuration[name] = std::move(value);
  return Status::Ok();
}

Status LoadVarFile(const std::string& path, Overrides& out) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) {
    return Status::NotFound("cannot read var file \"" + path + "\": not an existing regular file");
  }
  auto content = parse::ReadFile(path);
  if (!content) return content.error();
  if (content->empty()) return Status::Ok();
  const parse::DocFormat format = parse::FormatFromPath(path);
  if (format == parse::DocFormat::kUnknown) return LoadDotEnv(path, *content);
  auto data = parse::ParseText(*content, format, path);
  if (!data) return data.error();
  if (!Truthy(*data)) return LoadDotEnv(path, *content);  // "parses to nothing": a .env file
  if (!data->is_object()) {
    return Status::InvalidArgument(path +
                                   ": a var file must hold a mapping with optional "
                                   "\"configuration\" and \"secrets\" blocks");
  }
  if (Status s = MergeBlock(path, *data, "configuration", out.configuration); !s.ok()) return s;
  return MergeBlock(path, *data, "secrets", out.secrets);
}

}  // namespace chaosrun::subst
