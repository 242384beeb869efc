// Internal helpers of the router: path splitting, body parsing with Toxiproxy's error messages,
// typed field access, and the mapping from an engine Status to an HTTP error.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/json.h"
#include "common/status.h"
#include "proxy/engine.h"
#include "proxy_api/message.h"

namespace chaosrun::proxy_api {

// Toxiproxy's error messages (api.go), so clients that match on them keep working.
inline constexpr const char* kProxyNotFound = "proxy not found";
inline constexpr const char* kToxicNotFound = "toxic not found";
inline constexpr const char* kProxyAlreadyExists = "proxy already exists";
inline constexpr const char* kToxicAlreadyExists = "toxic already exists";
inline constexpr const char* kInvalidStream =
    "stream was invalid, can be either upstream or downstream";
inline constexpr const char* kInvalidToxicType = "invalid toxic type";

// The path of an origin-form target split on '/', each segment percent-decoded; the query is
// ignored. "/proxies/a%20b/toxics" -> {"proxies", "a b", "toxics"}. nullopt when the target does
// not start with '/' or holds a malformed escape. Empty segments are kept ("/proxies/" ->
// {"proxies", ""}), so they match no route.
std::optional<std::vector<std::string>> SplitPath(std::string_view target);

// Bodies nesting arrays/objects deeper than this are refused (400) before they are parsed.
inline constexpr int kMaxBodyDepth = 64;

// Parses a request body as JSON. On failure `error` is the message of the 400 to send:
// "bad request body: <reason>" (Toxiproxy's wording; an empty body reads "EOF" there).
std::optional<Json> ParseBody(std::string_view body, std::string& error);

// Reads an optional member of a JSON object, checking its type; null counts as absent (as Go's
// decoder treats it). On a wrong type, fills `error` with 400
// "bad request body: <where><key> must be <a type>" (`where` e.g. "proxy 2: ").
bool GetString(const Json& obj, const char* key, std::optional<std::string>& out,
               std::string& error, std::string_view where = "");
bool GetBool(const Json& obj, const char* key, std::optional<bool>& out, std::string& error,
             std::string_view where = "");
bool GetNumber(const Json& obj, const char* key, std::optional<double>& out, std::string& error,
               std::string_view where = "");

// chaosrun's extensions of a proxy body, "protocol" ("tcp" | "udp") and "idle_timeout" (ms,
// UDP), into `spec` (docs/proxy-api.md). Absent: TCP, as in Toxiproxy. On a bad value fills
// `error` with "bad request body: <where><field>: <reason>".
bool ReadProxyExtensions(const Json& obj, proxy::ProxySpec& spec, std::string& error,
                         std::string_view where = "");

// Where a proxy listens when the request gives no `listen`. Toxiproxy listens on every interface
// then; chaosrun stays on loopback (docs/proxy-api.md).
inline constexpr const char* kDefaultListen = "127.0.0.1:0";

// "localhost", 127.0.0.0/8, ::1 or an IPv4-mapped 127.x address.
bool IsLoopbackHost(const std::string& host);

// Why a proxy may not listen on `listen` ("host:port", "[v6]:port", ":port") unless remote
// listeners are allowed: its host is not loopback (an empty host, 0.0.0.0 and [::] are every
// interface; a name other than localhost may resolve anywhere). Empty when it is loopback.
std::string RemoteListenReason(const std::string& listen);

// A proxy as the API shows it: always with its `toxics` array, listed as Toxiproxy lists them
// (ToxicsInToxiproxyOrder).
Json ShownProxy(Json proxy);
// Upstream toxics first, then downstream ones, each group in creation order (Toxiproxy walks its
// two chains in that order); the engine keeps them in creation order across both streams.
Json ToxicsInToxiproxyOrder(const Json& toxics);

// An engine error as an HTTP error: kNotFound -> 404 `not_found` (Toxiproxy's message),
// kAlreadyExists -> 409 `exists`, kInvalidArgument/kParseError -> 400 with the engine's message,
// anything else (bind failures included, as Toxiproxy does) -> 500 with the engine's message.
Response FromStatus(const Status& status, std::string_view not_found, std::string_view exists);

}  // namespace chaosrun::proxy_api
