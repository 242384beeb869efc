#include "plugin/schema_explain.h"

#include <algorithm>
#include <cmath>
#include <optional>
#include <regex>
#include <set>
#include <string_view>
#include <utility>

#include "common/nearest.h"
#include "plugin/schema_words.h"

namespace chaosrun::plugin {

namespace {

namespace w = words;

constexpr int kDeepest = 64;  // schema nesting walked; deeper parts are left to valijson's words

struct Problem {
  Problem(std::string at, std::string why, std::string in = {},
          std::vector<std::string> absent = {})
      : pointer(std::move(at)),
        reason(std::move(why)),
        object(std::move(in)),
        missing(std::move(absent)) {}
  std::string pointer;
  std::string reason;
  std::string object;                // the object whose keys `missing` and `typo_for` name
  std::vector<std::string> missing;  // keys this problem reports as absent
  std::string typo_for;              // the key an unknown key likely meant
};
using Problems = std::vector<Problem>;

size_t CodePoints(const std::string& s) {
  return static_cast<size_t>(
      std::count_if(s.begin(), s.end(), [](char c) { return (c & 0xC0) != 0x80; }));
}

bool Searches(const std::string& pattern, const std::string& text, bool& matched) {
  try {
    matched = std::regex_search(text, std::regex(pattern, std::regex::ECMAScript));
    return true;
  } catch (const std::exception&) {
    return false;  // a pattern std::regex cannot take: left to valijson
  }
}

// The side of a count's bounds that `n` is beyond: "at most 15", "at least 2".
std::string Limit(const words::Bounds& b, size_t n) {
  if (b.high && static_cast<double>(n) > *b.high) return "at most " + b.high_text;
  return "at least " + b.low_text;
}

// The tag of a tagged alternative: its first property whose schema is a "const".
std::optional<std::pair<std::string, const Json*>> Tag(const Json& alternative) {
  const Json* props = Member(alternative, "properties");
  if (props == nullptr || !props->is_object()) return std::nullopt;
  for (const auto& [key, sub] : props->items()) {
    if (const Json* c = Member(sub, "const"); c != nullptr) return std::make_pair(key, c);
  }
  return std::nullopt;
}

// An alternative of anyOf/oneOf that is about the value's kind at all: its type (or enum)
// accepts the value's JSON type.
bool Fits(const Json& alternative, const Json& v) {
  if (const Json* t = Member(alternative, "type"); t != nullptr) return w::TypeAccepts(*t, v);
  if (const Json* e = Member(alternative, "enum"); e != nullptr && e->is_array()) {
    for (const auto& x : *e) {
      if (x.type() == v.type() || (x.is_number() && v.is_number())) return true;
    }
    return false;
  }
  return true;
}

class Explainer {
 public:
  explicit Explainer(std::string base) : base_(std::move(base)) {}

  void Walk(const Json& s, const Json& v, const std::string& ptr, Problems& out, int depth) const {
    if (depth > kDeepest) return;
    if (s.is_boolean()) {
      if (!s.get<bool>()) out.push_back({ptr, "is not allowed here"});
      return;
    }
    if (!s.is_object()) return;
    if (!Scalar(s, v, ptr, out)) return;
    if (v.is_number()) Number(s, v, ptr, out);
    if (v.is_string()) String(s, v, ptr, out);
    if (v.is_array()) Array(s, v, ptr, out, depth);
    if (v.is_object()) Object(s, v, ptr, out, depth);
    if (const Json* all = Member(s, "allOf"); all != nullptr && all->is_array()) {
      for (const auto& sub : *all) Walk(sub, v, ptr, out, depth + 1);
    }
    if (const Json* any = Member(s, "anyOf"); any != nullptr && any->is_array()) {
      Alternatives(*any, v, ptr, out, depth, false);
    }
    if (const Json* one = Member(s, "oneOf"); one != nullptr && one->is_array()) {
      Alternatives(*one, v, ptr, out, depth, true);
    }
    if (const Json* no = Member(s, "not"); no != nullptr) Not(*no, v, ptr, out, depth);
  }

 private:
  // "argument" for the arguments object's own keys, "key" deeper down.
  std::string Noun(const std::string& object_ptr) const {
    return object_ptr == base_ ? "argument" : "key";
  }

