#include "plugin/schema_words.h"

#include <algorithm>
#include <cmath>

namespace chaosrun::plugin::words {

namespace {

constexpr size_t kLongestShown = 60;  // bytes of a string shown in a message

std::string Cut(std::string text) {
  if (text.size() <= kLongestShown) return text;
  size_t end = kLongestShown;
  while (end > 0 && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80) --end;  // UTF-8
  return text.substr(0, end) + "...";
}

const Json* Get(const Json& schema, const char* key) { return Member(schema, key); }

// A bound as a person writes it: 300, not 300.0 (a descriptor built from a double).
std::string SchemaNumberText(const Json& v) {
  if (v.is_number_float()) {
    const double d = v.get<double>();
    if (std::isfinite(d) && d == std::trunc(d) && std::fabs(d) < 1e15) {
      return std::to_string(static_cast<long long>(d));
    }
  }
  return DumpCompact(v);
}

std::string TypeNoun(std::string_view type) {
  if (type == "integer") return "an integer";
  if (type == "number") return "a number";
  if (type == "string") return "a string";
  if (type == "boolean") return "true or false";
  if (type == "array") return "a list";
  if (type == "object") return "an object";
  if (type == "null") return "null";
  return "a " + std::string(type);
}

std::string PluralNoun(const Json& items) {
  const Json* t = Get(items, "type");
  if (t == nullptr || !t->is_string()) return "";
  const std::string& type = t->get_ref<const std::string&>();
  if (type == "integer") return "integers";
  if (type == "number") return "numbers";
  if (type == "string") return "strings";
  if (type == "boolean") return "booleans";
  if (type == "array") return "lists";
  if (type == "object") return "objects";
  return "";
}

std::vector<std::string> TypeNames(const Json& type_keyword) {
  std::vector<std::string> names;
  if (type_keyword.is_string()) names.push_back(type_keyword.get<std::string>());
  if (type_keyword.is_array()) {
    for (const auto& t : type_keyword) {
      if (t.is_string()) names.push_back(t.get<std::string>());
    }
  }
  return names;
}

// One type of a schema, with what narrows it: "an integer from 1 to 64", "a non-empty string".
std::string DescribeType(const Json& schema, const std::string& type) {
  if (type == "integer" || type == "number") {
    Bounds b = NumberBounds(schema);
    return TypeNoun(type) + (b.empty() ? "" : " " + b.Words());
  }
  if (type == "string") {
    Bounds b = CountBounds(schema, "minLength", "maxLength");
    return b.low && *b.low >= 1 && !b.high ? "a non-empty string" : "a string";
  }
  if (type == "array") {
    Bounds b = CountBounds(schema, "minItems", "maxItems");
    std::string what = b.low && *b.low >= 1 && !b.high ? "a non-empty list" : "a list";
    if (const Json* items = Get(schema, "items"); items != nullptr) {
      if (std::string plural = PluralNoun(*items); !plural.empty()) what += " of " + plural;
    }
    return what;
  }
  if (type == "object") {
    std::vector<std::string> required;
    if (const Json* r = Get(schema, "required"); r != nullptr && r->is_array()) {
      for (const auto& k : *r) {
        if (k.is_string()) required.push_back(k.get<std::string>());
      }
    }
    return required.empty() ? "an object" : "an object with " + QuotedNames(required, "and");
  }
  return TypeNoun(type);
}

std::string CompactOne(const Json& schema, const std::string& type) {
  if (type == "integer" || type == "number") {
    Bounds b = NumberBounds(schema);
    return type + (b.empty() ? "" : " " + b.Compact());
  }
  if (type == "array") {
    const Json* items = Get(schema, "items");
    if (items != nullptr && items->is_object() && !items->empty()) {
      return "list of " + CompactType(*items);
    }
    return "list";
  }
  return type;
}

}  // namespace

std::string Given(const Json& v) {
  if (v.is_string()) return "string " + Cut(DumpCompact(v));
  if (v.is_boolean()) return v.get<bool>() ? "boolean true" : "boolean false";
  if (v.is_number()) return "number " + DumpCompact(v);
  if (v.is_null()) return "null";
  if (v.is_array()) return v.empty() ? "an empty list" : "a list";
  if (v.empty()) return "an empty object";
  constexpr size_t kKeysShown = 5;
  std::vector<std::string> keys;
  for (const auto& [k, x] : v.items()) {
    if (keys.size() == kKeysShown) {
      keys.push_back("...");
      break;
    }
    keys.push_back("'" + Cut(k) + "'");
  }
  return "an object with " + JoinWords(keys, "and");
}

std::string Literal(const Json& v) { return Cut(DumpCompact(v)); }

std::string JoinWords(const std::vector<std::string>& items, std::string_view word) {
  std::string out;
  for (size_t i = 0; i < items.size(); ++i) {
    if (i > 0) out += i + 1 == items.size() ? " " + std::string(word) + " " : ", ";
    out += items[i];
  }
  return out;
}

std::string QuotedNames(const std::vector<std::string>& names, std::string_view word) {
  std::vector<std::string> quoted;
  for (const auto& n : names) quoted.push_back("'" + n + "'");
  return JoinWords(quoted, word);
}

bool IsOfType(const Json& v, std::string_view type) {
  if (type == "integer") return v.is_number_integer();
  if (type == "number") return v.is_number();
  if (type == "string") return v.is_string();
  if (type == "boolean") return v.is_boolean();
  if (type == "array") return v.is_array();
  if (type == "object") return v.is_object();
  if (type == "null") return v.is_null();
  return true;  // an unknown type name: not ours to refuse
}

bool TypeAccepts(const Json& type_keyword, const Json& v) {
  std::vector<std::string> names = TypeNames(type_keyword);
  if (names.empty()) return true;
  for (const auto& n : names) {
    if (IsOfType(v, n)) return true;
  }
  return false;
}

std::string TypeNouns(const Json& type_keyword) {
  std::vector<std::string> nouns;
  for (const auto& n : TypeNames(type_keyword)) nouns.push_back(TypeNoun(n));
  return nouns.empty() ? "a value" : JoinWords(nouns, "or");
}

bool Bounds::Holds(double x) const {
  if (low && (low_exclusive ? !(x > *low) : !(x >= *low))) return false;
  if (high && (high_exclusive ? !(x < *high) : !(x <= *high))) return false;
  return true;
}

std::string Bounds::Words() const {
  if (low && high && !low_exclusive && !high_exclusive) {
    return "from " + low_text + " to " + high_text;
  }
  std::vector<std::string> parts;
  if (low) parts.push_back((low_exclusive ? "above " : "at least ") + low_text);
  if (high) parts.push_back((high_exclusive ? "below " : "at most ") + high_text);
  return JoinWords(parts, "and");
}

std::string Bounds::Compact() const {
  if (low && high && !low_exclusive && !high_exclusive) return low_text + ".." + high_text;
  std::string out;
  if (low) out += (low_exclusive ? "> " : ">= ") + low_text;
  if (high)
    out += (out.empty() ? "" : ", ") + std::string(high_exclusive ? "< " : "<= ") + high_text;
  return out;
}

Bounds NumberBounds(const Json& schema) {
  Bounds b;
  auto set = [](const Json* v, std::optional<double>& at, std::string& text) {
    if (v == nullptr || !v->is_number()) return false;
    at = v->get<double>();
    text = SchemaNumberText(*v);
    return true;
  };
  set(Get(schema, "minimum"), b.low, b.low_text);
  set(Get(schema, "maximum"), b.high, b.high_text);
  if (set(Get(schema, "exclusiveMinimum"), b.low, b.low_text)) b.low_exclusive = true;
  if (set(Get(schema, "exclusiveMaximum"), b.high, b.high_text)) b.high_exclusive = true;
  return b;
}

Bounds CountBounds(const Json& schema, const char* min_key, const char* max_key) {
  Bounds b;
  if (const Json* v = Get(schema, min_key); v != nullptr && v->is_number()) {
    b.low = v->get<double>();
    b.low_text = SchemaNumberText(*v);
  }
  if (const Json* v = Get(schema, max_key); v != nullptr && v->is_number()) {
    b.high = v->get<double>();
    b.high_text = SchemaNumberText(*v);
  }
  return b;
}

std::string Describe(const Json& schema) {
  if (!schema.is_object())
    return schema.is_boolean() && !schema.get<bool>() ? "nothing" : "any value";
  if (const Json* e = Get(schema, "enum"); e != nullptr && e->is_array()) {
    std::vector<std::string> values;
    for (const auto& v : *e) values.push_back(Literal(v));
    return values.size() == 1 ? values[0] : "one of " + JoinWords(values, "or");
  }
  if (const Json* c = Get(schema, "const"); c != nullptr) return Literal(*c);
  for (const char* combinator : {"anyOf", "oneOf"}) {
    if (const Json* alts = Get(schema, combinator); alts != nullptr && alts->is_array()) {
      std::vector<std::string> each;
      for (const auto& a : *alts) each.push_back(Describe(a));
      return JoinWords(each, "or");
    }
  }
  if (const Json* t = Get(schema, "type"); t != nullptr) {
    std::vector<std::string> each;
    for (const auto& n : TypeNames(*t)) each.push_back(DescribeType(schema, n));
    if (!each.empty()) return JoinWords(each, "or");
  }
  if (Get(schema, "properties") != nullptr) return "an object";
  return "any value";
}

std::string CompactType(const Json& schema) {
  if (!schema.is_object()) return "any";
  if (const Json* e = Get(schema, "enum"); e != nullptr && e->is_array()) {
    constexpr size_t kListed = 5;
    if (e->size() > kListed) return "one of " + std::to_string(e->size()) + " values";
    std::string out;
    for (const auto& v : *e)
      out += (out.empty() ? "" : "|") + (v.is_string() ? v.get<std::string>() : DumpCompact(v));
    return out;
  }
  if (const Json* c = Get(schema, "const"); c != nullptr) return Literal(*c);
  for (const char* combinator : {"anyOf", "oneOf"}) {
    if (const Json* alts = Get(schema, combinator); alts != nullptr && alts->is_array()) {
      std::vector<std::string> each;
      for (const auto& a : *alts) {
        std::string one = CompactType(a);
        if (std::find(each.begin(), each.end(), one) == each.end()) each.push_back(one);
      }
      if (!each.empty()) return JoinWords(each, "or");
    }
  }
  if (const Json* t = Get(schema, "type"); t != nullptr) {
    std::vector<std::string> each;
    for (const auto& n : TypeNames(*t)) each.push_back(CompactOne(schema, n));
    if (!each.empty()) return JoinWords(each, "or");
  }
  if (Get(schema, "properties") != nullptr) return "object";
  return "any";
}

std::optional<std::vector<std::string>> RequiredOnly(const Json& schema) {
  if (!schema.is_object()) return std::nullopt;
  const Json* r = Get(schema, "required");
  if (r == nullptr || !r->is_array() || r->empty()) return std::nullopt;
  for (const auto& [k, v] : schema.items()) {
    if (k != "required" && k != "description" && k != "title") return std::nullopt;
  }
  std::vector<std::string> keys;
  for (const auto& k : *r) {
    if (!k.is_string()) return std::nullopt;
    keys.push_back(k.get<std::string>());
  }
  return keys;
}

}  // namespace chaosrun::plugin::words
