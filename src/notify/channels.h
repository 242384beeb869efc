// Notification channels of the Chaos Toolkit settings file (`notifications:`, ctk-spec §8.12,
// docs/settings.md): what one channel is, how the list is read, and the event a channel is sent.
// Plain data and pure functions; no I/O.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "common/json.h"
#include "common/status.h"

namespace chaosrun::notify {

// The events chaosrun sends: run-started, run-completed, run-failed, run-deviated,
// validate-started, validate-completed, validate-failed. (The reference also has discovery-*
// and init-*, for commands chaosrun does not have: a channel may list them, they never fire.)
bool IsKnownEvent(std::string_view event);

// One `type: http` channel.
struct Channel {
  std::string pointer;               // where it is in the settings file: "/notifications/0"
  std::string url;                   // http:// or https://
  std::vector<std::string> headers;  // "Name: value" lines, as the channel's `headers`
  bool verify_tls = true;
  bool forward_event_payload = true;  // false: a GET without the event
  std::vector<std::string> events;    // empty: every event
  bool Wants(std::string_view event) const;
};

struct Channels {
  std::vector<Channel> http;
  // One line per key or channel chaosrun does not act on, each naming its pointer.
  std::vector<std::string> warnings;
};

// Reads the settings' `notifications` value (`pointer` is where it is, "/notifications"). Null
// is no channel. An error names the pointer of the wrong field and why. Plugin channels
// (`type: plugin`, python functions) are not run: a warning names each.
Result<Channels> ParseChannels(const Json& notifications,
                               const std::string& pointer = "/notifications");

// The reference's event document: {"name", "payload", "phase", "ts"[, "error"]}. `phase` is
// "run" for run-*, "validate" for validate-*; `ts` is seconds since the epoch (UTC), a float.
Json EventDocument(std::string_view event, const Json& payload, const std::string& error,
                   double ts);

}  // namespace chaosrun::notify
