#include "proxy_api/change_log.h"

#include "common/log.h"

namespace chaosrun::proxy_api {

namespace {

std::string ChangeText(const Json& obj, const char* key) {
  if (!obj.is_object()) return {};
  auto it = obj.find(key);
  if (it == obj.end() || it->is_null()) return {};
  return it->is_string() ? it->get<std::string>() : DumpCompact(*it);
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
      out += " " + it.key() + "=" + (it->is_string() ? it->get<std::string>() : DumpCompact(*it));
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

void LogProxyDeleted(const std::string& name) { log::Info("proxy {}: deleted", name); }

void LogProxiesReset() { log::Info("proxies reset: every proxy enabled, every toxic removed"); }

void LogToxicAdded(const std::string& proxy, const Json& toxic) {
  log::Info("proxy {}: toxic {} added ({})", proxy, ChangeText(toxic, "name"), ToxicText(toxic));
}

void LogToxicUpdated(const std::string& proxy, const Json& toxic) {
  log::Info("proxy {}: toxic {} updated ({})", proxy, ChangeText(toxic, "name"), ToxicText(toxic));
}

void LogToxicRemoved(const std::string& proxy, const std::string& toxic) {
  log::Info("proxy {}: toxic {} removed", proxy, toxic);
}

}  // namespace chaosrun::proxy_api
