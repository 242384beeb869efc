#include "daemon/journal_store.h"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <random>
#include <set>

#include "common/log.h"
#include "journal/journal.h"
#include "parse/loader.h"

namespace chaosrun::daemon {
namespace {

namespace fs = std::filesystem;

constexpr const char* kIndexName = "index.json";
constexpr const char* kMetaSuffix = ".meta.json";

Result<Json> ReadJsonFile(const std::string& path) {
  auto text = parse::ReadFile(path);
  if (!text) return Err(text.error());
  Json j = Json::parse(*text, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return Err(Status::ParseError(path + ": not valid JSON"));
  return j;
}

std::string IdOf(const Json& summary) {
  const Json* id = Member(summary, "id");
  return id != nullptr && id->is_string() ? id->get<std::string>() : std::string();
}

std::string StringField(const Json& j, const char* key) {
  const Json* v = Member(j, key);
  return v != nullptr && v->is_string() ? v->get<std::string>() : std::string();
}

// A summary for a journal that has no .meta.json (written by a daemon that died before it).
Json SummaryFromJournal(const std::string& id, const Json& journal) {
  Json s = Json::object();
  s["id"] = id;
  s["schedule"] = "";
  const Json* exp = Member(journal, "experiment");
  s["experiment"] = exp != nullptr ? StringField(*exp, "title") : std::string();
  s["status"] = StringField(journal, "status");
  const Json* dev = Member(journal, "deviated");
  s["deviated"] = dev != nullptr && dev->is_boolean() && dev->get<bool>();
  s["exit_code"] = nullptr;
  s["started"] = StringField(journal, "start");
  s["ended"] = StringField(journal, "end");
  s["faults"] = Json::object();
  s["error"] = "";
  return s;
}

bool Unfinished(const Json& s) {
  std::string st = StringField(s, "status");
  return st == "running" || st == "queued";
}

// A journal that is there with a final status says how the run ended: its status, deviated and
// end go into `summary` (the rest, the schedule, the ids and the start, stay).
bool FinishFromJournal(const std::string& path, Json& summary) {
  auto j = ReadJsonFile(path);
  if (!j || !j->is_object()) return false;
  std::string status = StringField(*j, "status");
  if (status.empty() || status == "running" || status == "queued") return false;
  summary["status"] = status;
  const Json* dev = Member(*j, "deviated");
  summary["deviated"] = dev != nullptr && dev->is_boolean() && dev->get<bool>();
  if (std::string end = StringField(*j, "end"); !end.empty()) summary["ended"] = end;
  return true;
}

// Start order: the start time (microseconds), then the id (which begins with it).
void SortByStart(std::vector<Json>& runs) {
  std::stable_sort(runs.begin(), runs.end(), [](const Json& a, const Json& b) {
    return std::pair(StringField(a, "started"), IdOf(a)) <
           std::pair(StringField(b, "started"), IdOf(b));
  });
}

}  // namespace

std::string NewRunId(Clock::WallTime now) {
  std::time_t t = Clock::WallTime::clock::to_time_t(now);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char stamp[32];
  std::strftime(stamp, sizeof stamp, "%Y%m%dT%H%M%SZ", &tm);
  static thread_local std::mt19937 rng(std::random_device{}());
  char hex[16];
  std::snprintf(hex, sizeof hex, "%08x", static_cast<unsigned>(rng()));
  return std::string(stamp) + "-" + hex;
}

bool IsSafeRunId(const std::string& id) {
  if (id.empty() || id.size() > 100 || id.front() == '.') return false;
  return std::all_of(id.begin(), id.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '_' || c == '.';
  });
}

JournalStore::JournalStore(std::string runs_dir) : dir_(std::move(runs_dir)) {}

std::string JournalStore::JournalPath(const std::string& id) const {
  return dir_ + "/" + id + ".json";
}

Status JournalStore::Open() {
  std::error_code ec;
  fs::create_directories(dir_, ec);
  if (ec) return Status::IoError("cannot create " + dir_ + ": " + ec.message());
  ::chmod(dir_.c_str(), 0700);
  std::lock_guard lock(mu_);
  runs_.clear();
  rebuilt_ = false;
  auto index = ReadJsonFile(dir_ + "/" + kIndexName);
  const Json* runs = index ? Member(*index, "runs") : nullptr;
  if (runs != nullptr && runs->is_array() &&
      std::all_of(runs->begin(), runs->end(), [](const Json& s) { return IsSafeRunId(IdOf(s)); })) {
    runs_.assign(runs->begin(), runs->end());
    return ReconcileLocked() ? WriteIndexLocked() : Status::Ok();
  }
  if (index || index.error().code() != Code::kNotFound) {
    log::Warn("journal index {}/{} is corrupt: rebuilding it from the run files", dir_, kIndexName);
  }
  RebuildLocked();
  ReconcileLocked();
  return WriteIndexLocked();
}

void JournalStore::RebuildLocked() {
  rebuilt_ = true;
  std::vector<Json> found;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(dir_, ec)) {
    std::string name = entry.path().filename().string();
    if (name == kIndexName || !name.ends_with(".json") || name.ends_with(kMetaSuffix)) continue;
    std::string id = name.substr(0, name.size() - 5);
    if (!IsSafeRunId(id)) continue;
    auto meta = ReadJsonFile(dir_ + "/" + id + kMetaSuffix);
    if (meta && IdOf(*meta) == id) {
      found.push_back(*meta);
    } else if (auto j = ReadJsonFile(entry.path().string())) {
      found.push_back(SummaryFromJournal(id, *j));
    }
  }
  // Runs that never got a journal (still running when the daemon died) have a meta file only.
  for (const auto& entry : fs::directory_iterator(dir_, ec)) {
    std::string name = entry.path().filename().string();
    if (!name.ends_with(kMetaSuffix)) continue;
    std::string id = name.substr(0, name.size() - std::string_view(kMetaSuffix).size());
    if (!IsSafeRunId(id) || fs::exists(JournalPath(id))) continue;
    if (auto meta = ReadJsonFile(entry.path().string()); meta && IdOf(*meta) == id) {
      found.push_back(*meta);
    }
  }
  SortByStart(found);
  runs_ = std::move(found);
}

