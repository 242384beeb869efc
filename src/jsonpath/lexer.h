// Tokenizer for JSONPath expressions (internal): turns the text into tokens with 1-based
// columns; whitespace between tokens is skipped. Never throws.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "common/json.h"
#include "common/status.h"

namespace chaosrun::jsonpath::internal {

enum class Tok {
  kRoot,        // $
  kCurrent,     // @
  kDot,         // .
  kDotDot,      // ..
  kStar,        // *
  kLBracket,    // [
  kRBracket,    // ]
  kLParen,      // (
  kRParen,      // )
  kLBrace,      // {
  kRBrace,      // }
  kComma,       // ,
  kColon,       // :
  kQuestion,    // ?
  kOp,          // = == != < <= > >=
  kIdentifier,  // [A-Za-z_][A-Za-z0-9_]*  (also and/or/not/contains/true/false/null)
  kNumber,      // JSON number (value in `number`)
  kString,      // double-quoted, JSON escapes (decoded text in `text`)
  kEnd,
};

struct Token {
  Tok kind = Tok::kEnd;
  std::string text;  // identifier, operator, or decoded string
  Json number;       // kNumber
  size_t column = 1;
};

Result<std::vector<Token>> Tokenize(std::string_view input);

}  // namespace chaosrun::jsonpath::internal
