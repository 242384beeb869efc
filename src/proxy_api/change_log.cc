#include "proxy_api/change_log.h"

#include "common/log.h"

namespace chaosrun::proxy_api {

namespace {

// Names and values come from API clients: shown as they are when plain printable ASCII, else
// quoted with JSON escapes, so that a name holding a newline cannot forge a log line.
std::string Plain(const std::string& text) {
  for (unsigned char c : text) {
    if (c < 0x20 || c > 0x7e) return DumpCompact(Json(text));
  }
  return text;
}

std::string ChangeText(const Json& obj, const char* key) {
  if (!obj.is_object()) return {};
  auto it = obj.find(key);
  if (it == obj.end() || it->is_null()) return {};
  return it->is_string() ? Plain(it->get<std::string>()) : DumpCompact(*it);
}

bool ChangeEnabled(const Json& proxy) {
  const Json* e = Member(proxy, "enabled");
  return e == nullptr || !e->is_boolean() || e->get<bool>();
}

// "latency downstream, toxicity 1, latency=100 jitter=0".
std::string ToxicText(const Json& toxic) {
  std::string out = ChangeText(toxic, "type") + " " + ChangeText(toxic, "stream");
  if (std::string t = ChangeText(toxic, "toxicity"); !t.empty() && t != "1" && t != "1.0") {
    out += ", toxicity " + t;
  }
  if (const Json* a = Member(toxic, "attributes"); a != nullptr && a->is_object() && !a->empty()) {
    out += ",";
    for (auto it = a->begin(); it != a->end(); ++it) {
      out += " " + Plain(it.key()) + "=" +
             (it->is_string() ? Plain(it->get<std::string>()) : DumpCompact(*it));
    }
  }
  return out;
}

}  // namespace

void LogProxyCreated(const Json& proxy) {
  log::Info("proxy {}: created, listening on {} -> upstream {}{}", ChangeText(proxy, "name"),
            ChangeText(proxy, "listen"), ChangeText(proxy, "upstream"),
            ChangeEnabled(proxy) ? "" : " (disabled)");
}

void LogProxyUpdated(const Json& before, const Json& after) {
  std::string name = ChangeText(after, "name");
  std::string listen = ChangeText(after, "listen");
  std::string upstream = ChangeText(after, "upstream");
  bool changed = false;
  if (listen != ChangeText(before, "listen")) {
    log::Info("proxy {}: now listening on {}", name, listen);
    changed = true;
  }
  if (upstream != ChangeText(before, "upstream")) {
    log::Info("proxy {}: upstream is now {}", name, upstream);
    changed = true;
  }
  if (ChangeEnabled(after) != ChangeEnabled(before)) {
    log::Info("proxy {}: {}", name,
              ChangeEnabled(after) ? "enabled (listening on " + listen + ")"
                                   : std::string("disabled (connections closed)"));
    changed = true;
  }
  if (!changed) log::Info("proxy {}: updated, nothing changed", name);
}

void LogProxyDeleted(const std::string& name) { log::Info("proxy {}: deleted", Plain(name)); }

void LogProxiesReset() { log::Info("proxies reset: every proxy enabled, every toxic removed"); }

void LogToxicAdded(const std::string& proxy, const Json& toxic) {
  log::Info("proxy {}: toxic {} added ({})", Plain(proxy), ChangeText(toxic, "name"),
            ToxicText(toxic));
}

void LogToxicUpdated(const std::string& proxy, const Json& toxic) {
  log::Info("proxy {}: toxic {} updated ({})", Plain(proxy), ChangeText(toxic, "name"),
            ToxicText(toxic));
}

void LogToxicRemoved(const std::string& proxy, const std::string& toxic) {
  log::Info("proxy {}: toxic {} removed", Plain(proxy), Plain(toxic));
}

}  // namespace chaosrun::proxy_api
