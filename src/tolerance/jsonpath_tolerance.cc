// `{type: jsonpath, path, target?, count?, expect?}` (§5.2).
#include <string>
#include <vector>

#include "jsonpath/jsonpath.h"
#include "jsonpath/python_value.h"
#include "tolerance/kinds.h"

namespace chaosrun::tolerance::internal {
namespace {

bool ListEquals(const std::vector<Json>& matches, const Json& expect) {
  if (matches.size() != expect.size()) return false;
  for (size_t i = 0; i < matches.size(); ++i) {
    if (!jsonpath::PyEquals(matches[i], expect[i])) return false;
  }
  return true;
}

Json ShowMatches(const std::vector<Json>& matches) {
  Json list = Json::array();
  for (const Json& m : matches) list.push_back(m);
  return list;
}

}  // namespace

Verdict EvaluateJsonPath(const Json& tolerance, const Json& output, const subst::Scope& scope) {
  auto raw_path = tolerance.find("path");
  if (raw_path == tolerance.end() || !raw_path->is_string()) {
    return NotMet("a jsonpath tolerance needs a string `path`");
  }
  Json path_text = subst::SubstituteString(raw_path->get_ref<const std::string&>(), scope);
  if (!path_text.is_string()) {
    return NotMet("the JSON path became a " + TypeName(path_text) + " after substitution");
  }
  auto path = jsonpath::JsonPath::Compile(path_text.get_ref<const std::string&>());
  if (!path)
    return NotMet("JSON path " + Show(path_text) + " is invalid: " + path.error().message());

  Targeted targeted = ApplyTarget(tolerance, output, MissingTarget::kNull);
  if (!targeted.ok) return NotMet(targeted.reason);
  Json document = std::move(targeted.value);
  if (document.is_string()) {  // a JSON body as text is parsed when possible
    Json parsed = Json::parse(document.get_ref<const std::string&>(), nullptr, false);
    if (!parsed.is_discarded()) document = std::move(parsed);
  }
  bool exhausted = false;
  std::vector<Json> matches = path->Evaluate(document, &exhausted);
  if (exhausted) return NotMet("JSON path " + Show(path_text) + " exceeded its evaluation budget");

  if (tolerance.contains("expect")) {
    Json expect = subst::Substitute(tolerance["expect"], scope);
    if (!expect.is_array()) expect = Json::array({expect});
    if (ListEquals(matches, expect)) return Met();
    return NotMet("JSON path " + Show(path_text) + " matched " + Show(ShowMatches(matches)) +
                  ", expected " + Show(expect));
  }
  if (tolerance.contains("count")) {
    const Json& count = tolerance["count"];
    if (jsonpath::PyEquals(Json(matches.size()), count)) return Met();
    return NotMet("JSON path " + Show(path_text) + " matched " + std::to_string(matches.size()) +
                  " value(s), expected " + Show(count));
  }
  if (!matches.empty()) return Met();
  return NotMet("JSON path " + Show(path_text) + " matched nothing");
}

}  // namespace chaosrun::tolerance::internal
