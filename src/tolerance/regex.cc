// `{type: regex, pattern, target?}` with Python `re` semantics on PCRE2 (§5.2), and CheckRegex.
//
// PCRE2 with UTF + UCP accepts Python's syntax as is for everything the corpus and common
// patterns use ((?P<n>...), (?P=n), \d \w \s \b on Unicode, `$` before a final newline). What
// differs is translated: Python's \Z (absolute end) is PCRE2's \z; \uXXXX and \UXXXXXXXX become
// \x{...}; a `[` inside a class is a literal in Python (PCRE2 would read [:alpha:]).
#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include <cctype>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "tolerance/kinds.h"
#include "tolerance/tolerance.h"

namespace chaosrun::tolerance {
namespace {

constexpr uint32_t kMatchLimit = 10'000'000;  // bounds catastrophic backtracking
constexpr uint32_t kDepthLimit = 100'000;

bool IsHex(std::string_view s) {
  for (char c : s) {
    if (!std::isxdigit(static_cast<unsigned char>(c))) return false;
  }
  return true;
}

// Python `re` syntax to PCRE2; `origin[j]` is the pattern offset that produced output byte j.
std::string Translate(std::string_view py, std::vector<size_t>* origin) {
  std::string out;
  auto emit = [&](std::string_view text, size_t from) {
    out += text;
    origin->insert(origin->end(), text.size(), from);
  };
  bool in_class = false;
  bool class_start = false;  // just after `[` or `[^`: a `]` here is a literal
  for (size_t i = 0; i < py.size();) {
    char c = py[i];
    if (c == '\\' && i + 1 < py.size()) {
      char d = py[i + 1];
      if (d == 'Z' && !in_class) {
        emit("\\z", i);
        i += 2;
      } else if (d == 'u' && i + 6 <= py.size() && IsHex(py.substr(i + 2, 4))) {
        emit("\\x{" + std::string(py.substr(i + 2, 4)) + "}", i);
        i += 6;
      } else if (d == 'U' && i + 10 <= py.size() && IsHex(py.substr(i + 2, 8))) {
        emit("\\x{" + std::string(py.substr(i + 2, 8)) + "}", i);
        i += 10;
      } else {
        emit(py.substr(i, 2), i);
        i += 2;
      }
      class_start = false;
      continue;
    }
    if (in_class) {
      if (c == ']' && !class_start) {
        in_class = false;
      } else if (c == '[') {
        emit("\\[", i++);
        class_start = false;
        continue;
      }
      class_start = false;
    } else if (c == '[') {
      in_class = true;
      class_start = true;
      emit("[", i++);
      if (i < py.size() && py[i] == '^') emit("^", i++);
      continue;
    }
    emit(py.substr(i, 1), i);
    ++i;
  }
  return out;
}

struct CodeDeleter {
  void operator()(pcre2_code* code) const { pcre2_code_free(code); }
};
using Code = std::unique_ptr<pcre2_code, CodeDeleter>;

std::string ErrorText(int error) {
  PCRE2_UCHAR buffer[256];
  if (pcre2_get_error_message(error, buffer, sizeof(buffer)) < 0) {
    return "error " + std::to_string(error);
  }
  return std::string(reinterpret_cast<const char*>(buffer));
}

Result<Code> CompilePython(const std::string& pattern) {
  std::vector<size_t> origin;
  std::string translated = Translate(pattern, &origin);
  pcre2_compile_context* context = pcre2_compile_context_create(nullptr);
  if (context == nullptr) return Err(Status::Internal("out of memory compiling a regex"));
  pcre2_set_newline(context, PCRE2_NEWLINE_LF);
  int error = 0;
  PCRE2_SIZE offset = 0;
  pcre2_code* code =
      pcre2_compile(reinterpret_cast<PCRE2_SPTR>(translated.data()), translated.size(),
                    PCRE2_UTF | PCRE2_UCP | PCRE2_MATCH_INVALID_UTF, &error, &offset, context);
  pcre2_compile_context_free(context);
  if (code == nullptr) {
    size_t position = offset < origin.size() ? origin[offset] : pattern.size();
    return Err(
        Status::InvalidArgument(ErrorText(error) + " at position " + std::to_string(position)));
  }
  return Code(code);
}

// 1 = found, 0 = not found, negative = PCRE2 error (limits, bad UTF-8).
int Search(const pcre2_code* code, const std::string& subject) {
  pcre2_match_data* data = pcre2_match_data_create_from_pattern(code, nullptr);
  pcre2_match_context* context = pcre2_match_context_create(nullptr);
  int rc = PCRE2_ERROR_NOMEMORY;
  if (data != nullptr && context != nullptr) {
    pcre2_set_match_limit(context, kMatchLimit);
    pcre2_set_depth_limit(context, kDepthLimit);
    rc = pcre2_match(code, reinterpret_cast<PCRE2_SPTR>(subject.data()), subject.size(), 0, 0, data,
                     context);
  }
  pcre2_match_context_free(context);
  pcre2_match_data_free(data);
  if (rc == PCRE2_ERROR_NOMATCH) return 0;
  return rc >= 0 ? 1 : rc;
}

}  // namespace

Status CheckRegex(const std::string& pattern) {
  auto code = CompilePython(pattern);
  if (!code) return code.error();
  return Status::Ok();
}

namespace internal {

Verdict EvaluateRegex(const Json& tolerance, const Json& output, const subst::Scope& scope) {
  auto raw = tolerance.find("pattern");
  if (raw == tolerance.end() || !raw->is_string()) {
    return NotMet("a regex tolerance needs a string `pattern`");
  }
  Json pattern = subst::SubstituteString(raw->get_ref<const std::string&>(), scope);
  if (!pattern.is_string()) {
    return NotMet("the regex pattern became a " + TypeName(pattern) + " after substitution");
  }
  const std::string& text = pattern.get_ref<const std::string&>();
  auto code = CompilePython(text);
  if (!code) return NotMet("pattern " + Show(pattern) + " is invalid: " + code.error().message());
  Targeted targeted = ApplyTarget(tolerance, output, MissingTarget::kWholeValue);
  if (!targeted.ok) return NotMet(targeted.reason);
  if (!targeted.value.is_string()) {  // the reference crashes here (D4)
    return NotMet("a regex applies to a string, got " + TypeName(targeted.value) + " " +
                  Show(targeted.value));
  }
  int rc = Search(code->get(), targeted.value.get_ref<const std::string&>());
  if (rc == 1) return Met();
  if (rc == 0) return NotMet("pattern " + Show(pattern) + " not found in " + Show(targeted.value));
  return NotMet("regex search failed: " + ErrorText(rc));
}

}  // namespace internal
}  // namespace chaosrun::tolerance
