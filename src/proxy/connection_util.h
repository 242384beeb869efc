// Internal helpers shared by connection*.cc.
#pragma once

#include <cerrno>
#include <chrono>
#include <cstddef>

#include "proxy/toxic_math.h"

namespace chaosrun::proxy::internal {

constexpr size_t kChunkOverhead = 64;   // accounted per queued chunk, so tiny reads stay bounded
constexpr int kReadsPerTurn = 16;       // then yield to other connections on the loop
constexpr int kPiecesPerTurn = 64;      // writes per Pump call, then yield (slicer: 1-byte pieces)
constexpr int kPipeBytes = 256 * 1024;  // splice pipe capacity (kernel memory, bulk only)

inline bool WouldBlock(int error) { return error == EAGAIN || error == EWOULDBLOCK; }

inline SteadyTime Now() { return std::chrono::steady_clock::now(); }

}  // namespace chaosrun::proxy::internal
