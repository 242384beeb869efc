// The typed parameters of a toxic, parsed once from its JSON attributes (Toxiproxy's names and
// units). Every attribute is a non-negative integer (json_rewrite's excepted: an object of
// operations, http_json_rewrite.h); a missing one takes its default.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string_view>

#include "common/json.h"
#include "common/status.h"

namespace chaosrun::proxy {

enum class ToxicType {
  kLatency,
  kBandwidth,
  kSlowClose,
  kTimeout,
  kResetPeer,
  kSlicer,
  kLimitData,
  kNoop,        // passes data unchanged (no attributes)
  kCorrupt,     // chaosrun extension: garbles payload bytes
  kJsonRewrite  // chaosrun extension: rewrites JSON bodies of HTTP/1.x (http_json_rewrite.h)
};

struct JsonRewriteConfig;

std::optional<ToxicType> ToxicTypeFromName(std::string_view name);
const char* ToxicTypeName(ToxicType type);

struct ToxicParams {
  ToxicType type = ToxicType::kLatency;
  int64_t latency = 0;           // latency: ms
  int64_t jitter = 0;            // latency: ms
  int64_t rate = 0;              // bandwidth: KB/s (0 = no limit)
  int64_t delay = 0;             // slow_close: ms; slicer: µs between slices
  int64_t timeout = 0;           // timeout, reset_peer: ms
  int64_t average_size = 0;      // slicer: bytes
  int64_t size_variation = 0;    // slicer: bytes
  int64_t bytes = 0;             // limit_data: bytes
  int64_t corrupt_rate = 10000;  // corrupt ("rate"): garbled bytes per million (10000 = 1 %)
  // json_rewrite: its operations, records pointer and bound (immutable, shared by connections).
  std::shared_ptr<const JsonRewriteConfig> json_rewrite;
};

// Untrusted JSON: how deep a toxic or proxy document may nest (the deepest legitimate one,
// {"attributes": {"latency": 1}}, has 3 levels).
inline constexpr int kMaxJsonDepth = 8;

// Every Toxiproxy attribute is a number: rejects a non-object `attributes` and any value that is
// not a number ("attributes.latency: must be a number"), without copying anything, so a deeply
// nested value cannot recurse. Null is accepted (no attributes). json_rewrite's attributes hold
// arrays and strings: for that `type` only the object and its nesting are checked.
Status CheckAttributeValues(const Json& attributes);
Status CheckAttributeValues(const Json& attributes, std::string_view type);
// Rejects a document nested deeper than `max_depth` levels, walking it with an explicit stack;
// the error names the offending member of `j` ("<what>.<member>: nested deeper than 8 levels").
Status CheckNesting(const Json& j, std::string_view what, int max_depth = kMaxJsonDepth);

// Parses `attributes` for `type`. Unknown attribute names and bad values are errors naming the
// field ("attributes.latency: must be a non-negative integer").
Result<ToxicParams> ParseAttributes(ToxicType type, const Json& attributes);
// Merges `patch` over the current attributes (for updates).
Result<ToxicParams> MergeAttributes(const ToxicParams& current, const Json& patch);
// Every attribute of the type, in Toxiproxy's order.
Json AttributesToJson(const ToxicParams& params);

}  // namespace chaosrun::proxy
