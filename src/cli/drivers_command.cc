// `chaosrun drivers`: every driver found (name, version, path, description), each action and
// probe with a table of its arguments (plugin/argument_table.h), and every file that failed to
// load. `--json`: the descriptors as the drivers publish them, plus "path" and, per action and
// probe, "argument_list" and "argument_rules" (docs/drivers.md).
#include <iostream>

#include "cli/cli.h"
#include "cli/safety.h"
#include "common/log.h"
#include "plugin/argument_table.h"
#include "session/environment.h"

namespace chaosrun::cli {

namespace {

Json DriverEntryJson(const plugin::Driver& d) {
  Json entry = d.descriptor().raw;
  for (const char* list : {"actions", "probes"}) {
    auto it = entry.find(list);
    if (it == entry.end() || !it->is_array()) continue;
    for (auto& f : *it) {
      if (!f.is_object()) continue;
      const Json* schema = Member(f, "arguments");
      plugin::AddArgumentSummary(plugin::SummarizeArguments(schema ? *schema : Json::object()), f);
    }
  }
  entry["path"] = d.path();
  return entry;
}

void PrintDriverFunction(const char* kind, const plugin::FuncInfo& f) {
  std::cout << "  " << kind << " " << f.name << (f.description.empty() ? "" : ": " + f.description)
            << "\n";
  auto summary = plugin::SummarizeArguments(f.arguments_schema);
  for (const auto& line : plugin::ArgumentTableLines(summary, "      ")) {
    std::cout << line << "\n";
  }
}

}  // namespace

int DriversCommand(const Args& args) {
  auto reg = session::LoadRegistry(EnvironmentFrom(args));
  if (args.json_output) {
    Json out = {{"drivers", Json::array()}, {"errors", reg->errors()}};
    for (plugin::Driver* d : reg->drivers()) out["drivers"].push_back(DriverEntryJson(*d));
    std::cout << DumpPretty(out) << "\n";
    return reg->errors().empty() ? kExitOk : kExitFailed;
  }
  if (reg->drivers().empty()) std::cout << "no drivers found\n";
  bool first = true;
  for (plugin::Driver* d : reg->drivers()) {
    const auto& desc = d->descriptor();
    if (!first) std::cout << "\n";
    first = false;
    std::cout << desc.name << " " << desc.version << "  (" << d->path() << ")\n";
    if (!desc.description.empty()) std::cout << "  " << desc.description << "\n";
    for (const auto& a : desc.actions) PrintDriverFunction("action", a);
    for (const auto& p : desc.probes) PrintDriverFunction("probe ", p);
  }
  for (const auto& e : reg->errors()) log::Error("{}", e);
  return reg->errors().empty() ? kExitOk : kExitFailed;
}

}  // namespace chaosrun::cli
