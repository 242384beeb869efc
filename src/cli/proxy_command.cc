#include "cli/proxy_command.h"

#include <arpa/inet.h>
#include <signal.h>

#include <cstdio>
#include <fstream>
#include <iostream>
#include <sstream>

#include "cli/cli.h"
#include "common/log.h"
#include "proxy/engine.h"
#include "proxy_api/api_server.h"
#include "proxy_api/populate.h"
#include "proxy_api/route_util.h"

namespace chaosrun::cli {

namespace {

// SIGINT and SIGTERM, blocked in every thread and taken by sigwait() in the main one. A SIGINT
// ignored when chaosrun started (a background job) stays ignored, as for `run`.
sigset_t StopSignals() {
  sigset_t set;
  sigemptyset(&set);
  struct sigaction sa {};
  if (::sigaction(SIGINT, nullptr, &sa) != 0 || sa.sa_handler != SIG_IGN) sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  return set;
}

Result<std::string> ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Err(Status::IoError("cannot read " + path));
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) return Err(Status::IoError("cannot read " + path));
  return text.str();
}

int LoadConfig(proxy::Engine& engine, const std::string& path) {
  auto text = ReadFile(path);
  if (!text) {
    std::cerr << "Error: --config: " << text.error().message() << "\n";
    return kExitFailed;
  }
  proxy_api::PopulateResult result = proxy_api::Populate(engine, *text);
  if (!result.ok()) {
    // The API's wording is about a request body; a file is not one.
    std::string message = result.error;
    if (message.rfind("bad request body: ", 0) == 0) message = "invalid: " + message.substr(18);
    std::cerr << "Error: --config " << path << ": " << message << "\n";
    return kExitFailed;
  }
  log::Info("proxy: {} prox{} from {}", result.proxies.size(),
            result.proxies.size() == 1 ? "y" : "ies", path);
  return kExitOk;
}

}  // namespace

Result<ApiAddress> ParseApiAddress(const std::string& text) {
  auto bad = [&] {
    return Err(
        Status::InvalidArgument("--api must be HOST:PORT (PORT 0-65535), not '" + text + "'"));
  };
  size_t colon = text.rfind(':');
  if (colon == std::string::npos || colon == 0) return bad();
  ApiAddress a;
  a.host = text.substr(0, colon);
  if (a.host.front() == '[') {
    if (a.host.size() < 3 || a.host.back() != ']') return bad();
    a.host = a.host.substr(1, a.host.size() - 2);
  } else if (a.host.find(':') != std::string::npos) {
    return bad();  // an IPv6 literal needs brackets
  }
  std::string port = text.substr(colon + 1);
  if (port.empty() || port.size() > 5 ||
      port.find_first_not_of("0123456789") != std::string::npos) {
    return bad();
  }
  unsigned long n = std::stoul(port);
  if (n > 65535) return bad();
  a.port = static_cast<uint16_t>(n);
  return a;
}

int ProxyCommand(const Args& args) {
  auto address = ParseApiAddress(args.proxy_api);
  if (!address) {
    std::cerr << "Error: " << address.error().message() << "\n";
    return kExitUsage;
  }
  if (!proxy_api::IsLoopbackHost(address->host) && !args.allow_remote) {
    std::cerr << "Error: refusing to serve the proxy API on " << args.proxy_api
              << ": it is not a loopback address and the API has no authentication (anyone "
                 "who reaches it controls every proxy). Pass --allow-remote to do it anyway.\n";
    return kExitUsage;
  }

  // Before any thread starts, so that every thread inherits the mask.
  sigset_t stop_signals = StopSignals();
  ::pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

  proxy::Engine::Options engine_options;
  engine_options.threads = args.proxy_threads;
  engine_options.seed = args.proxy_seed;
  if (args.proxy_max_buffer != 0) engine_options.max_buffer_bytes = args.proxy_max_buffer;
  engine_options.busy_poll = std::chrono::microseconds(args.proxy_busy_poll_us);
  engine_options.busy_poll_when_cpu_spare = args.proxy_busy_poll_auto;
  proxy::Engine engine(engine_options);
  if (!args.proxy_config.empty()) {
    if (int rc = LoadConfig(engine, args.proxy_config); rc != kExitOk) return rc;
  }

  proxy_api::ApiServer::Options server_options;
  server_options.host = address->host;
  server_options.port = address->port;
  server_options.allow_remote = args.allow_remote;
  proxy_api::ApiServer server(engine, server_options);
  auto endpoint = server.Start();
  if (!endpoint) {
    std::cerr << "Error: " << endpoint.error().message() << "\n";
    return endpoint.error().code() == Code::kInvalidArgument ? kExitUsage : kExitFailed;
  }
  std::cout << "chaosrun proxy: API listening on " << endpoint->Url() << std::endl;
  // The log says it too (stderr, --log-file). Each proxy from --config was logged as created
  // with its address; every later proxy or toxic change gets a line (proxy_api/change_log.h).
  log::Info("proxy API listening on {}", endpoint->Url());

  int signal_number = 0;
  while (::sigwait(&stop_signals, &signal_number) != 0) {
  }
  log::Info("proxy: {} received, stopping", signal_number == SIGINT ? "SIGINT" : "SIGTERM");
  server.Stop();
  return kExitOk;  // the engine closes every proxy and connection as it goes out of scope
}

}  // namespace chaosrun::cli
