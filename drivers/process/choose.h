// Seeded, replayable choice of targets. The same seed and the same candidate list (sorted by
// pid) always give the same choice, on every platform and standard library: the only random
// source is std::mt19937_64 (whose output sequence the standard fixes) and the reduction to a
// range is our own (std::uniform_int_distribution and std::shuffle are implementation-defined).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <random>
#include <vector>

namespace chaosrun::drivers::process {

// How many of `matched` candidates to take: all without count/percent; min(count, matched);
// ceil(matched * percent / 100) but at least 1 and at most matched. 0 when nothing matched.
size_t HowMany(size_t matched, std::optional<int64_t> count, std::optional<double> percent);

// A uniform value in [0, bound) (bound > 0) by rejection sampling: unbiased and deterministic.
uint64_t UniformBelow(uint64_t bound, std::mt19937_64& rng);

// Chooses `k` distinct indices of [0, n) with a partial Fisher-Yates shuffle driven by
// mt19937_64(seed), returned ascending. k >= n returns every index.
std::vector<size_t> ChooseIndices(size_t n, size_t k, uint64_t seed);

// A fresh seed below 2^53 (exactly representable in every JSON implementation).
uint64_t NewSeed();

}  // namespace chaosrun::drivers::process