  // type, enum, const: false when the value is not of the kind at all (nothing more to say).
  bool Scalar(const Json& s, const Json& v, const std::string& ptr, Problems& out) const {
    if (const Json* t = Member(s, "type"); t != nullptr && !w::TypeAccepts(*t, v)) {
      out.push_back({ptr, "must be " + w::TypeNouns(*t) + ", got " + w::Given(v)});
      return false;
    }
    if (const Json* e = Member(s, "enum"); e != nullptr && e->is_array()) {
      if (std::find(e->begin(), e->end(), v) == e->end()) {
        out.push_back({ptr, "must be " + w::Describe(Json{{"enum", *e}}) + ", got " + w::Given(v)});
        return false;
      }
    }
    if (const Json* c = Member(s, "const"); c != nullptr && *c != v) {
      out.push_back({ptr, "must be " + w::Literal(*c) + ", got " + w::Given(v)});
      return false;
    }
    return true;
  }

  static void Number(const Json& s, const Json& v, const std::string& ptr, Problems& out) {
    const double x = v.get<double>();
    if (w::Bounds b = w::NumberBounds(s); !b.empty() && !b.Holds(x)) {
      out.push_back({ptr, "must be " + b.Words() + ", got " + DumpCompact(v)});
    }
    if (const Json* m = Member(s, "multipleOf"); m != nullptr && m->is_number()) {
      const double d = m->get<double>();
      if (d > 0 && std::fabs(std::remainder(x, d)) > 1e-9 * std::max(1.0, std::fabs(x))) {
        out.push_back(
            {ptr, "must be a multiple of " + DumpCompact(*m) + ", got " + DumpCompact(v)});
      }
    }
  }

  static void String(const Json& s, const Json& v, const std::string& ptr, Problems& out) {
    const std::string& text = v.get_ref<const std::string&>();
    const size_t length = CodePoints(text);
    if (w::Bounds b = w::CountBounds(s, "minLength", "maxLength");
        !b.empty() && !b.Holds(static_cast<double>(length))) {
      out.push_back({ptr, length == 0 ? std::string("must not be empty")
                                      : "must be " + Limit(b, length) + " characters long, got " +
                                            std::to_string(length)});
    }
    if (const Json* p = Member(s, "pattern"); p != nullptr && p->is_string()) {
      bool matched = true;
      if (Searches(p->get<std::string>(), text, matched) && !matched) {
        out.push_back({ptr, "must match the regular expression " + p->get<std::string>() +
                                ", got " + w::Given(v)});
      }
    }
  }

  void Array(const Json& s, const Json& v, const std::string& ptr, Problems& out, int depth) const {
    if (w::Bounds b = w::CountBounds(s, "minItems", "maxItems");
        !b.empty() && !b.Holds(static_cast<double>(v.size()))) {
      out.push_back({ptr, v.empty() ? std::string("must not be an empty list")
                                    : "must have " + Limit(b, v.size()) + " items, got " +
                                          std::to_string(v.size())});
    }
    if (const Json* items = Member(s, "items"); items != nullptr) {
      for (size_t i = 0; i < v.size(); ++i) {
        if (items->is_array()) {
          if (i < items->size()) Walk((*items)[i], v[i], PointerAppend(ptr, i), out, depth + 1);
        } else {
          Walk(*items, v[i], PointerAppend(ptr, i), out, depth + 1);
        }
      }
    }
    if (const Json* u = Member(s, "uniqueItems"); u != nullptr && u->is_boolean() && *u) {
      for (size_t i = 1; i < v.size(); ++i) {
        if (std::find(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(i), v[i]) !=
            v.begin() + static_cast<std::ptrdiff_t>(i)) {
          out.push_back({PointerAppend(ptr, i), "repeats an earlier item; items must differ"});
        }
      }
    }
  }

