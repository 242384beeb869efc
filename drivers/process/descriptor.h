// The process driver's descriptor: its actions and probes with a JSON Schema (draft-07) of the
// arguments of each, which the host uses to validate experiments before running them.
#pragma once

#include <nlohmann/json.hpp>

namespace chaosrun::drivers::process {

nlohmann::json BuildDescriptor();

// BuildDescriptor() as JSON text, built once; valid for the life of the library.
const char* DescriptorJson();

}  // namespace chaosrun::drivers::process
