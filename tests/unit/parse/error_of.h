// Shared by the JSON and YAML text tests.
#pragma once

#include <gtest/gtest.h>

#include <string>

#include "parse/loader.h"

namespace chaosrun::parse {

// The message of a failed parse, or a marker when it unexpectedly succeeded.
inline std::string ErrorOf(const Result<Json>& r) {
  if (r) return "<parsed: " + r->dump() + ">";
  EXPECT_EQ(r.error().code(), Code::kParseError);
  return r.error().message();
}

}  // namespace chaosrun::parse
