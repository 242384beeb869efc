// The JSON value type used everywhere: insertion-ordered so that journals keep the document's
// key order, as the reference implementation does.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

namespace chaosrun {

using Json = nlohmann::ordered_json;

// Appends a JSON-pointer token, escaping '~' and '/' (RFC 6901).
std::string PointerAppend(std::string_view base, std::string_view token);
std::string PointerAppend(std::string_view base, size_t index);

// The member `key` of an object, or nullptr (also when `obj` is not an object). Never throws.
inline const Json* Member(const Json& obj, const char* key) {
  if (!obj.is_object()) return nullptr;
  auto it = obj.find(key);
  return it == obj.end() ? nullptr : &*it;
}

// Python-like truthiness (used where the reference relies on it).
bool Truthy(const Json& v);

// Python's str() of a JSON scalar, as the reference stringifies values: numbers in decimal,
// booleans as True/False, null as None; strings unchanged; containers as compact JSON.
std::string PythonStr(const Json& v);

// Dumps with 2-space indent and UTF-8 kept (never throws: invalid UTF-8 is replaced).
std::string DumpPretty(const Json& v);
std::string DumpCompact(const Json& v);

// Offset of the first '[' or '{' that nests arrays/objects deeper than `max` levels (brackets
// inside strings do not count), or npos. A check before parsing: copying, printing or freeing
// a deeply nested value recurses once per level. On invalid JSON the answer does not matter,
// the parser rejects the text anyway.
size_t FindNestingDeeperThan(std::string_view text, int max);

}  // namespace chaosrun
