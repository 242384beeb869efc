// The Toxiproxy-compatible HTTP API as a pure function: one request in, one response out, every
// effect through the proxy::Engine. No sockets, so every route and every error is testable by
// calling Route() directly; api_server.h puts it on the wire. Routes, shapes and status codes are
// Toxiproxy 2.12's; docs/proxy-api.md lists them and where chaosrun differs.
//
// Thread-safety: Route() holds no state of its own; it may be called from any thread, as the
// engine's methods may.
#pragma once

#include "proxy/engine.h"
#include "proxy_api/message.h"

namespace chaosrun::proxy_api {

// The Toxiproxy release whose API behaviour this router matches (GET /version reports it too).
inline constexpr const char* kToxiproxyCompatVersion = "2.12.0";

struct RouteOptions {
  // false: a proxy created, moved or populated with a non-loopback `listen` is refused with 400
  // (route_util.h, RemoteListenReason); a proxy with no `listen` gets 127.0.0.1:0 either way.
  bool allow_remote = false;
};

Response Route(proxy::Engine& engine, const Request& request, const RouteOptions& options = {});

}  // namespace chaosrun::proxy_api
