// Helpers for tolerance tests: evaluating with a configuration and building outputs.
#pragma once

#include "common/json.h"
#include "subst/template.h"
#include "tolerance/tolerance.h"

namespace chaosrun::tolerance::testing {

inline Json J(const char* text) { return Json::parse(text); }

inline subst::Scope TestScope() {
  return subst::Scope(J(R"({"expected": 200, "ok_codes": [200, 204], "word": "ready", "pi": 3.5,
            "pattern": "^up", "path": "$.items.*[?(@.up=true)]", "two": 2,
            "names": ["a", "c"]})"),
                      Json::object());
}

inline Verdict Eval(const Json& tolerance, const Json& value, const ProbeRunner& runner = nullptr) {
  return Evaluate(tolerance, value, TestScope(), runner);
}

inline Json ProcessOutput(int status, const char* stdout_text) {
  return Json{{"status", status}, {"stdout", stdout_text}, {"stderr", ""}};
}

inline Json HttpOutput(int status, Json body) {
  return Json{{"status", status},
              {"headers", {{"Content-Type", "application/json"}}},
              {"body", std::move(body)}};
}

}  // namespace chaosrun::tolerance::testing
