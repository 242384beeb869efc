// Helpers of the report tests: run a program to its end (chaosrun, python3, chromium) with its
// output captured, and read a page's elements through html_outline.py (strict XML for the
// pages chaosrun writes, lenient HTML for the DOM a browser dumps).
#pragma once

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "common/json.h"

namespace chaosrun::reporttest {

struct ToolResult {
  int exit_code = -1;  // 128 + signal if killed
  std::string out, err;
};

// Runs argv[0] (looked up on PATH) with `env` ("K=V") added, stdout/stderr to files in `dir`.
ToolResult RunTool(const std::vector<std::string>& argv, const std::filesystem::path& dir,
                   const std::vector<std::string>& env = {});

// Runs the chaosrun binary under test.
ToolResult RunChaosrun(const std::vector<std::string>& args, const std::filesystem::path& dir,
                       const std::vector<std::string>& env = {});

std::string ReadText(const std::filesystem::path& path);
void WriteText(const std::filesystem::path& path, const std::string& text);

// The repository's tests/integration/report/ (fixtures and scripts).
std::filesystem::path ReportTestDir();
std::filesystem::path SourceDir();
std::filesystem::path SharedDir();

struct Element {
  std::string tag;
  std::map<std::string, std::string> attrs;
  std::string text;
  bool HasClass(const std::string& cls) const;
  std::string Attr(const std::string& name) const;
};

struct Outline {
  std::vector<Element> elements;
  std::string error;  // the parser's complaint; empty when the page parsed
  // Elements with this tag (any tag if "") and class (any if "").
  std::vector<const Element*> Find(const std::string& tag, const std::string& cls = "") const;
  const Element* ById(const std::string& id) const;
};

// mode: "xml" (strict) or "html" (lenient).
Outline ParsePage(const std::filesystem::path& page, const std::string& mode = "xml");

}  // namespace chaosrun::reporttest
