// Why a driver activity's `arguments` do not fit the driver's JSON Schema, in plain words, each
// problem at the JSON pointer of the value (or key) it is about:
//   /method/0/provider/arguments/nmae: unknown argument; did you mean 'name'? (allowed: ...)
//   /method/0/provider/arguments/count: must be an integer, got string "3"
//   /method/0/provider/arguments: missing required argument 'proxy'
// It walks the schema and the value together for the keywords drivers use (type, enum, const,
// minimum/maximum and their exclusive forms, multipleOf, minLength/maxLength, pattern, items,
// minItems/maxItems, uniqueItems, properties, patternProperties, additionalProperties, required,
// dependencies, allOf, anyOf, oneOf, not). valijson stays the judge of validity (schema.h calls
// this only for a value it refused, and words what this does not explain generically). A key
// that is missing only because an unknown key is its likely typo is not reported as missing.
// Never throws.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "common/json.h"

namespace chaosrun::plugin {

std::vector<std::pair<std::string, std::string>> ExplainArguments(const Json& schema,
                                                                  const Json& value,
                                                                  const std::string& pointer);

}  // namespace chaosrun::plugin
