#include "util.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <vector>

namespace chaosrun_ml {

namespace {

std::string Errno(const std::string& what) { return what + ": " + std::strerror(errno); }

std::string DirOf(const std::string& path) {
  size_t slash = path.rfind('/');
  return slash == 0 || slash == std::string::npos ? "/" : path.substr(0, slash);
}

bool WriteAll(int fd, const std::string& bytes) {
  size_t done = 0;
  while (done < bytes.size()) {
    ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n == 0) errno = EIO;
    if (n <= 0) return false;
    done += static_cast<size_t>(n);
  }
  return true;
}

std::string Canonical(const std::string& path, bool want_dir, std::string* error) {
  char buf[PATH_MAX];
  if (::realpath(path.c_str(), buf) == nullptr) {
    *error = Errno(path);
    return {};
  }
  struct stat st {};
  if (::stat(buf, &st) != 0) {
    *error = Errno(buf);
    return {};
  }
  if (want_dir ? !S_ISDIR(st.st_mode) : !S_ISREG(st.st_mode)) {
    *error = std::string(buf) + (want_dir ? ": not a directory" : ": not a regular file");
    return {};
  }
  return buf;
}

}  // namespace

FileState ReadFileState(const std::string& path, size_t limit) {
  FileState s;
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
  if (fd < 0) {
    s.exists = errno != ENOENT;
    if (s.exists) s.error = Errno("cannot read " + path);
    return s;
  }
  s.exists = true;
  struct stat st {};
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    s.error = path + ": not a regular file";
    ::close(fd);
    return s;
  }
  const std::string too_big = path + ": larger than " + std::to_string(limit) +
                              " bytes (the ML driver keeps the original bytes in the undo, so "
                              "it only changes small files)";
  if (static_cast<uint64_t>(st.st_size) > limit) {
    s.error = too_big;
    ::close(fd);
    return s;
  }
  s.mode = st.st_mode & 07777;
  s.uid = st.st_uid;
  s.gid = st.st_gid;
  char buf[16384];
  for (;;) {
    ssize_t n = ::read(fd, buf, sizeof(buf));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      s.error = Errno("cannot read " + path);
      break;
    }
    if (n == 0) break;
    s.bytes.append(buf, static_cast<size_t>(n));
    if (s.bytes.size() > limit) {
      s.error = too_big;
      break;
    }
  }
  ::close(fd);
  return s;
}

std::string CanonicalFile(const std::string& path, std::string* error) {
  return Canonical(path, false, error);
}

std::string CanonicalDir(const std::string& path, std::string* error) {
  return Canonical(path, true, error);
}

std::string WriteFileAtomically(const std::string& path, const std::string& bytes, mode_t mode,
                                uid_t uid, gid_t gid, bool* renamed) {
  if (renamed != nullptr) *renamed = false;
  const std::string dir = DirOf(path);
  const std::string base = path.substr(path.rfind('/') + 1);
  std::string pattern = dir + "/." + base + ".chaosrun-ml.XXXXXX";
  std::vector<char> tmpl(pattern.begin(), pattern.end());
  tmpl.push_back('\0');
  int fd = ::mkostemp(tmpl.data(), O_CLOEXEC);
  if (fd < 0) return Errno("cannot create a temporary file in " + dir);
  const std::string tmp = tmpl.data();
  auto fail = [&](const std::string& what) {
    std::string e = Errno(what);
    ::close(fd);
    ::unlink(tmp.c_str());
    return e;
  };
  if (!WriteAll(fd, bytes)) return fail("cannot write " + tmp);
  struct stat st {};
  if (::fstat(fd, &st) != 0) return fail("cannot stat " + tmp);
  if ((st.st_uid != uid || st.st_gid != gid) && ::fchown(fd, uid, gid) != 0) {
    return fail("cannot keep the owner " + std::to_string(uid) + ":" + std::to_string(gid) +
                " of " + path);
  }
  if (::fchmod(fd, mode) != 0) return fail("cannot keep the mode of " + path);
  if (::fsync(fd) != 0) return fail("cannot fsync " + tmp);
  if (::close(fd) != 0) {
    std::string e = Errno("cannot close " + tmp);
    ::unlink(tmp.c_str());
    return e;
  }
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    std::string e = Errno("cannot rename " + tmp + " to " + path);
    ::unlink(tmp.c_str());
    return e;
  }
  if (renamed != nullptr) *renamed = true;
  int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd < 0) return Errno("cannot open " + dir + " to fsync it");
  int rc = ::fsync(dfd);
  std::string e = rc != 0 ? Errno("cannot fsync " + dir) : std::string();
  ::close(dfd);
  return e;
}

