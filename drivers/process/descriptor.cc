#include "process/descriptor.h"

#include <csignal>
#include <string>

#include "process/selector.h"
#include "process/signals.h"

namespace chaosrun::drivers::process {

// Named, not anonymous: the library is compiled in unity batches whose other files say
// `using nlohmann::json` in their anonymous namespace.
namespace descriptor_internal {

// Ordered, so that arguments are listed (in `chaosrun drivers` and in errors) as declared here.
using json = nlohmann::ordered_json;

json SelectorProperties() {
  return json{
      {"pids",
       {{"type", "array"},
        {"description", "these process ids"},
        {"items", {{"type", "integer"}, {"minimum", 1}}},
        {"minItems", 1},
        {"maxItems", kMaxPids}}},
      {"pidfile",
       {{"type", "string"}, {"minLength", 1}, {"description", "the pid written in this file"}}},
      {"name",
       {{"type", "string"},
        {"minLength", 1},
        {"maxLength", kMaxNameBytes},
        {"description", "processes whose /proc/PID/comm is exactly this (at most 15 bytes)"}}},
      {"cmdline",
       {{"type", "string"},
        {"minLength", 1},
        {"maxLength", kMaxPatternBytes},
        {"description",
         "an ECMAScript regular expression searched in the command line (arguments joined by "
         "spaces, first 1024 bytes); no back-references"}}},
      {"unit",
       {{"type", "string"},
        {"minLength", 1},
        {"maxLength", 256},
        {"pattern", "^[A-Za-z0-9:_.@\\\\][A-Za-z0-9:_.@\\\\-]*$"},
        {"description", "the MainPID of this systemd unit"}}},
  };
}

json ExactlyOneSelector() {
  json one = json::array();
  for (const char* k : kSelectorKeys) one.push_back(json{{"required", json::array({k})}});
  return json{{"oneOf", one}};
}

json ChoiceProperties(json props) {
  props["count"] = {{"type", "integer"},
                    {"minimum", 1},
                    {"description", "act on this many of the matches, chosen at random"}};
  props["percent"] = {{"type", "number"},
                      {"exclusiveMinimum", 0},
                      {"maximum", 100},
                      {"description", "act on this share of the matches (rounded up, at least 1)"}};
  props["seed"] = {{"type", "integer"},
                   {"minimum", 0},
                   {"description", "seed of the random choice, to replay a run"}};
  return props;
}

json ActionSchema(bool kill) {
  json props = ChoiceProperties(SelectorProperties());
  json all_of = json::array(
      {ExactlyOneSelector(), json{{"not", {{"required", json::array({"count", "percent"})}}}}});
  if (kill) {
    json names = json::array();
    for (const auto& n : SignalNames()) {
      if (n == "SIGSTOP" || n == "SIGCONT" || n == "SIGTSTP" || n == "SIGTTIN" || n == "SIGTTOU") {
        continue;
      }
      names.push_back(n);
      names.push_back(n.substr(3));
    }
    props["signal"] = {
        {"description", "the signal to send: a name or a number"},
        {"default", "SIGKILL"},
        {"anyOf", json::array({json{{"type", "integer"}, {"minimum", 1}, {"maximum", 64}},
                               json{{"type", "string"}, {"enum", names}}})}};
    json argv{{"type", "array"}, {"minItems", 1}, {"items", {{"type", "string"}}}};
    props["restart"] = {
        {"anyOf",
         json::array({argv, json{{"type", "object"},
                                 {"properties",
                                  {{"argv", argv},
                                   {"user", {{"type", json::array({"string", "integer"})}}}}},
                                 {"required", json::array({"argv"})},
                                 {"additionalProperties", false}}})},
        {"description",
         "argv that starts a new instance (the undo), run as the killed process's uid, gid, "
         "groups, cwd and environment; or {\"argv\": [...], \"user\": NAME} to run it as that "
         "user"}};
    // A kill without an undo is refused: restart, or a unit (undone by systemctl start).
    all_of.push_back(json{{"anyOf", json::array({json{{"required", json::array({"restart"})}},
                                                 json{{"required", json::array({"unit"})}}})}});
  }
  return json{{"type", "object"},
              {"properties", props},
              {"additionalProperties", false},
              {"allOf", all_of}};
}

json Build() {
  json running{
      {"type", "object"}, {"properties", SelectorProperties()}, {"additionalProperties", false}};
  running.update(ExactlyOneSelector());
  json alive{
      {"type", "object"},
      {"properties",
       {{"pid", {{"type", "integer"}, {"minimum", 1}, {"description", "the process id"}}},
        {"pidfile",
         {{"type", "string"}, {"minLength", 1}, {"description", "the pid written in this file"}}}}},
      {"additionalProperties", false},
      {"oneOf", json::array({json{{"required", json::array({"pid"})}},
                             json{{"required", json::array({"pidfile"})}}})}};
  return json{
      {"name", "process"},
      {"version", "1.0.0"},
      {"description",
       "Killed instances: kill or freeze (SIGSTOP) processes chosen by pid, pidfile, name, "
       "command line or systemd unit; undone by a restart command, systemctl start or SIGCONT."},
      {"actions",
       json::array(
           {json{{"name", "kill"},
                 {"description",
                  "send a signal (default SIGKILL) to the chosen processes; undo: run `restart` "
                  "(or `systemctl start UNIT`) for each instance still missing"},
                 {"arguments", ActionSchema(true)}},
            json{{"name", "stop"},
                 {"description",
                  "freeze the chosen processes with SIGSTOP; undo: SIGCONT to exactly those "
                  "processes (a recycled pid is never signalled)"},
                 {"arguments", ActionSchema(false)}}})},
      {"probes",
       json::array({json{{"name", "running"},
                         {"description",
                          "{\"count\", \"pids\", \"stopped\"} of the live (non-zombie) matches"},
                         {"arguments", running}},
                    json{{"name", "alive"},
                         {"description", "true if the process is alive (a zombie is not)"},
                         {"arguments", alive}}})},
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

}  // namespace chaosrun::drivers::process
