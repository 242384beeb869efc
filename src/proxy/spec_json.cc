// JSON <-> ToxicSpec / ProxySpec (Toxiproxy's shapes plus chaosrun's "duration").
#include <cmath>
#include <string>

#include "proxy/engine.h"
#include "proxy/toxic_params.h"

namespace chaosrun::proxy {
namespace {

Status Bad(const std::string& field, const std::string& what) {
  return Status::InvalidArgument(field + ": " + what);
}

Status ReadString(const Json& j, const char* key, std::string& out) {
  const Json* v = Member(j, key);
  if (!v || v->is_null()) return Status::Ok();
  if (!v->is_string()) return Bad(key, "must be a string");
  out = v->get<std::string>();
  return Status::Ok();
}

}  // namespace

const char* StreamName(Stream s) { return s == Stream::kUpstream ? "upstream" : "downstream"; }

const char* ProtocolName(Protocol p) { return p == Protocol::kUdp ? "udp" : "tcp"; }

bool AppliesToUdp(const std::string& toxic_type) {
  for (const char* t : {"latency", "bandwidth", "timeout", "limit_data", "corrupt", "noop"}) {
    if (toxic_type == t) return true;
  }
  return false;
}

Result<ToxicSpec> ToxicFromJson(const Json& j) {
  if (!j.is_object()) return Err(Status::InvalidArgument("toxic: must be a JSON object"));
  if (Status s = CheckNesting(j, "toxic"); !s.ok()) return Err(s);
  ToxicSpec t;
  if (Status s = ReadString(j, "type", t.type); !s.ok()) return Err(s);
  if (t.type.empty()) return Err(Bad("type", "required"));
  auto type = ToxicTypeFromName(t.type);
  if (!type) return Err(Bad("type", "unknown toxic type '" + t.type + "'"));
  std::string stream = "downstream";
  if (Status s = ReadString(j, "stream", stream); !s.ok()) return Err(s);
  if (stream == "upstream") {
    t.stream = Stream::kUpstream;
  } else if (stream == "downstream") {
    t.stream = Stream::kDownstream;
  } else {
    return Err(Bad("stream", "must be \"upstream\" or \"downstream\""));
  }
  if (Status s = ReadString(j, "name", t.name); !s.ok()) return Err(s);
  if (t.name.empty()) t.name = t.type + "_" + stream;
  if (const Json* v = Member(j, "toxicity"); v && !v->is_null()) {
    // Written so that NaN (from a YAML `.nan`) is refused too.
    if (!v->is_number() || !(v->get<double>() >= 0 && v->get<double>() <= 1)) {
      return Err(Bad("toxicity", "must be a number between 0 and 1"));
    }
    t.toxicity = v->get<double>();
  }
  if (const Json* v = Member(j, "duration"); v && !v->is_null()) {
    if (!v->is_number() || v->get<double>() < 0 || v->get<double>() > 1e12 ||
        v->get<double>() != std::floor(v->get<double>())) {
      return Err(Bad("duration", "must be a non-negative integer (milliseconds)"));
    }
    t.duration = std::chrono::milliseconds(static_cast<int64_t>(v->get<double>()));
  }
  if (const Json* v = Member(j, "seed"); v && !v->is_null()) {
    if (v->is_number_unsigned()) {
      t.seed = v->get<uint64_t>();
    } else if (v->is_number_integer() && v->get<int64_t>() >= 0) {
      t.seed = static_cast<uint64_t>(v->get<int64_t>());
    } else {
      return Err(Bad("seed", "must be a non-negative integer"));
    }
  }
  static const Json kNoAttributes = Json::object();
  const Json* attributes = Member(j, "attributes");
  auto params = ParseAttributes(*type, attributes ? *attributes : kNoAttributes);
  if (!params) return Err(params.error());
  t.attributes = AttributesToJson(*params);
  return t;
}

Json ToxicToJson(const ToxicSpec& t) {
  Json j = Json::object();
  j["name"] = t.name;
  j["type"] = t.type;
  j["stream"] = StreamName(t.stream);
  j["toxicity"] = t.toxicity;
  j["attributes"] = t.attributes;
  if (t.duration) j["duration"] = t.duration->count();
  if (t.seed) j["seed"] = *t.seed;
  return j;
}

Result<ProxySpec> ProxyFromJson(const Json& j) {
  if (!j.is_object()) return Err(Status::InvalidArgument("proxy: must be a JSON object"));
  if (Status s = CheckNesting(j, "proxy"); !s.ok()) return Err(s);
  ProxySpec p;
  p.listen = "127.0.0.1:0";
  if (Status s = ReadString(j, "name", p.name); !s.ok()) return Err(s);
  if (p.name.empty()) return Err(Bad("name", "required"));
  if (Status s = ReadString(j, "listen", p.listen); !s.ok()) return Err(s);
  if (Status s = ReadString(j, "upstream", p.upstream); !s.ok()) return Err(s);
  if (p.upstream.empty()) return Err(Bad("upstream", "required"));
  if (const Json* v = Member(j, "enabled"); v && !v->is_null()) {
    if (!v->is_boolean()) return Err(Bad("enabled", "must be a boolean"));
    p.enabled = v->get<bool>();
  }
  std::string protocol = "tcp";
  if (Status s = ReadString(j, "protocol", protocol); !s.ok()) return Err(s);
  if (protocol == "udp") {
    p.protocol = Protocol::kUdp;
  } else if (protocol != "tcp") {
    return Err(Bad("protocol", "must be \"tcp\" or \"udp\""));
  }
  if (const Json* v = Member(j, "idle_timeout"); v && !v->is_null()) {
    if (!v->is_number() || v->get<double>() < 1 || v->get<double>() > 1e12 ||
        v->get<double>() != std::floor(v->get<double>())) {
      return Err(Bad("idle_timeout", "must be a positive integer (milliseconds)"));
    }
    p.idle_timeout = std::chrono::milliseconds(static_cast<int64_t>(v->get<double>()));
  }
  return p;
}

}  // namespace chaosrun::proxy
