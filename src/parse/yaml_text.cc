#include "parse/yaml_text.h"

#include <yaml-cpp/depthguard.h>
#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/yaml.h>

#include <cstdio>
#include <exception>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "parse/text_position.h"
#include "parse/yaml_scalar.h"

namespace chaosrun::parse::internal {
namespace {

// PyYAML's reader accepts only these code points (tab, newlines and printable characters).
bool IsYamlPrintable(char32_t c) {
  return c == 0x09 || c == 0x0A || c == 0x0D || (c >= 0x20 && c <= 0x7E) || c == 0x85 ||
         (c >= 0xA0 && c <= 0xD7FF) || (c >= 0xE000 && c <= 0xFFFD) ||
         (c >= 0x10000 && c <= 0x10FFFF);
}

std::string Hex(unsigned value, int width) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "#x%0*x", width, value);
  return buf;
}

Status CheckCharacters(std::string_view text, std::string_view name) {
  for (size_t i = 0; i < text.size();) {
    char32_t cp = 0;
    const size_t len = Utf8SequenceAt(text, i, &cp);
    if (len == 0) {
      const unsigned byte = static_cast<unsigned char>(text[i]);
      return Status::ParseError(
          FormatAt(name, PositionOf(text, i), "invalid UTF-8 byte " + Hex(byte, 2)));
    }
    if (!IsYamlPrintable(cp)) {
      return Status::ParseError(FormatAt(name, PositionOf(text, i),
                                         "unacceptable character " +
                                             Hex(static_cast<unsigned>(cp), 4) +
                                             ": special characters are not allowed"));
    }
    i += len;
  }
  return Status::Ok();
}

// yaml-cpp's mark.pos is a byte offset into the text it was given (its columns count bytes);
// our columns count code points.
std::string At(std::string_view text, std::string_view name, const YAML::Mark& mark,
               std::string_view reason) {
  if (mark.pos >= 0 && static_cast<size_t>(mark.pos) <= text.size()) {
    return FormatAt(name, PositionOf(text, static_cast<size_t>(mark.pos)), reason);
  }
  if (mark.line < 0 || mark.column < 0) return std::string(name) + ": " + std::string(reason);
  TextPosition pos{static_cast<size_t>(mark.line) + 1, static_cast<size_t>(mark.column) + 1};
  return FormatAt(name, pos, reason);
}

// yaml-cpp accepts a quoted scalar left open when the text ends right after a line break
// ("a: 'x\n"); PyYAML does not. True when the quote at `open` has its closing quote.
bool QuoteIsClosed(std::string_view text, size_t open) {
  const char quote = text[open];
  for (size_t i = open + 1; i < text.size(); ++i) {
    if (quote == '"' && text[i] == '\\') {
      ++i;
    } else if (text[i] == quote) {
      if (quote == '\'' && i + 1 < text.size() && text[i + 1] == '\'') {
        ++i;  // '' is an escaped quote
      } else {
        return true;
      }
    }
  }
  return false;
}

// yaml-cpp 0.7 can loop forever emitting events on some malformed input (found by fuzzing).
// A first pass counts the events and gives up past a bound no real document reaches.
struct TooManyEvents : std::exception {
  YAML::Mark mark;
  explicit TooManyEvents(const YAML::Mark& m) : mark(m) {}
};

class EventBudget final : public YAML::EventHandler {
 public:
  explicit EventBudget(size_t limit) : left_(limit) {}
  void OnDocumentStart(const YAML::Mark& mark) override { Tick(mark); }
  void OnDocumentEnd() override { Tick(last_); }
  void OnNull(const YAML::Mark& mark, YAML::anchor_t) override { Tick(mark); }
  void OnAlias(const YAML::Mark& mark, YAML::anchor_t) override { Tick(mark); }
  void OnScalar(const YAML::Mark& mark, const std::string&, YAML::anchor_t,
                const std::string&) override {
    Tick(mark);
  }
  void OnSequenceStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t,
                       YAML::EmitterStyle::value) override {
    Tick(mark);
  }
  void OnSequenceEnd() override { Tick(last_); }
  void OnMapStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t,
                  YAML::EmitterStyle::value) override {
    Tick(mark);
  }
  void OnMapEnd() override { Tick(last_); }

 private:
  void Tick(const YAML::Mark& mark) {
    last_ = mark;
    if (left_ == 0) throw TooManyEvents(mark);
    --left_;
  }
  size_t left_;
  YAML::Mark last_ = YAML::Mark::null_mark();
};

