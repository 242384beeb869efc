#include "tls/files.h"

#include <fcntl.h>
#include <openssl/evp.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstdlib>
#include <cstring>
#include <vector>

namespace chaosrun::drivers::tls {

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
    if (n <= 0) return false;
    done += static_cast<size_t>(n);
  }
  return true;
}

}  // namespace

std::string CanonicalFile(const std::string& path, std::string* error) {
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
  if (!S_ISREG(st.st_mode)) {
    *error = std::string(buf) + ": not a regular file";
    return {};
  }
  return buf;
}

FileState ReadFileState(const std::string& path) {
  FileState s;
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
  if (fd < 0) {
    if (errno != ENOENT) s.error = Errno(path);
    s.exists = errno != ENOENT;
    return s;
  }
  s.exists = true;
  struct stat st {};
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    s.error = path + ": not a regular file";
    ::close(fd);
    return s;
  }
  if (static_cast<size_t>(st.st_size) > kMaxFileBytes) {
    s.error = path + ": larger than 1 MiB: not a certificate or key";
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
      s.error = Errno(path);
      break;
    }
    if (n == 0) break;
    s.bytes.append(buf, static_cast<size_t>(n));
    if (s.bytes.size() > kMaxFileBytes) {
      s.error = path + ": larger than 1 MiB: not a certificate or key";
      break;
    }
  }
  ::close(fd);
  return s;
}

std::string WriteFileAtomically(const std::string& path, const std::string& bytes, mode_t mode,
                                uid_t uid, gid_t gid) {
  std::string dir = DirOf(path);
  std::string base = path.substr(path.rfind('/') + 1);
  std::string pattern = dir + "/." + base + ".chaosrun-tls.XXXXXX";
  std::vector<char> tmpl(pattern.begin(), pattern.end());
  tmpl.push_back('\0');
  int fd = ::mkostemp(tmpl.data(), O_CLOEXEC);
  if (fd < 0) return Errno("cannot create a temporary file in " + dir);
  std::string tmp = tmpl.data();
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
  int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd < 0) return Errno("cannot open " + dir + " to fsync it");
  int rc = ::fsync(dfd);
  std::string e = rc != 0 ? Errno("cannot fsync " + dir) : std::string();
  ::close(dfd);
  return e;
}

std::string Sha256Hex(const std::string& bytes) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (EVP_Digest(bytes.data(), bytes.size(), md, &len, EVP_sha256(), nullptr) != 1) return {};
  static const char* kHex = "0123456789abcdef";
  std::string out;
  for (unsigned int i = 0; i < len; ++i) {
    out += kHex[md[i] >> 4];
    out += kHex[md[i] & 15];
  }
  return out;
}

std::string Base64Encode(const std::string& bytes) {
  std::string out(4 * ((bytes.size() + 2) / 3) + 1, '\0');
  int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                          reinterpret_cast<const unsigned char*>(bytes.data()),
                          static_cast<int>(bytes.size()));
  out.resize(n < 0 ? 0 : static_cast<size_t>(n));
  return out;
}

bool Base64Decode(const std::string& text, std::string* out) {
  if (text.size() % 4 != 0) return false;
  std::string buf(3 * (text.size() / 4) + 1, '\0');
  int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(buf.data()),
                          reinterpret_cast<const unsigned char*>(text.data()),
                          static_cast<int>(text.size()));
  if (n < 0) return false;
  size_t len = static_cast<size_t>(n);
  // EVP_DecodeBlock counts the padding as zero bytes: drop one per '='.
  if (!text.empty() && text.back() == '=') --len;
  if (text.size() > 1 && text[text.size() - 2] == '=') --len;
  buf.resize(len);
  *out = std::move(buf);
  return true;
}

}  // namespace chaosrun::drivers::tls
