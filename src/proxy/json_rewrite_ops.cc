// The json_rewrite toxic's attributes (parsed once into a JsonRewriteConfig) and the
// operations applied to the records of a parsed body (http_json_rewrite.h).
#include <cmath>
#include <cstdlib>
#include <optional>
#include <string>
#include <utility>

#include "proxy/http_json_rewrite.h"

namespace chaosrun::proxy {

// Named, not anonymous: the module is compiled in unity batches (no clashes with other files).
namespace json_rewrite_ops {

using Pointer = Json::json_pointer;

constexpr const char* kRetypes[] = {"string", "number", "integer", "boolean", "null"};

Status Bad(const std::string& field, const std::string& what) {
  return Status::InvalidArgument("attributes." + field + ": " + what);
}

bool ValidPointer(const std::string& text) {
  if (text.empty()) return true;
  try {
    Pointer p(text);
    (void)p;
    return true;
  } catch (const Json::exception&) {
    return false;
  }
}

Status ReadField(const Json& op, const std::string& where, const char* key, std::string& out) {
  const Json* v = Member(op, key);
  if (!v || v->is_null()) return Bad(where + "." + key, "required");
  if (!v->is_string() || v->get_ref<const std::string&>().empty()) {
    return Bad(where + "." + key, "must be a non-empty string");
  }
  out = v->get<std::string>();
  if (out.size() > 1024) return Bad(where + "." + key, "must be at most 1024 characters");
  if (out.front() == '/' && !ValidPointer(out)) {
    return Bad(where + "." + key, "not a valid JSON pointer");
  }
  return Status::Ok();
}

Status CheckKeys(const Json& op, const std::string& where,
                 std::initializer_list<const char*> keys) {
  for (const auto& [key, value] : op.items()) {
    bool known = false;
    for (const char* k : keys) known = known || key == k;
    if (!known) return Bad(where + "." + key, "unknown member of this operation");
  }
  return Status::Ok();
}

Result<JsonRewriteOp> ParseOp(const Json& op, size_t index) {
  const std::string where = "operations[" + std::to_string(index) + "]";
  if (!op.is_object()) return Err(Bad(where, "must be an object {\"op\", \"field\", ...}"));
  const Json* name = Member(op, "op");
  if (!name || name->is_null()) return Err(Bad(where + ".op", "required"));
  static const char* kOps = "must be one of drop, rename, scale, retype";
  if (!name->is_string()) return Err(Bad(where + ".op", kOps));
  const std::string& n = name->get_ref<const std::string&>();
  JsonRewriteOp out;
  Status s = Status::Ok();
  if (n == "drop") {
    out.kind = JsonRewriteOp::Kind::kDrop;
    s = CheckKeys(op, where, {"op", "field"});
  } else if (n == "rename") {
    out.kind = JsonRewriteOp::Kind::kRename;
    s = CheckKeys(op, where, {"op", "field", "to"});
    if (s.ok()) s = ReadField(op, where, "to", out.to);
  } else if (n == "scale") {
    out.kind = JsonRewriteOp::Kind::kScale;
    s = CheckKeys(op, where, {"op", "field", "factor"});
    if (s.ok()) {
      const Json* f = Member(op, "factor");
      if (!f || f->is_null()) {
        s = Bad(where + ".factor", "required");
      } else if (!f->is_number() || !std::isfinite(f->get<double>()) ||
                 std::fabs(f->get<double>()) > 1e15) {
        s = Bad(where + ".factor", "must be a finite number (at most 1e15 in magnitude)");
      } else {
        out.factor = f->get<double>();
        out.factor_json = *f;
      }
    }
  } else if (n == "retype") {
    out.kind = JsonRewriteOp::Kind::kRetype;
    s = CheckKeys(op, where, {"op", "field", "type"});
    if (s.ok()) {
      const Json* t = Member(op, "type");
      bool known = false;
      if (t && t->is_string()) {
        for (const char* k : kRetypes) known = known || t->get_ref<const std::string&>() == k;
      }
      if (!t || t->is_null()) {
        s = Bad(where + ".type", "required");
      } else if (!known) {
        s = Bad(where + ".type", "must be one of string, number, integer, boolean, null");
      } else {
        out.type = t->get<std::string>();
      }
    }
  } else {
    return Err(Bad(where + ".op", kOps));
  }
  if (!s.ok()) return Err(s);
  if (Status f = ReadField(op, where, "field", out.field); !f.ok()) return Err(f);
  return out;
}

// --- applying the operations to one record ---------------------------------------------------

// The object that holds `field` in `record` and the key in it; null when there is none.
Json* Slot(Json& record, const std::string& field, std::string& key) {
  if (field.empty() || field.front() != '/') {
    key = field;
    return record.is_object() ? &record : nullptr;
  }
  try {
    Pointer p(field);
    if (p.empty()) return nullptr;
    key = p.back();
    Pointer parent = p.parent_pointer();
    if (!record.contains(parent)) return nullptr;
    Json& holder = record.at(parent);
    return holder.is_object() ? &holder : nullptr;
  } catch (const Json::exception&) {
    return nullptr;
  }
}

std::optional<double> NumberText(const std::string& s) {
  if (s.empty() || std::isspace(static_cast<unsigned char>(s.front()))) return std::nullopt;
  char* end = nullptr;
  double d = std::strtod(s.c_str(), &end);
  if (end != s.c_str() + s.size() || !std::isfinite(d)) return std::nullopt;
  return d;
}

Json Retype(const Json& v, const std::string& type) {
  if (type == "null") return nullptr;
  if (type == "string") return v.is_string() ? v : Json(v.dump());
  if (type == "boolean") {
    if (v.is_boolean()) return v;
    if (v.is_number()) return v.get<double>() != 0;
    if (v.is_string()) {
      const std::string& s = v.get_ref<const std::string&>();
      return !s.empty() && s != "false" && s != "0";
    }
    if (v.is_null()) return false;
    return !v.empty();
  }
  // number, integer
  std::optional<double> d;
  if (v.is_number()) d = v.get<double>();
  if (v.is_boolean()) d = v.get<bool>() ? 1.0 : 0.0;
  if (v.is_string()) d = NumberText(v.get_ref<const std::string&>());
  if (!d) return nullptr;
  if (type == "number") return *d;
  double t = std::trunc(*d);
  if (!(t >= -9.0e18 && t <= 9.0e18)) return nullptr;
  if (v.is_number_integer()) return v;  // exact, whatever its size
  return static_cast<int64_t>(t);
}

Json Scale(const Json& v, const JsonRewriteOp& op) {
  const Json& f = op.factor_json;
  if (v.is_number_integer() && f.is_number_integer()) {
    int64_t a = 0, b = 0, r = 0;
    bool fits = true;
    if (v.is_number_unsigned()) {
      fits = v.get<uint64_t>() <= uint64_t{INT64_MAX};
      a = fits ? static_cast<int64_t>(v.get<uint64_t>()) : 0;
    } else {
      a = v.get<int64_t>();
    }
    if (f.is_number_unsigned()) {
      fits = fits && f.get<uint64_t>() <= uint64_t{INT64_MAX};
      b = fits ? static_cast<int64_t>(f.get<uint64_t>()) : 0;
    } else {
      b = f.get<int64_t>();
    }
    if (fits && !__builtin_mul_overflow(a, b, &r)) return r;
  }
  return v.get<double>() * op.factor;
}

bool ApplyOp(const JsonRewriteOp& op, Json& record) {
  std::string key;
  Json* holder = Slot(record, op.field, key);
  if (!holder) return false;
  auto it = holder->find(key);
  if (it == holder->end()) return false;
  switch (op.kind) {
    case JsonRewriteOp::Kind::kDrop:
      holder->erase(it);
      return true;
    case JsonRewriteOp::Kind::kRename: {
      // A plain key names a member of the same object; a pointer a place in the record (whose
      // parent must exist).
      std::string to_key = op.to;
      bool pointer = op.to.front() == '/';
      if (pointer && (op.to.starts_with(op.field + "/") || !Slot(record, op.to, to_key))) {
        return false;  // no such place, or a place inside the value itself
      }
      if (!pointer && to_key == key) return false;
      Json value = std::move(*it);
      holder->erase(it);
      // Looked up again: the erase moved the members of `holder`.
      Json* target = pointer ? Slot(record, op.to, to_key) : holder;
      if (!target) return true;  // unreachable: checked above
      (*target)[to_key] = std::move(value);
      return true;
    }
    case JsonRewriteOp::Kind::kScale:
      if (!it->is_number()) return false;
      *it = Scale(*it, op);
      return true;
    case JsonRewriteOp::Kind::kRetype: {
      Json next = Retype(*it, op.type);
      bool changed = next != *it || next.type() != it->type();
      *it = std::move(next);
      return changed;
    }
  }
  return false;
}

bool ApplyRecord(const JsonRewriteConfig& config, Json& record) {
  if (!record.is_object()) return false;
  bool changed = false;
  for (const JsonRewriteOp& op : config.operations) changed = ApplyOp(op, record) || changed;
  return changed;
}

}  // namespace json_rewrite_ops

Result<JsonRewriteConfig> ParseJsonRewrite(const Json& attributes) {
  if (!attributes.is_object()) {
    return Err(Status::InvalidArgument("attributes: must be an object"));
  }
  JsonRewriteConfig c;
  for (const auto& [key, value] : attributes.items()) {
    if (key != "operations" && key != "records" && key != "max_body_bytes") {
      return Err(json_rewrite_ops::Bad(key, "unknown attribute of json_rewrite"));
    }
  }
  const Json* ops = Member(attributes, "operations");
  if (!ops || ops->is_null())
    return Err(json_rewrite_ops::Bad("operations", "required for json_rewrite"));
  if (!ops->is_array() || ops->empty()) {
    return Err(json_rewrite_ops::Bad("operations", "must be a non-empty array of operations"));
  }
  if (ops->size() > JsonRewriteConfig::kMaxOperations) {
    return Err(json_rewrite_ops::Bad(
        "operations",
        "at most " + std::to_string(JsonRewriteConfig::kMaxOperations) + " operations"));
  }
  for (size_t i = 0; i < ops->size(); ++i) {
    auto op = json_rewrite_ops::ParseOp((*ops)[i], i);
    if (!op) return Err(op.error());
    c.operations.push_back(std::move(*op));
  }
  if (const Json* r = Member(attributes, "records"); r && !r->is_null()) {
    if (!r->is_string())
      return Err(json_rewrite_ops::Bad("records", "must be a string (a JSON pointer)"));
    c.records = r->get<std::string>();
    if (!json_rewrite_ops::ValidPointer(c.records)) {
      return Err(json_rewrite_ops::Bad("records", "not a valid JSON pointer (\"\" or \"/a/b\")"));
    }
  }
  if (const Json* m = Member(attributes, "max_body_bytes"); m && !m->is_null()) {
    double d = m->is_number() ? m->get<double>() : -1;
    if (!(d >= 1 && d <= static_cast<double>(JsonRewriteConfig::kMaxMaxBody)) ||
        d != std::floor(d)) {
      return Err(json_rewrite_ops::Bad(
          "max_body_bytes",
          "must be an integer from 1 to " + std::to_string(JsonRewriteConfig::kMaxMaxBody)));
    }
    c.max_body_bytes = static_cast<size_t>(d);
  }
  return c;
}

Json JsonRewriteToJson(const JsonRewriteConfig& config) {
  Json ops = Json::array();
  for (const JsonRewriteOp& op : config.operations) {
    Json j = Json::object();
    switch (op.kind) {
      case JsonRewriteOp::Kind::kDrop:
        j["op"] = "drop";
        j["field"] = op.field;
        break;
      case JsonRewriteOp::Kind::kRename:
        j["op"] = "rename";
        j["field"] = op.field;
        j["to"] = op.to;
        break;
      case JsonRewriteOp::Kind::kScale:
        j["op"] = "scale";
        j["field"] = op.field;
        j["factor"] = op.factor_json;
        break;
      case JsonRewriteOp::Kind::kRetype:
        j["op"] = "retype";
        j["field"] = op.field;
        j["type"] = op.type;
        break;
    }
    ops.push_back(std::move(j));
  }
  Json out = Json::object();
  out["operations"] = std::move(ops);
  out["records"] = config.records;
  out["max_body_bytes"] = config.max_body_bytes;
  return out;
}

bool RewriteJsonRecords(const JsonRewriteConfig& config, Json& body) {
  Json* records = &body;
  if (!config.records.empty()) {
    try {
      json_rewrite_ops::Pointer p(config.records);
      if (!body.contains(p)) return false;
      records = &body.at(p);
    } catch (const Json::exception&) {
      return false;
    }
  }
  bool changed = false;
  if (records->is_array()) {
    for (Json& r : *records) changed = json_rewrite_ops::ApplyRecord(config, r) || changed;
  } else {
    changed = json_rewrite_ops::ApplyRecord(config, *records);
  }
  return changed;
}

}  // namespace chaosrun::proxy
