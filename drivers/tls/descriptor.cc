#include "tls/descriptor.h"

#include <string>

#include "tls/args.h"

namespace chaosrun::drivers::tls {

// Named, not anonymous: the library is compiled in unity batches whose other files say
// `using nlohmann::json` in their anonymous namespace.
namespace descriptor_internal {

// Ordered, so that arguments are listed (in `chaosrun drivers` and in errors) as declared here.
using json = nlohmann::ordered_json;

json AbsolutePath(const std::string& description) {
  return json{{"type", "string"},
              {"minLength", 2},
              {"maxLength", kMaxPathBytes},
              {"pattern", "^/"},
              {"description", description}};
}

json ReloadSchema() {
  json argv{{"type", "array"}, {"minItems", 1}, {"items", {{"type", "string"}, {"minLength", 1}}}};
  json signal{{"anyOf", json::array({json{{"type", "integer"}, {"minimum", 1}, {"maximum", 64}},
                                     json{{"type", "string"}, {"minLength", 1}}})},
              {"description", "a signal name (HUP, SIGHUP, USR1, ...) or number"}};
  json command{{"type", "object"},
               {"properties",
                {{"command", argv},
                 {"timeout",
                  {{"type", "number"},
                   {"exclusiveMinimum", 0},
                   {"maximum", kMaxReloadTimeoutSeconds},
                   {"description", "seconds the command may take"},
                   {"default", 30}}}}},
               {"required", json::array({"command"})},
               {"additionalProperties", false}};
  json to_pid{{"type", "object"},
              {"properties", {{"signal", signal}, {"pid", {{"type", "integer"}, {"minimum", 2}}}}},
              {"required", json::array({"signal", "pid"})},
              {"additionalProperties", false}};
  json to_pidfile{{"type", "object"},
                  {"properties", {{"signal", signal}, {"pidfile", AbsolutePath("a pidfile")}}},
                  {"required", json::array({"signal", "pidfile"})},
                  {"additionalProperties", false}};
  return json{{"description",
               "how the service picks up the new files, after the fault and after the undo: "
               "{\"command\": [argv...]} (must exit 0), {\"signal\": \"HUP\", \"pid\": N} or "
               "{\"signal\": \"HUP\", \"pidfile\": \"/run/x.pid\"} (read at each reload); "
               "absent: no reload"},
              {"oneOf", json::array({command, to_pid, to_pidfile})}};
}

json ReplaceSchema() {
  json faults = json::array();
  for (const char* f : kFaultNames) faults.push_back(f);
  json props{
      {"path", AbsolutePath("the certificate file (PEM) to replace")},
      {"key_path",
       AbsolutePath("the private key file (PEM): read to sign a self_signed certificate with "
                    "the original key; replaced by a fresh key with new_key")},
      {"fault",
       {{"type", "string"},
        {"enum", faults},
        {"description", "what the replacement certificate is: " + std::string(kFaultSummary)}}},
      {"mode",
       {{"type", "string"},
        {"enum", json::array({"garble", "truncate"})},
        {"description",
         "garbled only: garble (default; the middle of the base64 body overwritten) or truncate "
         "(the file cut in the middle of the base64 body)"}}},
      {"wrong_host_name",
       {{"type", "string"},
        {"minLength", 1},
        {"maxLength", 253},
        {"pattern", "^[A-Za-z0-9*][A-Za-z0-9.*-]*$"},
        {"description",
         "wrong_host only: the DNS name the certificate is made for instead (default "
         "wrong-host.invalid)"}}},
      {"days",
       {{"type", "number"},
        {"exclusiveMinimum", 0},
        {"maximum", kMaxDays},
        {"description",
         "expired: the certificate expired this many days ago (default 1); not_yet_valid: it "
         "becomes valid in this many days (default 1)"}}},
      {"issuer_cert",
       AbsolutePath("the CA certificate (PEM) that signed the original; with issuer_key it signs "
                    "expired, not_yet_valid and wrong_host certificates, so that only the fault "
                    "differs")},
      {"issuer_key", AbsolutePath("the private key (PEM) of issuer_cert")},
      {"new_key",
       {{"type", "boolean"},
        {"description",
         "replace key_path with a fresh key of the same type and size too (default false); the "
         "undo restores the original key"}}},
      {"reload", ReloadSchema()},
  };
  return json{{"type", "object"},
              {"properties", props},
              {"required", json::array({"path", "fault"})},
              {"additionalProperties", false},
              {"dependencies",
               {{"issuer_cert", json::array({"issuer_key"})},
                {"issuer_key", json::array({"issuer_cert"})},
                {"new_key", json::array({"key_path"})}}}};
}

json ProbeSchema() {
  return json{
      {"type", "object"},
      {"properties",
       {{"host",
         {{"type", "string"},
          {"minLength", 1},
          {"maxLength", 253},
          {"description", "a host name or address to connect to"}}},
        {"port",
         {{"type", "integer"},
          {"minimum", 1},
          {"maximum", 65535},
          {"description", "the TCP port of the TLS service"}}},
        {"sni",
         {{"type", "string"},
          {"minLength", 1},
          {"maxLength", 253},
          {"description", "the server name sent and verified (default: host)"}}},
        {"ca_file",
         AbsolutePath("trust only the CA certificates in this PEM file (default: the system's "
                      "trust store)")},
        {"timeout",
         {{"type", "number"},
          {"exclusiveMinimum", 0},
          {"maximum", kMaxProbeTimeoutSeconds},
          {"description", "seconds for connect and handshake together"},
          {"default", 5}}}}},
      {"required", json::array({"host", "port"})},
      {"additionalProperties", false}};
}

json Build() {
  return json{
      {"name", "tls"},
      {"version", "1.0.0"},
      {"description",
       "Certificate faults: replace a service's certificate with an expired, not yet valid, "
       "wrong-host, self-signed, untrusted-CA or garbled one (made with OpenSSL), reload the "
       "service; undone by restoring the original bytes atomically and reloading."},
      {"actions",
       json::array({json{{"name", "replace_certificate"},
                         {"description",
                          "replace the certificate at `path` (and with new_key the key at "
                          "`key_path`) atomically, keeping mode and owner, then reload; a failed "
                          "reload restores the original at once and fails the action; undo: "
                          "restore the original bytes (checked by SHA-256) and reload"},
                         {"arguments", ReplaceSchema()},
                         {"undo_timeout", kUndoTimeoutSeconds}}})},
      {"probes", json::array({json{{"name", "tls_certificate"},
                                   {"description",
                                    "connect and handshake; {verified, verify_error, not_before, "
                                    "not_after, days_left, subject, issuer, san} of the served "
                                    "certificate (hostname checked)"},
                                   {"arguments", ProbeSchema()}}})},
  };
}

}  // namespace descriptor_internal

nlohmann::json BuildDescriptor() { return descriptor_internal::Build(); }

const char* DescriptorJson() {
  static const std::string text = [] {
    try {
      return descriptor_internal::Build().dump();
    } catch (...) {
      return std::string();  // the host then refuses the library: no name, no version
    }
  }();
  return text.c_str();
}

}  // namespace chaosrun::drivers::tls
