#include "telemetry/http_json.h"

#include "network/http_client.h"

namespace chaosrun::drivers::telemetry {

JsonReply GetJson(const network::Url& url, const std::string& path_and_query, const Env& env) {
  network::HttpOptions opts;
  opts.timeout = env.http_timeout;
  opts.cancelled = env.cancelled;
  network::HttpResponse r = network::HttpRequest(url, "GET", path_and_query, "", opts);
  JsonReply out;
  if (!r.ok) {
    out.cancelled = env.Cancelled();
    out.error = url.ToString() + ": " + (r.error.empty() ? "no answer" : r.error);
    return out;
  }
  out.reached = true;
  out.status = r.status;
  out.body = nlohmann::json::parse(r.body, nullptr, /*allow_exceptions=*/false);
  if (out.body.is_discarded()) out.body = nullptr;
  if (r.status < 200 || r.status > 299) {
    std::string text = r.body.substr(0, 300);
    out.error = "HTTP " + std::to_string(r.status) + (text.empty() ? "" : ": " + text);
  } else if (out.body.is_null()) {
    out.error = "the answer is not JSON";
  }
  return out;
}

std::string EncodeQueryValue(const std::string& s) {
  static const char* kHex = "0123456789ABCDEF";
  std::string out;
  out.reserve(s.size() * 3);
  for (unsigned char c : s) {
    bool keep = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                c == '-' || c == '_' || c == '.' || c == '~';
    if (keep) {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

}  // namespace chaosrun::drivers::telemetry
