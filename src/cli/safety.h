// The CLI's drivers and safety commands (drivers, recover, halt) and the command-line flags that
// say where drivers, the policy and the ledger come from.
#pragma once

#include "cli/args.h"
#include "session/session.h"

namespace chaosrun::cli {

// --driver-dir, --state-dir and --policy as the session's environment (src/session/): the
// drivers, the ledger and the guard come from there (session/environment.h).
session::Environment EnvironmentFrom(const Args& args);

int DriversCommand(const Args& args);
int RecoverCommand(const Args& args);
int HaltCommand(const Args& args);

}  // namespace chaosrun::cli
