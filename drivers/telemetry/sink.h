// The notification sink: a small HTTP receiver (cpp-httplib) on 127.0.0.1 that Alertmanager's
// webhook receiver posts to. Every POST (any path) is parsed as a webhook payload (webhook.h) and
// recorded with its arrival time; GET / answers what was recorded, as JSON.
//
// Sinks are named and live in a process-wide registry (the driver library's), so the action that
// opens one and the probes that read it may run on different driver instances and threads. The
// registry is thread-safe. A sink lives until Close or until the library is unloaded; after a
// crash of the process there is nothing left to close.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "telemetry/webhook.h"

namespace chaosrun::drivers::telemetry {

struct SinkInfo {
  std::string name;
  int port = 0;
  int64_t started_ms = 0;              // Unix ms
  size_t rejected = 0;                 // POSTs that were not a webhook payload
  std::vector<Notification> received;  // in arrival order, at most kMaxNotifications
};

inline constexpr size_t kMaxNotifications = 10000;

// Opens sink `name` on 127.0.0.1:`port` (0: any free port) and waits until it accepts. Fails when
// a sink of that name is open already or the port cannot be bound. Returns "" or the error.
std::string OpenSink(const std::string& name, int port, SinkInfo* info);
// Closes sink `name`; false when none was open (idempotent).
bool CloseSink(const std::string& name);
// A copy of what sink `name` holds; false when none is open.
bool SnapshotSink(const std::string& name, SinkInfo* out);

}  // namespace chaosrun::drivers::telemetry
