#include "common/nearest.h"

#include <algorithm>
#include <vector>

namespace chaosrun {

size_t EditDistance(std::string_view a, std::string_view b) {
  // Optimal string alignment over three rolling rows: d[i][j] is the distance of a[0, i) to
  // b[0, j).
  const size_t n = b.size();
  std::vector<size_t> before(n + 1), previous(n + 1), current(n + 1);
  for (size_t j = 0; j <= n; ++j) previous[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    current[0] = i;
    for (size_t j = 1; j <= n; ++j) {
      const size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
      current[j] = std::min({previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) {
        current[j] = std::min(current[j], before[j - 2] + 1);
      }
    }
    std::swap(before, previous);
    std::swap(previous, current);
  }
  return previous[n];
}

namespace {

constexpr size_t kShortestKey = 4;  // "tag" is no typo of "tags": too short to tell

size_t AllowedEdits(std::string_view key) { return key.size() <= 5 ? 1 : 2; }

}  // namespace

std::optional<std::string_view> LikelyKey(std::string_view key,
                                          std::span<const std::string_view> known) {
  if (key.size() < kShortestKey) return std::nullopt;
  if (std::find(known.begin(), known.end(), key) != known.end()) return std::nullopt;
  std::optional<std::string_view> best;
  size_t best_distance = AllowedEdits(key) + 1;
  for (std::string_view candidate : known) {
    if (candidate.size() < kShortestKey) continue;
    const size_t d = EditDistance(key, candidate);
    if (d < best_distance) {
      best = candidate;
      best_distance = d;
    }
  }
  return best;
}

}  // namespace chaosrun
