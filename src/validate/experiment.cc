// The top level of an experiment document (ctk-spec §2, §10 steps 1-5, 9, 12) and the entry point.
#include <array>
#include <exception>
#include <string>

#include "common/which.h"
#include "validate/internal.h"
#include "validate/validator.h"

namespace chaosrun::validate {
namespace internal {

namespace {

// A required, non-empty string (title, description): the reference checks truthiness only; we
// also insist on a string.
void CheckRequiredString(Context& ctx, const Json& doc, const char* key, const char* missing) {
  const std::string ptr = PointerAppend("", key);
  const Json* v = Member(doc, key);
  if (IsBlank(v)) {
    ctx.Error(ptr, missing);
  } else if (!v->is_string()) {
    ctx.Error(ptr, std::string("experiment ") + key + " must be a string");
  }
}

void CheckTags(Context& ctx, const Json& doc) {
  const Json* tags = Member(doc, "tags");
  if (tags == nullptr || tags->is_null()) return;
  if (!tags->is_array()) {
    ctx.Error("/tags", "experiment tags must be a list of non-empty strings");
    return;
  }
  for (size_t i = 0; i < tags->size(); ++i) {
    const Json& t = (*tags)[i];
    if (!t.is_string() || t.get_ref<const std::string&>().empty()) {
      ctx.Error(PointerAppend("/tags", i), "experiment tags must be a non-empty string");
    }
  }
}

bool IsBlankString(const std::string& s) {
  return s.find_first_not_of(" \t\r\n\f\v") == std::string::npos;
}

void CheckExtensions(Context& ctx, const Json& doc) {
  const Json* exts = Member(doc, "extensions");
  if (exts == nullptr || exts->is_null()) return;
  if (!exts->is_array()) {
    ctx.Error("/extensions", "experiment extensions must be a list of objects");
    return;
  }
  for (size_t i = 0; i < exts->size(); ++i) {
    const std::string ptr = PointerAppend("/extensions", i);
    const Json& ext = (*exts)[i];
    if (!ext.is_object()) {
      ctx.Error(ptr, "an extension must be an object with a non-empty name");
      continue;
    }
    const Json* name = Member(ext, "name");
    if (name == nullptr || !name->is_string() ||
        IsBlankString(name->get_ref<const std::string&>())) {
      ctx.Error(PointerAppend(ptr, "name"), "All extensions require a non-empty name");
    }
  }
}

void CheckMethodAndRollbacks(Context& ctx, const Json& doc) {
  const Json* method = Member(doc, "method");
  if (method == nullptr || method->is_null()) {
    ctx.Error("/method",
              "an experiment requires a method, which can be empty for only checking steady "
              "state hypothesis");
  } else {
    CheckActivityList(ctx, *method, "/method", Place::kMethod, "the experiment method");
  }
  const Json* rollbacks = Member(doc, "rollbacks");
  if (rollbacks != nullptr && !rollbacks->is_null()) {
    CheckActivityList(ctx, *rollbacks, "/rollbacks", Place::kRollback, "rollbacks");
  }
}

// Names the ref checks accept: full activities of the method and the hypothesis probes.
void CollectActivityNames(Context& ctx, const Json& doc) {
  auto collect = [&ctx](const Json* list) {
    if (list == nullptr || !list->is_array()) return;
    for (const Json& a : *list) {
      const Json* name = Member(a, "name");
      if (name != nullptr && name->is_string() && Member(a, "ref") == nullptr) {
        ctx.activity_names.insert(name->get<std::string>());
      }
    }
  };
  collect(Member(doc, "method"));
  const Json* hypothesis = Member(doc, "steady-state-hypothesis");
  if (hypothesis != nullptr) collect(Member(*hypothesis, "probes"));
}

void CollectControlNames(Context& ctx, const Json& doc) {
  const Json* controls = Member(doc, "controls");
  if (controls == nullptr || !controls->is_array()) return;
  for (const Json& c : *controls) {
    const Json* name = Member(c, "name");
    if (name != nullptr && name->is_string()) ctx.control_names.insert(name->get<std::string>());
  }
}

constexpr std::array<std::string_view, 5> kHypothesisStrategies = {
    "default", "before-method-only", "after-method-only", "during-method-only", "continuously"};
constexpr std::array<std::string_view, 4> kRollbackStrategies = {"default", "always", "never",
                                                                 "deviated"};

template <size_t N>
void CheckStrategy(Context& ctx, const Json& runtime, const char* which,
                   const std::array<std::string_view, N>& allowed) {
  const Json* block = Member(runtime, which);
  if (block == nullptr || block->is_null()) return;
  const std::string ptr = PointerAppend("/runtime", which);
  if (!block->is_object()) {
    ctx.Error(ptr, std::string("runtime ") + which + " must be a mapping with a `strategy`");
    return;
  }
  const Json* strategy = Member(*block, "strategy");
  if (strategy == nullptr || strategy->is_null()) return;
  std::string expected;
  for (std::string_view a : allowed) expected += (expected.empty() ? "" : ", ") + std::string(a);
  const std::string sptr = PointerAppend(ptr, "strategy");
  if (strategy->is_string()) {
    const std::string& s = strategy->get_ref<const std::string&>();
    for (std::string_view a : allowed) {
      if (s == a) return;
    }
    if (s == "continously" && std::string_view(which) == "hypothesis") {
      ctx.Warn(sptr, "'continously' is a deprecated spelling of 'continuously'");
      return;
    }
  }
  ctx.Error(sptr, std::string("unknown ") + which + " strategy '" + PythonStr(*strategy) +
                      "'; expected one of " + expected);
}

// The keys of the top level that chaosrun or Chaos Toolkit read (any other is kept).
constexpr std::string_view kTopLevelKeys[] = {
    "version",       "title",     "description", "tags",     "contributions",
    "configuration", "secrets",   "extensions",  "controls", "steady-state-hypothesis",
    "method",        "rollbacks", "runtime",     "dry",      "blast-radius",
    "safeguards"};
constexpr std::string_view kRuntimeKeys[] = {"hypothesis", "rollbacks"};
constexpr std::string_view kStrategyKeys[] = {"strategy"};

void CheckRuntime(Context& ctx, const Json& doc) {
  const Json* runtime = Member(doc, "runtime");
  if (runtime == nullptr || runtime->is_null()) return;
  if (!runtime->is_object()) {
    ctx.Error("/runtime", "runtime must be a mapping with `hypothesis` and/or `rollbacks`");
    return;
  }
  CheckLikelyTypos(ctx, *runtime, "/runtime", kRuntimeKeys);
  for (const char* which : {"hypothesis", "rollbacks"}) {
    if (const Json* block = Member(*runtime, which)) {
      CheckLikelyTypos(ctx, *block, PointerAppend("/runtime", which), kStrategyKeys);
    }
  }
  CheckStrategy(ctx, *runtime, "hypothesis", kHypothesisStrategies);
  CheckStrategy(ctx, *runtime, "rollbacks", kRollbackStrategies);
}

void CheckContributions(Context& ctx, const Json& doc) {
  const Json* contributions = Member(doc, "contributions");
  if (contributions == nullptr || contributions->is_null()) return;
  if (!contributions->is_object()) {
    ctx.Warn("/contributions", "contributions should map names to high, medium, low or none");
    return;
  }
  for (const auto& [key, value] : contributions->items()) {
    if (value.is_string()) {
      const std::string& s = value.get_ref<const std::string&>();
      if (s == "high" || s == "medium" || s == "low" || s == "none") continue;
    }
    ctx.Warn(PointerAppend("/contributions", key),
             "contribution '" + PythonStr(value) + "' should be one of high, medium, low or none");
  }
}

void ValidateDocument(Context& ctx, const Json& doc) {
  if (IsBlank(&doc)) {
    ctx.Error("", "an empty experiment is not an experiment");
    return;
  }
  if (!doc.is_object()) {
    ctx.Error("", "the experiment document must be a mapping");
    return;
  }
  CollectActivityNames(ctx, doc);
  CollectControlNames(ctx, doc);
  CheckLikelyTypos(ctx, doc, "", kTopLevelKeys);
  CheckRequiredString(ctx, doc, "title", "experiment requires a title");
  CheckRequiredString(ctx, doc, "description", "experiment requires a description");
  CheckTags(ctx, doc);
  CheckExtensions(ctx, doc);
  CheckConfiguration(ctx, doc);
  CheckSecrets(ctx, doc);
  if (const Json* h = Member(doc, "steady-state-hypothesis"); h != nullptr && !h->is_null()) {
    CheckHypothesis(ctx, *h, "/steady-state-hypothesis");
  }
  CheckMethodAndRollbacks(ctx, doc);
  if (const Json* c = Member(doc, "controls"); c != nullptr)
    CheckControls(ctx, *c, "/controls", true);
  CheckRuntime(ctx, doc);
  CheckContributions(ctx, doc);
  CheckBlastRadius(ctx, doc);
  CheckSafeguards(ctx, doc);
}

}  // namespace

Context::Context(const Options& options) : options_(options) {
  if (options.env) {
    env_ = options.env;
  } else {
    env_ = [](const std::string&) -> std::optional<std::string> { return std::nullopt; };
  }
}

void Context::Error(std::string pointer, std::string message) {
  out_.push_back(Diagnostic{std::move(pointer), std::move(message), false});
}

void Context::Warn(std::string pointer, std::string message) {
  out_.push_back(Diagnostic{std::move(pointer), std::move(message), true});
}

void Context::Typo(std::string pointer, std::string message) {
  out_.push_back(Diagnostic{std::move(pointer), std::move(message), !options_.strict});
}

bool IsPythonNumber(const Json& v) { return v.is_number() || v.is_boolean(); }

bool IsInteger(const Json& v) { return v.is_number_integer(); }

bool IsBlank(const Json* v) {
  if (v == nullptr) return true;
  return !Truthy(*v);
}

bool IsWholePlaceholder(const Json& v) {
  if (!v.is_string()) return false;
  const std::string& s = v.get_ref<const std::string&>();
  return s.size() > 3 && s.starts_with("${") && s.ends_with("}");
}

namespace {
bool IsIdentStart(char c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_'; }
}  // namespace

std::optional<std::string> SubstituteForCheck(const Context& ctx, const std::string& text) {
  if (text.find('$') == std::string::npos) return text;
  const Json result = subst::SubstituteString(text, ctx.scope);
  if (!result.is_string()) return std::nullopt;
  const std::string& s = result.get_ref<const std::string&>();
  for (size_t i = 0; i + 1 < s.size(); ++i) {
    if (s[i] == '$' && (s[i + 1] == '{' || IsIdentStart(s[i + 1]))) return std::nullopt;
  }
  return s;
}

const Json* Member(const Json& obj, std::string_view key) {
  if (!obj.is_object()) return nullptr;
  auto it = obj.find(key);
  return it == obj.end() ? nullptr : &*it;
}

std::string StringMember(const Json& obj, std::string_view key) {
  const Json* v = Member(obj, key);
  return v != nullptr && v->is_string() ? v->get<std::string>() : std::string();
}

}  // namespace internal

std::string Diagnostic::ToString() const {
  std::string out = pointer.empty() ? "(document)" : pointer;
  out += ": ";
  if (warning) out += "warning: ";
  out += message;
  return out;
}

Options DefaultOptions() {
  Options options;
  options.resolve_executable = [](const std::string& name) { return chaosrun::Which(name); };
  options.env = subst::ProcessEnv();
  options.python = BridgePythonCheck();
  return options;
}

std::vector<Diagnostic> Validate(const Json& document, const Options& options) {
  internal::Context ctx(options);
  try {
    internal::ValidateDocument(ctx, document);
  } catch (const std::exception& e) {
    // A bug in a checker or a dependency must not take the process down (D7).
    ctx.Error("", std::string("internal error while validating: ") + e.what());
  } catch (...) {
    ctx.Error("", "internal error while validating");
  }
  return ctx.Take();
}

bool HasErrors(const std::vector<Diagnostic>& diagnostics) {
  for (const Diagnostic& d : diagnostics) {
    if (!d.warning) return true;
  }
  return false;
}

}  // namespace chaosrun::validate
