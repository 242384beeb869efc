#include "session/settings.h"

#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstdlib>
#include <filesystem>
#include <string_view>
#include <system_error>

#include "common/log.h"
#include "parse/loader.h"

namespace chaosrun::session {

namespace {

Status SettingsError(const std::string& name, const std::string& pointer, const std::string& why) {
  return Status::InvalidArgument("--settings " + name + ": " + pointer + ": " + why);
}

void Unknown(const std::string& name, const std::string& pointer, std::vector<std::string>& out,
             const std::string& why = "not a setting chaosrun reads; ignored") {
  out.push_back(name + ": " + pointer + ": " + why);
}

// `runtime.<section>.strategy`; the other keys of the section are warned about.
Result<std::optional<std::string>> RuntimeStrategy(const Json& runtime, const char* section,
                                                   const std::string& name,
                                                   std::vector<std::string>& warnings) {
  std::string at = PointerAppend("/runtime", section);
  const Json* sec = Member(runtime, section);
  if (sec == nullptr || sec->is_null()) return std::optional<std::string>();
  if (!sec->is_object()) return Err(SettingsError(name, at, "must be a mapping"));
  std::optional<std::string> out;
  for (const auto& [key, value] : sec->items()) {
    if (key != "strategy") {
      Unknown(name, PointerAppend(at, key), warnings,
              "not read (the reference reads only `strategy` here); ignored");
      continue;
    }
    if (value.is_null()) continue;
    if (!value.is_string()) {
      return Err(SettingsError(name, PointerAppend(at, key), "must be a strategy name"));
    }
    out = value.get<std::string>();
  }
  return out;
}

Status ReadRuntime(const Json& runtime, const std::string& name, Settings& out) {
  if (runtime.is_null()) return Status::Ok();
  if (!runtime.is_object()) return SettingsError(name, "/runtime", "must be a mapping");
  for (const auto& [key, value] : runtime.items()) {
    if (key != "hypothesis" && key != "rollbacks") {
      Unknown(name, PointerAppend("/runtime", key), out.warnings);
    }
  }
  auto h = RuntimeStrategy(runtime, "hypothesis", name, out.warnings);
  if (!h) return h.error();
  if (*h) {
    out.hypothesis_strategy = engine::ParseHypothesisStrategy(**h);
    if (!out.hypothesis_strategy) {
      return SettingsError(name, "/runtime/hypothesis/strategy",
                           "unknown strategy '" + **h +
                               "' (allowed: default, before-method-only, after-method-only, "
                               "during-method-only, continuously)");
    }
  }
  auto r = RuntimeStrategy(runtime, "rollbacks", name, out.warnings);
  if (!r) return r.error();
  if (*r) {
    out.rollback_strategy = engine::ParseRollbackStrategy(**r);
    if (!out.rollback_strategy) {
      return SettingsError(
          name, "/runtime/rollbacks/strategy",
          "unknown strategy '" + **r + "' (allowed: default, always, never, deviated)");
    }
  }
  return Status::Ok();
}

// `controls`: name -> control mapping; what a control holds is checked where --control-file's
// are (the engine loads them).
Status ReadControls(const Json& controls, const std::string& name, Settings& out) {
  if (controls.is_null()) return Status::Ok();
  if (!controls.is_object()) {
    return SettingsError(name, "/controls", "must be a mapping of control names to controls");
  }
  for (const auto& [key, control] : controls.items()) {
    std::string at = PointerAppend("/controls", key);
    if (!control.is_object()) return SettingsError(name, at, "a control must be a mapping");
    const Json* provider = Member(control, "provider");
    if (provider == nullptr || !provider->is_object()) {
      return SettingsError(name, PointerAppend(at, "provider"), "a control needs a provider");
    }
  }
  out.controls = controls;
  return Status::Ok();
}

// `auths`: "host[:port]" -> {type, value}, the Authorization of an experiment loaded from there.
Status ReadAuths(const Json& auths, const std::string& name, Settings& out) {
  if (auths.is_null()) return Status::Ok();
  if (!auths.is_object()) return SettingsError(name, "/auths", "must be a mapping of hosts");
  for (const auto& [host, auth] : auths.items()) {
    std::string at = PointerAppend("/auths", host);
    if (!auth.is_object()) return SettingsError(name, at, "must be a mapping {type, value}");
    for (const char* key : {"type", "value"}) {
      const Json* v = Member(auth, key);
      if (v == nullptr || !v->is_string()) {
        return SettingsError(name, PointerAppend(at, key), "must be a string");
      }
      std::string text = v->get<std::string>();
      if (text.find_first_of("\r\n") != std::string::npos) {
        return SettingsError(name, PointerAppend(at, key), "must not contain a line break");
      }
    }
    for (const auto& [key, v] : auth.items()) {
      if (key != "type" && key != "value") Unknown(name, PointerAppend(at, key), out.warnings);
    }
  }
  out.auths = auths;
  return Status::Ok();
}

}  // namespace

Result<Settings> ParseSettings(const Json& doc, const std::string& name) {
  Settings out;
  if (doc.is_null()) return out;  // an empty file
  if (!doc.is_object()) {
    return Err(Status::InvalidArgument("--settings " + name +
                                       ": the settings document must be a mapping"));
  }
  for (const auto& [key, value] : doc.items()) {
    Status st = Status::Ok();
    if (key == "runtime") {
      st = ReadRuntime(value, name, out);
    } else if (key == "controls") {
      st = ReadControls(value, name, out);
    } else if (key == "auths") {
      st = ReadAuths(value, name, out);
    } else if (key == "notifications") {
      auto channels = notify::ParseChannels(value);
      if (!channels) {
        st = Status::InvalidArgument("--settings " + name + ": " + channels.error().message());
      } else {
        out.channels = std::move(channels->http);
        for (auto& w : channels->warnings) out.warnings.push_back(name + ": " + w);
      }
    } else {
      Unknown(name, PointerAppend("", key), out.warnings);
    }
    if (!st.ok()) return Err(st);
  }
  return out;
}

Result<Settings> LoadSettings(const std::string& path) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec)) {
    return Err(Status::NotFound("--settings " + path + ": no such file"));
  }
  auto text = parse::ReadFile(path);
  if (!text) return Err(Status::IoError("--settings " + path + ": " + text.error().message()));
  parse::DocFormat format = parse::FormatFromPath(path) == parse::DocFormat::kJson
                                ? parse::DocFormat::kJson
                                : parse::DocFormat::kYaml;
  auto doc = parse::ParseText(*text, format, path);
  if (!doc) return Err(Status::ParseError("--settings " + doc.error().message()));
  return ParseSettings(*doc, path);
}

