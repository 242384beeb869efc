#include "common/redact.h"

#include <algorithm>
#include <mutex>
#include <shared_mutex>

namespace chaosrun {

namespace {
std::shared_mutex& Mu() {
  static std::shared_mutex mu;
  return mu;
}
}  // namespace

void Redactor::Add(std::string value) {
  if (value.size() < 3) return;
  std::unique_lock lock(Mu());
  if (std::find(secrets_.begin(), secrets_.end(), value) != secrets_.end()) return;
  secrets_.push_back(std::move(value));
  std::stable_sort(secrets_.begin(), secrets_.end(),
                   [](const std::string& a, const std::string& b) { return a.size() > b.size(); });
}

void Redactor::AddJson(const Json& value) {
  if (value.is_object() || value.is_array()) {
    for (const auto& v : value) AddJson(v);
  } else if (value.is_string()) {
    Add(value.get<std::string>());
  } else if (!value.is_null() && !value.is_boolean()) {
    Add(PythonStr(value));
  }
}

std::string Redactor::Redact(std::string_view text) const {
  std::shared_lock lock(Mu());
  std::string out(text);
  for (const auto& s : secrets_) {
    size_t pos = 0;
    while ((pos = out.find(s, pos)) != std::string::npos) {
      out.replace(pos, s.size(), kRedacted);
      pos += kRedacted.size();
    }
  }
  return out;
}

Json Redactor::RedactJson(const Json& value) const {
  if (empty()) return value;
  if (value.is_string()) return Redact(value.get_ref<const std::string&>());
  if (value.is_array()) {
    Json out = Json::array();
    for (const auto& v : value) out.push_back(RedactJson(v));
    return out;
  }
  if (value.is_object()) {
    Json out = Json::object();
    for (auto it = value.begin(); it != value.end(); ++it)
      out[Redact(it.key())] = RedactJson(it.value());
    return out;
  }
  if (value.is_number()) {
    // A numeric secret (a PIN) must not leak as a number either.
    std::string s = PythonStr(value);
    if (Redact(s) != s) return std::string(kRedacted);
  }
  return value;
}

bool Redactor::empty() const {
  std::shared_lock lock(Mu());
  return secrets_.empty();
}

void Redactor::Clear() {
  std::unique_lock lock(Mu());
  secrets_.clear();
}

Redactor& Redactor::Global() {
  static Redactor r;
  return r;
}

}  // namespace chaosrun
