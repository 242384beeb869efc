// The subcommands of `chaosrun`; each returns the process exit code (docs/cli.md).
#pragma once

#include "cli/args.h"
#include "common/json.h"
#include "common/status.h"
#include "subst/configuration.h"

namespace chaosrun::cli {

int RunCommand(const Args& args);
int ValidateCommand(const Args& args);

// Shared steps: --var/--var-file into overrides (usage errors), and loading the document.
Status BuildOverrides(const Args& args, subst::Overrides& out);
Result<Json> LoadSource(const std::string& source);

}  // namespace chaosrun::cli
