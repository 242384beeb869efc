#include "ledger/ledger.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <map>

namespace chaosrun::ledger {

namespace {

Status Errno(const std::string& what) {
  return Status::IoError(what + ": " + std::strerror(errno));
}

class FileLock {
 public:
  explicit FileLock(int fd) : fd_(fd) {
    while (::flock(fd_, LOCK_EX) != 0 && errno == EINTR) {
    }
  }
  ~FileLock() { ::flock(fd_, LOCK_UN); }
  FileLock(const FileLock&) = delete;
  FileLock& operator=(const FileLock&) = delete;

 private:
  int fd_;
};

Result<std::string> ReadAll(int fd) {
  std::string out;
  char buf[65536];
  off_t off = 0;
  for (;;) {
    ssize_t n = ::pread(fd, buf, sizeof buf, off);
    if (n < 0) {
      if (errno == EINTR) continue;
      return Err(Errno("cannot read the ledger"));
    }
    if (n == 0) break;
    out.append(buf, static_cast<size_t>(n));
    off += n;
  }
  return out;
}

}  // namespace

std::string NewFaultId() {
  static std::atomic<uint64_t> counter{0};
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                std::chrono::system_clock::now().time_since_epoch())
                .count();
  return std::to_string(ms) + "-" + std::to_string(::getpid()) + "-" +
         std::to_string(counter.fetch_add(1) + 1);
}

Result<std::unique_ptr<Ledger>> Ledger::Open(const std::string& state_dir) {
  auto dir = OpenStateDir(state_dir, /*create=*/true);
  if (!dir) return Err(dir.error());
  std::string path = state_dir + "/ledger.jsonl";
  auto fd = OpenLedgerFile(dir->get(), "ledger.jsonl", path);
  if (!fd) return Err(fd.error());
  return std::unique_ptr<Ledger>(new Ledger(state_dir, path, fd->release()));
}

Ledger::Ledger(std::string state_dir, std::string path, int fd)
    : state_dir_(std::move(state_dir)), path_(std::move(path)), fd_(fd) {}

Ledger::~Ledger() {
  if (fd_ >= 0) ::close(fd_);
}

Status Ledger::Append(const Json& record) {
  std::string line = DumpCompact(record);
  line.push_back('\n');
  FileLock lock(fd_);
  // A torn tail left by a crash would glue onto this record: start on a fresh line.
  struct stat st {};
  if (::fstat(fd_, &st) == 0 && st.st_size > 0) {
    char last = '\n';
    if (::pread(fd_, &last, 1, st.st_size - 1) == 1 && last != '\n') line.insert(0, "\n");
  }
  size_t off = 0;
  while (off < line.size()) {
    ssize_t n = ::write(fd_, line.data() + off, line.size() - off);
    if (n < 0) {
      if (errno == EINTR) continue;
      return Errno("cannot append to the ledger " + path_);
    }
    off += static_cast<size_t>(n);
  }
  if (::fsync(fd_) != 0) return Errno("cannot sync the ledger " + path_);
  return Status::Ok();
}

const char* const kIntentFields[10] = {"id",       "run",     "driver", "driver_path", "func",
                                       "activity", "targets", "undo",   "time",        "deadline"};

Status Ledger::RecordIntent(const Json& intent) { return RecordIntent(intent, SelfIdentity()); }

Status Ledger::RecordIntent(const Json& intent, const RunnerIdentity& runner) {
  if (!intent.is_object() || !intent.contains("id") || !intent["id"].is_string() ||
      intent["id"].get<std::string>().empty()) {
    return Status::InvalidArgument("a ledger intent needs a non-empty string id");
  }
  Json rec = Json::object();
  rec["op"] = "intent";
  for (const char* key : kIntentFields) {
    if (auto it = intent.find(key); it != intent.end()) rec[key] = *it;
  }
  rec["runner"] = runner.ToJson();
  return Append(rec);
}

Status Ledger::RecordApplied(const std::string& id) {
  return Append(Json{{"op", "applied"}, {"id", id}});
}

Status Ledger::RecordReverted(const std::string& id) {
  return Append(Json{{"op", "reverted"}, {"id", id}});
}

Status Ledger::RecordUndoFailed(const std::string& id, const std::string& error) {
  return Append(Json{{"op", "undo-failed"}, {"id", id}, {"error", error}});
}

Status Ledger::RecordReleased(const std::string& id) {
  return Append(Json{{"op", "released"}, {"id", id}});
}

Status Ledger::RecordForgotten(const std::string& id, const Json& by, double unix_time) {
  return Append(Json{{"op", "forgotten"}, {"id", id}, {"by", by}, {"time", unix_time}});
}

namespace {

std::vector<Entry> ParsePending(const std::string& text) {
  std::vector<Entry> entries;
  std::map<std::string, size_t> index;
  std::vector<bool> reverted;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t nl = text.find('\n', pos);
    if (nl == std::string::npos) break;  // torn tail: never synced, so never applied
    std::string_view line(text.data() + pos, nl - pos);
    pos = nl + 1;
    if (line.empty()) continue;
    Json rec = Json::parse(line, nullptr, false);
    if (rec.is_discarded() || !rec.is_object()) continue;
    auto op_it = rec.find("op");
    auto id_it = rec.find("id");
    if (op_it == rec.end() || !op_it->is_string() || id_it == rec.end() || !id_it->is_string()) {
      continue;
    }
    std::string op = op_it->get<std::string>();
    std::string id = id_it->get<std::string>();
    if (id.empty()) continue;
    if (op == "intent") {
      index[id] = entries.size();
      Entry e;
      e.id = id;
      e.intent = rec;
      entries.push_back(std::move(e));
      reverted.push_back(false);
      continue;
    }
    auto it = index.find(id);
    if (it == index.end()) continue;
    if (op == "applied") entries[it->second].applied = true;
    if (op == "released") entries[it->second].released = true;
    if (op == "reverted" || op == "forgotten") reverted[it->second] = true;
    if (op == "undo-failed") {
      auto err = rec.find("error");
      entries[it->second].last_error =
          err != rec.end() && err->is_string() ? err->get<std::string>() : "";
    }
  }
  std::vector<Entry> pending;
  for (size_t i = 0; i < entries.size(); ++i) {
    if (!reverted[i]) pending.push_back(std::move(entries[i]));
  }
  return pending;
}

}  // namespace

Result<std::vector<Entry>> Ledger::Pending() const {
  FileLock lock(fd_);
  auto text = ReadAll(fd_);
  if (!text) return Err(text.error());
  return ParsePending(*text);
}

Status Ledger::CompactIfClean() {
  FileLock lock(fd_);
  auto text = ReadAll(fd_);
  if (!text) return text.error();
  if (text->empty() || !ParsePending(*text).empty()) return Status::Ok();
  if (::ftruncate(fd_, 0) != 0) return Errno("cannot truncate the ledger " + path_);
  if (::fsync(fd_) != 0) return Errno("cannot sync the ledger " + path_);
  return Status::Ok();
}

}  // namespace chaosrun::ledger
