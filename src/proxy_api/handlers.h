// Internal: one function per route of the API (router.cc dispatches to them). Each returns the
// complete response, errors included; none throws.
#pragma once

#include <string>
#include <string_view>

#include "proxy/engine.h"
#include "proxy_api/message.h"

namespace chaosrun::proxy_api {

// proxy_routes.cc
Response ListProxies(proxy::Engine& engine);
Response CreateProxy(proxy::Engine& engine, std::string_view body);
Response ShowProxy(proxy::Engine& engine, const std::string& name);
Response UpdateProxy(proxy::Engine& engine, const std::string& name, std::string_view body);
Response DeleteProxy(proxy::Engine& engine, const std::string& name);
Response ProxyStats(proxy::Engine& engine, const std::string& name);
Response ResetAll(proxy::Engine& engine);

// toxic_routes.cc
Response ListToxics(proxy::Engine& engine, const std::string& proxy);
Response CreateToxic(proxy::Engine& engine, const std::string& proxy, std::string_view body);
Response ShowToxic(proxy::Engine& engine, const std::string& proxy, const std::string& toxic);
Response UpdateToxic(proxy::Engine& engine, const std::string& proxy, const std::string& toxic,
                     std::string_view body);
Response DeleteToxic(proxy::Engine& engine, const std::string& proxy, const std::string& toxic);

}  // namespace chaosrun::proxy_api
