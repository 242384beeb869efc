// libFuzzer target: the network driver's parsers of untrusted text: HTTP responses from a proxy
// API, `tc -j qdisc show` output, API URLs, and action arguments. Input: first byte picks the
// parser, the rest is its text. Never a crash or an exception.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "network/http_client.h"
#include "network/proxy_spec.h"
#include "network/qdisc.h"
#include "network/tc_spec.h"
#include "network/url.h"

namespace net = chaosrun::drivers::network;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const std::string text(reinterpret_cast<const char*>(data + 1), size - 1);
  std::string error;
  switch (data[0] % 5) {
    case 0: {
      net::HttpResponse r;
      (void)net::ParseHttpResponse(text, (data[0] & 0x80) != 0, &r);
      break;
    }
    case 1: {
      std::vector<net::Qdisc> q;
      if (net::ParseQdiscs(text, &q, &error)) {
        (void)net::RootOf(q);
        (void)net::RestorePlan(q, &error);
        (void)net::FreeHandle(q);
      }
      break;
    }
    case 2: {
      if (auto u = net::ParseUrl(text, &error)) (void)u->ToString();
      std::string host;
      int port = 0;
      (void)net::SplitHostPort(text, &host, &port);
      break;
    }
    default: {
      auto args = nlohmann::json::parse(text, nullptr, false);
      if (args.is_discarded()) break;
      static const char* const kFuncs[] = {"add_toxic", "disable_proxy", "create_proxy", "delay",
                                           "loss",      "rate",          "reorder"};
      const char* func = kFuncs[(data[0] >> 4) % 7];
      net::ProxyActionSpec p;
      if (net::ParseProxyAction(func, args, &p).empty()) {
        (void)p.toxic.Body();
        (void)p.ProxyBody();
      }
      net::TcSpec t;
      if (net::ParseTcAction(func, args, &t).empty()) (void)t.QdiscArgs(1500);
      break;
    }
  }
  return 0;
}
