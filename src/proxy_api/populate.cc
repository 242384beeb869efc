#include "proxy_api/populate.h"

#include <optional>
#include <vector>

#include "proxy_api/change_log.h"
#include "proxy_api/route_util.h"

namespace chaosrun::proxy_api {

namespace {

struct Entry {
  proxy::ProxySpec spec;
};

std::pair<std::string, std::string> SplitHostPort(std::string_view address) {
  size_t colon = address.rfind(':');
  if (colon == std::string_view::npos) return {std::string(address), ""};
  std::string host(address.substr(0, colon));
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  if (host == "localhost") host = "127.0.0.1";
  return {host, std::string(address.substr(colon + 1))};
}

PopulateResult Fail(int status, std::string message) {
  PopulateResult r;
  r.status = status;
  r.error = std::move(message);
  return r;
}

// Checks every entry before anything is touched; Toxiproxy's messages ("... at proxy 2").
std::optional<std::vector<Entry>> ParseEntries(const Json& input, PopulateResult& failure) {
  if (!input.is_array()) {
    failure = Fail(400, "bad request body: expected a JSON array of proxies");
    return std::nullopt;
  }
  std::vector<Entry> entries;
  for (size_t i = 0; i < input.size(); ++i) {
    const Json& item = input[i];
    std::string where = "proxy " + std::to_string(i + 1) + ": ";
    if (!item.is_object()) {
      failure = Fail(400, "bad request body: " + where + "expected a JSON object");
      return std::nullopt;
    }
    std::string error;
    std::optional<std::string> name, listen, upstream;
    std::optional<bool> enabled;
    if (!GetString(item, "name", name, error, where) ||
        !GetString(item, "listen", listen, error, where) ||
        !GetString(item, "upstream", upstream, error, where) ||
        !GetBool(item, "enabled", enabled, error, where)) {
      failure = Fail(400, error);
      return std::nullopt;
    }
    std::string at = " at proxy " + std::to_string(i + 1);
    if (!name || name->empty()) {
      failure = Fail(400, "missing required field: name" + at);
      return std::nullopt;
    }
    if (!upstream || upstream->empty()) {
      failure = Fail(400, "missing required field: upstream" + at);
      return std::nullopt;
    }
    Entry e;
    e.spec.name = *name;
    e.spec.listen = listen && !listen->empty() ? *listen : kDefaultListen;
    e.spec.upstream = *upstream;
    e.spec.enabled = enabled.value_or(true);
    if (!ReadProxyExtensions(item, e.spec, error, where)) {
      failure = Fail(400, error);
      return std::nullopt;
    }
    entries.push_back(std::move(e));
  }
  return entries;
}

}  // namespace

bool SameListen(std::string_view existing, std::string_view requested) {
  auto [host_a, port_a] = SplitHostPort(existing);
  auto [host_b, port_b] = SplitHostPort(requested);
  return !port_b.empty() && port_b != "0" && port_a == port_b && host_a == host_b;
}

Response PopulateResult::ToResponse() const {
  Json body = Json::object();
  if (!ok()) {
    body["error"] = error;
    body["status"] = status;
  }
  body["proxies"] = proxies;
  return JsonResponse(status, body);
}

PopulateResult Populate(proxy::Engine& engine, std::string_view body) {
  std::string error;
  auto input = ParseBody(body, error);
  if (!input) return Fail(400, error);
  PopulateResult failure;
  auto entries = ParseEntries(*input, failure);
  if (!entries) return failure;

  PopulateResult result;
  for (size_t i = 0; i < entries->size(); ++i) {
    const proxy::ProxySpec& spec = (*entries)[i].spec;
    std::string who = "proxy " + std::to_string(i + 1) + " (" + spec.name + "): ";
    if (auto existing = engine.GetProxy(spec.name)) {
      const Json* listen = Member(*existing, "listen");
      const Json* upstream = Member(*existing, "upstream");
      bool same =
          listen != nullptr && listen->is_string() && upstream != nullptr &&
          upstream->is_string() && SameListen(listen->get<std::string>(), spec.listen) &&
          upstream->get<std::string>() == spec.upstream &&
          existing->value("protocol", std::string("tcp")) == proxy::ProtocolName(spec.protocol);
      if (same) {
        result.proxies.push_back(ShownProxy(*existing));
        continue;
      }
      if (Status st = engine.DeleteProxy(spec.name); !st.ok() && st.code() != Code::kNotFound) {
        Response r = FromStatus(st, kProxyNotFound, kProxyAlreadyExists);
        result.status = r.status;
        result.error = who + st.message();
        return result;
      }
    }
    auto created = engine.CreateProxy(spec);
    if (!created) {
      Response r = FromStatus(created.error(), kProxyNotFound, kProxyAlreadyExists);
      result.status = r.status;
      result.error = who + created.error().message();
      return result;
    }
    *created = ShownProxy(*created);
    LogProxyCreated(*created);
    result.proxies.push_back(*created);
  }
  return result;
}

}  // namespace chaosrun::proxy_api
