// Harness of the network driver's integration tests: the BUILT libchaosrun_network.so loaded
// through the host's loader, network namespaces and veth pairs that only these tests create (and
// always delete), child processes (`chaosrun proxy serve`, python3 -m http.server) that only these
// tests start and always stop. Waits poll a state with a cap; nothing asserts an upper bound on
// time.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "common/json.h"
#include "network/url.h"
#include "plugin/driver.h"
#include "process/spawn.h"

namespace chaosrun::network_driver_test {

// <build>/lib/chaosrun/drivers/libchaosrun_network.so, next to <build>/bin/chaosrun.
std::string DriverPath();
// The driver, loaded once per test binary; nullptr and *error on failure.
plugin::Driver* LoadedDriver(std::string* error);

// Polls `done` (1 ms growing to 20 ms pauses) for at most `cap`; never used to measure time.
bool WaitUntil(const std::function<bool()>& done,
               std::chrono::milliseconds cap = std::chrono::seconds(20));

// The whole file at `path` ("" when it cannot be read).
std::string ReadText(const std::string& path);

// Runs argv to completion (30 s cap).
drivers::process::CaptureResult Run(const std::vector<std::string>& argv);
// Runs argv and fails the test when it does not succeed.
std::string MustRun(const std::vector<std::string>& argv);

// The whole CLI output of `tc -j qdisc show dev IF` in `netns`, parsed.
Json Qdiscs(const std::string& netns, const std::string& ifname);
// The root qdisc's JSON object (null if none).
Json RootQdisc(const std::string& netns, const std::string& ifname);

// Whether this kernel accepts a netem qdisc, asked independently of the driver: a throwaway
// `unshare --net` namespace.
bool KernelHasNetem();

// Two fresh network namespaces joined by a veth pair: `a` (10.213.N.1/24 on `if_a`) and `b`
// (10.213.N.2/24 on `if_b`). Both namespaces (and with them the pair) are deleted by the
// destructor, whatever the test did.
class VethPair {
 public:
  VethPair();
  ~VethPair();
  VethPair(const VethPair&) = delete;
  VethPair& operator=(const VethPair&) = delete;

  bool ok() const { return ok_; }
  std::string ns_a, ns_b, if_a, if_b, ip_a, ip_b;

 private:
  bool ok_ = false;
};

// A socket created inside network namespace `netns` (by a short-lived thread that joins it).
int SocketIn(const std::string& netns, int domain, int type);

// A child process with stdout and stderr in files.
struct Child {
  pid_t pid = -1;
  std::string out_path, err_path;
  std::string Output() const;
};
Child StartChild(const std::vector<std::string>& argv, const std::string& dir,
                 const std::string& tag);
// SIGKILL + reap.
void StopChild(Child& c);
// Waits (capped) for the child to exit; its exit code, or 128 + signal, or -1 on timeout.
int WaitChild(Child& c, std::chrono::milliseconds cap = std::chrono::seconds(90));

// `chaosrun proxy serve --api 127.0.0.1:0`, running until destroyed.
class ProxyServer {
 public:
  explicit ProxyServer(const std::string& dir);
  ~ProxyServer();
  bool ok() const { return !api_text.empty(); }
  std::string api_text;  // "http://127.0.0.1:PORT"
  drivers::network::Url api;
  Child child;
  // A call of its API; status 0 when it could not be reached.
  int Call(const std::string& method, const std::string& path, const Json& body, Json* out);
  // POST /proxies {name, listen: 127.0.0.1:0, upstream}; the real "HOST:PORT" it listens on.
  std::string CreateProxy(const std::string& name, const std::string& upstream);
};

// `python3 -m http.server 0 --bind 127.0.0.1` serving `dir`; its port once it says so.
class PythonHttpServer {
 public:
  PythonHttpServer(const std::string& root, const std::string& dir);
  ~PythonHttpServer();
  int port = 0;
  Child child;
};

}  // namespace chaosrun::network_driver_test
