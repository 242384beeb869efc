// Registry of driver plugins: loads every `.so` in the driver directories, keeps the first
// driver of each name (a later duplicate is an error naming both files) and every load error.
// Loading a bad file never stops the others from loading.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "common/status.h"
#include "plugin/driver.h"

namespace chaosrun::plugin {

class Registry {
 public:
  // Loads every regular file ending in ".so" in `dir` (sorted by name). A missing directory is
  // not an error unless `must_exist`.
  void LoadDirectory(const std::string& dir, bool must_exist = false);
  Status LoadFile(const std::string& path);

  Driver* Find(const std::string& name) const;
  std::vector<Driver*> drivers() const;
  const std::vector<std::string>& errors() const { return errors_; }

 private:
  std::vector<std::unique_ptr<Driver>> drivers_;
  std::vector<std::string> errors_;
};

// The installed drivers directory: <dir of the chaosrun executable>/../lib/chaosrun/drivers
// (the same layout in the build tree and after `cmake --install`).
std::string InstalledDriverDir();

}  // namespace chaosrun::plugin
