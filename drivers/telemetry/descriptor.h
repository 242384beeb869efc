// The telemetry driver's descriptor: its actions and probes with strict JSON Schemas of their
// arguments (what `chaosrun drivers` lists and `chaosrun validate` checks against).
#pragma once

#include <nlohmann/json.hpp>

namespace chaosrun::drivers::telemetry {

nlohmann::json BuildDescriptor();
// The descriptor as text, built once; valid for the life of the library.
const char* DescriptorJson();

}  // namespace chaosrun::drivers::telemetry
