// Secret redaction. Every resolved secret value is registered here before anything that could
// print it runs; the logger and the journal writer pass text through Redact(). Thread-safe.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "common/json.h"

namespace chaosrun {

inline constexpr std::string_view kRedacted = "***";

class Redactor {
 public:
  // Registers a secret value (empty values and values shorter than 3 bytes are ignored: too
  // short to be a credential, too likely to mangle unrelated text).
  void Add(std::string value);
  // Registers every string leaf of `value` (and scalars in their string form).
  void AddJson(const Json& value);
  std::string Redact(std::string_view text) const;
  // Returns a copy of `value` with every string (keys too) redacted.
  Json RedactJson(const Json& value) const;
  bool empty() const;
  void Clear();

  // The process-wide redactor used by logging.
  static Redactor& Global();

 private:
  std::vector<std::string> secrets_;  // longest first
};

}  // namespace chaosrun
