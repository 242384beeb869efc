// Blocking TCP connect with a deadline and cancellation, on non-blocking sockets and poll.
#pragma once

#include <chrono>
#include <functional>
#include <string>

namespace chaosrun::drivers::network {

using Deadline = std::chrono::steady_clock::time_point;

// Waits for `events` (POLLIN/POLLOUT) on fd until the deadline, polling `cancelled` (may be
// empty) every 100 ms. Returns "" when ready, else why not ("timed out", "cancelled", ...).
std::string WaitFd(int fd, short events, Deadline deadline, const std::function<bool()>& cancelled);

// Resolves host (a name or a literal address) and connects to the first address that accepts.
// On success returns "" and *fd is a connected non-blocking socket (the caller closes it).
std::string TcpConnect(const std::string& host, int port, Deadline deadline,
                       const std::function<bool()>& cancelled, int* fd);

}  // namespace chaosrun::drivers::network
