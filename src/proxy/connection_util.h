// Internal helpers shared by connection*.cc.
#pragma once

#include <boost/asio/error.hpp>
#include <boost/system/error_code.hpp>
#include <chrono>
#include <cstddef>
#include <utility>  // before Boost (GCC 12 / C++23)

#include "proxy/toxic_math.h"

namespace chaosrun::proxy::internal {

constexpr size_t kChunkOverhead = 64;   // accounted per queued chunk, so tiny reads stay bounded
constexpr int kReadsPerTurn = 16;       // then yield to other connections on the loop
constexpr int kPiecesPerTurn = 64;      // writes per Pump call, then yield (slicer: 1-byte pieces)
constexpr int kPipeBytes = 256 * 1024;  // splice pipe capacity (kernel memory, bulk only)

inline bool WouldBlock(const boost::system::error_code& ec) {
  return ec == boost::asio::error::would_block || ec == boost::asio::error::try_again;
}

inline SteadyTime Now() { return std::chrono::steady_clock::now(); }

}  // namespace chaosrun::proxy::internal
