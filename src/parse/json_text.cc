#include "parse/json_text.h"

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

// Offset of the first '[' or '{' nested deeper than the cap, or npos. Strings are skipped; on
// invalid JSON the answer does not matter since the parser rejects the text anyway.
size_t FindTooDeep(std::string_view text) {
  int depth = 0;
  bool in_string = false;
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (in_string) {
      if (c == '\\') {
        ++i;
      } else if (c == '"') {
        in_string = false;
      }
    } else if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      if (++depth > kMaxNestingDepth) return i;
    } else if ((c == ']' || c == '}') && depth > 0) {
      --depth;
    }
  }
  return std::string_view::npos;
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
    if (const size_t deep = FindTooDeep(text); deep != std::string_view::npos) {
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
    const size_t offset = sax.position() > 0 ? sax.position() - 1 : 0;
    return Err(ErrorAt(text, name, offset, ReasonFrom(sax.what())));
  } catch (const std::exception& e) {  // allocation failure and the like
    return Err(Status::ParseError(std::string(name) + ": " + e.what()));
  }
}

}  // namespace chaosrun::parse::internal
