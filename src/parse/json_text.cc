#include "parse/json_text.h"

#include <algorithm>
#include <exception>
#include <string>

#include "parse/text_position.h"

namespace chaosrun::parse::internal {
namespace {

// A SAX handler that builds nothing and records the first error (nlohmann reports the byte
// count read so far, i.e. one past the offending byte).
class ErrorSax final : public nlohmann::json_sax<Json> {
 public:
  bool null() override { return true; }
  bool boolean(bool) override { return true; }
  bool number_integer(number_integer_t) override { return true; }
  bool number_unsigned(number_unsigned_t) override { return true; }
  bool number_float(number_float_t, const string_t&) override { return true; }
  bool string(string_t&) override { return true; }
  bool binary(binary_t&) override { return true; }
  bool start_object(std::size_t) override { return true; }
  bool key(string_t&) override { return true; }
  bool end_object() override { return true; }
  bool start_array(std::size_t) override { return true; }
  bool end_array() override { return true; }
  bool parse_error(std::size_t position, const std::string&,
                   const nlohmann::detail::exception& ex) override {
    failed_ = true;
    position_ = position;
    what_ = ex.what();
    return false;
  }

  bool failed() const { return failed_; }
  size_t position() const { return position_; }
  const std::string& what() const { return what_; }

 private:
  bool failed_ = false;
  size_t position_ = 0;
  std::string what_;
};

// "[json.exception.parse_error.101] parse error at line 1, column 5: syntax error ..." ->
// "syntax error ..." (our own line/column replace nlohmann's byte-based ones).
std::string ReasonFrom(std::string_view what) {
  if (what.starts_with("[")) {
    const size_t close = what.find("] ");
    if (close != std::string_view::npos) what.remove_prefix(close + 2);
  }
  if (what.starts_with("parse error")) {
    const size_t colon = what.find(": ");
    if (colon != std::string_view::npos) what.remove_prefix(colon + 2);
  }
  return Printable(what);
}

bool IsJsonSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }
bool IsJsonPunct(char c) {
  return c == '{' || c == '}' || c == '[' || c == ']' || c == ':' || c == ',' || c == '"';
}

// The start of the token that holds byte `at`, tokenizing from the beginning as a JSON lexer
// does: a string runs from its quote to the closing quote (or to the end of an unterminated
// one), a bare word (literal, number, unquoted key) runs to the next space or punctuation, any
// other byte is a token of its own. A space, or `at` past the end, is its own position.
size_t TokenStart(std::string_view text, size_t at) {
  size_t i = 0;
  while (i < text.size() && i <= at) {
    const size_t start = i;
    const char c = text[i];
    if (IsJsonSpace(c)) {
      ++i;
      continue;
    }
    if (c == '"') {
      for (++i; i < text.size() && text[i] != '"'; ++i) {
        if (text[i] == '\\') ++i;
      }
      i = std::min(i + 1, text.size());
    } else if (IsJsonPunct(c)) {
      ++i;
    } else {
      while (i < text.size() && !IsJsonSpace(text[i]) && !IsJsonPunct(text[i])) ++i;
    }
    if (at < i) return start;
  }
  return at;
}

// Where the reference (Python's json) points for nlohmann's error read up to byte `last`: at
// the start of the offending token rather than at its last byte ("Expecting ',' delimiter" at
// the opening quote of the string that follows a missing comma). Errors inside a string (a
// control character, a bad escape, ill-formed UTF-8) keep the exact byte, as Python's do.
size_t OffendingOffset(std::string_view text, size_t last, std::string_view reason) {
  // nlohmann: "syntax error while parsing <what> - <detail>; ...", where <detail> is
  // "unexpected <token>" for a token the parser did not expect, or the lexer's own message.
  const size_t dash = reason.find("- ");
  const std::string_view detail = dash == std::string_view::npos ? "" : reason.substr(dash + 2);
  if (text.empty()) return last;
  if (detail.starts_with("invalid string: missing closing quote")) {
    return TokenStart(text, std::min(last, text.size() - 1));  // the opening quote
  }
  if (last >= text.size()) return last;  // end of input
  if (detail.starts_with("invalid literal") || detail.starts_with("invalid number")) {
    // The lexer read one byte past the word before it gave up ("tru}"): the word is the token.
    if ((IsJsonSpace(text[last]) || IsJsonPunct(text[last])) && last > 0) --last;
    return TokenStart(text, last);
  }
  if (detail.starts_with("unexpected") && !detail.starts_with("unexpected end of input")) {
    return TokenStart(text, last);
  }
  return last;
}

Status ErrorAt(std::string_view text, std::string_view name, size_t offset,
               std::string_view reason) {
  return Status::ParseError(FormatAt(name, PositionOf(text, offset), reason));
}

}  // namespace

Result<Json> ParseJsonText(std::string_view text, std::string_view name) {
  try {
    if (text.starts_with("\xEF\xBB\xBF")) {
      return Err(ErrorAt(text, name, 0, "unexpected UTF-8 BOM (the file must be plain UTF-8)"));
    }
    if (const size_t deep = FindNestingDeeperThan(text, kMaxNestingDepth);
        deep != std::string_view::npos) {
      return Err(
          ErrorAt(text, name, deep,
                  "nesting too deep (more than " + std::to_string(kMaxNestingDepth) + " levels)"));
    }
    const char* begin = text.data();
    Json value = Json::parse(begin, begin + text.size(), nullptr, /*allow_exceptions=*/false);
    if (!value.is_discarded()) return value;
    ErrorSax sax;
    Json::sax_parse(begin, begin + text.size(), &sax);
    if (!sax.failed()) return Err(ErrorAt(text, name, text.size(), "invalid JSON"));
    const size_t last = sax.position() > 0 ? sax.position() - 1 : 0;
    const std::string reason = ReasonFrom(sax.what());
    return Err(ErrorAt(text, name, OffendingOffset(text, last, reason), reason));
  } catch (const std::exception& e) {  // allocation failure and the like
    return Err(Status::ParseError(std::string(name) + ": " + e.what()));
  }
}

}  // namespace chaosrun::parse::internal