int RemoveTempLeftovers(const std::string& path) {
  const std::string dir = DirOf(path);
  const std::string prefix = "." + path.substr(path.rfind('/') + 1) + ".chaosrun-ml.";
  DIR* d = ::opendir(dir.c_str());
  if (d == nullptr) return 0;
  std::vector<std::string> ours;
  while (dirent* e = ::readdir(d)) {
    const std::string name = e->d_name;
    if (name.size() != prefix.size() + 6 || name.rfind(prefix, 0) != 0) continue;
    bool suffix_ok = true;
    for (size_t i = prefix.size(); i < name.size(); ++i) {
      char c = name[i];
      suffix_ok =
          suffix_ok && ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'));
    }
    if (suffix_ok) ours.push_back(name);
  }
  ::closedir(d);
  int removed = 0;
  for (const std::string& name : ours) {
    const std::string full = dir + "/" + name;
    struct stat st {};
    if (::lstat(full.c_str(), &st) != 0 || !S_ISREG(st.st_mode) || st.st_uid != ::geteuid()) {
      continue;
    }
    if (::unlink(full.c_str()) == 0) ++removed;
  }
  return removed;
}

std::optional<ProcStat> ReadProcStat(pid_t pid) {
  if (pid <= 0) return std::nullopt;
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  if (!in) return std::nullopt;
  std::stringstream ss;
  ss << in.rdbuf();
  const std::string text = ss.str();
  size_t open = text.find('(');
  size_t close = text.rfind(')');
  if (open == std::string::npos || close == std::string::npos || close < open) return std::nullopt;
  ProcStat st;
  st.comm = text.substr(open + 1, close - open - 1);
  std::istringstream rest(text.substr(close + 1));
  std::vector<std::string> fields;  // fields[0] is field 3 (the state)
  std::string f;
  while (rest >> f) fields.push_back(f);
  if (fields.size() < 20 || fields[0].empty()) return std::nullopt;
  st.state = fields[0][0];
  if (st.state == 'Z' || st.state == 'X' || st.state == 'x') return std::nullopt;  // gone
  st.start_time = std::strtoull(fields[19].c_str(), nullptr, 10);
  return st;
}

std::string ReadSmallRegularFile(const std::string& path, size_t limit, std::string* bytes) {
  int fd = ::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0) return Errno("cannot read " + path);
  struct stat st {};
  std::string error;
  if (::fstat(fd, &st) != 0) {
    error = Errno("cannot stat " + path);
  } else if (!S_ISREG(st.st_mode)) {
    error = path + " is not a regular file";
  } else if (static_cast<uint64_t>(st.st_size) > limit) {
    error = path + " is larger than " + std::to_string(limit) + " bytes";
  }
  std::string text;
  char buf[4096];
  while (error.empty()) {
    ssize_t n = ::read(fd, buf, sizeof(buf));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) error = Errno("cannot read " + path);
    if (n <= 0) break;
    text.append(buf, static_cast<size_t>(n));
    if (text.size() > limit) error = path + " is larger than " + std::to_string(limit) + " bytes";
  }
  ::close(fd);
  if (!error.empty()) return error;
  *bytes = std::move(text);
  return {};
}

