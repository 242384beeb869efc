// Plain words for JSON Schema pieces, so that nothing of the schema's own vocabulary reaches a
// user: the value a user gave ("string \"3\""), what a schema accepts as a noun phrase ("an
// integer from 1 to 64"), a range ("above 0 and at most 100"), and a compact type for tables
// ("integer 1..64"). Used by the argument errors (schema_explain.h) and by `chaosrun drivers`
// (argument_table.h). Pure functions; never throw on any JSON.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/json.h"

namespace chaosrun::plugin::words {

// A value as a user gave it, for "got ...": `string "3"`, `number 1.5`, `boolean true`, `null`,
// `a list`, `an object with 'signal'`. Long strings are cut.
std::string Given(const Json& v);
// A value as JSON text (long strings cut): `"upstream"`, `3`.
std::string Literal(const Json& v);
// 'a', 'b' and 'c' (names quoted, joined; `word` is "and" or "or").
std::string QuotedNames(const std::vector<std::string>& names, std::string_view word);
// a, b or c: the items joined with commas and `word` before the last.
std::string JoinWords(const std::vector<std::string>& items, std::string_view word);

// True if `v` is of the JSON Schema type named `type` ("integer", "number", "string", ...).
bool IsOfType(const Json& v, std::string_view type);
// True if `v` is of the type keyword's value (a name or a list of names); true for anything else.
bool TypeAccepts(const Json& type_keyword, const Json& v);
// "an integer", "a string or an integer".
std::string TypeNouns(const Json& type_keyword);

// The numeric bounds a schema sets (minimum, maximum, and exclusiveMinimum, exclusiveMaximum in
// their draft-6 number form, the one valijson's draft 7 takes).
struct Bounds {
  std::optional<double> low, high;
  bool low_exclusive = false, high_exclusive = false;
  std::string low_text, high_text;  // as the schema wrote them
  bool empty() const { return !low && !high; }
  bool Holds(double x) const;
  std::string Words() const;    // "from 1 to 64", "above 0 and at most 100", "at least 1"
  std::string Compact() const;  // "1..64", "> 0, <= 100", ">= 1"
};
Bounds NumberBounds(const Json& schema);
// The same for a count (minLength/maxLength, minItems/maxItems); no exclusive forms.
Bounds CountBounds(const Json& schema, const char* min_key, const char* max_key);

// What `schema` accepts, as a noun phrase: "an integer from 1 to 64", "one of \"a\", \"b\"",
// "a non-empty list of strings", "an object with 'argv'", "any value".
std::string Describe(const Json& schema);
// A compact type for a table: "integer 1..64", "string", "list of string", "upstream|downstream",
// "integer or string", "any".
std::string CompactType(const Json& schema);

// A schema that only requires keys ({"required": [...]}, maybe with a description): the keys,
// else nullopt. Such schemas in anyOf/oneOf/not say which arguments go together.
std::optional<std::vector<std::string>> RequiredOnly(const Json& schema);

}  // namespace chaosrun::plugin::words
