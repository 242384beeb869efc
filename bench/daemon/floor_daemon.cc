// The idle floor of a scheduling daemon built from the same Debian libraries as chaosrund, doing
// only what an idle chaosrund must have done: read a YAML configuration, load a time zone, log
// one line through spdlog, bind a cpp-httplib server on loopback, tell systemd READY=1 (a no-op
// without $NOTIFY_SOCKET, as for chaosrund), and wait in a scheduler thread on a condition
// variable. bench/daemon/run.sh measures its RSS beside floor_server.cc and chaosrund.
//
//   floor_daemon CONFIG.yaml     prints the bound port, then serves until killed
#include <cctz/time_zone.h>
#include <httplib.h>
#include <spdlog/spdlog.h>
#include <systemd/sd-daemon.h>
#include <yaml-cpp/yaml.h>

#include <condition_variable>
#include <cstdio>
#include <mutex>
#include <thread>
#include <utility>

int main(int argc, char** argv) {
  if (argc != 2) return 2;
  YAML::Node config = YAML::LoadFile(argv[1]);
  cctz::time_zone zone;
  if (!cctz::load_time_zone("Europe/Berlin", &zone)) return 1;
  spdlog::info("floor daemon: {} top-level keys", config.size());
  httplib::Server svr;
  svr.set_keep_alive_max_count(1);
  svr.Get("/healthz", [](const httplib::Request&, httplib::Response& res) {
    res.set_content("{\"status\": \"ok\"}", "application/json");
  });
  const int port = svr.bind_to_any_port("127.0.0.1");
  if (port < 0) return 1;
  std::mutex mu;
  std::condition_variable cv;
  std::thread scheduler([&] {
    std::unique_lock lock(mu);
    cv.wait(lock, [] { return false; });
  });
  scheduler.detach();
  sd_notify(0, "READY=1");
  std::printf("%d\n", port);
  std::fflush(stdout);
  return svr.listen_after_bind() ? 0 : 1;
}
