#include "plugin/argument_table.h"

#include <algorithm>
#include <string_view>

#include "plugin/schema_words.h"

namespace chaosrun::plugin {

namespace {

// "pids" for a one-key branch, "signal + pid" for several.
std::string Branch(const std::vector<std::string>& keys) {
  std::string out;
  for (const auto& k : keys) out += (out.empty() ? "" : " + ") + k;
  return out;
}

// An anyOf/oneOf of required-only schemas: "<what>: a, b, c", its keys marked as a group.
void GroupRule(const Json& alternatives, std::string_view what, ArgumentSummary& out) {
  if (!alternatives.is_array() || alternatives.empty()) return;
  std::vector<std::vector<std::string>> branches;
  for (const auto& a : alternatives) {
    auto keys = words::RequiredOnly(a);
    if (!keys) return;
    branches.push_back(*keys);
  }
  std::string rule(what);
  rule += ": ";
  for (size_t i = 0; i < branches.size(); ++i) rule += (i ? ", " : "") + Branch(branches[i]);
  out.rules.push_back(rule);
  for (auto& row : out.rows) {
    for (const auto& b : branches) {
      if (std::find(b.begin(), b.end(), row.name) != b.end()) row.in_group = true;
    }
  }
}

// The rules of `schema` and of its allOf members, in order.
void CollectRules(const Json& schema, ArgumentSummary& out, int depth) {
  if (!schema.is_object() || depth > 8) return;
  if (const Json* one = Member(schema, "oneOf")) GroupRule(*one, "exactly one of", out);
  if (const Json* any = Member(schema, "anyOf")) GroupRule(*any, "at least one of", out);
  if (const Json* no = Member(schema, "not")) {
    if (auto keys = words::RequiredOnly(*no)) {
      std::string list;
      for (const auto& k : *keys) list += (list.empty() ? "" : ", ") + k;
      out.rules.push_back((keys->size() == 1 ? "not allowed: " : "not together: ") + list);
    }
  }
  if (const Json* deps = Member(schema, "dependencies"); deps != nullptr && deps->is_object()) {
    for (const auto& [key, dep] : deps->items()) {
      if (!dep.is_array()) continue;
      std::string list;
      for (const auto& d : dep) {
        if (d.is_string()) list += (list.empty() ? "" : ", ") + d.get<std::string>();
      }
      if (!list.empty()) out.rules.push_back(key + " needs " + list);
    }
  }
  if (const Json* all = Member(schema, "allOf"); all != nullptr && all->is_array()) {
    for (const auto& sub : *all) CollectRules(sub, out, depth + 1);
  }
}

std::string DefaultText(const Json& v) {
  if (v.is_null()) return "-";
  return v.is_string() ? v.get<std::string>() : DumpCompact(v);
}

std::string RequiredText(const ArgumentRow& row) {
  if (row.required) return "yes";
  return row.in_group ? "one of" : "no";
}

}  // namespace

ArgumentSummary SummarizeArguments(const Json& schema) {
  ArgumentSummary out;
  const Json* props = Member(schema, "properties");
  if (props != nullptr && props->is_object()) {
    for (const auto& [name, sub] : props->items()) {
      ArgumentRow row;
      row.name = name;
      row.type = words::CompactType(sub);
      if (const Json* d = Member(sub, "default")) row.default_value = *d;
      if (const Json* d = Member(sub, "description"); d != nullptr && d->is_string()) {
        row.description = d->get<std::string>();
      }
      out.rows.push_back(std::move(row));
    }
  }
  if (const Json* required = Member(schema, "required");
      required != nullptr && required->is_array()) {
    for (auto& row : out.rows) {
      row.required =
          std::find(required->begin(), required->end(), Json(row.name)) != required->end();
    }
  }
  CollectRules(schema, out, 0);
  const Json* additional = Member(schema, "additionalProperties");
  const bool closed = additional != nullptr && additional->is_boolean() && !additional->get<bool>();
  out.any = out.rows.empty() && !closed;
  return out;
}

std::vector<std::string> ArgumentTableLines(const ArgumentSummary& summary,
                                            const std::string& indent) {
  std::vector<std::string> lines;
  if (summary.rows.empty()) {
    lines.push_back(indent + (summary.any ? "(any arguments)" : "(no arguments)"));
  } else {
    std::vector<std::vector<std::string>> cells = {
        {"argument", "type", "required", "default", "description"}};
    for (const auto& r : summary.rows) {
      cells.push_back({r.name, r.type, RequiredText(r), DefaultText(r.default_value),
                       r.description.empty() ? "-" : r.description});
    }
    std::vector<size_t> width(5, 0);
    for (const auto& row : cells) {
      for (size_t c = 0; c < row.size(); ++c) width[c] = std::max(width[c], row[c].size());
    }
    for (const auto& row : cells) {
      std::string line = indent;
      for (size_t c = 0; c < row.size(); ++c) {
        line += row[c];
        if (c + 1 < row.size()) line += std::string(width[c] - row[c].size() + 2, ' ');
      }
      lines.push_back(line);
    }
  }
  for (const auto& rule : summary.rules) lines.push_back(indent + rule);
  return lines;
}

void AddArgumentSummary(const ArgumentSummary& summary, Json& entry) {
  Json list = Json::array();
  for (const auto& r : summary.rows) {
    Json row{{"name", r.name}, {"type", r.type}, {"required", r.required}};
    if (!r.default_value.is_null()) row["default"] = r.default_value;
    row["description"] = r.description;
    list.push_back(std::move(row));
  }
  entry["argument_list"] = std::move(list);
  entry["argument_rules"] = summary.rules;
}

}  // namespace chaosrun::plugin
