#include "common/redact.h"

#include <algorithm>
#include <mutex>

#include "common/encoding.h"

namespace chaosrun {

void Redactor::InsertLocked(std::string form, bool anywhere) {
  if (form.empty()) return;
  if (anywhere && std::find(anywhere_.begin(), anywhere_.end(), form) == anywhere_.end()) {
    auto at = std::upper_bound(
        anywhere_.begin(), anywhere_.end(), form,
        [](const std::string& a, const std::string& b) { return a.size() > b.size(); });
    anywhere_.insert(at, form);
  }
  whole_.insert(std::move(form));
}

void Redactor::Add(std::string_view value) {
  if (value.empty()) return;
  const bool anywhere = value.size() >= kMinSubstringSecret;
  std::unique_lock lock(mu_);
  InsertLocked(std::string(value), anywhere);
  for (Base64Alphabet alphabet : {Base64Alphabet::kStandard, Base64Alphabet::kUrlSafe}) {
    InsertLocked(Base64Encode(value, alphabet, /*pad=*/true), anywhere);
    InsertLocked(Base64Encode(value, alphabet, /*pad=*/false), anywhere);
  }
  InsertLocked(PercentEncode(value, /*space_as_plus=*/false), anywhere);
  InsertLocked(PercentEncode(value, /*space_as_plus=*/true), anywhere);
}

void Redactor::AddJson(const Json& value) {
  if (value.is_object() || value.is_array()) {
    for (const auto& v : value) AddJson(v);
  } else if (value.is_string()) {
    Add(value.get_ref<const std::string&>());
  } else if (value.is_number()) {
    Add(PythonStr(value));
    Add(value.dump());
  }
}

void Redactor::AddBasicAuth(std::string_view user, std::string_view password) {
  if (password.empty()) return;
  std::string credentials = std::string(user) + ":" + std::string(password);
  const bool anywhere = password.size() >= kMinSubstringSecret;
  std::unique_lock lock(mu_);
  InsertLocked(Base64Encode(credentials, Base64Alphabet::kStandard, /*pad=*/true), anywhere);
  InsertLocked(Base64Encode(credentials, Base64Alphabet::kStandard, /*pad=*/false), anywhere);
}

std::string Redactor::RedactLocked(std::string_view text) const {
  if (whole_.contains(std::string(text))) return std::string(kRedacted);
  std::string out(text);
  for (const auto& s : anywhere_) {
    size_t pos = 0;
    while ((pos = out.find(s, pos)) != std::string::npos) {
      out.replace(pos, s.size(), kRedacted);
      pos += kRedacted.size();
    }
  }
  return out;
}

std::string Redactor::Redact(std::string_view text) const {
  std::shared_lock lock(mu_);
  if (whole_.empty()) return std::string(text);
  return RedactLocked(text);
}

Json Redactor::RedactJsonLocked(const Json& value) const {
  if (value.is_string()) return RedactLocked(value.get_ref<const std::string&>());
  if (value.is_array()) {
    Json out = Json::array();
    for (const auto& v : value) out.push_back(RedactJsonLocked(v));
    return out;
  }
  if (value.is_object()) {
    Json out = Json::object();
    for (auto it = value.begin(); it != value.end(); ++it) {
      out[RedactLocked(it.key())] = RedactJsonLocked(it.value());
    }
    return out;
  }
  if (value.is_number()) {
    // A numeric secret (a PIN) must not leak as a number; any other number keeps its type.
    if (whole_.contains(PythonStr(value)) || whole_.contains(value.dump())) {
      return std::string(kRedacted);
    }
  }
  return value;
}

Json Redactor::RedactJson(const Json& value) const {
  std::shared_lock lock(mu_);
  if (whole_.empty()) return value;
  return RedactJsonLocked(value);
}

bool Redactor::empty() const {
  std::shared_lock lock(mu_);
  return whole_.empty();
}

void Redactor::Clear() {
  std::unique_lock lock(mu_);
  anywhere_.clear();
  whole_.clear();
}

Redactor& Redactor::Global() {
  static Redactor r;
  return r;
}

}  // namespace chaosrun
