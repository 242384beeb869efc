// The Chaos Toolkit settings file (`--settings FILE`, ctk-spec §7, docs/settings.md): its
// `runtime` strategies, its global `controls`, its `notifications` and its loader `auths`.
// Every other key gets one warning naming its JSON pointer. Nothing is read without the flag.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/json.h"
#include "common/status.h"
#include "engine/runner.h"
#include "engine/strategy.h"
#include "notify/channels.h"

namespace chaosrun::session {

struct Settings {
  std::optional<engine::HypothesisStrategy> hypothesis_strategy;  // runtime.hypothesis.strategy
  std::optional<engine::RollbackStrategy> rollback_strategy;      // runtime.rollbacks.strategy
  Json controls = Json::object();  // name -> control (global controls, before --control-file)
  std::vector<notify::Channel> channels;  // the http notification channels
  Json auths = Json::object();            // "host[:port]" -> {"type", "value"}
  std::vector<std::string> warnings;      // one per key chaosrun does not act on
};

// Reads `path`: JSON when it ends in .json, else YAML (the reference reads YAML; JSON is YAML
// too). An empty file is empty settings. Errors name the file, and the line and column of a
// syntax error or the JSON pointer of a wrong field; a front end reports them as usage errors.
Result<Settings> LoadSettings(const std::string& path);
// The same for a parsed document (`name` is the file in messages).
Result<Settings> ParseSettings(const Json& doc, const std::string& name);
// `--settings PATH` as the pipelines take it: "" is no settings; else LoadSettings, and each
// warning logged once.
Result<Settings> LoadSettingsFlag(const std::string& path);

// The settings' runtime strategies where the command line and the experiment leave them open, as
// the reference resolves them: the command line first; else an experiment with a non-empty
// `runtime` block decides (a sub-key it lacks means `default`, the engine's rule); else the
// settings file.
void ApplyRuntime(const Settings& settings, const Json& experiment, engine::RunOptions& options);

// The settings' controls as a --control-file the engine reads (engine::LoadControlFiles): a
// private temporary JSON file, removed when the object dies.
class ControlsFile {
 public:
  static Result<std::unique_ptr<ControlsFile>> Write(const Json& controls);
  ~ControlsFile();
  ControlsFile(const ControlsFile&) = delete;
  ControlsFile& operator=(const ControlsFile&) = delete;
  const std::string& path() const { return path_; }

 private:
  explicit ControlsFile(std::string path) : path_(std::move(path)) {}
  std::string path_;
};

// Puts the settings into a run's options:
// the strategies (ApplyRuntime) and the controls, ahead of the --control-file ones (a later file's
// control of the same name wins, as in the reference). `controls_file` keeps the file alive.
Status ApplySettings(const Settings& settings, const Json& experiment, engine::RunOptions& options,
                     std::unique_ptr<ControlsFile>& controls_file);

}  // namespace chaosrun::session
