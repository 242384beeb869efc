// Typed conversion of configuration values (`env_var_type`), applied by the reference both to
// environment strings and to the `default` of an env entry. Internal to the subst module.
#pragma once

#include "common/json.h"
#include "common/status.h"

namespace chaosrun::subst::internal {

// Converts `value` by `type` (null: no conversion). Strings go through ConvertEnvValue; a null
// value stays null; other values convert where Python's int()/float() would accept them (int of
// a float truncates, a bool is 0/1), `json` and `str` keep them, anything else is an error.
Result<Json> ConvertTyped(const Json& value, const Json& type);

}  // namespace chaosrun::subst::internal