// Runs the event-counting pass; throws what yaml-cpp throws, or TooManyEvents.
void CheckEventCount(const std::string& text) {
  std::istringstream in(text);
  YAML::Parser parser(in);
  EventBudget budget(4 * text.size() + 64);
  while (parser.HandleNextDocument(budget)) {
  }
}

bool IsPlain(const YAML::Node& node) { return node.IsScalar() && node.Tag() == "?"; }

class Converter {
 public:
  Converter(std::string_view text, std::string_view name)
      : text_(text),
        name_(name),
        nodes_left_(1'000'000 + text.size()),
        bytes_left_((64u << 20) + 4 * text.size()) {}

  Result<Json> Convert(const YAML::Node& node, int depth) {
    if (depth > kMaxNestingDepth) {
      return Err(Error(node, "nesting too deep (more than " + std::to_string(kMaxNestingDepth) +
                                 " levels, or an alias that contains itself)"));
    }
    if (Status s = Charge(node, 1); !s.ok()) return Err(std::move(s));
    switch (node.Type()) {
      case YAML::NodeType::Null:
        return Json();
      case YAML::NodeType::Scalar:
        return ConvertScalar(node);
      case YAML::NodeType::Sequence:
        return ConvertSequence(node, depth);
      case YAML::NodeType::Map:
        return ConvertMap(node, depth);
      default:
        return Err(Error(node, "undefined node"));
    }
  }

 private:
  using Pairs = std::vector<std::pair<std::string, Json>>;

  Status Error(const YAML::Node& node, std::string_view reason) const {
    return Status::ParseError(At(text_, name_, node.Mark(), reason));
  }

  Status Charge(const YAML::Node& node, size_t bytes) {
    if (nodes_left_ == 0 || bytes > bytes_left_) {
      return Error(node, "document too large once its aliases are expanded");
    }
    --nodes_left_;
    bytes_left_ -= bytes;
    return Status::Ok();
  }

  Result<Json> ConvertScalar(const YAML::Node& node) {
    const std::string& text = node.Scalar();
    if (Status s = Charge(node, text.size()); !s.ok()) return Err(std::move(s));
    const std::string& tag = node.Tag();
    std::expected<Json, std::string> value;
    if (tag == "?") {
      value = ResolvePlainScalar(text);
    } else if (tag == "!") {  // quoted, or the non-specific tag
      const int pos = node.Mark().pos;
      if (pos >= 0 && static_cast<size_t>(pos) < text_.size() &&
          (text_[static_cast<size_t>(pos)] == '\'' || text_[static_cast<size_t>(pos)] == '"') &&
          !QuoteIsClosed(text_, static_cast<size_t>(pos))) {
        return Err(Error(node, "found unexpected end of stream while scanning a quoted scalar"));
      }
      value = Json(text);
    } else {
      value = ConstructTaggedScalar(tag, text);
    }
    if (!value) return Err(Error(node, value.error()));
    return std::move(*value);
  }

  Status CheckCollectionTag(const YAML::Node& node, std::string_view standard) const {
    const std::string& tag = node.Tag();
    if (tag == "?" || tag == "!" || tag == standard) return Status::Ok();
    return Error(node, "could not determine a constructor for the tag '" + tag + "'");
  }

  Result<Json> ConvertSequence(const YAML::Node& node, int depth) {
    if (Status s = CheckCollectionTag(node, "tag:yaml.org,2002:seq"); !s.ok()) return Err(s);
    Json out = Json::array();
    for (const YAML::Node& item : node) {
      auto value = Convert(item, depth + 1);
      if (!value) return value;
      out.push_back(std::move(*value));
    }
    return out;
  }

