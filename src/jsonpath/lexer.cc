#include "jsonpath/lexer.h"

#include <cctype>

namespace chaosrun::jsonpath::internal {
namespace {

bool IsIdentStart(char c) { return std::isalpha(static_cast<unsigned char>(c)) || c == '_'; }
bool IsIdentChar(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }
bool IsDigit(char c) { return c >= '0' && c <= '9'; }

Status ErrorAt(size_t column, const std::string& what) {
  return Status::ParseError("JSONPath column " + std::to_string(column) + ": " + what);
}

// A JSON value embedded in the path (string or number), parsed by the JSON parser itself so
// that escapes and number forms are exactly JSON's.
bool ParseJsonFragment(std::string_view text, Json* out) {
  Json v = Json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (v.is_discarded()) return false;
  *out = std::move(v);
  return true;
}

}  // namespace

Result<std::vector<Token>> Tokenize(std::string_view in) {
  std::vector<Token> out;
  size_t i = 0;
  while (true) {
    while (i < in.size() && (in[i] == ' ' || in[i] == '\t' || in[i] == '\n' || in[i] == '\r')) {
      ++i;
    }
    Token t;
    t.column = i + 1;
    if (i >= in.size()) {
      out.push_back(std::move(t));
      return out;
    }
    char c = in[i];
    auto single = [&](Tok kind) {
      t.kind = kind;
      ++i;
    };
    switch (c) {
      case '$':
        single(Tok::kRoot);
        break;
      case '@':
        single(Tok::kCurrent);
        break;
      case '*':
        single(Tok::kStar);
        break;
      case '[':
        single(Tok::kLBracket);
        break;
      case ']':
        single(Tok::kRBracket);
        break;
      case '(':
        single(Tok::kLParen);
        break;
      case ')':
        single(Tok::kRParen);
        break;
      case '{':
        single(Tok::kLBrace);
        break;
      case '}':
        single(Tok::kRBrace);
        break;
      case ',':
        single(Tok::kComma);
        break;
      case ':':
        single(Tok::kColon);
        break;
      case '?':
        single(Tok::kQuestion);
        break;
      case '.':
        if (i + 1 < in.size() && in[i + 1] == '.') {
          t.kind = Tok::kDotDot;
          i += 2;
        } else {
          single(Tok::kDot);
        }
        break;
      case '=':
      case '!':
      case '<':
      case '>': {
        bool two = i + 1 < in.size() && in[i + 1] == '=';
        if (c == '!' && !two) return Err(ErrorAt(t.column, "'!' must be followed by '='"));
        t.kind = Tok::kOp;
        t.text = std::string(in.substr(i, two ? 2 : 1));
        i += two ? 2 : 1;
        break;
      }
      case '"': {
        size_t j = i + 1;
        while (j < in.size() && in[j] != '"') j += (in[j] == '\\') ? 2 : 1;
        if (j >= in.size()) return Err(ErrorAt(t.column, "unterminated string"));
        Json s;
        if (!ParseJsonFragment(in.substr(i, j + 1 - i), &s) || !s.is_string()) {
          return Err(ErrorAt(t.column, "invalid string literal"));
        }
        t.kind = Tok::kString;
        t.text = s.get<std::string>();
        i = j + 1;
        break;
      }
      default: {
        if (IsDigit(c) || c == '-') {
          size_t j = i + 1;
          while (j < in.size() && (IsDigit(in[j]) || in[j] == '.' || in[j] == 'e' || in[j] == 'E' ||
                                   in[j] == '+' || in[j] == '-')) {
            // A '.' belongs to the number only when a digit follows ("1.5", not "1..x").
            if (in[j] == '.' && !(j + 1 < in.size() && IsDigit(in[j + 1]))) break;
            if ((in[j] == '+' || in[j] == '-') && !(in[j - 1] == 'e' || in[j - 1] == 'E')) break;
            ++j;
          }
          if (!ParseJsonFragment(in.substr(i, j - i), &t.number) || !t.number.is_number()) {
            return Err(
                ErrorAt(t.column, "invalid number '" + std::string(in.substr(i, j - i)) + "'"));
          }
          t.kind = Tok::kNumber;
          i = j;
        } else if (IsIdentStart(c)) {
          size_t j = i + 1;
          while (j < in.size() && IsIdentChar(in[j])) ++j;
          t.kind = Tok::kIdentifier;
          t.text = std::string(in.substr(i, j - i));
          i = j;
        } else {
          auto byte = static_cast<unsigned char>(c);
          std::string shown(1, c);
          if (byte < 0x20 || byte >= 0x7f) {
            static constexpr char kHex[] = "0123456789abcdef";
            shown = std::string("\\x") + kHex[byte >> 4] + kHex[byte & 15];
          }
          return Err(ErrorAt(t.column, "unexpected character '" + shown + "'"));
        }
      }
    }
    out.push_back(std::move(t));
  }
}

}  // namespace chaosrun::jsonpath::internal
