// JSONPath in the jsonpath2 dialect the reference and the public corpus use (ctk-spec §5.3):
//   $  .name  ["name"]  .*  [*]  [0]  [-1:]  [a:b:c]  [0,1]  ..name
//   [?( expr )] tests the *current node* (not its children): $.items.*[?(@.up=true)].name
//   operators = (and == as chaosrun's extension), !=, <, <=, >, >=, contains; and, or, not, ()
//   a bare @.x means "x exists"; comparisons are existential over all matches of each side;
//   literals are JSON; functions as steps: length(), keys(), values(), entries(), charAt(i),
//   substring(a[,b]).
// Compile once, evaluate many times; a compiled path is immutable and thread-safe.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/json.h"
#include "common/status.h"

namespace chaosrun::jsonpath {

namespace internal {
struct Node;
}

class JsonPath {
 public:
  // ParseError with the offending column on bad syntax. Never throws, never crashes.
  static Result<JsonPath> Compile(std::string_view expression);

  // All matched values in document order. Evaluation draws on a fixed work budget so that no
  // expression runs unbounded (e.g. `$..*..*..*` on a large document); when it runs out, the
  // result is incomplete and *budget_exhausted (if given) is set to true.
  std::vector<Json> Evaluate(const Json& document, bool* budget_exhausted = nullptr) const;
  const std::string& expression() const { return expression_; }

 private:
  std::string expression_;
  std::shared_ptr<const internal::Node> root_;
};

}  // namespace chaosrun::jsonpath
