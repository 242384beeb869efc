#include "proxy/toxic_params.h"

#include <cmath>
#include <string>
#include <utility>
#include <vector>

#include "proxy/http_json_rewrite.h"

namespace chaosrun::proxy {
namespace {

// Upper bounds keep every conversion to nanoseconds and every size computation far from
// overflow (values above them would silently mean something else: a "forever" timeout that
// fires at once). Generous: 10^11 ms is three years.
constexpr int64_t kMaxMillis = 100'000'000'000;
constexpr int64_t kMaxMicros = kMaxMillis * 1000;
constexpr int64_t kMaxRate = 1'000'000'000'000;  // KB/s
constexpr int64_t kMaxSize = int64_t{1} << 40;   // bytes (slicer piece sizes)
constexpr int64_t kMaxCount = INT64_MAX;         // bytes (limit_data: a count, no conversion)
constexpr int64_t kMillion = 1'000'000;          // corrupt: parts per million

struct Attribute {
  const char* name;
  int64_t ToxicParams::*member;
  int64_t max;
};

struct TypeInfo {
  ToxicType type;
  const char* name;
  std::vector<Attribute> attributes;
};

const std::vector<TypeInfo>& Types() {
  static const std::vector<TypeInfo> types = {
      {ToxicType::kLatency,
       "latency",
       {{"latency", &ToxicParams::latency, kMaxMillis},
        {"jitter", &ToxicParams::jitter, kMaxMillis}}},
      {ToxicType::kBandwidth, "bandwidth", {{"rate", &ToxicParams::rate, kMaxRate}}},
      {ToxicType::kSlowClose, "slow_close", {{"delay", &ToxicParams::delay, kMaxMillis}}},
      {ToxicType::kTimeout, "timeout", {{"timeout", &ToxicParams::timeout, kMaxMillis}}},
      {ToxicType::kResetPeer, "reset_peer", {{"timeout", &ToxicParams::timeout, kMaxMillis}}},
      {ToxicType::kSlicer,
       "slicer",
       {{"average_size", &ToxicParams::average_size, kMaxSize},
        {"size_variation", &ToxicParams::size_variation, kMaxSize},
        {"delay", &ToxicParams::delay, kMaxMicros}}},
      {ToxicType::kLimitData, "limit_data", {{"bytes", &ToxicParams::bytes, kMaxCount}}},
      {ToxicType::kNoop, "noop", {}},
      {ToxicType::kCorrupt, "corrupt", {{"rate", &ToxicParams::corrupt_rate, kMillion}}},
      {ToxicType::kJsonRewrite, "json_rewrite", {}},  // not numbers: ApplyJsonRewrite
  };
  return types;
}

const TypeInfo& Info(ToxicType type) {
  for (const auto& t : Types()) {
    if (t.type == type) return t;
  }
  return Types().front();
}

std::optional<int64_t> NonNegativeInt(const Json& v) {
  if (v.is_number_unsigned()) {
    if (v.get<uint64_t>() > uint64_t{INT64_MAX}) return std::nullopt;
    return static_cast<int64_t>(v.get<uint64_t>());
  }
  if (v.is_number_integer()) {
    if (v.get<int64_t>() < 0) return std::nullopt;
    return v.get<int64_t>();
  }
  if (v.is_number_float()) {
    double d = v.get<double>();
    if (d >= 0 && d < 9.0e18 && d == std::floor(d)) return static_cast<int64_t>(d);
  }
  return std::nullopt;
}

Status CheckSlicer(const ToxicParams& p) {
  if (p.type != ToxicType::kSlicer) return Status::Ok();
  if (p.average_size < 1) {
    return Status::InvalidArgument("attributes.average_size: must be a positive integer");
  }
  // Toxiproxy accepts size_variation == average_size (a popular client's own test sends it);
  // larger values make no sense and are refused. The pieces are 1 to 2 * average_size - 1 bytes
  // then (toxic_math.h: NextSliceSize never cuts an empty piece).
  if (p.size_variation > p.average_size) {
    return Status::InvalidArgument("attributes.size_variation: must be at most average_size");
  }
  return Status::Ok();
}

// json_rewrite: `attributes` merged over the current ones (members replaced whole), checked as
// a whole.
Status ApplyJsonRewrite(ToxicParams& p, const Json& attributes) {
  if (Status s = CheckAttributeValues(attributes, "json_rewrite"); !s.ok()) return s;
  Json merged = p.json_rewrite ? JsonRewriteToJson(*p.json_rewrite) : Json::object();
  if (attributes.is_object()) {
    for (const auto& [key, value] : attributes.items()) merged[key] = value;
  }
  auto config = ParseJsonRewrite(merged);
  if (!config) return config.error();
  p.json_rewrite = std::make_shared<const JsonRewriteConfig>(std::move(*config));
  return Status::Ok();
}

Status Apply(ToxicParams& p, const Json& attributes) {
  if (p.type == ToxicType::kJsonRewrite) return ApplyJsonRewrite(p, attributes);
  if (Status s = CheckAttributeValues(attributes); !s.ok()) return s;
  if (attributes.is_null()) return Status::Ok();
  const TypeInfo& info = Info(p.type);
  for (const auto& [key, value] : attributes.items()) {
    const Attribute* attribute = nullptr;
    for (const Attribute& a : info.attributes) {
      if (key == a.name) attribute = &a;
    }
    if (attribute == nullptr) {
      return Status::InvalidArgument("attributes." + key + ": unknown attribute of " + info.name);
    }
    std::optional<int64_t> n = NonNegativeInt(value);
    if (!n)
      return Status::InvalidArgument("attributes." + key + ": must be a non-negative integer");
    if (*n > attribute->max) {
      return Status::InvalidArgument("attributes." + key + ": must be at most " +
                                     std::to_string(attribute->max));
    }
    p.*(attribute->member) = *n;
  }
  return CheckSlicer(p);
}

}  // namespace

Status CheckAttributeValues(const Json& attributes) {
  if (attributes.is_null()) return Status::Ok();
  if (!attributes.is_object()) return Status::InvalidArgument("attributes: must be an object");
  for (const auto& [key, value] : attributes.items()) {
    if (!value.is_number())
      return Status::InvalidArgument("attributes." + key + ": must be a non-negative integer");
  }
  return Status::Ok();
}

Status CheckAttributeValues(const Json& attributes, std::string_view type) {
  if (type != "json_rewrite") return CheckAttributeValues(attributes);
  if (attributes.is_null()) return Status::Ok();
  if (!attributes.is_object()) return Status::InvalidArgument("attributes: must be an object");
  // {"operations": [{"op": "drop"}]} is 3 levels; a toxic document adds one.
  return CheckNesting(attributes, "attributes", kMaxJsonDepth - 1);
}

Status CheckNesting(const Json& j, std::string_view what, int max_depth) {
  if (!j.is_structured()) return Status::Ok();
  // Depth of j itself is 1; each member starts at 2. Explicit stack: no recursion.
  std::vector<std::pair<const Json*, int>> stack;
  for (auto it = j.begin(); it != j.end(); ++it) {
    stack.assign(1, {&*it, 2});
    while (!stack.empty()) {
      auto [v, depth] = stack.back();
      stack.pop_back();
      if (depth > max_depth) {
        std::string field(what);
        if (j.is_object()) field += "." + it.key();
        return Status::InvalidArgument(field + ": nested deeper than " + std::to_string(max_depth) +
                                       " levels");
      }
      if (!v->is_structured()) continue;
      for (const Json& child : *v) stack.emplace_back(&child, depth + 1);
    }
  }
  return Status::Ok();
}

std::optional<ToxicType> ToxicTypeFromName(std::string_view name) {
  for (const auto& t : Types()) {
    if (name == t.name) return t.type;
  }
  return std::nullopt;
}

const char* ToxicTypeName(ToxicType type) { return Info(type).name; }

Result<ToxicParams> ParseAttributes(ToxicType type, const Json& attributes) {
  ToxicParams p;
  p.type = type;
  if (type == ToxicType::kSlicer && !Member(attributes, "average_size")) {
    return Err(Status::InvalidArgument("attributes.average_size: required for slicer"));
  }
  if (Status s = Apply(p, attributes); !s.ok()) return Err(s);
  return p;
}

Result<ToxicParams> MergeAttributes(const ToxicParams& current, const Json& patch) {
  ToxicParams p = current;
  if (Status s = Apply(p, patch); !s.ok()) return Err(s);
  return p;
}

Json AttributesToJson(const ToxicParams& params) {
  if (params.type == ToxicType::kJsonRewrite) {
    return params.json_rewrite ? JsonRewriteToJson(*params.json_rewrite) : Json::object();
  }
  Json j = Json::object();
  for (const Attribute& a : Info(params.type).attributes) j[a.name] = params.*(a.member);
  return j;
}

}  // namespace chaosrun::proxy
