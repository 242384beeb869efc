// What a run and the other commands take from a session::Environment (session.h): the driver
// registry, the state directory, the guard layers (the experiment's blast radius and the
// operator's policy) and the validation hook for `driver` providers. The CLI's drivers, recover
// and halt commands use these too, so there is one way to find each of them.
#pragma once

#include <memory>
#include <string>

#include "common/json.h"
#include "common/status.h"
#include "guard/guard.h"
#include "plugin/registry.h"
#include "session/session.h"
#include "validate/validator.h"

namespace chaosrun::session {

// Every env.driver_dirs entry (each must exist), then the installed drivers (unless
// env.installed_drivers is false). Load problems are kept in registry.errors().
std::unique_ptr<plugin::Registry> LoadRegistry(const Environment& env);

// env.state_dir, else ledger::DefaultStateDir() (an error when HOME and XDG_STATE_HOME are unset
// for a user other than root: there is no shared fallback).
Result<std::string> StateDir(const Environment& env);

// " --state-dir DIR" when the state directory was given explicitly, else "": what the hints to
// run `chaosrun recover` add.
std::string StateDirFlag(const Environment& env, const std::string& state_dir);

// The guard for a run: the experiment's `blast-radius` and the policy file (env.policy_path,
// which must exist when given, else guard::kDefaultPolicyPath if present).
Result<std::unique_ptr<guard::Guard>> MakeGuard(const Environment& env, const Json& experiment);

// Validation of `driver` providers against the loaded drivers' descriptors and schemas. The
// registry must outlive the returned check.
validate::DriverCheck MakeDriverCheck(const plugin::Registry& registry);

}  // namespace chaosrun::session
