// Reading a journal file, and what its outcome meant as an exit code.
#include <malloc.h>

#include <fstream>
#include <sstream>

#include "report/model.h"

namespace chaosrun::report {

namespace {

// Line and column (1-based) of byte `offset` in `text`.
std::string LineColumn(const std::string& text, size_t offset) {
  size_t line = 1, col = 1;
  for (size_t i = 0; i < offset && i < text.size(); ++i) {
    if (text[i] == '\n') {
      ++line;
      col = 1;
    } else {
      ++col;
    }
  }
  return "line " + std::to_string(line) + ", column " + std::to_string(col);
}

}  // namespace

std::string ExitMeaning(const Report& r) {
  if (r.status == "completed" && r.deviated == std::optional<bool>(false)) {
    return "0: completed, steady state met";
  }
  if (r.status == "completed" && r.deviated.value_or(false)) {
    return "1: completed, but the steady state deviated";
  }
  if (r.status.empty()) return "unknown: the journal has no status";
  return "1: " + r.status;
}

Result<Report> ReadReport(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Err(Status::IoError(path + ": cannot open the journal"));
  std::stringstream ss;
  ss << in.rdbuf();
  if (in.bad()) return Err(Status::IoError(path + ": cannot read the journal"));
  std::string text = ss.str();
  Json j = Json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) {
    // Parse again with exceptions only to learn where and why (the error path only).
    try {
      [[maybe_unused]] Json again = Json::parse(text);
    } catch (const Json::parse_error& e) {
      std::string what = e.what();
      if (auto p = what.find("parse error"); p != std::string::npos) what = what.substr(p);
      size_t at = e.byte == 0 ? 0 : e.byte - 1;
      return Err(Status::ParseError(path + ": not JSON at " + LineColumn(text, at) + ": " + what));
    } catch (const std::exception& e) {
      return Err(Status::ParseError(path + ": not JSON: " + e.what()));
    }
    return Err(Status::ParseError(path + ": not JSON"));
  }
  std::string().swap(text);  // the tree holds it all now: keep only one copy in memory
  auto report = BuildReport(j, path);
  j = Json();
  ::malloc_trim(0);  // give the tree's many small blocks back before the page is written
  return report;
}

}  // namespace chaosrun::report
