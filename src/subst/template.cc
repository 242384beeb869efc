#include "subst/template.h"

namespace chaosrun::subst {
namespace {

bool IsIdStart(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; }
bool IsIdChar(char c) { return IsIdStart(c) || (c >= '0' && c <= '9'); }

// End of the identifier starting at i (i itself when there is none).
size_t IdentifierEnd(std::string_view text, size_t i) {
  if (i >= text.size() || !IsIdStart(text[i])) return i;
  ++i;
  while (i < text.size() && IsIdChar(text[i])) ++i;
  return i;
}

void AppendSequence(const Json& sequence, const Scope& scope, Json& out);

Json SubstituteValue(const Json& value, const Scope& scope) {
  switch (value.type()) {
    case Json::value_t::string:
      return SubstituteString(value.get_ref<const std::string&>(), scope);
    case Json::value_t::array: {
      Json out = Json::array();
      AppendSequence(value, scope, out);
      return out;
    }
    case Json::value_t::object: {
      Json out = Json::object();
      for (auto it = value.begin(); it != value.end(); ++it) {
        out[it.key()] = SubstituteValue(it.value(), scope);
      }
      return out;
    }
    default:
      return value;
  }
}

// The reference splices a list nested in a list into its parent ([[a], b] -> [a, b]).
void AppendSequence(const Json& sequence, const Scope& scope, Json& out) {
  for (const Json& item : sequence) {
    if (item.is_array()) {
      AppendSequence(item, scope, out);
    } else {
      out.push_back(SubstituteValue(item, scope));
    }
  }
}

}  // namespace

const Json* Scope::Lookup(std::string_view name) const {
  const std::string key(name);
  if (configuration_.is_object()) {
    if (auto it = configuration_.find(key); it != configuration_.end()) return &*it;
  }
  if (secrets_.is_object()) {
    for (const Json& scope : secrets_) {
      if (!scope.is_object()) continue;
      if (auto it = scope.find(key); it != scope.end()) return &*it;
    }
  }
  return nullptr;
}

bool Scope::empty() const {
  return (!configuration_.is_object() || configuration_.empty()) &&
         (!secrets_.is_object() || secrets_.empty());
}

Json SubstituteString(std::string_view text, const Scope& scope) {
  // Typed whole-string rule: exactly "${name}" resolves to the value itself.
  if (text.size() >= 4 && text.starts_with("${") && text.back() == '}' &&
      IdentifierEnd(text, 2) == text.size() - 1) {
    if (const Json* value = scope.Lookup(text.substr(2, text.size() - 3))) return *value;
  }
  std::string out;
  out.reserve(text.size());
  size_t i = 0;
  while (i < text.size()) {
    const size_t dollar = text.find('$', i);
    if (dollar == std::string_view::npos) {
      out.append(text.substr(i));
      break;
    }
    out.append(text.substr(i, dollar - i));
    i = dollar + 1;                           // just past the '$'
    if (i < text.size() && text[i] == '$') {  // "$$" -> "$"
      out.push_back('$');
      ++i;
      continue;
    }
    size_t begin = i;  // identifier bounds
    size_t end = IdentifierEnd(text, i);
    size_t next = end;  // where scanning resumes
    if (end == i && i < text.size() && text[i] == '{') {
      begin = i + 1;
      end = IdentifierEnd(text, begin);
      next = end + 1;
      if (end == begin || end >= text.size() || text[end] != '}') end = begin = next = i;
    }
    if (end == begin) {  // not a placeholder: the '$' stays as written
      out.push_back('$');
      continue;
    }
    if (const Json* value = scope.Lookup(text.substr(begin, end - begin))) {
      out.append(PythonStr(*value));
    } else {
      out.append(text.substr(dollar, next - dollar));
    }
    i = next;
  }
  return Json(std::move(out));
}

Json Substitute(const Json& value, const Scope& scope) { return SubstituteValue(value, scope); }

}  // namespace chaosrun::subst
