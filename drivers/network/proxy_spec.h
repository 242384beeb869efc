// The arguments of the proxy actions (add_toxic, disable_proxy, create_proxy, rewrite_json: a
// json_rewrite toxic, chaosrun's proxy only), checked as
// strictly as the descriptor's schemas, and the request bodies they turn into. Pure: no I/O.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "network/url.h"

namespace chaosrun::drivers::network {

inline constexpr size_t kMaxProxyName = 128;

struct ToxicSpec {
  std::string name;    // defaulted to "<type>_<stream>", Toxiproxy's default
  std::string type;    // latency, bandwidth, ... (the server knows the list)
  std::string stream;  // "upstream" or "downstream" (default)
  double toxicity = 1.0;
  nlohmann::json attributes = nlohmann::json::object();
  std::optional<double> duration_s;  // chaosrun extension: the toxic removes itself after it

  // The body of POST /proxies/{proxy}/toxics ("duration" in ms only when set).
  nlohmann::json Body() const;
};

struct ProxyActionSpec {
  std::string func;
  Url api;
  std::string proxy;           // the proxy acted on (create_proxy: the new proxy's name)
  ToxicSpec toxic;             // add_toxic, rewrite_json
  std::string listen;          // create_proxy
  std::string upstream;        // create_proxy
  bool enabled = true;         // create_proxy
  std::string api_token_file;  // the proxy API's bearer token file ("": no Authorization)

  // The body of POST /proxies for create_proxy.
  nlohmann::json ProxyBody() const;
};

bool IsProxyAction(const std::string& func);

// Parses the arguments of `func`; returns an error message (empty on success).
std::string ParseProxyAction(const std::string& func, const nlohmann::json& args,
                             ProxyActionSpec* out);

// Parses the shared `api` argument (default kDefaultApi) of `args`.
std::string ParseApiArg(const nlohmann::json& args, Url* out);

}  // namespace chaosrun::drivers::network
