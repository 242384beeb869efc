// The tc actions: one root qdisc (netem or tbf) on one interface, with a handle of our own
// ("c4a0:" upwards) so that undo recognises exactly what it installed.
//   prepare: checks the arguments, reads the interface's qdiscs (the interface must exist),
//            records how to restore the root (refuses if it cannot be exact), checks the kernel
//            has the qdisc kind (refuses naming sch_<kind> if not). No side effect.
//   apply:   `tc qdisc replace dev IF root handle H: KIND ...` if the root is still the recorded
//            one.
//   undo:    if the root is still ours: delete it (the kernel re-attaches its default) or
//            re-create the recorded qdisc; otherwise nothing (never applied, or already undone).
#include <nlohmann/json.hpp>

#include "network/actions.h"
#include "network/args.h"
#include "network/kernel_support.h"
#include "network/qdisc.h"
#include "network/tc_spec.h"
#include "process/spawn.h"

namespace chaosrun::drivers::network {

namespace {

using nlohmann::json;

process::CaptureResult Run(const std::vector<std::string>& argv, const Env& env) {
  return process::RunCapture(argv, env.command_timeout, env.cancelled);
}

std::string Where(const std::string& netns, const std::string& ifname) {
  return "interface " + ifname + (netns.empty() ? "" : " in namespace " + netns);
}

// Reads the interface's qdiscs. *gone is set when the interface or namespace does not exist.
std::string ShowQdiscs(const std::string& netns, const std::string& ifname, const Env& env,
                       std::vector<Qdisc>* out, bool* gone) {
  process::CaptureResult r = Run(TcArgv(netns, {"-j", "qdisc", "show", "dev", ifname}), env);
  if (!r.Succeeded()) {
    if (gone != nullptr) {
      *gone = r.started && !r.timed_out && !r.cancelled &&
              (r.err.find("Cannot find device") != std::string::npos ||
               r.err.find("Cannot open network namespace") != std::string::npos ||
               r.err.find("No such file") != std::string::npos);
    }
    return "cannot read the qdiscs of " + Where(netns, ifname) + ": " + r.Describe();
  }
  std::string error;
  if (!ParseQdiscs(r.out, out, &error)) return error;
  return {};
}

int64_t Mtu(const std::string& netns, const std::string& ifname, const Env& env) {
  process::CaptureResult r = Run(IpArgv(netns, {"-j", "link", "show", "dev", ifname}), env);
  json j = r.Succeeded() ? json::parse(r.out, nullptr, false) : json();
  if (j.is_array() && !j.empty() && j[0].is_object() && j[0].contains("mtu") &&
      j[0]["mtu"].is_number_integer()) {
    return j[0]["mtu"].get<int64_t>();
  }
  return 1500;
}

struct Place {
  std::string ifname, netns, handle;
};

std::string ReadPlace(const json& j, Place* p) {
  if (!j.is_object()) return "must be a JSON object";
  std::string error;
  auto ifname = StringArg(j, "interface", &error);
  if (!ifname || !IsInterfaceName(*ifname)) return "no valid interface";
  p->ifname = *ifname;
  if (j.contains("namespace") && !j["namespace"].is_null()) {
    auto ns = StringArg(j, "namespace", &error);
    if (!ns || !IsSafeName(*ns, 64)) return "no valid namespace";
    p->netns = *ns;
  }
  auto handle = StringArg(j, "handle", &error);
  if (!handle || handle->size() < 2 || handle->back() != ':') return "no valid handle";
  p->handle = *handle;
  return {};
}

bool StringList(const json& j, std::vector<std::string>* out) {
  if (!j.is_array() || j.empty()) return false;
  for (const auto& s : j) {
    if (!s.is_string()) return false;
    out->push_back(s.get<std::string>());
  }
  return true;
}

std::vector<std::string> Concat(std::vector<std::string> a, const std::vector<std::string>& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

sdk::Reply PrepareAction(const std::string& func, const json& args, const Env& env) {
  TcSpec spec;
  if (std::string e = ParseTcAction(func, args, &spec); !e.empty()) {
    return sdk::Reply::Invalid(func + ": " + e);
  }
  std::vector<Qdisc> qdiscs;
  if (std::string e = ShowQdiscs(spec.netns, spec.ifname, env, &qdiscs, nullptr); !e.empty()) {
    return sdk::Reply::Failed(func + ": refused: " + e);
  }
  std::string why;
  json previous = RestorePlan(qdiscs, &why);
  if (previous.is_null()) {
    return sdk::Reply::Failed(func + ": refused: " + Where(spec.netns, spec.ifname) + ": " + why);
  }
  QdiscSupport support = DetectQdisc(spec.kind, env);
  if (!support.known || !support.supported) {
    return sdk::Reply::Unsupported(func + ": refused, nothing applied: " + support.how);
  }
  std::string handle = FreeHandle(qdiscs);
  if (handle.empty()) return sdk::Reply::Failed(func + ": refused: no free qdisc handle");
  std::vector<std::string> qdisc = spec.QdiscArgs(Mtu(spec.netns, spec.ifname, env));
  std::vector<std::string> command =
      TcArgv(spec.netns,
             Concat({"qdisc", "replace", "dev", spec.ifname, "root", "handle", handle}, qdisc));
  json ns = spec.netns.empty() ? json() : json(spec.netns);
  return sdk::Reply::Ok(json{{"targets", json::array({InterfaceTarget(spec.netns, spec.ifname)})},
                             {"interface", spec.ifname},
                             {"namespace", ns},
                             {"kind", spec.kind},
                             {"handle", handle},
                             {"qdisc", qdisc},
                             {"command", command},
                             {"kernel", support.how},
                             {"previous", previous},
                             {"undo",
                              {{"interface", spec.ifname},
                               {"namespace", ns},
                               {"handle", handle},
                               {"kind", spec.kind},
                               {"previous", previous}}}});
}

sdk::Reply ApplyAction(const std::string& func, const json& plan, const Env& env) {
  Place p;
  std::vector<std::string> qdisc;
  if (std::string e = ReadPlace(plan, &p); !e.empty()) {
    return sdk::Reply::Invalid(func + ": invalid plan: " + e);
  }
  if (!plan.contains("qdisc") || !StringList(plan["qdisc"], &qdisc) ||
      qdisc[0] != QdiscKindOf(func) || !plan.contains("previous") ||
      !plan["previous"].is_object()) {
    return sdk::Reply::Invalid(func + ": invalid plan: no valid qdisc or previous");
  }
  std::vector<Qdisc> qdiscs;
  if (std::string e = ShowQdiscs(p.netns, p.ifname, env, &qdiscs, nullptr); !e.empty()) {
    return sdk::Reply::Failed(func + ": " + e);
  }
  const Qdisc* root = RootOf(qdiscs);
  const json& prev = plan["previous"];
  const std::string kind = root ? root->kind : "none";
  const std::string handle = root ? root->handle : "0:";
  if (handle != prev.value("handle", "") || kind != prev.value("kind", "")) {
    return sdk::Reply::Failed(func + ": the root qdisc of " + Where(p.netns, p.ifname) +
                              " changed since prepare (now " +
                              (root ? root->kind + " " + root->handle : "none") + "); not applied");
  }
  std::vector<std::string> argv = TcArgv(
      p.netns, Concat({"qdisc", "replace", "dev", p.ifname, "root", "handle", p.handle}, qdisc));
  process::CaptureResult r = Run(argv, env);
  if (r.cancelled) return sdk::Reply::Error(CHAOSRUN_CANCELLED, func + ": cancelled");
  if (!r.Succeeded()) return sdk::Reply::Failed(func + ": tc failed: " + r.Describe());
  qdiscs.clear();
  ShowQdiscs(p.netns, p.ifname, env, &qdiscs, nullptr);
  root = RootOf(qdiscs);
  if (root == nullptr || root->handle != p.handle) {
    return sdk::Reply::Failed(func + ": tc succeeded but the root qdisc is not ours");
  }
  return sdk::Reply::Ok(json{{"installed", root->kind},
                             {"handle", root->handle},
                             {"options", root->options},
                             {"interface", p.ifname},
                             {"namespace", p.netns.empty() ? json() : json(p.netns)}});
}

sdk::Reply UndoAction(const std::string& func, const json& undo, const Env& env) {
  Place p;
  if (std::string e = ReadPlace(undo, &p); !e.empty()) {
    return sdk::Reply::Invalid(func + ": invalid undo: " + e);
  }
  const json* prev = undo.contains("previous") ? &undo["previous"] : nullptr;
  std::vector<std::string> rebuild;
  if (prev == nullptr || !prev->is_object() || !prev->contains("default") ||
      !(*prev)["default"].is_boolean()) {
    return sdk::Reply::Invalid(func + ": invalid undo: no previous qdisc");
  }
  const bool to_default = (*prev)["default"].get<bool>();
  std::string prev_handle = prev->value("handle", "");
  if (!to_default && (!prev->contains("args") || !StringList((*prev)["args"], &rebuild) ||
                      rebuild[0] != prev->value("kind", "") || prev_handle.empty())) {
    return sdk::Reply::Invalid(func + ": invalid undo: the previous qdisc cannot be rebuilt");
  }
  std::vector<Qdisc> qdiscs;
  bool gone = false;
  if (std::string e = ShowQdiscs(p.netns, p.ifname, env, &qdiscs, &gone); !e.empty()) {
    if (gone) return sdk::Reply::Ok(json{{"restored", false}, {"reason", "interface gone"}});
    return sdk::Reply::Failed(func + ": undo: " + e);
  }
  const Qdisc* root = RootOf(qdiscs);
  if (root == nullptr || root->handle != p.handle) {
    return sdk::Reply::Ok(json{{"restored", false},
                               {"reason", "our qdisc " + p.handle +
                                              " is not the root (never applied or already "
                                              "undone)"}});
  }
  std::vector<std::string> argv =
      to_default
          ? TcArgv(p.netns, {"qdisc", "del", "dev", p.ifname, "root"})
          : TcArgv(p.netns,
                   Concat({"qdisc", "replace", "dev", p.ifname, "root", "handle", prev_handle},
                          rebuild));
  process::CaptureResult r = Run(argv, env);
  if (!r.Succeeded()) return sdk::Reply::Failed(func + ": undo: tc failed: " + r.Describe());
  qdiscs.clear();
  ShowQdiscs(p.netns, p.ifname, env, &qdiscs, nullptr);
  root = RootOf(qdiscs);
  return sdk::Reply::Ok(
      json{{"restored", true},
           {"root", root ? json{{"kind", root->kind}, {"handle", root->handle}} : json()}});
}

}  // namespace

sdk::Reply PrepareTc(const std::string& func, const json& args, const Env& env) {
  return PrepareAction(func, args, env);
}

sdk::Reply ApplyTc(const std::string& func, const json& plan, const Env& env) {
  return ApplyAction(func, plan, env);
}

sdk::Reply UndoTc(const std::string& func, const json& undo, const Env& env) {
  return UndoAction(func, undo, env);
}

}  // namespace chaosrun::drivers::network