bool JournalStore::ReconcileLocked() {
  bool changed = false;
  std::set<std::string> known;
  auto finish = [&](Json& s) {
    const std::string id = IdOf(s);
    if (!Unfinished(s)) return;
    auto meta = ReadJsonFile(dir_ + "/" + id + kMetaSuffix);
    if (meta && IdOf(*meta) == id && !Unfinished(*meta)) {
      s = std::move(*meta);
      changed = true;
      return;
    }
    if (!FinishFromJournal(JournalPath(id), s)) return;
    changed = true;
    log::Info("journal store: run {} had ended ({}) after its summary was last written", id,
              StringField(s, "status"));
    Status st = journal::WriteJournal(dir_ + "/" + id + kMetaSuffix, s);
    if (!st.ok()) log::Warn("journal store: {}", st.message());
  };
  for (auto& s : runs_) {
    known.insert(IdOf(s));
    finish(s);
  }
  // Runs the index lacks: their .meta.json, else their journal.
  std::vector<std::string> missing;
  std::error_code ec;
  for (fs::directory_iterator it(dir_, ec), end; !ec && it != end; it.increment(ec)) {
    std::string name = it->path().filename().string();
    if (name == kIndexName || !name.ends_with(".json")) continue;
    std::string id = name.ends_with(kMetaSuffix)
                         ? name.substr(0, name.size() - std::string_view(kMetaSuffix).size())
                         : name.substr(0, name.size() - 5);
    if (IsSafeRunId(id) && known.insert(id).second) missing.push_back(id);
  }
  for (const auto& id : missing) {
    Json s;
    if (auto meta = ReadJsonFile(dir_ + "/" + id + kMetaSuffix); meta && IdOf(*meta) == id) {
      s = std::move(*meta);
    } else if (auto j = ReadJsonFile(JournalPath(id)); j && j->is_object()) {
      s = SummaryFromJournal(id, *j);
    } else {
      continue;
    }
    log::Warn("journal store: run {} was missing from the index: added", id);
    finish(s);
    runs_.push_back(std::move(s));
    changed = true;
  }
  if (!missing.empty()) SortByStart(runs_);
  return changed;
}

