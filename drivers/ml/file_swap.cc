// One small file replaced by other bytes, and put back: the mechanics of the four file faults.
//
// prepare (the action's own code) reads the file and computes the fault's bytes; FileSwapPlan
// then records in the undo the path, mode, owner, the original bytes (base64) with their SHA-256,
// and the fault's SHA-256. apply checks that the file still holds the original (else it changed
// since prepare: nothing is written), writes the fault atomically and POSTs reload_url. undo:
//   - the file holds the original bytes: nothing to do (apply never ran, or an earlier undo did
//   it);
//   - it holds the fault's bytes, or is missing: the original is written back atomically and
//     read back, compared by SHA-256;
//   - it holds anything else: someone changed it since the fault; undo refuses to overwrite it
//     (CHAOSRUN_FAILED, the message says so; the fault stays pending for `recover`).
// then POSTs reload_url (a failed reload in undo is reported and logged, never a failure: the
// file is what counts and a model server that polls picks it up anyway).
#include <sys/stat.h>

#include "actions.h"
#include "http.h"

namespace chaosrun_ml {

namespace {

struct Tracked {
  std::string path, sha256, fault_sha256, original, fault, reload_url;
  mode_t mode = 0644;
  uid_t uid = 0;
  gid_t gid = 0;
};

std::string ParseTracked(const json& j, bool need_fault, Tracked* t) {
  if (!j.is_object()) return "must be a JSON object";
  try {
    t->path = j.at("path").get<std::string>();
    t->sha256 = j.at("sha256").get<std::string>();
    t->fault_sha256 = j.at("fault_sha256").get<std::string>();
    t->mode = j.at("file_mode").get<mode_t>() & 07777;
    t->uid = j.at("uid").get<uid_t>();
    t->gid = j.at("gid").get<gid_t>();
    t->reload_url = j.value("reload_url", std::string());
    if (!Base64Decode(j.at("bytes_b64").get<std::string>(), &t->original)) {
      return "bytes_b64 is not base64";
    }
  } catch (const json::exception& e) {
    return std::string("malformed: ") + e.what();
  }
  if (t->path.empty() || t->path[0] != '/') return "no absolute path";
  if (Sha256Hex(t->original) != t->sha256) return "the recorded bytes do not match their sha256";
  if (need_fault) {
    if (!j.contains("fault_b64") || !j["fault_b64"].is_string() ||
        !Base64Decode(j["fault_b64"].get<std::string>(), &t->fault)) {
      return "fault_b64 is missing or not base64";
    }
    if (Sha256Hex(t->fault) != t->fault_sha256) return "the fault bytes do not match their sha256";
  }
  return {};
}

// POSTs the reload URL; "" or the error.
std::string Reload(const std::string& url) {
  if (url.empty()) return {};
  HttpAnswer a = HttpCall("POST", url, "", "", 5000);
  if (!a.Ok()) return "reload POST " + url + ": " + a.Describe();
  return {};
}

// endpoint:<host>:<port> of an http(s) URL (IPv6 hosts in brackets, default ports 80/443), or
// "" when it has no host.
std::string EndpointOf(const std::string& url) {
  const bool https = url.rfind("https://", 0) == 0;
  std::string rest = url.substr(https ? 8 : 7);
  rest = rest.substr(0, rest.find_first_of("/?#"));
  if (size_t at = rest.rfind('@'); at != std::string::npos) rest = rest.substr(at + 1);
  std::string host = rest, port = https ? "443" : "80";
  if (!rest.empty() && rest[0] == '[') {
    size_t close = rest.find(']');
    if (close == std::string::npos) return {};
    host = rest.substr(0, close + 1);
    if (close + 2 < rest.size() && rest[close + 1] == ':') port = rest.substr(close + 2);
  } else if (size_t colon = rest.rfind(':'); colon != std::string::npos) {
    host = rest.substr(0, colon);
    if (colon + 1 < rest.size()) port = rest.substr(colon + 1);
  }
  if (host.empty() || host == "[]") return {};
  return "endpoint:" + host + ":" + port;
}

}  // namespace

std::string ReadForFault(const std::string& arg, const std::string& path, std::string* canonical,
                         FileState* state) {
  std::string error;
  *canonical = CanonicalFile(path, &error);
  if (canonical->empty()) return arg + ": " + error;
  *state = ReadFileState(*canonical);
  if (!state->error.empty()) return arg + ": " + state->error;
  if (!state->exists) return arg + ": " + *canonical + " does not exist";
  return {};
}

std::string ReloadUrlArg(const json& args, std::string* url) {
  std::string error;
  auto u = StringArg(args, "reload_url", &error);
  if (!error.empty()) return error;
  if (!u) return {};
  if (u->rfind("http://", 0) != 0 && u->rfind("https://", 0) != 0) {
    return "reload_url: must start with http:// or https://";
  }
  if (EndpointOf(*u).empty()) return "reload_url: no host";
  *url = *u;
  return {};
}

json FileSwapPlan(const std::string& func, const std::string& path, const FileState& original,
                  const std::string& fault, const std::string& reload_url, const json& extra) {
  json undo{{"path", path},
            {"file_mode", original.mode},
            {"uid", original.uid},
            {"gid", original.gid},
            {"sha256", Sha256Hex(original.bytes)},
            {"bytes_b64", Base64Encode(original.bytes)},
            {"fault_sha256", Sha256Hex(fault)}};
  if (!reload_url.empty()) undo["reload_url"] = reload_url;
  json plan = undo;  // apply reads the same record plus the fault's bytes
  plan["fault_b64"] = Base64Encode(fault);
  plan["targets"] = json::array({"file:" + path});
  // The reload POST touches the server behind reload_url: it is a target too.
  if (!reload_url.empty()) {
    if (std::string endpoint = EndpointOf(reload_url); !endpoint.empty()) {
      plan["targets"].push_back(endpoint);
    }
  }
  plan["action"] = func;
  plan["undo"] = undo;
  for (const auto& item : extra.items()) plan[item.key()] = item.value();
  return plan;
}

Reply ApplyFileSwap(const std::string& func, const json& plan, const Env& env) {
  Tracked t;
  if (std::string e = ParseTracked(plan, true, &t); !e.empty()) {
    return Reply::Invalid(func + ": invalid plan: " + e);
  }
  FileState now = ReadFileState(t.path);
  if (!now.error.empty()) return Reply::Failed(func + ": " + now.error);
  if (!now.exists || Sha256Hex(now.bytes) != t.sha256) {
    return Reply::Failed(func + ": " + t.path + " changed since prepare: nothing was written");
  }
  if (env.cancelled()) return Reply::Error(CHAOSRUN_CANCELLED, func + ": cancelled before writing");
  bool renamed = false;
  if (std::string e = WriteFileAtomically(t.path, t.fault, t.mode, t.uid, t.gid, &renamed);
      !e.empty()) {
    if (renamed) {
      return Reply::Failed(func + ": " + t.path + " was replaced by the fault's bytes, but " + e +
                           "; the undo restores the file");
    }
    return Reply::Failed(func + ": " + e + " (the file is unchanged)");
  }
  env.log(CHAOSRUN_LOG_INFO, func + ": wrote " + t.path + " (sha256 " + t.fault_sha256 + ")");
  json result{{"path", t.path}, {"sha256", t.fault_sha256}, {"original_sha256", t.sha256}};
  for (const char* k : {"version", "from_version", "corruption", "keep_bytes", "seed", "source"}) {
    if (plan.contains(k)) result[k] = plan[k];
  }
  if (std::string e = Reload(t.reload_url); !e.empty()) {
    return Reply::Failed(func + ": " + t.path + " was written, but " + e +
                         "; the undo restores the file");
  }
  if (!t.reload_url.empty()) result["reloaded"] = t.reload_url;
  return Reply::Ok(result);
}

Reply UndoFileSwap(const std::string& func, const json& undo, const Env& env) {
  Tracked t;
  if (std::string e = ParseTracked(undo, false, &t); !e.empty()) {
    return Reply::Invalid(func + ": invalid undo: " + e);
  }
  // Leftovers of a write killed between its temporary file and the rename (ours only).
  if (int n = RemoveTempLeftovers(t.path); n > 0) {
    env.log(CHAOSRUN_LOG_INFO,
            func + ": removed " + std::to_string(n) + " leftover temporary file(s) of " + t.path);
  }
  FileState now = ReadFileState(t.path);
  if (!now.error.empty()) return Reply::Failed(func + " undo: " + now.error);
  json out{{"path", t.path}, {"sha256", t.sha256}};
  const std::string sha = now.exists ? Sha256Hex(now.bytes) : std::string();
  bool restored = false;
  if (now.exists && sha == t.sha256) {
    out["restored"] = false;  // apply never ran, or an earlier undo restored it
    if (now.mode != t.mode) ::chmod(t.path.c_str(), t.mode);
  } else {
    if (now.exists && sha != t.fault_sha256) {
      return Reply::Failed(
          func + " undo: " + t.path + " was changed by someone else since the fault (sha256 " +
          sha + ", neither the original " + t.sha256 + " nor the fault's " + t.fault_sha256 +
          "): refusing to overwrite it; restore it by hand or `chaosrun recover "
          "--forget` the fault");
    }
    if (std::string e = WriteFileAtomically(t.path, t.original, t.mode, t.uid, t.gid); !e.empty()) {
      return Reply::Failed(func + " undo: " + e);
    }
    FileState back = ReadFileState(t.path);
    if (!back.exists || Sha256Hex(back.bytes) != t.sha256) {
      return Reply::Failed(func + " undo: " + t.path + ": restored bytes do not match sha256 " +
                           t.sha256);
    }
    restored = true;
    out["restored"] = true;
    if (!now.exists) out["recreated"] = true;
    env.log(CHAOSRUN_LOG_INFO, func + ": restored " + t.path + " (sha256 " + t.sha256 + ")");
  }
  if (std::string e = Reload(t.reload_url); !e.empty()) {
    out["reload_error"] = e;
    if (restored) env.log(CHAOSRUN_LOG_WARNING, func + ": restored " + t.path + ", but " + e);
  } else if (!t.reload_url.empty()) {
    out["reloaded"] = t.reload_url;
  }
  return Reply::Ok(out);
}

}  // namespace chaosrun_ml
