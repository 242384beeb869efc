#include "plugin/registry.h"

#include <unistd.h>

#include <algorithm>
#include <filesystem>

namespace chaosrun::plugin {

void Registry::LoadDirectory(const std::string& dir, bool must_exist) {
  std::error_code ec;
  if (!std::filesystem::is_directory(dir, ec)) {
    if (must_exist) errors_.push_back("driver directory " + dir + " does not exist");
    return;
  }
  std::vector<std::string> files;
  std::filesystem::directory_iterator it(dir, ec), end;
  while (!ec && it != end) {
    if (it->path().extension() == ".so" && it->is_regular_file(ec)) {
      files.push_back(it->path().string());
    }
    it.increment(ec);
  }
  if (ec) errors_.push_back("driver directory " + dir + ": " + ec.message());
  std::sort(files.begin(), files.end());
  for (const auto& f : files) {
    Status st = LoadFile(f);
    if (!st.ok()) errors_.push_back(st.message());
  }
}

Status Registry::LoadFile(const std::string& path) {
  auto d = Driver::Load(path);
  if (!d) return d.error();
  if (Driver* existing = Find((*d)->descriptor().name)) {
    std::error_code ec;
    if (std::filesystem::equivalent(existing->path(), path, ec)) return Status::Ok();
    return Status::InvalidArgument("driver " + path + ": a driver named '" +
                                   (*d)->descriptor().name + "' is already loaded from " +
                                   existing->path());
  }
  drivers_.push_back(std::move(*d));
  return Status::Ok();
}

Driver* Registry::Find(const std::string& name) const {
  for (const auto& d : drivers_) {
    if (d->descriptor().name == name) return d.get();
  }
  return nullptr;
}

std::vector<Driver*> Registry::drivers() const {
  std::vector<Driver*> out;
  for (const auto& d : drivers_) out.push_back(d.get());
  return out;
}

std::string InstalledDriverDir() {
  std::error_code ec;
  auto exe = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (ec) return "/usr/local/lib/chaosrun/drivers";
  return (exe.parent_path().parent_path() / "lib" / "chaosrun" / "drivers").string();
}

}  // namespace chaosrun::plugin
