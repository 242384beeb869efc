// The subcommands of `chaosrun` that run the pipeline (src/session/): each returns the process
// exit code (docs/cli.md).
#pragma once

#include "cli/args.h"
#include "session/session.h"

namespace chaosrun::cli {

int RunCommand(const Args& args);
int ValidateCommand(const Args& args);

// The command line as a run request (everything but the observer, which the command owns).
session::RunRequest RunRequestFrom(const Args& args);

}  // namespace chaosrun::cli
