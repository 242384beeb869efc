#include "network/qdisc.h"

#include <cstdio>
#include <set>

namespace chaosrun::drivers::network {

namespace {

using nlohmann::json;

bool Ignored(const Qdisc& q) { return q.kind == "ingress" || q.kind == "clsact"; }

bool UnsignedMember(const json& o, const char* key, uint64_t* out) {
  if (!o.contains(key) || !o[key].is_number_unsigned()) return false;
  *out = o[key].get<uint64_t>();
  return true;
}

// Options only of these keys (all present in `required`).
bool OnlyKeys(const json& o, std::initializer_list<const char*> allowed) {
  for (const auto& item : o.items()) {
    bool known = false;
    for (const char* a : allowed) known = known || item.key() == a;
    if (!known) return false;
  }
  return true;
}

const json kDefaultPriomap = json::array({1, 2, 2, 2, 1, 2, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1});

// The argv that rebuilds `q` exactly, or empty.
std::vector<std::string> Rebuild(const Qdisc& q) {
  const json& o = q.options;
  uint64_t a = 0, b = 0, c = 0;
  if ((q.kind == "pfifo" || q.kind == "bfifo") && OnlyKeys(o, {"limit"}) &&
      UnsignedMember(o, "limit", &a)) {
    return {q.kind, "limit", std::to_string(a)};
  }
  if (q.kind == "pfifo_fast" && OnlyKeys(o, {"bands", "priomap", "multiqueue"}) &&
      // Compared as JSON values: a member of another type is simply not the default (no throw).
      o.value("bands", json()) == json(3) && o.value("priomap", json()) == kDefaultPriomap &&
      o.value("multiqueue", json(false)) == json(false)) {
    return {"pfifo_fast"};
  }
  if (q.kind == "tbf" && OnlyKeys(o, {"rate", "burst", "lat"}) && UnsignedMember(o, "rate", &a) &&
      UnsignedMember(o, "burst", &b) && UnsignedMember(o, "lat", &c) && a > 0) {
    return {"tbf",
            "rate",
            std::to_string(a * 8) + "bit",
            "burst",
            std::to_string(b),
            "latency",
            std::to_string(c) + "us"};
  }
  return {};
}

}  // namespace

bool ParseQdiscs(const std::string& text, std::vector<Qdisc>* out, std::string* error) {
  json j = json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_array()) {
    *error = "tc printed no JSON list of qdiscs";
    return false;
  }
  std::vector<Qdisc> qs;
  for (const auto& e : j) {
    if (!e.is_object() || !e.contains("kind") || !e["kind"].is_string() || !e.contains("handle") ||
        !e["handle"].is_string() || (e.contains("root") && !e["root"].is_boolean())) {
      *error = "unexpected qdisc entry from tc: " + e.dump();
      return false;
    }
    Qdisc q;
    q.kind = e["kind"].get<std::string>();
    q.handle = e["handle"].get<std::string>();
    q.root = e.value("root", false);
    if (e.contains("parent") && e["parent"].is_string()) q.parent = e["parent"].get<std::string>();
    if (e.contains("options") && e["options"].is_object()) q.options = e["options"];
    qs.push_back(std::move(q));
  }
  *out = std::move(qs);
  return true;
}

const Qdisc* RootOf(const std::vector<Qdisc>& qdiscs) {
  for (const auto& q : qdiscs) {
    if (q.root && !Ignored(q)) return &q;
  }
  return nullptr;
}

json RestorePlan(const std::vector<Qdisc>& qdiscs, std::string* why) {
  const Qdisc* root = RootOf(qdiscs);
  if (root == nullptr) {
    // A down interface shows no qdisc: deleting ours brings back exactly that.
    bool only_ignored = true;
    for (const auto& q : qdiscs) only_ignored = only_ignored && Ignored(q);
    if (only_ignored) return json{{"default", true}, {"kind", "none"}, {"handle", "0:"}};
    *why = "the interface has qdiscs but no root qdisc";
    return nullptr;
  }
  size_t others = 0;
  bool all_default = true;
  for (const auto& q : qdiscs) {
    if (Ignored(q)) continue;
    if (&q != root) ++others;
    all_default = all_default && q.handle == "0:";
  }
  if (all_default) return json{{"default", true}, {"kind", root->kind}, {"handle", "0:"}};
  if (others > 0) {
    *why = "the root qdisc " + root->kind + " " + root->handle +
           " has child qdiscs; chaosrun cannot re-create that tree exactly";
    return nullptr;
  }
  std::vector<std::string> args = Rebuild(*root);
  if (args.empty()) {
    *why = "the root qdisc " + root->kind + " " + root->handle + " with options " +
           root->options.dump() + " cannot be re-created exactly";
    return nullptr;
  }
  return json{{"default", false}, {"kind", root->kind}, {"handle", root->handle}, {"args", args}};
}

std::string FreeHandle(const std::vector<Qdisc>& qdiscs) {
  std::set<std::string> used;
  for (const auto& q : qdiscs) used.insert(q.handle);
  for (unsigned h = 0xc4a0; h < 0xc4a0 + 256; ++h) {
    char buf[16];
    std::snprintf(buf, sizeof(buf), "%x:", h);
    if (!used.count(buf)) return buf;
  }
  return {};
}

}  // namespace chaosrun::drivers::network
