// `chaosrun proxy serve`: the fault proxy engine with its Toxiproxy-compatible HTTP API, in the
// foreground until SIGINT or SIGTERM (docs/cli.md, docs/proxy-api.md).
#pragma once

#include <cstdint>
#include <string>

#include "cli/args.h"
#include "common/status.h"

namespace chaosrun::cli {

// Returns the exit code: 0 stopped by a signal, 1 the API could not listen or --config failed,
// 2 usage (bad --api, or a non-loopback --api without --allow-remote).
int ProxyCommand(const Args& args);

struct ApiAddress {
  std::string host;  // brackets of an IPv6 literal removed
  uint16_t port = 0;
};

// "HOST:PORT" or "[V6]:PORT" -> parts; usage errors name the flag.
Result<ApiAddress> ParseApiAddress(const std::string& text);

// Whether an address is loopback: proxy_api::IsLoopbackHost (proxy_api/route_util.h).

}  // namespace chaosrun::cli
