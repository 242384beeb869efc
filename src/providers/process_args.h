// Argument building for the `process` provider (ctk-spec §4.2), separate from spawning so that
// it can be unit tested without starting processes.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "common/json.h"
#include "common/status.h"

namespace chaosrun::providers {

// The argv to exec for `resolved_path` and the provider's `arguments` (absent/null = none):
//  - list: each element stringified like Python's str(); null and "" elements are dropped;
//    argv[0] is the resolved path;
//  - string: {"/bin/sh", "-c", "<resolved_path> <arguments>"};
//  - object (deprecated): flattened to key, value, key, value... then handled as a list.
// Any other JSON type is an InvalidArgument.
Result<std::vector<std::string>> BuildProcessArgv(const std::string& resolved_path,
                                                  const Json& arguments);

// The provider's `timeout` in seconds: absent/null → nullopt (no timeout); a number (not a
// boolean) → its value; anything else is an InvalidArgument.
Result<std::optional<double>> ParseProcessTimeout(const Json& provider);

}  // namespace chaosrun::providers