  void Unknown(const std::string& key, const std::vector<std::string>& allowed,
               const std::string& ptr, Problems& out) const {
    std::vector<std::string_view> known(allowed.begin(), allowed.end());
    Problem p{PointerAppend(ptr, key), "unknown " + Noun(ptr), ptr};
    if (auto likely = LikelyKey(key, known)) {
      p.typo_for = std::string(*likely);
      p.reason += "; did you mean '" + p.typo_for + "'?";
    }
    std::string list;
    for (const auto& a : allowed) list += (list.empty() ? "" : ", ") + a;
    p.reason += allowed.empty() ? " (none are allowed here)" : " (allowed: " + list + ")";
    out.push_back(std::move(p));
  }

  void Object(const Json& s, const Json& v, const std::string& ptr, Problems& out,
              int depth) const {
    const Json* props = Member(s, "properties");
    if (props != nullptr && !props->is_object()) props = nullptr;
    const Json* patterns = Member(s, "patternProperties");
    const Json* additional = Member(s, "additionalProperties");
    std::vector<std::string> allowed;
    if (props != nullptr) {
      for (const auto& [k, sub] : props->items()) allowed.push_back(k);
    }
    for (const auto& [key, value] : v.items()) {
      const std::string at = PointerAppend(ptr, key);
      if (props != nullptr && props->contains(key)) {
        Walk((*props)[key], value, at, out, depth + 1);
        continue;
      }
      bool by_pattern = false;
      if (patterns != nullptr && patterns->is_object()) {
        for (const auto& [pattern, sub] : patterns->items()) {
          bool matched = false;
          if (Searches(pattern, key, matched) && matched) {
            by_pattern = true;
            Walk(sub, value, at, out, depth + 1);
          }
        }
      }
      if (by_pattern || additional == nullptr) continue;
      if (additional->is_boolean() && !additional->get<bool>()) {
        Unknown(key, allowed, ptr, out);
      } else if (additional->is_object()) {
        Walk(*additional, value, at, out, depth + 1);
      }
    }
    if (const Json* required = Member(s, "required"); required != nullptr && required->is_array()) {
      for (const auto& r : *required) {
        if (!r.is_string() || v.contains(r.get<std::string>())) continue;
        out.push_back({ptr,
                       "missing required " + Noun(ptr) + " '" + r.get<std::string>() + "'",
                       ptr,
                       {r.get<std::string>()}});
      }
    }
    if (const Json* deps = Member(s, "dependencies"); deps != nullptr && deps->is_object()) {
      for (const auto& [key, dep] : deps->items()) {
        if (!v.contains(key)) continue;
        if (dep.is_array()) {
          for (const auto& d : dep) {
            if (!d.is_string() || v.contains(d.get<std::string>())) continue;
            out.push_back({PointerAppend(ptr, key),
                           "needs '" + d.get<std::string>() + "' as well",
                           ptr,
                           {d.get<std::string>()}});
          }
        } else {
          Walk(dep, v, ptr, out, depth + 1);
        }
      }
    }
  }

