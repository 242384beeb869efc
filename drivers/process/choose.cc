#include "process/choose.h"

#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <numeric>

namespace chaosrun::drivers::process {

size_t HowMany(size_t matched, std::optional<int64_t> count, std::optional<double> percent) {
  if (matched == 0) return 0;
  if (count) {
    if (*count < 1) return 1;
    return std::min(matched, static_cast<size_t>(*count));
  }
  if (percent) {
    double p = std::clamp(*percent, 0.0, 100.0);
    // The epsilon keeps an exact product such as 10 * 30 / 100 from rounding up to 4.
    double want = std::ceil(static_cast<double>(matched) * p / 100.0 - 1e-9);
    size_t k = want < 1.0 ? 1 : static_cast<size_t>(want);
    return std::min(matched, k);
  }
  return matched;
}

uint64_t UniformBelow(uint64_t bound, std::mt19937_64& rng) {
  // 2^64 mod bound values at the bottom are rejected so every residue is equally likely.
  uint64_t threshold = (0 - bound) % bound;
  for (;;) {
    uint64_t x = rng();
    if (x >= threshold) return x % bound;
  }
}

std::vector<size_t> ChooseIndices(size_t n, size_t k, uint64_t seed) {
  std::vector<size_t> idx(n);
  std::iota(idx.begin(), idx.end(), size_t{0});
  if (k >= n) return idx;
  std::mt19937_64 rng(seed);
  for (size_t i = 0; i < k; ++i) {
    size_t j = i + static_cast<size_t>(UniformBelow(n - i, rng));
    std::swap(idx[i], idx[j]);
  }
  idx.resize(k);
  std::sort(idx.begin(), idx.end());
  return idx;
}

uint64_t NewSeed() {
  uint64_t seed = 0;
  try {
    std::random_device rd;
    seed = (static_cast<uint64_t>(rd()) << 32) ^ static_cast<uint64_t>(rd());
  } catch (...) {
    timespec ts{};
    ::clock_gettime(CLOCK_REALTIME, &ts);
    seed = (static_cast<uint64_t>(ts.tv_sec) * 1000000007u) ^ static_cast<uint64_t>(ts.tv_nsec) ^
           (static_cast<uint64_t>(::getpid()) << 40);
  }
  return seed & ((uint64_t{1} << 53) - 1);
}

}  // namespace chaosrun::drivers::process
