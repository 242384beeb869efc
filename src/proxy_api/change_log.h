// One log line (info) per change the proxy API makes: a proxy created, updated (listen,
// upstream, enabled/disabled), deleted or reset, a toxic added, updated or removed. What
// `chaosrun proxy serve` and chaosrund's proxy show without --verbose (docs/console.md); each
// line names the proxy, its listen address and upstream, or the toxic, its stream and
// attributes. Reads only the engine's JSON; thread-safe (the logger is).
#pragma once

#include <string>

#include "common/json.h"

namespace chaosrun::proxy_api {

// `proxy` as the engine shows it (name, listen, upstream, enabled, ...).
void LogProxyCreated(const Json& proxy);
// `before` and `after` as the engine shows them; a line only for what changed.
void LogProxyUpdated(const Json& before, const Json& after);
void LogProxyDeleted(const std::string& name);
void LogProxiesReset();
// `toxic` as the engine shows it (name, type, stream, toxicity, attributes).
void LogToxicAdded(const std::string& proxy, const Json& toxic);
void LogToxicUpdated(const std::string& proxy, const Json& toxic);
void LogToxicRemoved(const std::string& proxy, const std::string& toxic);

}  // namespace chaosrun::proxy_api
