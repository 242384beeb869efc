#include "plugin/schema.h"

#include "plugin/schema_explain.h"

// Without this valijson reports a malformed schema by calling abort().
#ifndef VALIJSON_USE_EXCEPTIONS
#define VALIJSON_USE_EXCEPTIONS 1
#endif

#include <nlohmann/json.hpp>
#include <valijson/adapters/nlohmann_json_adapter.hpp>
#include <valijson/schema.hpp>
#include <valijson/schema_parser.hpp>
#include <valijson/validation_results.hpp>
#include <valijson/validator.hpp>

namespace chaosrun::plugin {

namespace {

// valijson's context is ["<root>", "[\"pids\"]", "[0]"]: turn it into "/pids/0".
std::string ContextToPointer(const std::vector<std::string>& context, const std::string& base) {
  std::string out = base;
  for (const auto& c : context) {
    if (c == "<root>" || c.size() < 2 || c.front() != '[' || c.back() != ']') continue;
    std::string inner = c.substr(1, c.size() - 2);
    if (inner.size() >= 2 && inner.front() == '"' && inner.back() == '"') {
      inner = inner.substr(1, inner.size() - 2);
    }
    out = PointerAppend(out, inner);
  }
  return out;
}

const std::string& PointerOf(const std::string& p) { return p; }
const std::string& PointerOf(const std::pair<std::string, std::string>& p) { return p.first; }

std::string Parent(const std::string& p) {
  const auto slash = p.rfind('/');
  return slash == std::string::npos ? std::string() : p.substr(0, slash);
}

// True if `p` is the pointer of one of `seen`, an ancestor or a descendant of one, or a sibling:
// valijson reports each failure with every enclosing schema's, and words every alternative's
// (a tagged alternative that was not meant fails on its tag, next to the member explained).
template <typename Seen>
bool Related(const std::string& p, const Seen& seen) {
  for (const auto& item : seen) {
    const std::string& q = PointerOf(item);
    if (q == p || q.rfind(p + "/", 0) == 0 || p.rfind(q + "/", 0) == 0) return true;
    if (!p.empty() && !q.empty() && Parent(p) == Parent(q)) return true;
  }
  return false;
}

}  // namespace

std::vector<std::pair<std::string, std::string>> CheckAgainstSchema(const Json& schema,
                                                                    const Json& value,
                                                                    const std::string& pointer) {
  std::vector<std::pair<std::string, std::string>> problems;
  try {
    // valijson's adapter works on nlohmann::json (unordered); convert through text.
    nlohmann::json s = nlohmann::json::parse(DumpCompact(schema));
    nlohmann::json v = nlohmann::json::parse(DumpCompact(value));
    valijson::Schema compiled;
    valijson::SchemaParser parser;
    valijson::adapters::NlohmannJsonAdapter schema_adapter(s);
    parser.populateSchema(schema_adapter, compiled);
    valijson::Validator validator;
    valijson::ValidationResults results;
    valijson::adapters::NlohmannJsonAdapter value_adapter(v);
    if (!validator.validate(compiled, value_adapter, &results)) {
      problems = ExplainArguments(schema, value, pointer);
      std::vector<std::string> unexplained;
      valijson::ValidationResults::Error e;
      while (results.popError(e)) {
        std::string p = ContextToPointer(e.context, pointer);
        if (!Related(p, problems) && !Related(p, unexplained)) unexplained.push_back(p);
      }
      // What the plain words did not cover (a keyword they do not know), at its place, without
      // valijson's own wording.
      for (const auto& p : unexplained) {
        problems.emplace_back(p, "is not a value the driver accepts here (see `chaosrun drivers`)");
      }
      if (problems.empty()) {
        problems.emplace_back(pointer, "is not what the driver accepts (see `chaosrun drivers`)");
      }
    }
  } catch (const std::exception& ex) {
    problems.emplace_back(pointer,
                          std::string("the driver's argument schema is invalid: ") + ex.what());
  }
  return problems;
}

}  // namespace chaosrun::plugin
