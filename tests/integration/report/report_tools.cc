#include "report_tools.h"

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <sstream>

#include "support/process_helpers.h"

extern char** environ;

namespace chaosrun::reporttest {

std::filesystem::path SourceDir() { return CHAOSRUN_SOURCE_DIR; }
std::filesystem::path SharedDir() { return CHAOSRUN_SHARED_DIR; }
std::filesystem::path ReportTestDir() { return SourceDir() / "tests" / "integration" / "report"; }

std::string ReadText(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void WriteText(const std::filesystem::path& path, const std::string& text) {
  std::ofstream(path, std::ios::binary) << text;
}

ToolResult RunTool(const std::vector<std::string>& argv, const std::filesystem::path& dir,
                   const std::vector<std::string>& env) {
  static int counter = 0;
  std::string stem =
      (dir / ("tool-" + std::to_string(::getpid()) + "-" + std::to_string(counter++))).string();
  std::vector<std::string> env_strings;
  for (char** e = environ; *e != nullptr; ++e) env_strings.emplace_back(*e);
  for (const std::string& kv : env) {
    std::string key = kv.substr(0, kv.find('=') + 1);
    std::erase_if(env_strings, [&](const std::string& s) { return s.starts_with(key); });
    env_strings.push_back(kv);
  }
  chaosrun::testing::SpawnFiles files;
  files.stdout_path = stem + ".out";
  files.stderr_path = stem + ".err";
  files.env = &env_strings;
  ToolResult r;
  std::string error;
  r.exit_code = chaosrun::testing::RunWithFiles(argv, files, &error);
  if (!error.empty()) {
    r.err = error;
    return r;
  }
  r.out = ReadText(files.stdout_path);
  r.err = ReadText(files.stderr_path);
  std::filesystem::remove(files.stdout_path);
  std::filesystem::remove(files.stderr_path);
  return r;
}

ToolResult RunChaosrun(const std::vector<std::string>& args, const std::filesystem::path& dir,
                       const std::vector<std::string>& env) {
  std::vector<std::string> argv = {CHAOSRUN_BINARY};
  argv.insert(argv.end(), args.begin(), args.end());
  return RunTool(argv, dir, env);
}

bool Element::HasClass(const std::string& cls) const {
  std::istringstream ss(Attr("class"));
  std::string c;
  while (ss >> c) {
    if (c == cls) return true;
  }
  return false;
}

std::string Element::Attr(const std::string& name) const {
  auto it = attrs.find(name);
  return it == attrs.end() ? "" : it->second;
}

std::vector<const Element*> Outline::Find(const std::string& tag, const std::string& cls) const {
  std::vector<const Element*> out;
  for (const Element& e : elements) {
    if ((tag.empty() || e.tag == tag) && (cls.empty() || e.HasClass(cls))) out.push_back(&e);
  }
  return out;
}

const Element* Outline::ById(const std::string& id) const {
  for (const Element& e : elements) {
    if (e.Attr("id") == id) return &e;
  }
  return nullptr;
}

Outline ParsePage(const std::filesystem::path& page, const std::string& mode) {
  Outline o;
  ToolResult r =
      RunTool({"python3", (ReportTestDir() / "html_outline.py").string(), mode, page.string()},
              page.parent_path());
  if (r.exit_code != 0) {
    o.error = r.err.empty() ? "html_outline.py failed" : r.err;
    return o;
  }
  Json j = Json::parse(r.out, nullptr, false);
  if (!j.is_array()) {
    o.error = "html_outline.py printed no JSON";
    return o;
  }
  for (const Json& e : j) {
    Element el;
    el.tag = e.value("tag", "");
    el.text = e.value("text", "");
    if (const Json* a = Member(e, "attrs"); a != nullptr && a->is_object()) {
      for (auto it = a->begin(); it != a->end(); ++it) {
        el.attrs[it.key()] = it.value().is_string() ? it.value().get<std::string>() : "";
      }
    }
    o.elements.push_back(std::move(el));
  }
  return o;
}

}  // namespace chaosrun::reporttest
