// Prometheus text exposition of every proxy's counters.
#include <string>
#include <vector>

#include "proxy/engine_impl.h"

namespace chaosrun::proxy {
namespace {

std::string Label(const std::string& value) {
  std::string out;
  for (char c : value) {
    if (c == '\\' || c == '"') {
      out += '\\';
      out += c;
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out;
}

struct Row {
  std::string name;
  ProxyStats stats;
  bool enabled = false;
};

}  // namespace

std::string Engine::PrometheusText() const {
  std::vector<Row> rows;
  std::vector<std::string> names;
  {
    std::lock_guard lock(impl_->mu);
    for (const auto& [name, p] : impl_->proxies) names.push_back(name);
  }
  for (const std::string& name : names) {
    auto s = Stats(name);
    auto j = GetProxy(name);
    if (s && j) rows.push_back(Row{name, *s, (*j)["enabled"].get<bool>()});
  }
  std::string out;
  auto metric = [&](const char* name, const char* type, const char* help, auto value) {
    out += std::string("# HELP ") + name + " " + help + "\n";
    out += std::string("# TYPE ") + name + " " + type + "\n";
    for (const Row& r : rows) value(name, r);
  };
  auto line = [&out](const char* name, const std::string& labels, uint64_t v) {
    out += std::string(name) + "{" + labels + "} " + std::to_string(v) + "\n";
  };
  auto proxy = [](const Row& r) { return "proxy=\"" + Label(r.name) + "\""; };
  metric("chaosrun_proxy_connections_total", "counter", "Connections accepted by the proxy.",
         [&](const char* n, const Row& r) { line(n, proxy(r), r.stats.connections_total); });
  metric("chaosrun_proxy_connections_active", "gauge", "Connections currently open.",
         [&](const char* n, const Row& r) { line(n, proxy(r), r.stats.connections_active); });
  metric("chaosrun_proxy_connections_refused_total", "counter",
         "Connections closed because the upstream could not be reached.",
         [&](const char* n, const Row& r) { line(n, proxy(r), r.stats.connections_refused); });
  metric("chaosrun_proxy_bytes_total", "counter",
         "Bytes relayed; direction upstream is client to server, downstream server to client.",
         [&](const char* n, const Row& r) {
           line(n, proxy(r) + ",direction=\"upstream\"", r.stats.bytes_upstream);
           line(n, proxy(r) + ",direction=\"downstream\"", r.stats.bytes_downstream);
         });
  metric("chaosrun_proxy_json_messages_total", "counter",
         "HTTP messages with a JSON body seen by json_rewrite toxics, by outcome: rewritten, "
         "unchanged (unparseable or nothing to change), oversize (over max_body_bytes, streamed "
         "unchanged).",
         [&](const char* n, const Row& r) {
           line(n, proxy(r) + ",outcome=\"rewritten\"", r.stats.json_rewritten);
           line(n, proxy(r) + ",outcome=\"unchanged\"", r.stats.json_unchanged);
           line(n, proxy(r) + ",outcome=\"oversize\"", r.stats.json_oversize);
         });
  metric("chaosrun_proxy_toxics_active", "gauge", "Toxics configured on the proxy.",
         [&](const char* n, const Row& r) { line(n, proxy(r), r.stats.toxics_active); });
  metric("chaosrun_proxy_enabled", "gauge", "1 when the proxy accepts connections.",
         [&](const char* n, const Row& r) { line(n, proxy(r), r.enabled ? 1 : 0); });
  return out;
}

}  // namespace chaosrun::proxy
