// Command-line arguments of the proxybench tools: "--key value" options and positional targets.
#pragma once

#include <cstdio>
#include <cstdlib>
#include <map>
#include <string>
#include <vector>

#include "bench_util.h"

namespace bench {

struct Args {
  std::map<std::string, std::string> options;
  std::vector<Target> targets;

  double Num(const std::string& key, double fallback) const {
    auto it = options.find(key);
    return it == options.end() ? fallback : std::strtod(it->second.c_str(), nullptr);
  }
  std::string Str(const std::string& key, const std::string& fallback) const {
    auto it = options.find(key);
    return it == options.end() ? fallback : it->second;
  }
};

inline Args ParseArgs(int argc, char** argv, int first) {
  Args a;
  for (int i = first; i < argc; ++i) {
    std::string s = argv[i];
    if (s.rfind("--", 0) == 0) {
      if (i + 1 >= argc) {
        std::fprintf(stderr, "proxybench: %s needs a value\n", s.c_str());
        std::exit(2);
      }
      a.options[s.substr(2)] = argv[++i];
    } else {
      a.targets.push_back(ParseTarget(s));
    }
  }
  return a;
}

// The request every tool sends: a small keep-alive GET (or "Connection: close" when asked).
inline std::string Request(const std::string& path, bool close_after) {
  return "GET " + path + " HTTP/1.1\r\nHost: bench\r\n" +
         (close_after ? "Connection: close\r\n" : "") + "\r\n";
}

}  // namespace bench
