// The descriptor entries (argument schemas) of blackhole, delay, drop and corrupt.
#include <utility>

#include "telemetry/faults.h"

namespace chaosrun::drivers::telemetry {

namespace {

using nlohmann::json;

json FaultSchema(json own, json required) {
  json props{
      {"proxy_api",
       {{"type", "string"},
        {"pattern", "^http://"},
        {"description", "the proxy's Toxiproxy-compatible API (default http://127.0.0.1:8474)"}}},
      {"proxy_api_token_file",
       {{"type", "string"},
        {"minLength", 1},
        {"description",
         "a private file (chmod 600) holding the proxy API's bearer token, e.g. chaosrund's "
         "token_file for its /toxiproxy/ API (the network driver's api_token_file)"}}},
      {"proxy",
       {{"type", "string"},
        {"minLength", 1},
        {"maxLength", 128},
        {"pattern", "^[A-Za-z0-9_.-]+$"},
        {"description", "the existing proxy on the telemetry path (TCP or UDP)"}}},
      {"toxic_name",
       {{"type", "string"},
        {"minLength", 1},
        {"maxLength", 128},
        {"pattern", "^[A-Za-z0-9_.-]+$"},
        {"description", "the toxic's name (default chaosrun_<action>)"}}},
      {"stream",
       {{"enum", json::array({"upstream", "downstream"})},
        {"description", "the direction the toxic acts on"},
        {"default", "downstream"}}}};
  for (auto& [k, v] : own.items()) props[k] = v;
  required.push_back("proxy");
  return json{{"type", "object"},
              {"properties", std::move(props)},
              {"required", std::move(required)},
              {"additionalProperties", false}};
}

json Seed() {
  return json{
      {"type", "integer"},
      {"minimum", 0},
      {"description", "the toxic's generator seed (default: drawn, reported in the result)"}};
}

json Millis(const char* what) {
  return json{{"type", "number"}, {"minimum", 0}, {"maximum", 3600000}, {"description", what}};
}

json Fraction(const char* what) {
  return json{{"type", "number"}, {"minimum", 0}, {"maximum", 1}, {"description", what}};
}

}  // namespace

json ProxyFaultsDescriptor() {
  return json::array(
      {json{{"name", "blackhole"},
            {"description",
             "connections or datagrams vanish: a TCP proxy accepts and stays silent (timeout 0 on "
             "the upstream stream), a UDP proxy drops every datagram; undo: remove the toxic"},
            {"arguments", FaultSchema(json::object(), json::array())}},
       json{{"name", "delay"},
            {"description",
             "delay the path (latency toxic, downstream by default); undo: remove it"},
            {"arguments", FaultSchema({{"latency", Millis("milliseconds added")},
                                       {"jitter", Millis("± milliseconds (default 0)")}},
                                      json::array({"latency"}))}},
       json{{"name", "drop"},
            {"description",
             "drop a fraction of TCP connections (reset at their first request) or of UDP "
             "datagrams, with a seeded generator; the result reports the seed; undo: remove it"},
            {"arguments", FaultSchema({{"fraction", Fraction("share of connections/datagrams")},
                                       {"seed", Seed()}},
                                      json::array({"fraction"}))}},
       json{
           {"name", "corrupt"},
           {"description",
            "garble payload bytes (corrupt toxic, downstream by default), seeded; undo: remove it"},
           {"arguments", FaultSchema({{"rate", Fraction("share of bytes garbled (default 0.01)")},
                                      {"seed", Seed()}},
                                     json::array())}}});
}

}  // namespace chaosrun::drivers::telemetry
