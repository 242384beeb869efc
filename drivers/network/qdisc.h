// What `tc -j qdisc show dev X` says, and how to put the root qdisc back exactly. Pure: no I/O.
//
// Restorable roots:
//   the kernel's default (handle "0:", and every other qdisc of the device also "0:"), or no
//     qdisc at all (a down interface; kind "none") — undone by deleting the root, which makes
//     the kernel attach its default again;
//   a classless root with no children that can be rebuilt from what tc prints: pfifo/bfifo
//     (limit), pfifo_fast (default priomap), tbf (rate, burst, latency) — undone by re-creating
//     it with the same handle and parameters.
// Anything else (htb trees, fq_codel with tuned parameters, filters hanging off a root...) is
// refused: its undo could not be exact.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace chaosrun::drivers::network {

struct Qdisc {
  std::string kind;
  std::string handle;  // "8001:"
  std::string parent;  // "" for the root
  bool root = false;
  nlohmann::json options = nlohmann::json::object();
};

// Parses the JSON array tc prints; on failure returns false and sets *error.
bool ParseQdiscs(const std::string& text, std::vector<Qdisc>* out, std::string* error);

// The root qdisc among `qdiscs` (ingress and clsact are never roots), or nullptr.
const Qdisc* RootOf(const std::vector<Qdisc>& qdiscs);

// How to restore the current root: {"default": true} or {"default": false, "handle": "8003:",
// "kind": "pfifo", "args": ["pfifo", "limit", "100"]}. Returns null and sets *why when the root
// cannot be restored exactly.
nlohmann::json RestorePlan(const std::vector<Qdisc>& qdiscs, std::string* why);

// A free handle for our root qdisc ("c4a0:" upwards), not used by any qdisc of the device.
std::string FreeHandle(const std::vector<Qdisc>& qdiscs);

}  // namespace chaosrun::drivers::network