  // `<<: *base` or `<<: [*a, *b]`: the merged pairs, in the order PyYAML applies them (for a
  // list, the first mapping is applied last so that it wins).
  Status AppendMerge(const YAML::Node& source, int depth, Pairs& merged) {
    auto append = [&](const YAML::Node& m) -> Status {
      auto value = Convert(m, depth + 1);
      if (!value) return value.error();
      for (auto& [k, v] : value->items()) merged.emplace_back(k, v);
      return Status::Ok();
    };
    if (source.IsMap()) return append(source);
    if (!source.IsSequence()) {
      return Error(source, "expected a mapping or list of mappings for merging");
    }
    std::vector<YAML::Node> maps;
    for (const YAML::Node& item : source) {
      if (!item.IsMap()) return Error(item, "expected a mapping for merging");
      maps.push_back(item);
    }
    for (auto it = maps.rbegin(); it != maps.rend(); ++it) {
      if (Status s = append(*it); !s.ok()) return s;
    }
    return Status::Ok();
  }

  Result<Json> ConvertMap(const YAML::Node& node, int depth) {
    if (Status s = CheckCollectionTag(node, "tag:yaml.org,2002:map"); !s.ok()) return Err(s);
    Pairs merged;
    Pairs own;
    for (auto it = node.begin(); it != node.end(); ++it) {
      const YAML::Node key_node = it->first;  // the iterator hands out temporaries
      const YAML::Node value_node = it->second;
      if (IsPlain(key_node) && key_node.Scalar() == "<<") {
        if (Status s = AppendMerge(value_node, depth, merged); !s.ok()) return Err(s);
        continue;
      }
      std::string key;
      if (IsPlain(key_node) && key_node.Scalar() == "=") {
        key = "=";  // PyYAML turns the `value` tag into a string when it is a key
      } else {
        auto key_value = Convert(key_node, depth + 1);
        if (!key_value) return key_value;
        auto as_string = KeyString(*key_value);
        if (!as_string) return Err(Error(key_node, as_string.error()));
        key = std::move(*as_string);
      }
      auto value = Convert(value_node, depth + 1);
      if (!value) return value;
      own.emplace_back(std::move(key), std::move(*value));
    }
    // Later pairs win but keep the first one's position, as Python dict assignment does.
    Json out = Json::object();
    for (Pairs* pairs : {&merged, &own}) {
      for (auto& [k, v] : *pairs) out[k] = std::move(v);
    }
    return out;
  }

  std::string_view text_;
  std::string_view name_;
  size_t nodes_left_;
  size_t bytes_left_;
};

}  // namespace

Result<Json> ParseYamlText(std::string_view text, std::string_view name) {
  if (Status s = CheckCharacters(text, name); !s.ok()) return Err(std::move(s));
  if (text.starts_with("\xEF\xBB\xBF")) text.remove_prefix(3);  // marks are then offsets in text
  try {
    const std::string owned(text);
    CheckEventCount(owned);
    std::vector<YAML::Node> docs = YAML::LoadAll(owned);
    if (docs.empty()) return Json();
    if (docs.size() > 1) {
      return Err(Status::ParseError(
          At(text, name, docs[1].Mark(),
             "expected a single document in the stream, but found another document")));
    }
    Converter converter(text, name);
    return converter.Convert(docs[0], 0);
  } catch (const YAML::DeepRecursion& e) {
    return Err(Status::ParseError(
        At(text, name, e.mark,
           "nesting too deep (more than " + std::to_string(e.depth()) + " levels)")));
  } catch (const TooManyEvents& e) {
    return Err(Status::ParseError(At(text, name, e.mark, "malformed document (parser runaway)")));
  } catch (const YAML::Exception& e) {
    return Err(Status::ParseError(At(text, name, e.mark, Printable(e.msg))));
  } catch (const std::exception& e) {
    return Err(Status::ParseError(std::string(name) + ": " + e.what()));
  }
}

}  // namespace chaosrun::parse::internal
