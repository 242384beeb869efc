// Unknown keys that look like typos of known ones. Chaos Toolkit keeps unknown keys (and copies
// them into the journal), so a misspelt key silently means "absent": "steady-state-hypotesis"
// runs with no hypothesis at all. A key one or two edits away from a key the validator knows is
// reported as a likely typo; any other unknown key stays silent.
#include <string>

#include "validate/internal.h"

namespace chaosrun::validate::internal {

void CheckLikelyTypos(Context& ctx, const Json& obj, const std::string& pointer,
                      std::span<const std::string_view> known) {
  if (!obj.is_object()) return;
  for (const auto& [key, value] : obj.items()) {
    if (auto likely = LikelyKey(key, known)) {
      ctx.Typo(PointerAppend(pointer, key),
               "unknown key; did you mean '" + std::string(*likely) + "'?");
    }
  }
}

}  // namespace chaosrun::validate::internal
