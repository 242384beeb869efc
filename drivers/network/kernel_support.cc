#include "network/kernel_support.h"

#include <sys/stat.h>
#include <sys/utsname.h>

#include <fstream>

#include "process/spawn.h"

namespace chaosrun::drivers::network {

namespace {

bool Exists(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0;
}

bool FileMentions(const std::string& path, const std::string& needle) {
  std::ifstream in(path);
  std::string line;
  while (std::getline(in, line)) {
    if (line.size() >= needle.size() &&
        line.compare(line.size() - needle.size(), needle.size(), needle) == 0) {
      return true;
    }
  }
  return false;
}

std::vector<std::string> ProbeArgs(const std::string& kind) {
  if (kind == "netem") return {"netem", "delay", "1ms"};
  if (kind == "tbf") return {"tbf", "rate", "1mbit", "burst", "32kb", "latency", "50ms"};
  return {kind};
}

}  // namespace

QdiscSupport DetectQdiscFromFiles(const std::string& kind, const std::string& release,
                                  const Env& env) {
  const std::string module = "sch_" + kind;
  if (Exists(env.sys_root + "/module/" + module)) {
    return {true, true,
            "module " + module + " is loaded (" + env.sys_root + "/module/" + module + ")"};
  }
  const std::string dir = env.modules_root + "/" + release;
  if (!release.empty() && FileMentions(dir + "/modules.builtin", "/" + module + ".ko")) {
    return {true, true, module + " is built into kernel " + release};
  }
  for (const char* ext : {".ko", ".ko.xz", ".ko.zst", ".ko.gz"}) {
    std::string path = dir + "/kernel/net/sched/" + module + ext;
    if (!release.empty() && Exists(path)) return {true, true, module + " is installed: " + path};
  }
  return {false, false, module + " is neither loaded, built in nor installed for " + release};
}

QdiscSupport DetectQdisc(const std::string& kind, const Env& env) {
  utsname u{};
  std::string release = ::uname(&u) == 0 ? u.release : "";
  QdiscSupport files = DetectQdiscFromFiles(kind, release, env);
  if (files.known) return files;
  std::vector<std::string> argv = {"unshare", "--net", "--", "tc",  "qdisc",
                                   "add",     "dev",   "lo", "root"};
  for (auto& a : ProbeArgs(kind)) argv.push_back(a);
  process::CaptureResult r = process::RunCapture(argv, env.command_timeout, env.cancelled);
  const std::string module = "sch_" + kind;
  if (r.Succeeded()) {
    return {true, true, "a throwaway network namespace accepted a " + kind + " qdisc"};
  }
  if (r.started && r.exit_code > 0 && r.err.find("nknown") != std::string::npos) {
    return {true, false,
            "the kernel " + release + " has no " + module + " (" + files.how +
                ", and `tc qdisc add ... " + kind +
                "` answers: " + r.err.substr(0, r.err.find('\n')) + ")"};
  }
  return {false, false,
          "cannot tell whether the kernel has " + module + ": " + files.how +
              ", and a throwaway namespace could not be used: " + r.Describe()};
}

}  // namespace chaosrun::drivers::network