Status JournalStore::WriteIndexLocked() {
  Json index = {{"version", 1}, {"runs", runs_}};
  return journal::WriteJournal(dir_ + "/" + kIndexName, index);
}

Status JournalStore::PutSummary(const Json& summary) {
  std::string id = IdOf(summary);
  if (!IsSafeRunId(id)) return Status::InvalidArgument("unsafe run id \"" + id + "\"");
  std::lock_guard lock(mu_);
  Status meta = journal::WriteJournal(dir_ + "/" + id + kMetaSuffix, summary);
  if (!meta.ok()) return meta;
  auto it = std::find_if(runs_.begin(), runs_.end(), [&](const Json& s) { return IdOf(s) == id; });
  if (it == runs_.end()) {
    runs_.push_back(summary);
  } else {
    *it = summary;
  }
  return WriteIndexLocked();
}

std::optional<Json> JournalStore::Summary(const std::string& id) const {
  std::lock_guard lock(mu_);
  for (const auto& s : runs_) {
    if (IdOf(s) == id) return s;
  }
  return std::nullopt;
}

std::vector<Json> JournalStore::Summaries() const {
  std::lock_guard lock(mu_);
  return {runs_.rbegin(), runs_.rend()};
}

Result<Json> JournalStore::Journal(const std::string& id) const {
  if (!IsSafeRunId(id)) return Err(Status::NotFound("no run \"" + id + "\""));
  auto j = ReadJsonFile(JournalPath(id));
  if (!j) return Err(Status::NotFound("run \"" + id + "\" has no journal"));
  return j;
}

size_t JournalStore::Prune(const std::string& schedule, size_t limit) {
  std::lock_guard lock(mu_);
  size_t kept = 0;
  std::vector<std::string> doomed;
  for (auto it = runs_.rbegin(); it != runs_.rend(); ++it) {
    if (StringField(*it, "schedule") != schedule || Unfinished(*it)) continue;
    if (++kept > limit) doomed.push_back(IdOf(*it));
  }
  if (doomed.empty()) return 0;
  for (const auto& id : doomed) {
    ::unlink(JournalPath(id).c_str());
    ::unlink((dir_ + "/" + id + kMetaSuffix).c_str());
  }
  std::erase_if(runs_, [&](const Json& s) {
    return std::find(doomed.begin(), doomed.end(), IdOf(s)) != doomed.end();
  });
  Status st = WriteIndexLocked();
  if (!st.ok()) log::Warn("journal index: {}", st.message());
  return doomed.size();
}

std::vector<std::string> JournalStore::MarkUnfinishedInterrupted() {
  std::lock_guard lock(mu_);
  std::vector<std::string> ids;
  for (auto& s : runs_) {
    if (!Unfinished(s)) continue;
    s["status"] = "interrupted";
    ids.push_back(IdOf(s));
    Status st = journal::WriteJournal(dir_ + "/" + IdOf(s) + kMetaSuffix, s);
    if (!st.ok()) log::Warn("journal store: {}", st.message());
  }
  if (!ids.empty()) {
    Status st = WriteIndexLocked();
    if (!st.ok()) log::Warn("journal index: {}", st.message());
  }
  return ids;
}

}  // namespace chaosrun::daemon
