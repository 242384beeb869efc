// What the CLI commands share for drivers and safety: the driver registry, the state
// directory, the guard layers (the experiment's blast radius and the operator's policy).
#pragma once

#include <memory>
#include <string>

#include "cli/args.h"
#include "common/json.h"
#include "common/status.h"
#include "guard/guard.h"
#include "plugin/registry.h"
#include "validate/validator.h"

namespace chaosrun::cli {

// The installed drivers plus every --driver-dir (an explicit directory must exist). Load
// problems are kept in registry.errors().
std::unique_ptr<plugin::Registry> LoadRegistry(const Args& args);

// --state-dir, else ledger::DefaultStateDir() (an error when HOME and XDG_STATE_HOME are unset
// for a user other than root: there is no shared fallback).
Result<std::string> StateDir(const Args& args);

// The guard for a run: the experiment's `blast-radius` and the policy file.
Result<std::unique_ptr<guard::Guard>> MakeGuard(const Args& args, const Json& experiment);

// Validation of `driver` providers against the loaded drivers' descriptors and schemas.
validate::DriverCheck MakeDriverCheck(const plugin::Registry& registry);

int DriversCommand(const Args& args);
int RecoverCommand(const Args& args);
int HaltCommand(const Args& args);

}  // namespace chaosrun::cli
