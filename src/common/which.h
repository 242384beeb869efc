// `which` semantics for executables: a name containing '/' is taken relative to the working
// directory; a bare name is searched in $PATH. Returns the resolved path of an executable
// regular file, or nullopt.
#pragma once

#include <optional>
#include <string>

namespace chaosrun {

std::optional<std::string> Which(const std::string& name);
// Like Which but also expands a leading "~/" from $HOME first (the reference does at run time).
std::optional<std::string> WhichExpandingHome(const std::string& name);

// For a process that runs one experiment (chaosrun): a bare name found on the PATH is remembered
// for the same PATH, so validation and the run search it once; a remembered path is used again
// only while it is still an executable file (else the PATH is searched again). Off by default: a
// long-lived process (chaosrund) searches every time, so a newly installed executable earlier on
// the PATH is found.
void RememberExecutableLookups(bool on);

}  // namespace chaosrun
