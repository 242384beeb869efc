// The example driver: the one to copy when you write your own (see README.md in this folder).
//
// Its fault is deliberately harmless and easy to see: a "flag file".
//   action create_file {"path": P, "content": C?}  creates a NEW file P holding C
//   probe  file_exists {"path": P}                 answers true or false
//
// Everything a real driver must get right is here, in miniature:
//   - prepare has no side effects: it checks the arguments, refuses what it could not undo, and
//     returns the targets (for the host's blast-radius check) and the exact undo;
//   - apply does only what the plan says, and fails rather than touching something else;
//   - undo is idempotent, safe when apply never ran, and never destroys data that is not ours.
//
// The C++ SDK (chaosrun/driver_sdk.hpp) does the C ABI plumbing: JSON text in and out, memory
// ownership, and catching exceptions at the boundary. We only override four methods.
// C++17 on purpose, so that the driver builds with older compilers than chaosrun itself.

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <string>

#include "chaosrun/driver_sdk.hpp"

namespace {

namespace fs = std::filesystem;
using chaosrun::sdk::Call;
using chaosrun::sdk::Host;
using chaosrun::sdk::Reply;
using Json = nlohmann::json;

// ---------------------------------------------------------------------------------------------
// The descriptor: who we are and what we offer. The host parses it at load time (it must be
// valid JSON with a name and a version), shows it in `chaosrun drivers`, and checks every
// activity's "arguments" against the JSON Schema given here before the driver is ever called.
// Keep the schemas strict (additionalProperties: false): a typo in an experiment then fails
// `chaosrun validate` instead of being silently ignored.
// ---------------------------------------------------------------------------------------------
constexpr const char* kDescriptor = R"json({
  "name": "example",
  "version": "1.0.0",
  "description": "Example driver to copy: creates a flag file (a harmless, visible fault) and checks whether a file exists.",
  "actions": [{
    "name": "create_file",
    "description": "Creates a new file at 'path' holding 'content' (default empty). Refused if the file already exists. Undo deletes it, but only while it still holds exactly that content.",
    "arguments": {
      "type": "object",
      "properties": {
        "path": {"type": "string", "minLength": 1, "description": "File to create; relative paths are resolved against chaosrun's working directory."},
        "content": {"type": "string", "description": "Text to write into the file."}
      },
      "required": ["path"],
      "additionalProperties": false
    }
  }],
  "probes": [{
    "name": "file_exists",
    "description": "true if 'path' exists (a dangling symbolic link counts as absent), else false.",
    "arguments": {
      "type": "object",
      "properties": {"path": {"type": "string", "minLength": 1}},
      "required": ["path"],
      "additionalProperties": false
    }
  }]
})json";

// Reads a required, non-empty string member. The host has already checked the arguments against
// the schema, but a driver never trusts its input: it may be called by another host, by a test,
// or (for apply and undo) with a plan read back from the ledger after a crash.
bool GetPath(const Json& obj, std::string& out, std::string& why) {
  if (!obj.is_object() || !obj.contains("path") || !obj["path"].is_string() ||
      obj["path"].get<std::string>().empty()) {
    why = "'path' must be a non-empty string";
    return false;
  }
  out = obj["path"].get<std::string>();
  return true;
}

std::string ErrnoText(const std::string& what, const std::string& path) {
  return what + " " + path + ": " + std::strerror(errno);
}

// Writes all of `content` to `fd` (write() may write less than asked).
bool WriteAll(int fd, const std::string& content) {
  size_t done = 0;
  while (done < content.size()) {
    ssize_t n = ::write(fd, content.data() + done, content.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n == 0) errno = EIO;  // no progress and no error: do not loop forever
    if (n <= 0) return false;
    done += static_cast<size_t>(n);
  }
  return true;
}

// Does the regular file at `path` hold exactly `expected`? Reads at most one byte more than
// expected, so a huge file that replaced ours costs nothing. O_NOFOLLOW: a symbolic link put in
// place of our file is not ours.
bool HoldsExactly(const std::string& path, const std::string& expected) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0) return false;
  std::string got(expected.size() + 1, '\0');
  size_t len = 0;
  while (len < got.size()) {
    ssize_t n = ::read(fd, &got[len], got.size() - len);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    len += static_cast<size_t>(n);
  }
  ::close(fd);
  got.resize(len);
  return got == expected;
}

// ---------------------------------------------------------------------------------------------
// The driver. The host creates one instance per loaded library and never makes two calls on it
// at the same time, so plain members need no locking. This driver needs no state at all.
// ---------------------------------------------------------------------------------------------
class ExampleDriver : public chaosrun::sdk::Driver {
 public:
  explicit ExampleDriver(const Host& host) : Driver(host) {}

  // A probe observes; it must never change the world. Its result can be any JSON value; here a
  // boolean, which an experiment's tolerance compares with `true` or `false`.
  Reply Probe(const Call&, const std::string& func, const Json& args) override {
    if (func != "file_exists") return Reply::Unsupported("no probe named '" + func + "'");
    std::string path, why;
    if (!GetPath(args, path, why)) return Reply::Invalid(why);
    std::error_code ec;
    bool exists = fs::exists(path, ec);  // follows symbolic links
    if (ec && ec != std::errc::no_such_file_or_directory) {
      return Reply::Failed("cannot check " + path + ": " + ec.message());
    }
    return Reply::Ok(exists);
  }

