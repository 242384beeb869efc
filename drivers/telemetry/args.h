// Small argument checks shared by the telemetry driver's actions and probes. Every function
// returns an error message for a person (empty on success) or an optional; none throws.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "network/args.h"
#include "network/url.h"

namespace chaosrun::drivers::telemetry {

using nlohmann::json;

// Shared with the network and process drivers (this driver links their cores).
using network::IntegerIn;
using network::NumberIn;
using network::StringArg;
using network::UnknownKey;

// The `url` argument of a probe that talks to Prometheus or Alertmanager: "http://HOST:PORT[/BASE]"
// (plain http, as network::ParseUrl reads it). `fallback` when absent.
std::string UrlArg(const json& args, const char* key, const char* fallback, network::Url* out);

// A `labels` object of string values (absent: empty object).
std::string LabelsArg(const json& args, const char* key, json* out);

// Unix milliseconds as "2026-12-07T02:15:00.123000+00:00" (the journal's format), and back
// (any ISO-8601 UTC time with 'Z' or "+00:00", fractional seconds optional; nullopt otherwise).
std::string IsoFromUnixMs(int64_t ms);
std::optional<int64_t> UnixMsFromIso(const std::string& text);

}  // namespace chaosrun::drivers::telemetry
