// Shared fixtures for the validator tests: a base experiment that exercises every feature and is
// valid under TestOptions(), and helpers to edit it (RFC 6902 patches) and inspect diagnostics.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "common/json.h"
#include "validate/validator.h"

namespace chaosrun::validate::testing {

// Valid under TestOptions(): every provider, tolerance kind, ref form, control level and runtime
// block, with configuration and secrets that resolve from the fake environment.
inline constexpr const char* kBaseExperiment = R"json({
  "version": "1.0.0",
  "title": "Service stays up when a dependency is stressed",
  "description": "Stress the dependency and check the service",
  "tags": ["demo", "http"],
  "contributions": {"reliability": "high", "security": "none"},
  "extensions": [{"name": "report", "anything": [1, 2]}],
  "configuration": {
    "host": "localhost",
    "port": {"type": "env", "key": "PORT", "default": "8080"},
    "pattern": "^ok$",
    "items_path": "$.items[*]"
  },
  "secrets": {"api": {"token": {"type": "env", "key": "TOKEN"}, "inline": "s3cr3t"}},
  "controls": [{"name": "tracing", "provider": {"type": "python", "module": "chaostracing.control"}}],
  "steady-state-hypothesis": {
    "title": "Service is healthy",
    "probes": [
      {"type": "probe", "name": "alive", "tolerance": 0,
       "provider": {"type": "process", "path": "true"}},
      {"type": "probe", "name": "http-ok", "tolerance": [200, 204],
       "provider": {"type": "http", "url": "http://${host}:${port}/health", "timeout": 3}},
      {"type": "probe", "name": "body", "tolerance": {"type": "regex", "pattern": "${pattern}", "target": "stdout"},
       "provider": {"type": "process", "path": "echo", "arguments": ["ok", 1, true, null]}},
      {"type": "probe", "name": "items", "tolerance": {"type": "jsonpath", "path": "${items_path}", "count": 2},
       "provider": {"type": "http", "url": "http://localhost/items"}},
      {"type": "probe", "name": "load", "tolerance": {"type": "range", "range": [0, 1.5], "target": "stdout"},
       "provider": {"type": "process", "path": "/bin/sh", "arguments": "-c 'echo 1'"}}
    ],
    "controls": [{"ref": "tracing"}]
  },
  "method": [
    {"type": "action", "name": "stress", "background": true, "timeout": 30,
     "pauses": {"before": 1, "after": "${settle}"},
     "provider": {"type": "process", "path": "/bin/sh", "arguments": ["-c", "exit 0"], "timeout": 5},
     "controls": [{"name": "local", "scope": "before", "provider": {"type": "python", "module": "m.c"}}]},
    {"ref": "alive"},
    {"type": "action", "name": "call",
     "provider": {"type": "http", "url": "http://localhost/api", "method": "POST",
                  "headers": {"Content-Type": "application/json"}, "arguments": {"a": 1},
                  "timeout": [1, 2.5], "verify_tls": false, "max_retries": 2,
                  "expected_status": [200, 201]}}
  ],
  "rollbacks": [
    {"ref": "stress"},
    {"type": "action", "name": "undo", "provider": {"type": "process", "path": "true"}}
  ],
  "runtime": {"hypothesis": {"strategy": "continuously"}, "rollbacks": {"strategy": "always"}}
})json";

// Executables "true", "echo", "/bin/sh" exist; env has TOKEN only.
Options TestOptions(std::map<std::string, std::string> env = {{"TOKEN", "t0k3n"}});

Json Base();
// Base() with an RFC 6902 patch (JSON text) applied.
Json Patched(const char* patch);

std::vector<Diagnostic> Errors(const std::vector<Diagnostic>& all);
std::vector<Diagnostic> Warnings(const std::vector<Diagnostic>& all);
// The first diagnostic at `pointer` (errors and warnings), if any.
std::optional<Diagnostic> At(const std::vector<Diagnostic>& all, const std::string& pointer);
// All diagnostics, one per line, for failure messages.
std::string Describe(const std::vector<Diagnostic>& all);

}  // namespace chaosrun::validate::testing
