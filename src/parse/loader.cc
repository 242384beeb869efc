#include "parse/loader.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <exception>

#include "parse/json_text.h"
#include "parse/yaml_text.h"

namespace chaosrun::parse {
namespace {

// Python's os.path.splitext(path)[1]: the last dot of the last component, ignoring leading dots.
std::string_view Extension(std::string_view path) {
  const size_t slash = path.rfind('/');
  const std::string_view base = slash == std::string_view::npos ? path : path.substr(slash + 1);
  const size_t dot = base.rfind('.');
  if (dot == std::string_view::npos) return {};
  if (base.find_first_not_of('.') >= dot) return {};  // ".json", "..yaml": hidden names, no ext
  return base.substr(dot);
}

}  // namespace

DocFormat FormatFromPath(std::string_view path) {
  const std::string_view ext = Extension(path);
  if (ext == ".json") return DocFormat::kJson;
  if (ext == ".yaml" || ext == ".yml") return DocFormat::kYaml;
  return DocFormat::kUnknown;
}

Result<Json> ParseText(std::string_view text, DocFormat format, std::string_view name) {
  switch (format) {
    case DocFormat::kJson:
      return internal::ParseJsonText(text, name);
    case DocFormat::kYaml:
      return internal::ParseYamlText(text, name);
    default:
      return Err(
          Status::InvalidArgument("only files with json, yaml or yml extensions are supported"));
  }
}

Result<std::string> ReadFile(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    const int err = errno;
    if (err == ENOENT || err == ENOTDIR) {
      return Err(Status::NotFound("Path \"" + path + "\" does not exist."));
    }
    return Err(Status::IoError("cannot open " + path + ": " + std::strerror(err)));
  }
  std::string out;
  try {
    char buf[1 << 16];
    for (;;) {
      const ssize_t n = ::read(fd, buf, sizeof buf);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) {
        const int err = errno;
        ::close(fd);
        return Err(Status::IoError("cannot read " + path + ": " + std::strerror(err)));
      }
      if (n == 0) break;
      out.append(buf, static_cast<size_t>(n));
    }
  } catch (const std::exception& e) {
    ::close(fd);
    return Err(Status::IoError("cannot read " + path + ": " + e.what()));
  }
  ::close(fd);
  return out;
}

Result<Json> LoadExperimentFile(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) {
    return Err(Status::NotFound("Path \"" + path + "\" does not exist."));
  }
  const DocFormat format = FormatFromPath(path);
  if (format == DocFormat::kUnknown) {
    return Err(
        Status::InvalidArgument("only files with json, yaml or yml extensions are supported"));
  }
  auto text = ReadFile(path);
  if (!text) return Err(text.error());
  auto doc = ParseText(*text, format, path);
  if (!doc) return doc;
  if (!doc->is_object()) {
    return Err(Status::InvalidArgument(path + ": the experiment document must be a mapping"));
  }
  return doc;
}

}  // namespace chaosrun::parse
