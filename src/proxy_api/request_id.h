// The X-Toxiproxy-Request-Id of every API response. Toxiproxy 2.12 sets it with zerolog's
// hlog.RequestIDHandler: a fresh github.com/rs/xid per request (the request's own header is not
// echoed). An xid is 12 bytes, big-endian: 4 of Unix time in seconds, 3 of a machine id, 2 of
// the process id and 3 of a counter that starts at a random value; written as 20 characters of
// lower-case base32hex ([0-9a-v]) without padding, e.g. "9m4e2mr0ui3e8a215n4g". chaosrun's ids
// have the same layout and text, so clients that parse or log them see no difference.
//
// Thread-safety: NextRequestId() may be called from any thread.
#pragma once

#include <array>
#include <cstdint>
#include <string>

namespace chaosrun::proxy_api {

// The text of the xid made of these parts (pure; tested against known values).
std::string FormatXid(uint32_t unix_seconds, const std::array<uint8_t, 3>& machine, uint16_t pid,
                      uint32_t counter);

// A new id: the current time, this host's machine id (a hash of /etc/machine-id, else of the
// host name), this process's id and the next value of a process-wide counter.
std::string NextRequestId();

}  // namespace chaosrun::proxy_api