  // anyOf (one_of false) and oneOf.
  void Alternatives(const Json& alternatives, const Json& v, const std::string& ptr, Problems& out,
                    int depth, bool one_of) const {
    std::vector<Problems> each;
    size_t matched = 0;
    bool required_only = v.is_object();
    std::vector<std::string> options, keys;
    for (const auto& a : alternatives) {
      Problems p;
      Walk(a, v, ptr, p, depth + 1);
      matched += p.empty() ? 1 : 0;
      each.push_back(std::move(p));
      if (auto names = w::RequiredOnly(a)) {
        options.push_back(w::QuotedNames(*names, "and"));
        keys.insert(keys.end(), names->begin(), names->end());
      } else {
        required_only = false;
      }
    }
    if (matched == 1 || (matched > 1 && !one_of) || each.empty()) return;
    if (matched > 1) {
      if (required_only) {
        std::vector<std::string> given;
        for (const auto& k : keys) {
          if (v.contains(k) && std::find(given.begin(), given.end(), k) == given.end()) {
            given.push_back(k);
          }
        }
        out.push_back({ptr, "only one of " + w::JoinWords(options, "or") + " may be given (got " +
                                w::QuotedNames(given, "and") + ")"});
      } else {
        out.push_back({ptr, "fits more than one of the accepted forms (" +
                                w::Describe(Json{{"oneOf", alternatives}}) + ")"});
      }
      return;
    }
    if (required_only) {
      out.push_back(
          {ptr,
           "missing required " + Noun(ptr) +
               (options.size() == 1 ? " " + options[0] : ": one of " + w::JoinWords(options, "or")),
           ptr, keys});
      return;
    }
    std::vector<size_t> fitting;
    for (size_t i = 0; i < alternatives.size(); ++i) {
      if (Fits(alternatives[i], v)) fitting.push_back(i);
    }
    std::optional<size_t> best;
    // Tagged alternatives ({"properties": {"op": {"const": "rename"}, ...}} per branch): the
    // branch whose tag the value carries is the one meant, whatever its other problems.
    std::vector<size_t> tagged;
    std::string tag_key;
    bool one_tag_key = !fitting.empty();
    for (size_t i : fitting) {
      const auto tag = Tag(alternatives[i]);
      if (!tag) {
        one_tag_key = false;
        continue;
      }
      if (tag_key.empty()) tag_key = tag->first;
      one_tag_key = one_tag_key && tag->first == tag_key;
      if (v.is_object() && v.contains(tag->first) && v[tag->first] == *tag->second) {
        tagged.push_back(i);
      }
    }
    if (tagged.size() == 1) {
      out.insert(out.end(), each[tagged[0]].begin(), each[tagged[0]].end());
      return;
    }
    if (tagged.empty() && one_tag_key && v.is_object()) {
      // No branch's tag matches: the tag itself is what is wrong.
      std::vector<std::string> values;
      for (size_t i : fitting) values.push_back(w::Literal(*Tag(alternatives[i])->second));
      const std::string at = PointerAppend(ptr, tag_key);
      out.push_back({at, v.contains(tag_key)
                             ? "must be one of " + w::JoinWords(values, "or") + ", got " +
                                   w::Given(v[tag_key])
                             : "missing required " + Noun(ptr) + " '" + tag_key + "' (one of " +
                                   w::JoinWords(values, "or") + ")"});
      return;
    }
    if (fitting.size() == 1) best = fitting[0];
    if (fitting.size() > 1) {
      auto fewer = [&](size_t a, size_t b) { return each[a].size() < each[b].size(); };
      std::sort(fitting.begin(), fitting.end(), fewer);
      if (each[fitting[0]].size() < each[fitting[1]].size()) best = fitting[0];
    }
    if (best) {
      out.insert(out.end(), each[*best].begin(), each[*best].end());
    } else {
      out.push_back(
          {ptr, "must be " + w::Describe(Json{{"anyOf", alternatives}}) + ", got " + w::Given(v)});
    }
  }

  void Not(const Json& refused, const Json& v, const std::string& ptr, Problems& out,
           int depth) const {
    Problems p;
    Walk(refused, v, ptr, p, depth + 1);
    if (!p.empty()) return;
    if (auto names = w::RequiredOnly(refused); names && v.is_object()) {
      out.push_back({ptr, names->size() == 1
                              ? "'" + (*names)[0] + "' is not allowed here"
                              : w::QuotedNames(*names, "and") + " cannot be given together"});
    } else {
      out.push_back({ptr, "must not be " + w::Describe(refused) + ", got " + w::Given(v)});
    }
  }

  std::string base_;
};

}  // namespace

std::vector<std::pair<std::string, std::string>> ExplainArguments(const Json& schema,
                                                                  const Json& value,
                                                                  const std::string& pointer) {
  Problems all;
  try {
    Explainer(pointer).Walk(schema, value, pointer, all, 0);
  } catch (const std::exception&) {
    // A schema of unexpected shape: what was found so far stands; valijson words the rest.
  }
  std::set<std::pair<std::string, std::string>> typos;
  for (const auto& p : all) {
    if (!p.typo_for.empty()) typos.emplace(p.object, p.typo_for);
  }
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& p : all) {
    bool typo_caused = std::any_of(p.missing.begin(), p.missing.end(), [&](const std::string& m) {
      return typos.count({p.object, m}) > 0;
    });
    if (typo_caused) continue;
    std::pair<std::string, std::string> item{p.pointer, p.reason};
    if (std::find(out.begin(), out.end(), item) == out.end()) out.push_back(std::move(item));
  }
  return out;
}

}  // namespace chaosrun::plugin
