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

}  // namespace chaosrun