std::string ReadTokenFile(const std::string& path, std::string* token) {
  int fd = ::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0) return Errno("api_token_file: cannot read " + path);
  struct stat st {};
  std::string error;
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    error = "api_token_file: " + path + " is not a regular file";
  } else if (st.st_uid != ::geteuid()) {
    error = "api_token_file: " + path + " belongs to uid " + std::to_string(st.st_uid) +
            ", not to the user the experiment runs as";
  } else if ((st.st_mode & 077) != 0) {
    error = "api_token_file: " + path + " is readable by others: chmod 600 it";
  } else if (st.st_size > 4096) {
    error = "api_token_file: " + path + " is larger than 4096 bytes";
  }
  std::string text;
  char buf[4097];
  while (error.empty()) {  // at most 4096 bytes, even if the file grows meanwhile
    ssize_t n = ::read(fd, buf, sizeof(buf));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) error = Errno("api_token_file: cannot read " + path);
    if (n <= 0) break;
    text.append(buf, static_cast<size_t>(n));
    if (text.size() > 4096) error = "api_token_file: " + path + " is larger than 4096 bytes";
  }
  ::close(fd);
  if (!error.empty()) return error;
  size_t b = text.find_first_not_of(" \t\r\n");
  size_t e = text.find_last_not_of(" \t\r\n");
  text = b == std::string::npos ? std::string() : text.substr(b, e - b + 1);
  if (text.empty()) return "api_token_file: " + path + " is empty";
  if (text.find_first_of("\r\n") != std::string::npos) {
    return "api_token_file: " + path + " holds more than one line";
  }
  *token = text;
  return {};
}

std::optional<std::string> StringArg(const json& obj, const char* key, std::string* error) {
  if (!obj.is_object() || !obj.contains(key)) return std::nullopt;
  const json& v = obj[key];
  if (!v.is_string() || v.get_ref<const std::string&>().empty()) {
    *error = std::string(key) + ": must be a non-empty string";
    return std::nullopt;
  }
  return v.get<std::string>();
}

std::optional<int64_t> IntArg(const json& obj, const char* key, int64_t min, int64_t max,
                              std::string* error) {
  if (!obj.is_object() || !obj.contains(key)) return std::nullopt;
  const json& v = obj[key];
  bool integral = v.is_number_integer() ||
                  (v.is_number_float() && std::floor(v.get<double>()) == v.get<double>() &&
                   std::fabs(v.get<double>()) < 9e15);
  if (!integral) {
    *error = std::string(key) + ": must be an integer";
    return std::nullopt;
  }
  int64_t n = v.is_number_unsigned()
                  ? static_cast<int64_t>(std::min<uint64_t>(v.get<uint64_t>(), INT64_MAX))
              : v.is_number_integer() ? v.get<int64_t>()
                                      : static_cast<int64_t>(v.get<double>());
  if (n < min || n > max) {
    *error = std::string(key) + ": must be from " + std::to_string(min) + " to " +
             std::to_string(max) + ", got " + v.dump();
    return std::nullopt;
  }
  return n;
}

std::optional<double> NumberArg(const json& obj, const char* key, double min, double max,
                                std::string* error) {
  if (!obj.is_object() || !obj.contains(key)) return std::nullopt;
  const json& v = obj[key];
  if (!v.is_number()) {
    *error = std::string(key) + ": must be a number";
    return std::nullopt;
  }
  double d = v.get<double>();
  if (!(d > min) || d > max) {
    *error = std::string(key) + ": must be above " + json(min).dump() + " and at most " +
             json(max).dump() + ", got " + v.dump();
    return std::nullopt;
  }
  return d;
}

std::string ArgPointer(const std::string& error) {
  const std::string unknown = "unknown argument '";
  if (error.rfind(unknown, 0) == 0 && error.size() > unknown.size() + 1 && error.back() == '\'') {
    return "/" + error.substr(unknown.size(), error.size() - unknown.size() - 1) +
           ": unknown argument";
  }
  size_t colon = error.find(": ");
  if (colon == std::string::npos || colon == 0) return error;
  for (size_t i = 0; i < colon; ++i) {
    char c = error[i];
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '_' || c == '/';
    if (!ok) return error;
  }
  return error[0] == '/' ? error : "/" + error;
}

std::string UnknownKeys(const json& obj, const char* const* allowed) {
  if (!obj.is_object()) return "arguments: must be a JSON object";
  for (const auto& item : obj.items()) {
    bool known = false;
    for (const char* const* k = allowed; *k != nullptr; ++k) known = known || item.key() == *k;
    if (!known) return "unknown argument '" + item.key() + "'";
  }
  return {};
}

}  // namespace chaosrun_ml
