// Loading experiment documents (and var-files) from disk.
//
// The format is chosen by extension only, as the reference does: .json → JSON; .yaml/.yml → YAML
// (safe subset: no language tags; YAML 1.1 scalars as PyYAML's safe loader resolves them).
// Syntax errors give Status::ParseError with "<file>:<line>:<column>: <reason>". Never throws.
#pragma once

#include <string>
#include <string_view>

#include "common/json.h"
#include "common/status.h"

namespace chaosrun::parse {

enum class DocFormat { kJson, kYaml, kUnknown };

DocFormat FormatFromPath(std::string_view path);

// Parses text in the given format. `name` is used in error messages (a path or "<stdin>").
Result<Json> ParseText(std::string_view text, DocFormat format, std::string_view name);

// Reads and parses a file. Errors: NotFound ("Path \"p\" does not exist."), InvalidArgument for an
// unsupported extension, ParseError with line/column, InvalidArgument when the document is not a
// mapping ("the experiment document must be a mapping").
Result<Json> LoadExperimentFile(const std::string& path);

// Reads a whole file into a string (IoError/NotFound on failure).
Result<std::string> ReadFile(const std::string& path);

}  // namespace chaosrun::parse
