#include "notify/channels.h"

#include <algorithm>
#include <array>

namespace chaosrun::notify {

namespace {

constexpr std::array<std::string_view, 7> kSentEvents = {
    "run-started",      "run-completed",      "run-failed",     "run-deviated",
    "validate-started", "validate-completed", "validate-failed"};
constexpr std::array<std::string_view, 6> kOtherReferenceEvents = {
    "discovery-started", "discovery-completed", "discovery-failed",
    "init-started",      "init-completed",      "init-failed"};

Status Wrong(const std::string& pointer, const std::string& why) {
  return Status::InvalidArgument(pointer + ": " + why);
}

// A header value as requests sends it: strings as they are, numbers and booleans stringified;
// null means "not sent". CR/LF would split the request: refused.
Status ReadHeaders(const Json& headers, const std::string& pointer, Channel& out) {
  if (headers.is_null()) return Status::Ok();
  if (!headers.is_object()) return Wrong(pointer, "must be a mapping of header names to values");
  for (const auto& [name, value] : headers.items()) {
    std::string at = PointerAppend(pointer, name);
    if (name.empty() || name.find_first_of(":\r\n") != std::string::npos) {
      return Wrong(at, "not a valid header name");
    }
    if (value.is_null()) continue;
    if (value.is_object() || value.is_array()) return Wrong(at, "must be a string");
    std::string text = value.is_string() ? value.get<std::string>() : PythonStr(value);
    if (text.find_first_of("\r\n") != std::string::npos) {
      return Wrong(at, "must not contain a line break");
    }
    out.headers.push_back(name + ": " + text);
  }
  return Status::Ok();
}

Status ReadBool(const Json& channel, const char* key, const std::string& pointer, bool& out) {
  const Json* v = Member(channel, key);
  if (v == nullptr || v->is_null()) return Status::Ok();
  if (!v->is_boolean()) return Wrong(PointerAppend(pointer, key), "must be true or false");
  out = v->get<bool>();
  return Status::Ok();
}

Status ReadEvents(const Json& channel, const std::string& pointer, Channel& out,
                  std::vector<std::string>& warnings) {
  const Json* v = Member(channel, "events");
  if (v == nullptr || v->is_null()) return Status::Ok();
  std::string at = PointerAppend(pointer, "events");
  if (!v->is_array()) return Wrong(at, "must be a list of event names");
  for (size_t i = 0; i < v->size(); ++i) {
    const Json& e = (*v)[i];
    if (!e.is_string()) return Wrong(PointerAppend(at, i), "must be an event name");
    std::string name = e.get<std::string>();
    bool other = std::find(kOtherReferenceEvents.begin(), kOtherReferenceEvents.end(), name) !=
                 kOtherReferenceEvents.end();
    if (!IsKnownEvent(name) && !other) {
      warnings.push_back(PointerAppend(at, i) + ": unknown event '" + name + "'; it never fires");
    }
    out.events.push_back(std::move(name));
  }
  return Status::Ok();
}

Result<Channel> ReadHttpChannel(const Json& channel, const std::string& pointer,
                                std::vector<std::string>& warnings) {
  Channel out;
  out.pointer = pointer;
  const Json* url = Member(channel, "url");
  if (url == nullptr || !url->is_string() || url->get<std::string>().empty()) {
    return Err(Wrong(PointerAppend(pointer, "url"), "an http channel needs a url (a string)"));
  }
  out.url = url->get<std::string>();
  if (out.url.rfind("http://", 0) != 0 && out.url.rfind("https://", 0) != 0) {
    return Err(Wrong(PointerAppend(pointer, "url"), "must start with http:// or https://"));
  }
  const Json* headers = Member(channel, "headers");
  if (headers != nullptr) {
    if (Status st = ReadHeaders(*headers, PointerAppend(pointer, "headers"), out); !st.ok()) {
      return Err(st);
    }
  }
  if (Status st = ReadBool(channel, "verify_tls", pointer, out.verify_tls); !st.ok()) {
    return Err(st);
  }
  if (Status st = ReadBool(channel, "forward_event_payload", pointer, out.forward_event_payload);
      !st.ok()) {
    return Err(st);
  }
  if (Status st = ReadEvents(channel, pointer, out, warnings); !st.ok()) return Err(st);
  for (const auto& [key, value] : channel.items()) {
    static constexpr std::array<std::string_view, 6> kKeys = {
        "type", "url", "headers", "verify_tls", "forward_event_payload", "events"};
    if (std::find(kKeys.begin(), kKeys.end(), key) == kKeys.end()) {
      warnings.push_back(PointerAppend(pointer, key) + ": not a key of an http channel; ignored");
    }
  }
  return out;
}

}  // namespace

bool IsKnownEvent(std::string_view event) {
  return std::find(kSentEvents.begin(), kSentEvents.end(), event) != kSentEvents.end();
}

bool Channel::Wants(std::string_view event) const {
  return events.empty() || std::find(events.begin(), events.end(), event) != events.end();
}

Result<Channels> ParseChannels(const Json& notifications, const std::string& pointer) {
  Channels out;
  if (notifications.is_null()) return out;
  if (!notifications.is_array()) return Err(Wrong(pointer, "must be a list of channels"));
  for (size_t i = 0; i < notifications.size(); ++i) {
    const Json& channel = notifications[i];
    std::string at = PointerAppend(pointer, i);
    if (!channel.is_object()) return Err(Wrong(at, "a channel must be a mapping"));
    const Json* type = Member(channel, "type");
    std::string t = type != nullptr && type->is_string() ? type->get<std::string>() : "";
    if (t == "http") {
      auto c = ReadHttpChannel(channel, at, out.warnings);
      if (!c) return Err(c.error());
      out.http.push_back(std::move(*c));
    } else if (t == "plugin") {
      const Json* module = Member(channel, "module");
      std::string m = module != nullptr && module->is_string() ? module->get<std::string>() : "?";
      out.warnings.push_back(at + ": plugin notification channels (python module '" + m +
                             "') are not supported by chaosrun; this channel is ignored");
    } else {
      return Err(Wrong(PointerAppend(at, "type"), "must be 'http' or 'plugin'"));
    }
  }
  return out;
}

Json EventDocument(std::string_view event, const Json& payload, const std::string& error,
                   double ts) {
  std::string phase = "unknown";
  if (event.rfind("run-", 0) == 0) phase = "run";
  if (event.rfind("validate-", 0) == 0) phase = "validate";
  Json doc = {{"name", std::string(event)}, {"payload", payload}, {"phase", phase}, {"ts", ts}};
  if (!error.empty()) doc["error"] = error;
  return doc;
}

}  // namespace chaosrun::notify
