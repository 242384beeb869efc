// Lookups in the option table (cli/options.h) and the did-you-mean of usage errors.
#include <algorithm>

#include "cli/options.h"
#include "common/nearest.h"

namespace chaosrun::cli {

std::string LongName(const OptionSpec& option) {
  std::string_view names = option.names;
  size_t at = names.find("--");
  return std::string(at == std::string_view::npos ? names : names.substr(at));
}

std::string ShortName(const OptionSpec& option) {
  std::string_view names = option.names;
  if (names.size() < 2 || names[0] != '-' || names[1] == '-') return "";
  return std::string(names.substr(0, names.find(',')));
}

bool AppliesTo(const OptionSpec& option, Command command) {
  return (option.commands & kGlobalOption) != 0 || (option.commands & Bit(command)) != 0;
}

const OptionSpec* FindOption(std::string_view name) {
  for (const OptionSpec& o : OptionTable()) {
    if (LongName(o) == name || (!ShortName(o).empty() && ShortName(o) == name)) return &o;
  }
  return nullptr;
}

std::string Closest(std::string_view word, std::span<const std::string> candidates) {
  std::string best;
  size_t best_distance = std::max<size_t>(2, word.size() / 3) + 1;
  for (const std::string& c : candidates) {
    size_t distance = EditDistance(word, c);  // common/nearest.h: the one implementation
    // A known name that the word begins (--journal for --journal-path) is one edit away.
    if (word.size() >= 3 && c.size() > word.size() && c.compare(0, word.size(), word) == 0) {
      distance = std::min<size_t>(distance, 1);
    }
    if (distance < best_distance) {
      best_distance = distance;
      best = c;
    }
  }
  return best;
}

}  // namespace chaosrun::cli