  // Prepare: NO side effects. Decide exactly what apply will do and how to take it back.
  // The result (the "plan") is written to the host's ledger before apply runs, and the host
  // passes it back to apply unchanged. It must hold:
  //   "targets": what the fault touches, as "<kind>:<name>/<id>" strings the host matches
  //              against the blast radius (allow/deny glob patterns) before anything happens;
  //   "undo":    everything undo needs, since undo may run in another process after a crash.
  Reply Prepare(const Call&, const std::string& func, const Json& args) override {
    if (func != "create_file") return Reply::Unsupported("no action named '" + func + "'");
    std::string path, why;
    if (!GetPath(args, path, why)) return Reply::Invalid(why);
    std::string content;
    if (args.contains("content")) {
      if (!args["content"].is_string()) return Reply::Invalid("'content' must be a string");
      content = args["content"].get<std::string>();
    }

    // Resolve now, so that apply and undo (possibly run later from another directory) act on
    // the same file the blast radius was checked against.
    std::error_code ec;
    fs::path abs = fs::absolute(path, ec);
    if (ec) return Reply::Invalid("cannot resolve " + path + ": " + ec.message());
    abs = abs.lexically_normal();
    if (!abs.has_filename()) return Reply::Invalid("'path' must name a file: " + path);

    // Refuse what we could not undo safely: the undo deletes the file, so the file must not
    // exist yet (otherwise undo would destroy somebody's data). symlink_status: a dangling
    // symbolic link also counts as existing.
    if (fs::exists(fs::symlink_status(abs, ec))) {
      return Reply::Failed(abs.string() + " already exists; create_file only creates new files");
    }
    if (!fs::is_directory(abs.parent_path(), ec)) {
      return Reply::Failed("the directory " + abs.parent_path().string() + " does not exist");
    }

    // The undo records the content as well as the path: undo deletes the file only while it
    // still holds exactly what we wrote, so it can never remove a file someone else made later.
    Json undo = {{"path", abs.string()}, {"content", content}};
    return Reply::Ok(
        {{"targets", Json::array({"file:" + abs.filename().string() + "/" + abs.string()})},
         {"undo", undo},
         {"path", abs.string()},
         {"content", content}});
  }

  // Apply: do what the plan says and nothing else.
  Reply Apply(const Call& call, const std::string& func, const Json& plan) override {
    if (func != "create_file") return Reply::Unsupported("no action named '" + func + "'");
    // Long operations should check call.Cancelled() between steps and stop early. Ours is
    // instant, so we only check once, before changing anything.
    if (call.Cancelled()) return Reply::Error(CHAOSRUN_CANCELLED, "cancelled before creating");
    std::string path, why;
    if (!GetPath(plan, path, why)) return Reply::Invalid("malformed plan: " + why);
    if (!plan.contains("content") || !plan["content"].is_string()) {
      return Reply::Invalid("malformed plan: 'content' must be a string");
    }
    const std::string content = plan["content"].get<std::string>();

    // O_EXCL: if the file appeared since prepare, fail instead of overwriting it.
    int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    if (fd < 0) return Reply::Failed(ErrnoText("cannot create", path));
    bool ok = WriteAll(fd, content);
    int error = errno;
    if (::close(fd) != 0 && ok) {
      ok = false;
      error = errno;
    }
    if (!ok) {
      ::unlink(path.c_str());  // we created it a moment ago: leave nothing half-done behind
      return Reply::Failed("cannot write " + path + ": " + std::strerror(error));
    }
    host().Log(CHAOSRUN_LOG_INFO, "created " + path);
    return Reply::Ok({{"path", path}, {"bytes", content.size()}});
  }

  // Undo: receives the plan's "undo" object. Must be idempotent (it may run twice, e.g. when
  // chaosrun crashed after undoing but before recording it) and safe when apply never ran or
  // failed half-way. Success means "our fault is no longer in place".
  Reply Undo(const Call&, const std::string& func, const Json& undo) override {
    if (func != "create_file") return Reply::Unsupported("no action named '" + func + "'");
    std::string path, why;
    if (!GetPath(undo, path, why)) return Reply::Invalid("malformed undo: " + why);
    if (!undo.contains("content") || !undo["content"].is_string()) {
      return Reply::Invalid("malformed undo: 'content' must be a string");
    }
    const std::string content = undo["content"].get<std::string>();

    struct stat st {};
    if (::lstat(path.c_str(), &st) != 0) {
      if (errno == ENOENT) return Reply::Ok({{"path", path}, {"deleted", false}});  // not there
      return Reply::Failed(ErrnoText("cannot inspect", path));
    }
    if (!S_ISREG(st.st_mode) || !HoldsExactly(path, content)) {
      // Somebody replaced or changed the file: it is not our fault any more, so leave it alone.
      // Reporting success keeps the host from retrying forever; the log says what happened.
      host().Log(CHAOSRUN_LOG_WARNING, path + " changed since it was created; left in place");
      return Reply::Ok({{"path", path}, {"deleted", false}, {"changed", true}});
    }
    if (::unlink(path.c_str()) != 0 && errno != ENOENT) {
      return Reply::Failed(ErrnoText("cannot delete", path));
    }
    host().Log(CHAOSRUN_LOG_INFO, "deleted " + path);
    return Reply::Ok({{"path", path}, {"deleted", true}});
  }
};

}  // namespace

// Defines the library's one exported symbol (chaosrun_driver_entry) for ExampleDriver.
CHAOSRUN_EXPORT_DRIVER(ExampleDriver, kDescriptor)
