// A driver function's arguments as `chaosrun drivers` shows them, read from the JSON Schema of
// its `arguments`: one row per top-level property (name, a compact type, required, the schema's
// `default`, its `description`) and the rules that tie arguments together (exactly one of, at
// least one of, not together, needs). Pure functions; never throw on any JSON.
#pragma once

#include <string>
#include <vector>

#include "common/json.h"

namespace chaosrun::plugin {

struct ArgumentRow {
  std::string name;
  std::string type;         // words::CompactType: "integer 1..64", "string", "list of string"
  bool required = false;    // listed in the schema's `required`
  bool in_group = false;    // one of an "exactly one of" / "at least one of" group
  Json default_value;       // the schema's `default` (null when none)
  std::string description;  // the schema's `description` ("" when none)
};

struct ArgumentSummary {
  bool any = false;  // the schema says nothing about the arguments: anything goes
  std::vector<ArgumentRow> rows;
  std::vector<std::string> rules;  // "exactly one of: pids, pidfile", "not together: a, b"
};

ArgumentSummary SummarizeArguments(const Json& schema);

// The table, one line each, every line starting with `indent`:
//   argument  type         required  default  description
//   pids      list of ...  one of    -        these process ids
//   exactly one of: pids, pidfile, name, cmdline, unit
std::vector<std::string> ArgumentTableLines(const ArgumentSummary& summary,
                                            const std::string& indent);

// {"argument_list": [{"name", "type", "required", "default"?, "description"}], "argument_rules":
// [...]} members for `chaosrun drivers --json`, added to the function's descriptor entry.
void AddArgumentSummary(const ArgumentSummary& summary, Json& entry);

}  // namespace chaosrun::plugin
