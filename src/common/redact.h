// Secret redaction. Every secret value a command knows is registered before anything that could
// print it runs (subst::RegisterDocumentSecrets at load, the engine once secrets resolve); the
// logger, the journal writer and `validate` pass their output through Redact()/RedactJson().
// Thread-safe: every member may be called from any thread.
//
// For each secret value s, these forms are registered: s itself; base64(s) in the standard and
// the URL-safe alphabet, with and without padding; s percent-encoded (%20 and '+' for a space).
// AddBasicAuth() adds base64("user:password"), the credentials of an HTTP Basic Authorization
// header (a base64 of s at another offset inside a longer text cannot be found).
//
// Where a form is found:
//   * a secret of at least kMinSubstringSecret bytes (and each of its forms) is replaced by
//     kRedacted wherever it appears: inside log text, JSON strings and object keys;
//   * a shorter secret ("a", "1", "42") only where a whole value equals it: a JSON string or key,
//     a JSON number, or a whole log message. Replacing "1" inside every text would corrupt
//     timestamps and numbers; the price is that a short secret inside a longer string stays.
//   * a JSON number becomes the string kRedacted only when it equals a form exactly (its Python
//     or JSON spelling); any other number stays a number, even one whose digits hold a secret.
#pragma once

#include <cstddef>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

#include "common/json.h"

namespace chaosrun {

inline constexpr std::string_view kRedacted = "***";
inline constexpr size_t kMinSubstringSecret = 4;

class Redactor {
 public:
  Redactor() = default;
  Redactor(const Redactor&) = delete;
  Redactor& operator=(const Redactor&) = delete;

  // Registers a secret value and its derived forms (an empty value is ignored).
  void Add(std::string_view value);
  // Registers every string leaf of `value`, and numbers in their Python and JSON spellings.
  // Booleans and nulls are not secrets.
  void AddJson(const Json& value);
  // Registers base64("user:password") (standard alphabet, padded and not). Found anywhere when
  // the password is at least kMinSubstringSecret bytes, else only as a whole value.
  void AddBasicAuth(std::string_view user, std::string_view password);

  std::string Redact(std::string_view text) const;
  // A copy of `value` with every string and key redacted; numbers as said above.
  Json RedactJson(const Json& value) const;
  bool empty() const;
  void Clear();

  // The process-wide redactor used by logging and the journal writer. (The style guide asks for
  // it to be passed in instead; the logger's free functions still need one global.)
  static Redactor& Global();

 private:
  void InsertLocked(std::string form, bool anywhere);
  std::string RedactLocked(std::string_view text) const;
  Json RedactJsonLocked(const Json& value) const;

  mutable std::shared_mutex mu_;
  std::vector<std::string> anywhere_;      // found inside any text; longest first
  std::unordered_set<std::string> whole_;  // every form: matched against whole values
};

}  // namespace chaosrun
