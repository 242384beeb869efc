// Telling the service to pick up the new files: a command (posix_spawn through the process
// driver's one helper, must exit 0 within its timeout), or a signal to a pid or to the pid in a
// pidfile (read at each reload, so a restarted service is found). Never pid 1, the host itself
// or its parent.
#pragma once

#include <string>

#include "tls/actions.h"
#include "tls/args.h"

namespace chaosrun::drivers::tls {

// "" on success (and *done says what was done: "SIGHUP sent to pid 4242", "command exited 0"),
// else why the reload failed.
std::string Reload(const ReloadSpec& spec, const Env& env, std::string* done);

}  // namespace chaosrun::drivers::tls
