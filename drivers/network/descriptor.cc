#include "network/descriptor.h"

#include <string>

#include "network/url.h"

namespace chaosrun::drivers::network {

// Named, not anonymous: the library is compiled in unity batches whose other files say
// `using nlohmann::json` in their anonymous namespace.
namespace descriptor_internal {

// Ordered, so that arguments are listed (in `chaosrun drivers` and in errors) as declared here.
using json = nlohmann::ordered_json;

constexpr const char* kNamePattern = "^[A-Za-z0-9_.-]+$";

json Name(const char* what, int max) {
  return json{{"type", "string"},
              {"minLength", 1},
              {"maxLength", max},
              {"pattern", kNamePattern},
              {"description", what}};
}

json Api() {
  return json{{"type", "string"},
              {"pattern", "^http://"},
              {"description", "the proxy API, Toxiproxy-compatible"},
              {"default", kDefaultApi}};
}

json TokenFile() {
  return json{{"type", "string"},
              {"minLength", 1},
              {"description",
               "a private file (owner only, chmod 600) holding the proxy API's bearer token, "
               "e.g. chaosrund's token_file for its /toxiproxy/ API; read at prepare, apply and "
               "undo; the plan and the undo keep the path, never the token"}};
}

json HostPort(const char* what) {
  return json{{"type", "string"}, {"minLength", 3}, {"description", what}};
}

json Percent(const char* what) {
  return json{{"type", "number"}, {"minimum", 0}, {"maximum", 100}, {"description", what}};
}

json Millis(const char* what) {
  return json{{"type", "number"}, {"minimum", 0}, {"maximum", 60000}, {"description", what}};
}

json Object(json props, json required) {
  return json{{"type", "object"},
              {"properties", std::move(props)},
              {"required", std::move(required)},
              {"additionalProperties", false}};
}

json TcProps(json extra) {
  json p{{"interface", Name("the network interface (at most 15 characters)", 15)},
         {"namespace", Name("a named network namespace (`ip netns`); default the host's", 64)}};
  p.update(extra);
  return p;
}

json TcAction(const char* name, const char* description, json extra, json required) {
  required.insert(required.begin(), "interface");
  return json{{"name", name},
              {"description", description},
              {"arguments", Object(TcProps(std::move(extra)), std::move(required))}};
}

json Toxic() {
  return json{
      {"type", "object"},
      {"properties",
       {{"name", Name("the toxic's name (default \"<type>_<stream>\")", 128)},
        {"type",
         Name("latency, bandwidth, slow_close, timeout, reset_peer, slicer, limit_data", 64)},
        {"stream", {{"enum", json::array({"upstream", "downstream"})}}},
        {"toxicity",
         {{"type", "number"},
          {"minimum", 0},
          {"maximum", 1},
          {"description", "probability that a connection gets the toxic"},
          {"default", 1}}},
        {"attributes", {{"type", "object"}, {"description", "the type's attributes"}}}}},
      {"required", json::array({"type"})},
      {"additionalProperties", false},
      {"description",
       "the toxic: {\"type\", \"attributes\", \"stream\", \"toxicity\", \"name\"}, as "
       "Toxiproxy takes it"}};
}

json RewriteOperation() {
  json field{
      {"type", "string"},
      {"minLength", 1},
      {"maxLength", 1024},
      {"description", "a key of the record, or a JSON pointer inside it (\"/geo/country\")"}};
  return json{
      {"type", "object"},
      {"properties",
       {{"op",
         {{"enum", json::array({"drop", "rename", "scale", "retype"})},
          {"description",
           "drop: remove the field; rename: move it to `to`; scale: multiply a number by "
           "`factor` (integers stay integers under an integer factor); retype: convert it to "
           "`type` (what cannot be converted becomes null)"}}},
        {"field", field},
        {"to",
         {{"type", "string"},
          {"minLength", 1},
          {"maxLength", 1024},
          {"description", "rename: the new key (same object) or a JSON pointer in the record"}}},
        {"factor", {{"type", "number"}, {"description", "scale: the factor"}}},
        {"type",
         {{"enum", json::array({"string", "number", "integer", "boolean", "null"})},
          {"description", "retype: the new type"}}}}},
      {"required", json::array({"op", "field"})},
      {"additionalProperties", false}};
}

json RewriteJsonAction() {
  return json{
      {"name", "rewrite_json"},
      {"description",
       "rewrite the JSON records in the HTTP/1.x bodies crossing a proxy (chaosrun's json_rewrite "
       "toxic: POST /proxies/{proxy}/toxics); undo: delete it. Bodies that are not JSON, larger "
       "than max_body_bytes, or not HTTP pass unchanged. Refused when the proxy is missing or "
       "already has a toxic of that name"},
      {"arguments",
       Object({{"api", Api()},
               {"api_token_file", TokenFile()},
               {"proxy", Name("the proxy", 128)},
               {"operations",
                {{"type", "array"},
                 {"minItems", 1},
                 {"maxItems", 64},
                 {"items", RewriteOperation()},
                 {"description", "applied in order to every record"}}},
               {"records",
                {{"type", "string"},
                 {"description",
                  "JSON pointer to the records in the body: \"\" (the body itself) or "
                  "\"/data/items\"; an array holds one record per object element, an object "
                  "is one record"},
                 {"default", ""}}},
               {"max_body_bytes",
                {{"type", "integer"},
                 {"minimum", 1},
                 {"maximum", 67108864},
                 {"description", "larger bodies pass unchanged (the proxy holds at most this)"},
                 {"default", 1048576}}},
               {"stream",
                {{"enum", json::array({"upstream", "downstream"})},
                 {"description", "downstream: responses; upstream: requests"},
                 {"default", "downstream"}}},
               {"toxic_name", Name("the toxic's name (default \"json_rewrite_<stream>\")", 128)},
               {"toxicity",
                {{"type", "number"},
                 {"minimum", 0},
                 {"maximum", 1},
                 {"description", "probability that a connection gets the toxic"},
                 {"default", 1}}}},
              json::array({"proxy", "operations"}))}};
}

json ProxyActions() {
  return json::array(
      {json{{"name", "add_toxic"},
            {"description",
             "add a toxic to a proxy (POST /proxies/{proxy}/toxics); undo: delete it. Refused "
             "when the proxy is missing or already has a toxic of that name"},
            {"arguments",
             Object({{"api", Api()},
                     {"api_token_file", TokenFile()},
                     {"proxy", Name("the proxy", 128)},
                     {"toxic", Toxic()},
                     {"duration",
                      {{"type", "number"},
                       {"exclusiveMinimum", 0},
                       {"description",
                        "seconds; chaosrun's proxy removes the toxic by itself after it"}}}},
                    json::array({"proxy", "toxic"}))}},
       json{{"name", "disable_proxy"},
            {"description",
             "take a proxy down (enabled: false): it refuses connections; undo: restore the "
             "enabled state recorded in prepare"},
            {"arguments", Object({{"api", Api()},
                                  {"api_token_file", TokenFile()},
                                  {"proxy", Name("the proxy", 128)}},
                                 json::array({"proxy"}))}},
       json{{"name", "create_proxy"},
            {"description", "create a proxy (POST /proxies); undo: delete it"},
            {"arguments", Object({{"api", Api()},
                                  {"api_token_file", TokenFile()},
                                  {"name", Name("the new proxy's name", 128)},
                                  {"listen", HostPort("HOST:PORT it listens on")},
                                  {"upstream", HostPort("HOST:PORT it forwards to")},
                                  {"enabled",
                                   {{"type", "boolean"},
                                    {"description", "false: created disabled"},
                                    {"default", true}}}},
                                 json::array({"name", "listen", "upstream"}))}},
       RewriteJsonAction()});
}

json TcActions() {
  json corr = Percent("correlation with the previous packet, %");
  json pct = Percent("share of packets, % (above 0)");
  return json::array(
      {TcAction("delay",
                "netem: delay every packet leaving the interface; undo: restore the "
                "previous root qdisc",
                {{"delay_ms", Millis("delay, ms (above 0)")},
                 {"jitter_ms", Millis("random variation, ms")},
                 {"correlation", corr}},
                json::array({"delay_ms"})),
       TcAction("loss", "netem: drop a share of the packets",
                {{"percent", pct}, {"correlation", corr}}, json::array({"percent"})),
       TcAction("corrupt", "netem: flip a random bit in a share of the packets",
                {{"percent", pct}, {"correlation", corr}}, json::array({"percent"})),
       TcAction("duplicate", "netem: send a share of the packets twice",
                {{"percent", pct}, {"correlation", corr}}, json::array({"percent"})),
       TcAction("reorder",
                "netem: send a share of the packets at once and delay the others (delay_ms, "
                "default 10), so they arrive out of order",
                {{"percent", pct},
                 {"correlation", corr},
                 {"delay_ms", Millis("delay of the packets not sent at once, ms")},
                 {"gap",
                  {{"type", "integer"},
                   {"minimum", 1},
                   {"description", "netem's reorder gap: every gap-th packet is sent at once"}}}},
                json::array({"percent"})),
       TcAction("rate",
                "tbf: limit the rate of packets leaving the interface; undo: restore the "
                "previous root qdisc",
                {{"rate_kbit",
                  {{"type", "integer"},
                   {"minimum", 8},
                   {"maximum", 100000000},
                   {"description", "kbit/s (1000 bit/s)"}}},
                 {"burst_bytes",
                  {{"type", "integer"},
                   {"minimum", 1600},
                   {"maximum", 1073741824},
                   {"description", "bucket size (default max(10 ms of rate, 2 MTU + 36))"}}},
                 {"latency_ms",
                  {{"type", "integer"},
                   {"minimum", 1},
                   {"maximum", 60000},
                   {"description", "longest wait in the bucket before a drop, ms"},
                   {"default", 50}}}},
                json::array({"rate_kbit"}))});
}

json Probes() {
  return json::array(
      {json{{"name", "tcp_connect"},
            {"description",
             "{\"connected\", \"connect_ms\", \"error\", \"address\"} of one TCP "
             "connect"},
            {"arguments", Object({{"host",
                                   {{"type", "string"},
                                    {"minLength", 1},
                                    {"description", "a host name or address to connect to"}}},
                                  {"port",
                                   {{"type", "integer"},
                                    {"minimum", 1},
                                    {"maximum", 65535},
                                    {"description", "the TCP port"}}},
                                  {"timeout",
                                   {{"type", "number"},
                                    {"exclusiveMinimum", 0},
                                    {"maximum", 300},
                                    {"description", "seconds for the connect"},
                                    {"default", 3}}}},
                                 json::array({"host", "port"}))}},
       json{{"name", "proxy_stats"},
            {"description",
             "counters of a proxy (connections_total, connections_active, connections_refused, "
             "bytes_upstream, bytes_downstream, toxics_active); against a real Toxiproxy what "
             "GET /proxies/{proxy} tells"},
            {"arguments",
             Object({{"api", Api()}, {"proxy", Name("the proxy", 128)}}, json::array({"proxy"}))}},
       json{{"name", "qdisc_support"},
            {"description", "{\"supported\", \"how\"}: whether the kernel has a qdisc kind"},
            {"arguments", Object({{"kind", Name("a qdisc kind such as netem or tbf", 32)}},
                                 json::array({"kind"}))}}});
}

json Build() {
  json actions = ProxyActions();
  for (auto& a : TcActions()) actions.push_back(a);
  return json{{"name", "network"},
              {"version", "1.0.0"},
              {"description",
               "Network faults: toxics and outages through a Toxiproxy-compatible proxy API "
               "(chaosrun proxy serve or Toxiproxy), and qdiscs on an interface through tc "
               "(netem delay, loss, corruption, duplication, reordering; tbf rate limit), each "
               "undone exactly."},
              {"actions", actions},
              {"probes", Probes()}};
}

}  // namespace descriptor_internal

nlohmann::json BuildDescriptor() { return descriptor_internal::Build(); }

const char* DescriptorJson() {
  static const std::string text = [] {
    try {
      return descriptor_internal::Build().dump();
    } catch (...) {
      return std::string();
    }
  }();
  return text.c_str();
}

}  // namespace chaosrun::drivers::network