Result<Settings> LoadSettingsFlag(const std::string& path) {
  if (path.empty()) return Settings{};
  auto loaded = LoadSettings(path);
  if (loaded) {
    for (const auto& w : loaded->warnings) log::Warn("{}", w);
  }
  return loaded;
}

void ApplyRuntime(const Settings& settings, const Json& experiment, engine::RunOptions& options) {
  // The reference: `if experiment.get("runtime"):` (an empty block is no block).
  const Json* rt = Member(experiment, "runtime");
  if (rt != nullptr && Truthy(*rt)) return;
  if (!options.hypothesis_strategy) options.hypothesis_strategy = settings.hypothesis_strategy;
  if (!options.rollback_strategy) options.rollback_strategy = settings.rollback_strategy;
}

Result<std::unique_ptr<ControlsFile>> ControlsFile::Write(const Json& controls) {
  const char* tmp = std::getenv("TMPDIR");
  std::string templ = std::string(tmp != nullptr && *tmp != '\0' ? tmp : "/tmp") +
                      "/chaosrun-settings-controls-XXXXXX.json";
  int fd = mkstemps(templ.data(), 5);  // 0600
  if (fd < 0) {
    return Err(Status::IoError("cannot write the settings' controls to " + templ + ": " +
                               std::generic_category().message(errno)));
  }
  std::unique_ptr<ControlsFile> file(new ControlsFile(templ));
  std::string text = DumpCompact(controls);
  size_t done = 0;
  while (done < text.size()) {
    ssize_t n = ::write(fd, text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      int err = errno;
      ::close(fd);
      return Err(Status::IoError("cannot write the settings' controls to " + templ + ": " +
                                 std::generic_category().message(err)));
    }
    done += static_cast<size_t>(n);
  }
  ::close(fd);
  return file;
}

ControlsFile::~ControlsFile() { ::unlink(path_.c_str()); }

Status ApplySettings(const Settings& settings, const Json& experiment, engine::RunOptions& options,
                     std::unique_ptr<ControlsFile>& controls_file) {
  ApplyRuntime(settings, experiment, options);
  if (settings.controls.empty()) return Status::Ok();
  auto file = ControlsFile::Write(settings.controls);
  if (!file) return file.error();
  controls_file = std::move(*file);
  options.control_files.insert(options.control_files.begin(), controls_file->path());
  return Status::Ok();
}

}  // namespace chaosrun::session
