// The prepare step of the four file faults: read the registry or pipeline layout
// (docs/driver-ml.md "The registry layout"), choose the fault's bytes, refuse what could not be
// undone; file_swap.cc does the rest.
//   stale_model            serving.json -> {"version": <older>}
//   corrupt_model          an artifact truncated or garbled (seeded, reproducible)
//   stale_training_config  training_config.json <- training_configs/v<older>.json
//   stale_pipeline         deploy.json <- versions/v<older>.json
#include <random>

#include "actions.h"

namespace chaosrun_ml {

namespace {

// A JSON object read from `path`; "" or the error.
std::string ReadJsonObject(const std::string& path, const FileState& st, json* out) {
  json j = json::parse(st.bytes, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return path + ": not a JSON object";
  *out = std::move(j);
  return {};
}

std::optional<int64_t> IntMember(const json& obj, const char* key) {
  if (!obj.contains(key) || !obj[key].is_number_integer()) return std::nullopt;
  return obj[key].get<int64_t>();
}

std::string KeepNewline(const std::string& original, std::string text) {
  if (!original.empty() && original.back() == '\n') text += '\n';
  return text;
}

// stale_training_config and stale_pipeline: `file` in `dir` holds {"<key>": N}; the older
// version's file is `dir`/<archive>/v<V>.json, copied byte for byte.
Reply PrepareFromArchive(const char* func, const char* dir_arg, const char* file, const char* key,
                         const char* archive, const char* const* allowed, const json& args) {
  if (std::string e = UnknownKeys(args, allowed); !e.empty()) {
    return Reply::Invalid(ArgPointer(e));
  }
  std::string error;
  auto dir_text = StringArg(args, dir_arg, &error);
  if (!dir_text) {
    return Reply::Invalid(ArgPointer(error.empty() ? std::string(dir_arg) + ": required" : error));
  }
  auto version = IntArg(args, "version", 1, 1000000000, &error);
  std::string reload_url;
  if (error.empty()) error = ReloadUrlArg(args, &reload_url);
  if (!error.empty()) return Reply::Invalid(ArgPointer(error));
  std::string dir = CanonicalDir(*dir_text, &error);
  if (dir.empty()) return Reply::Failed(std::string(func) + ": " + dir_arg + ": " + error);

  std::string path;
  FileState current;
  if (std::string e = ReadForFault(dir_arg, dir + "/" + file, &path, &current); !e.empty()) {
    return Reply::Failed(std::string(func) + ": " + e);
  }
  json obj;
  if (std::string e = ReadJsonObject(path, current, &obj); !e.empty()) {
    return Reply::Failed(std::string(func) + ": " + e);
  }
  auto now = IntMember(obj, key);
  if (!now)
    return Reply::Failed(std::string(func) + ": " + path + " has no integer \"" + key + "\"");
  int64_t v = version ? *version : *now - 1;
  if (v < 1) {
    return Reply::Failed(std::string(func) + ": " + path + " is at " + key + " " +
                         std::to_string(*now) + ": there is no older version");
  }
  std::string source;
  FileState older;
  const std::string older_path = dir + "/" + archive + "/v" + std::to_string(v) + ".json";
  if (std::string e = ReadForFault("version", older_path, &source, &older); !e.empty()) {
    return Reply::Failed(std::string(func) + ": refused: version " + std::to_string(v) +
                         " cannot be deployed: " + e);
  }
  if (older.bytes == current.bytes) {
    return Reply::Failed(std::string(func) + ": refused: " + path + " already holds version " +
                         std::to_string(v) + " (" + source + " is the same bytes)");
  }
  json extra{{"version", v}, {"from_version", *now}, {"source", source}};
  return Reply::Ok(FileSwapPlan(func, path, current, older.bytes, reload_url, extra));
}

uint64_t SplitMix(uint64_t* s) {
  uint64_t z = (*s += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

}  // namespace

Reply PrepareStaleModel(const json& args, const Env&) {
  static const char* const kAllowed[] = {"registry", "version", "reload_url", nullptr};
  if (std::string e = UnknownKeys(args, kAllowed); !e.empty()) {
    return Reply::Invalid(ArgPointer(e));
  }
  std::string error;
  auto registry_text = StringArg(args, "registry", &error);
  if (!registry_text) {
    return Reply::Invalid(ArgPointer(error.empty() ? "registry: required" : error));
  }
  auto version = IntArg(args, "version", 1, 1000000000, &error);
  std::string reload_url;
  if (error.empty()) error = ReloadUrlArg(args, &reload_url);
  if (!error.empty()) return Reply::Invalid(ArgPointer(error));
  std::string registry = CanonicalDir(*registry_text, &error);
  if (registry.empty()) return Reply::Failed("stale_model: registry: " + error);

  std::string manifest_path, serving_path;
  FileState manifest_file, serving_file;
  if (std::string e =
          ReadForFault("registry", registry + "/manifest.json", &manifest_path, &manifest_file);
      !e.empty()) {
    return Reply::Failed("stale_model: " + e);
  }
  if (std::string e =
          ReadForFault("registry", registry + "/serving.json", &serving_path, &serving_file);
      !e.empty()) {
    return Reply::Failed("stale_model: " + e);
  }
  json manifest, serving;
  if (std::string e = ReadJsonObject(manifest_path, manifest_file, &manifest); !e.empty()) {
    return Reply::Failed("stale_model: " + e);
  }
  if (std::string e = ReadJsonObject(serving_path, serving_file, &serving); !e.empty()) {
    return Reply::Failed("stale_model: " + e);
  }
  auto latest = IntMember(manifest, "latest");
  auto served = IntMember(serving, "version");
  if (!latest) return Reply::Failed("stale_model: " + manifest_path + " has no integer \"latest\"");
  if (!served) return Reply::Failed("stale_model: " + serving_path + " has no integer \"version\"");
  int64_t v = version ? *version : *latest - 1;
  const std::string key = std::to_string(v);
  if (v < 1 || !manifest.contains("models") || !manifest["models"].is_object() ||
      !manifest["models"].contains(key) || !manifest["models"][key].is_object() ||
      !manifest["models"][key].contains("file") || !manifest["models"][key]["file"].is_string()) {
    return Reply::Failed("stale_model: refused: version " + key + " is not in " + manifest_path +
                         " (models)");
  }
  std::string artifact =
      CanonicalFile(registry + "/" + manifest["models"][key]["file"].get<std::string>(), &error);
  if (artifact.empty()) {
    return Reply::Failed("stale_model: refused: the artifact of version " + key +
                         " is missing: " + error);
  }
  if (v == *served) {
    return Reply::Failed("stale_model: refused: " + serving_path + " already serves version " +
                         key);
  }
  json fault_obj = serving;
  fault_obj["version"] = v;
  std::string fault = KeepNewline(serving_file.bytes, fault_obj.dump());
  json extra{{"version", v}, {"from_version", *served}, {"artifact", artifact}};
  return Reply::Ok(
      FileSwapPlan("stale_model", serving_path, serving_file, fault, reload_url, extra));
}

Reply PrepareCorruptModel(const json& args, const Env&) {
  static const char* const kAllowed[] = {"artifact", "mode",       "keep_bytes",
                                         "seed",     "reload_url", nullptr};
  if (std::string e = UnknownKeys(args, kAllowed); !e.empty()) {
    return Reply::Invalid(ArgPointer(e));
  }
  std::string error;
  auto artifact_text = StringArg(args, "artifact", &error);
  if (!artifact_text) {
    return Reply::Invalid(ArgPointer(error.empty() ? "artifact: required" : error));
  }
  auto mode = StringArg(args, "mode", &error);
  const std::string corruption = mode ? *mode : "garble";
  if (error.empty() && corruption != "garble" && corruption != "truncate") {
    error = "mode: must be \"truncate\" or \"garble\"";
  }
  auto keep = error.empty() ? IntArg(args, "keep_bytes", 0, INT64_MAX, &error) : std::nullopt;
  if (error.empty() && keep && corruption != "truncate") {
    error = "keep_bytes: only with mode \"truncate\"";
  }
  auto seed_arg = error.empty() ? IntArg(args, "seed", 0, INT64_MAX, &error) : std::nullopt;
  std::string reload_url;
  if (error.empty()) error = ReloadUrlArg(args, &reload_url);
  if (!error.empty()) return Reply::Invalid(ArgPointer(error));

  std::string path;
  FileState st;
  if (std::string e = ReadForFault("artifact", *artifact_text, &path, &st); !e.empty()) {
    return Reply::Failed("corrupt_model: " + e);
  }
  if (st.bytes.empty()) return Reply::Failed("corrupt_model: refused: " + path + " is empty");
  json extra{{"corruption", corruption}};
  std::string fault;
  if (corruption == "truncate") {
    size_t k = keep ? static_cast<size_t>(*keep) : st.bytes.size() / 2;
    if (k >= st.bytes.size()) {
      return Reply::Invalid("/keep_bytes: must be below the file's size " +
                            std::to_string(st.bytes.size()) + ", got " + std::to_string(k));
    }
    fault = st.bytes.substr(0, k);
    extra["keep_bytes"] = k;
  } else {
    uint64_t seed = 0;
    if (seed_arg) {
      seed = static_cast<uint64_t>(*seed_arg);
    } else {
      std::random_device rd;
      seed = (static_cast<uint64_t>(rd()) << 32 | rd()) & ((uint64_t{1} << 53) - 1);
    }
    extra["seed"] = seed;
    // A window of a quarter of the file (at least 16 bytes), each byte XORed with a non-zero
    // value: every byte in it changes, so the SHA-256 differs and the JSON does not parse.
    uint64_t s = seed;
    const size_t n = st.bytes.size();
    size_t count = std::min(n, std::max<size_t>(16, n / 4));
    size_t start = n == count ? 0 : static_cast<size_t>(SplitMix(&s) % (n - count + 1));
    fault = st.bytes;
    for (size_t i = start; i < start + count; ++i) {
      fault[i] = static_cast<char>(static_cast<unsigned char>(fault[i]) ^
                                   static_cast<unsigned char>(1 + SplitMix(&s) % 255));
    }
    extra["garbled_bytes"] = json{{"offset", start}, {"length", count}};
  }
  return Reply::Ok(FileSwapPlan("corrupt_model", path, st, fault, reload_url, extra));
}

Reply PrepareStaleTrainingConfig(const json& args, const Env&) {
  static const char* const kAllowed[] = {"registry", "version", "reload_url", nullptr};
  return PrepareFromArchive("stale_training_config", "registry", "training_config.json",
                            "config_version", "training_configs", kAllowed, args);
}

Reply PrepareStalePipeline(const json& args, const Env&) {
  static const char* const kAllowed[] = {"pipeline", "version", nullptr};
  return PrepareFromArchive("stale_pipeline", "pipeline", "deploy.json", "code_version", "versions",
                            kAllowed, args);
}

}  // namespace chaosrun_ml
