// replace_certificate: prepare (read the originals, make the replacement, compute the undo),
// apply (write atomically, reload; a failed reload restores at once), undo (restore, verify by
// SHA-256, reload). See actions.h for the plan and docs/tls.md for the behaviour.
#include <unistd.h>

#include <vector>

#include "tls/actions.h"
#include "tls/args.h"
#include "tls/certgen.h"
#include "tls/files.h"
#include "tls/reload.h"

namespace chaosrun::drivers::tls {

namespace {

using nlohmann::json;

// One file of the undo record, decoded.
struct TrackedFile {
  std::string role, path, sha256, fault_sha256;
  std::string original, replacement;
  mode_t mode = 0;
  uid_t uid = 0;
  gid_t gid = 0;
};

std::string ParseTracked(const json& undo, std::vector<TrackedFile>* out) {
  if (!undo.is_object() || !undo.contains("files") || !undo["files"].is_array() ||
      undo["files"].empty()) {
    return "the undo has no files";
  }
  for (const json& f : undo["files"]) {
    TrackedFile t;
    try {
      t.role = f.at("role").get<std::string>();
      t.path = f.at("path").get<std::string>();
      t.sha256 = f.at("sha256").get<std::string>();
      t.fault_sha256 = f.value("fault_sha256", std::string());
      t.mode = f.at("mode").get<mode_t>() & 07777;
      t.uid = f.at("uid").get<uid_t>();
      t.gid = f.at("gid").get<gid_t>();
      if (!Base64Decode(f.at("bytes_b64").get<std::string>(), &t.original)) {
        return t.path + ": bytes_b64 is not base64";
      }
      if (f.contains("fault_b64") &&
          !Base64Decode(f["fault_b64"].get<std::string>(), &t.replacement)) {
        return t.path + ": fault_b64 is not base64";
      }
    } catch (const json::exception& e) {
      return std::string("a file of the undo is malformed: ") + e.what();
    }
    if (t.path.empty() || t.path[0] != '/') return "a file of the undo has no absolute path";
    if (Sha256Hex(t.original) != t.sha256)
      return t.path + ": the recorded bytes do not match sha256";
    out->push_back(std::move(t));
  }
  return {};
}

std::string ParseUndoReload(const json& undo, ReloadSpec* out) {
  return ParseReload(undo.is_object() && undo.contains("reload") ? undo["reload"] : json(), out);
}

// Restores each file whose bytes or metadata are not the original's. *restored lists them.
std::string RestoreOriginals(const std::vector<TrackedFile>& files, bool only_faulted,
                             std::vector<std::string>* restored) {
  std::string errors;
  for (const TrackedFile& f : files) {
    FileState now = ReadFileState(f.path);
    if (!now.error.empty()) {
      errors += (errors.empty() ? "" : "; ") + now.error;
      continue;
    }
    std::string sha = now.exists ? Sha256Hex(now.bytes) : std::string();
    bool same_bytes = now.exists && sha == f.sha256;
    if (same_bytes && now.mode == f.mode && now.uid == f.uid && now.gid == f.gid) continue;
    if (only_faulted && now.exists && !same_bytes && sha != f.fault_sha256) {
      errors += (errors.empty() ? "" : "; ") + f.path +
                " was changed by someone else since the fault (sha256 " + sha +
                ", neither the original nor the fault's): left alone";
      continue;
    }
    if (std::string e = WriteFileAtomically(f.path, f.original, f.mode, f.uid, f.gid); !e.empty()) {
      errors += (errors.empty() ? "" : "; ") + e;
      continue;
    }
    FileState back = ReadFileState(f.path);
    if (!back.exists || Sha256Hex(back.bytes) != f.sha256) {
      errors += (errors.empty() ? "" : "; ") + f.path + ": restored bytes do not match sha256 " +
                f.sha256;
      continue;
    }
    restored->push_back(f.path);
  }
  return errors;
}

json FileRecord(const std::string& role, const std::string& path, const FileState& st,
                const std::string& replacement) {
  return json{{"role", role},
              {"path", path},
              {"mode", st.mode},
              {"uid", st.uid},
              {"gid", st.gid},
              {"sha256", Sha256Hex(st.bytes)},
              {"bytes_b64", Base64Encode(st.bytes)},
              {"fault_sha256", Sha256Hex(replacement)},
              {"fault_b64", Base64Encode(replacement)}};
}

// A readable original: canonical path and state, or a reply saying why not.
std::optional<sdk::Reply> ReadOriginal(const std::string& arg, const std::string& path,
                                       std::string* canonical, FileState* st) {
  std::string error;
  *canonical = CanonicalFile(path, &error);
  if (canonical->empty()) return sdk::Reply::Failed(arg + ": " + error);
  *st = ReadFileState(*canonical);
  if (!st->error.empty()) return sdk::Reply::Failed(arg + ": " + st->error);
  return std::nullopt;
}

// The host must be able to write a file there with the original's owner.
std::string CheckWritable(const std::string& arg, const std::string& path, const FileState& st) {
  std::string dir = path.substr(0, std::max<size_t>(path.rfind('/'), 1));
  if (::access(dir.c_str(), W_OK) != 0) {
    return arg + ": cannot write in " + dir + " (the replacement is renamed into place)";
  }
  if (::geteuid() != 0 && (st.uid != ::geteuid() || st.gid != ::getegid())) {
    return arg + ": owned by " + std::to_string(st.uid) + ":" + std::to_string(st.gid) +
           ", which only root can keep";
  }
  return {};
}

}  // namespace

sdk::Reply PrepareReplace(const json& args, const Env& env) {
  ReplaceSpec spec;
  if (std::string e = ParseReplaceArgs(args, &spec); !e.empty()) {
    return sdk::Reply::Invalid("replace_certificate: " + e);
  }
  std::string cert_path, key_path;
  FileState cert, key;
  if (auto r = ReadOriginal("path", spec.path, &cert_path, &cert)) return *r;
  if (!spec.key_path.empty()) {
    if (auto r = ReadOriginal("key_path", spec.key_path, &key_path, &key)) return *r;
    if (key_path == cert_path) return sdk::Reply::Invalid("key_path: the same file as path");
  }
  FaultInputs in;
  in.spec = spec;
  in.cert_pem = cert.bytes;
  in.key_pem = key.bytes;
  in.now = env.Now();
  if (!spec.issuer_cert.empty()) {
    FileState ic = ReadFileState(spec.issuer_cert);
    FileState ik = ReadFileState(spec.issuer_key);
    if (!ic.exists || !ic.error.empty()) {
      return sdk::Reply::Failed("issuer_cert: cannot read " + spec.issuer_cert + " " + ic.error);
    }
    if (!ik.exists || !ik.error.empty()) {
      return sdk::Reply::Failed("issuer_key: cannot read " + spec.issuer_key + " " + ik.error);
    }
    in.issuer_cert = ic.bytes;
    in.issuer_key = ik.bytes;
  }
  if (std::string e = CheckWritable("path", cert_path, cert); !e.empty()) {
    return sdk::Reply::Failed(e);
  }
  if (spec.new_key) {
    if (std::string e = CheckWritable("key_path", key_path, key); !e.empty()) {
      return sdk::Reply::Failed(e);
    }
  }
  FaultOutput out = MakeFault(in);
  if (!out.error.empty()) {
    return out.invalid_argument ? sdk::Reply::Invalid("replace_certificate: " + out.error)
                                : sdk::Reply::Failed("replace_certificate: " + out.error);
  }
  json files = json::array({FileRecord("certificate", cert_path, cert, out.cert_file)});
  json targets = json::array({"file:" + cert_path});
  if (spec.new_key) {
    files.push_back(FileRecord("key", key_path, key, out.key_file));
    targets.push_back("file:" + key_path);
  }
  json plan{{"targets", targets},
            {"fault", FaultName(spec.fault)},
            {"path", cert_path},
            {"certificate", out.description},
            {"reload", spec.reload.ToJson()},
            {"undo", {{"reload", spec.reload.ToJson()}, {"files", files}}}};
  if (!key_path.empty()) plan["key_path"] = key_path;
  return sdk::Reply::Ok(std::move(plan));
}

sdk::Reply ApplyReplace(const json& plan, const Env& env) {
  if (!plan.is_object() || !plan.contains("undo"))
    return sdk::Reply::Invalid("the plan has no undo");
  std::vector<TrackedFile> files;
  ReloadSpec reload;
  if (std::string e = ParseTracked(plan["undo"], &files); !e.empty()) {
    return sdk::Reply::Invalid("replace_certificate: " + e);
  }
  if (std::string e = ParseUndoReload(plan["undo"], &reload); !e.empty()) {
    return sdk::Reply::Invalid("replace_certificate: " + e);
  }
  // 1. Nothing changed since prepare (else the undo would restore stale bytes).
  for (const TrackedFile& f : files) {
    FileState now = ReadFileState(f.path);
    if (!now.exists || !now.error.empty() || Sha256Hex(now.bytes) != f.sha256) {
      return sdk::Reply::Failed("replace_certificate: " + f.path +
                                " changed since prepare: nothing was replaced");
    }
  }
  if (env.Cancelled()) return sdk::Reply::Error(CHAOSRUN_CANCELLED, "cancelled before writing");
  // 2. Write every replacement; a failure puts back what was written.
  std::vector<std::string> restored;
  for (const TrackedFile& f : files) {
    if (std::string e = WriteFileAtomically(f.path, f.replacement, f.mode, f.uid, f.gid);
        !e.empty()) {
      std::string back = RestoreOriginals(files, false, &restored);
      return sdk::Reply::Failed("replace_certificate: " + e + "; nothing is left replaced" +
                                (back.empty() ? "" : " except: " + back));
    }
  }
  // 3. Reload; when it fails, the originals go back at once and the service is reloaded again.
  std::string done;
  if (std::string e = Reload(reload, env, &done); !e.empty()) {
    std::string back = RestoreOriginals(files, false, &restored);
    std::string again_done;
    std::string again = back.empty() ? Reload(reload, env, &again_done) : std::string();
    std::string msg = "replace_certificate: reload failed: " + e + "; ";
    if (!back.empty()) {
      msg += "restoring the original failed too: " + back;
    } else if (!again.empty()) {
      msg += "the original was restored, but reloading it failed: " + again;
    } else {
      msg += "the original was restored and reloaded";
    }
    return sdk::Reply::Failed(msg);
  }
  json written = json::array();
  for (const TrackedFile& f : files) {
    written.push_back({{"role", f.role}, {"path", f.path}, {"sha256", f.fault_sha256}});
  }
  return sdk::Reply::Ok(json{{"fault", plan.value("fault", "")},
                             {"written", written},
                             {"certificate", plan.value("certificate", json())},
                             {"reload", done}});
}

sdk::Reply UndoReplace(const json& undo, const Env& env) {
  std::vector<TrackedFile> files;
  ReloadSpec reload;
  if (std::string e = ParseTracked(undo, &files); !e.empty()) {
    return sdk::Reply::Invalid("replace_certificate undo: " + e);
  }
  if (std::string e = ParseUndoReload(undo, &reload); !e.empty()) {
    return sdk::Reply::Invalid("replace_certificate undo: " + e);
  }
  std::vector<std::string> restored;
  std::string errors = RestoreOriginals(files, true, &restored);
  json out{{"restored", restored}, {"reload", nullptr}};
  json verified = json::array();
  for (const TrackedFile& f : files) verified.push_back({{"path", f.path}, {"sha256", f.sha256}});
  out["original"] = verified;
  // Reload even when nothing needed restoring: an earlier undo may have restored the files and
  // failed to reload. Only a reload after a restore decides the undo's outcome.
  if (errors.empty() || !restored.empty()) {
    std::string done;
    if (std::string e = Reload(reload, env, &done); e.empty()) {
      out["reload"] = done;
    } else if (!restored.empty()) {
      errors += (errors.empty() ? "" : "; ") + std::string("restored, but the reload failed: ") + e;
    } else {
      out["reload_error"] = e;  // nothing was restored: the service already has the original
    }
  }
  if (!errors.empty()) return sdk::Reply::Failed("replace_certificate undo: " + errors);
  return sdk::Reply::Ok(std::move(out));
}

}  // namespace chaosrun::drivers::tls
