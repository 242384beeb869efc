// The `chaosrun` command line: argument parsing and subcommands (run, validate). main() is a
// one-liner around Main() so tests can call the CLI in-process too.
#pragma once

namespace chaosrun::cli {

// Exit codes (docs/cli.md):
inline constexpr int kExitOk = 0;         // run completed and not deviated; validate: valid
inline constexpr int kExitFailed = 1;     // run not completed or deviated; invalid experiment
inline constexpr int kExitUsage = 2;      // bad command line
inline constexpr int kExitInternal = 70;  // chaosrun itself failed (a bug); never expected

int Main(int argc, char** argv);

}  // namespace chaosrun::cli
