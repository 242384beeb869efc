// JSON Schema checks of driver arguments (valijson, draft 4/7 keywords), reported as
// (JSON pointer, reason) pairs rooted at the given pointer. Never throws.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "common/json.h"

namespace chaosrun::plugin {

std::vector<std::pair<std::string, std::string>> CheckAgainstSchema(const Json& schema,
                                                                    const Json& value,
                                                                    const std::string& pointer);

}  // namespace chaosrun::plugin
