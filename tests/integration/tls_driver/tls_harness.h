// Helpers of the tls driver's integration tests: a real nginx on 127.0.0.1 with a TLS listener
// and a PKI made in the test (nginx -p DIR, pidfile, error log, all in a temp dir), started
// processes with captured output, and polling with a cap (never sleep-and-hope).
#pragma once

#include <sys/types.h>

#include <chrono>
#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "unit/tls_driver/test_pki.h"

namespace chaosrun::drivers::tls::itest {

inline constexpr const char* kNginx = "/usr/sbin/nginx";

// Polls `done` with short growing pauses for at most `cap`.
bool PollUntil(const std::function<bool()>& done,
               std::chrono::milliseconds cap = std::chrono::seconds(20));

std::string ReadAll(const std::string& path);
int UnusedPort();

// Starts argv as our child, stdin /dev/null, stdout/stderr appended to `log` (or /dev/null).
pid_t StartChild(const std::vector<std::string>& argv, const std::string& log = "");
// Waits (at most `cap`) for our child to exit: its exit status, 128 + signal, or -1 (then it
// was SIGKILLed).
int WaitChild(pid_t pid, std::chrono::milliseconds cap = std::chrono::seconds(60));

// An nginx serving `dir`/cert.pem and key.pem on 127.0.0.1:port, master pid in dir/nginx.pid.
class Nginx {
 public:
  // Writes the config and starts nginx (daemon off); false (and `error`) if it did not come up.
  bool Start(const std::string& dir, std::string* error);
  ~Nginx();
  int port() const { return port_; }
  pid_t pid() const { return pid_; }
  std::string pidfile() const { return dir_ + "/nginx.pid"; }
  std::string Log() const { return ReadAll(dir_ + "/error.log"); }

 private:
  std::string dir_;
  int port_ = 0;
  pid_t pid_ = -1;
};

// The test PKI written into `dir`: ca.pem, ca.key, cert.pem and key.pem (CN lab.example, SANs
// lab.example and 127.0.0.1).
struct LabPki {
  test::Issued ca, leaf;
  std::string ca_pem, ca_key, cert, key;
};
LabPki WriteLabPki(const std::string& dir);

// An experiment whose method applies replace_certificate (fault expired, new_key, signed by the
// lab CA, reloaded by `sh -c "echo reload >> RELOADS"`) to the lab PKI, allowed by a blast
// radius of file:<dir of the certificate>/*; with `gate_dir`, a second step marks GATE_DIR/at
// and blocks reading the fifo GATE_DIR/go (timeout 60).
nlohmann::json ExpireExperiment(const LabPki& pki, const std::string& reloads,
                                const std::string& gate_dir);
// The same with replace_certificate's arguments other than `path` and `reload` given by
// `fault_args` (e.g. {"fault": "garbled", "mode": "truncate"}).
nlohmann::json FaultExperiment(const LabPki& pki, const std::string& reloads,
                               const std::string& gate_dir, const nlohmann::json& fault_args);

}  // namespace chaosrun::drivers::tls::itest
