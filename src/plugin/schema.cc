#include "plugin/schema.h"

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
      valijson::ValidationResults::Error e;
      std::string last_pointer;
      while (results.popError(e)) {
        std::string p = ContextToPointer(e.context, pointer);
        // valijson reports a chain (the failing keyword, then each enclosing schema): keep only
        // the most specific problem, dropping any at the same place or at an ancestor of one
        // already kept.
        bool covered = false;
        for (const auto& kept : problems) {
          if (kept.first == p || kept.first.rfind(p + "/", 0) == 0) covered = true;
        }
        if (covered) continue;
        problems.emplace_back(p, e.description);
      }
      if (problems.empty()) problems.emplace_back(pointer, "does not match the driver's schema");
    }
  } catch (const std::exception& ex) {
    problems.emplace_back(pointer,
                          std::string("the driver's argument schema is invalid: ") + ex.what());
  }
  return problems;
}

}  // namespace chaosrun::plugin
