#include "journal/journal.h"

#include <fcntl.h>
#include <gnu/libc-version.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include "common/redact.h"
#include "common/version.h"

namespace chaosrun::journal {

std::string PlatformString() {
  struct utsname u {};
  if (::uname(&u) != 0) return "Linux";
  return std::string(u.sysname) + "-" + u.release + "-" + u.machine + "-with-glibc" +
         gnu_get_libc_version();
}

std::string NodeName() {
  char buf[256] = {};
  if (::gethostname(buf, sizeof buf - 1) != 0) return "localhost";
  return buf;
}

Json NewJournal(const Json& experiment, const std::string& start) {
  Json j = Json::object();
  j["chaoslib-version"] = std::string("chaosrun ") + kVersion;
  j["platform"] = PlatformString();
  j["node"] = NodeName();
  j["experiment"] = experiment;
  j["start"] = start;
  j["status"] = nullptr;
  j["deviated"] = false;
  j["steady_states"] = {{"before", nullptr}, {"after", nullptr}, {"during", Json::array()}};
  j["run"] = Json::array();
  j["rollbacks"] = Json::array();
  j["end"] = nullptr;
  j["duration"] = nullptr;
  return j;
}

namespace {
Status Errno(const std::string& what, const std::string& path) {
  return Status::IoError(what + " " + path + ": " + std::strerror(errno));
}

Status WriteAll(int fd, const std::string& data, const std::string& path) {
  size_t off = 0;
  while (off < data.size()) {
    ssize_t n = ::write(fd, data.data() + off, data.size() - off);
    if (n < 0) {
      if (errno == EINTR) continue;
      return Errno("cannot write", path);
    }
    off += static_cast<size_t>(n);
  }
  return Status::Ok();
}
}  // namespace

Status WriteJournal(const std::string& path, const Json& journal) {
  std::string text = DumpPretty(Redactor::Global().RedactJson(journal));
  text.push_back('\n');
  std::filesystem::path target(path);
  std::filesystem::path dir = target.parent_path();
  if (dir.empty()) dir = ".";
  std::string tmp =
      (dir / (target.filename().string() + ".tmp-" + std::to_string(::getpid()))).string();
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return Errno("cannot create", tmp);
  Status st = WriteAll(fd, text, tmp);
  if (st.ok() && ::fsync(fd) != 0) st = Errno("cannot sync", tmp);
  if (::close(fd) != 0 && st.ok()) st = Errno("cannot close", tmp);
  if (st.ok() && ::rename(tmp.c_str(), path.c_str()) != 0) st = Errno("cannot rename to", path);
  if (!st.ok()) {
    ::unlink(tmp.c_str());
    return st;
  }
  int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd >= 0) {
    ::fsync(dfd);
    ::close(dfd);
  }
  return Status::Ok();
}

Status CheckWritable(const std::string& path) {
  std::filesystem::path target(path);
  std::filesystem::path dir = target.parent_path();
  if (dir.empty()) dir = ".";
  std::string probe =
      (dir / (target.filename().string() + ".probe-" + std::to_string(::getpid()))).string();
  int fd = ::open(probe.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (fd < 0) return Errno("cannot write the journal in", dir.string());
  ::close(fd);
  ::unlink(probe.c_str());
  return Status::Ok();
}

}  // namespace chaosrun::journal
