// What the API accepts from a request line: the path split into segments (traversal refused
// before any route matches), the query string, and the names of experiments, schedules and runs.
// Pure functions; nothing here touches the file system, and nothing from a request is ever used
// as a path (the daemon resolves names inside its experiments directory only).
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace chaosrun::api {

// Experiment, schedule and run names: [A-Za-z0-9._-]+, at most this many bytes, no leading '.',
// no "..".
inline constexpr size_t kMaxNameBytes = 128;

// Empty when `name` is a valid name, else why not ("contains '/'", "starts with '.'", ...).
std::string NameProblem(std::string_view name);

struct Target {
  std::vector<std::string> segments;         // percent-decoded: "/v1/runs/a%2Db" -> v1, runs, a-b
  std::map<std::string, std::string> query;  // decoded; '+' is a space
};

// Splits an origin-form request target. kInvalidArgument (a 400) when it does not start with
// '/', holds a malformed %-escape, an empty segment ("//", a trailing '/'), a segment that
// decodes to "." or "..", or one that decodes to something holding '/', '\\' or a NUL; or when
// the query repeats a parameter or holds a malformed escape.
Result<Target> ParseTarget(std::string_view target);

}  // namespace chaosrun::api
