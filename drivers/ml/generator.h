// The load generator process of overload_telemetry (generator.cc). Thread-safe: no shared state.
#pragma once

#include <sys/socket.h>
#include <sys/types.h>
#include <sys/un.h>

#include <cstdint>
#include <string>

namespace chaosrun_ml {

// Everything the generator needs, built before the fork (the child allocates nothing).
struct GeneratorSpec {
  const char* request = nullptr;
  size_t request_len = 0;
  sockaddr_storage target{};
  socklen_t target_len = 0;
  sockaddr_un self{};
  socklen_t self_len = 0;
  int64_t interval_ns = 0;  // between two requests
  int64_t duration_ns = 0;  // then it exits
};

// The abstract socket name of the generator of `token`, and its address.
std::string SocketName(const std::string& token);
void AbstractAddress(const std::string& name, sockaddr_un* a, socklen_t* len);

// Double-forks the generator: its pid, or -1 and *error. The intermediate child is reaped here.
pid_t StartGenerator(const GeneratorSpec& g, std::string* error);

// Connects to the generator's socket: the listener's pid, 0 when nobody listens (it is gone),
// -1 and *error otherwise (e.g. the socket belongs to another uid).
pid_t FindGenerator(const std::string& token, std::string* error);

}  // namespace chaosrun_ml
