// The helpers this folder shares with two others, compiled here once more rather than copied:
// the recording daemon::Control of the API unit tests, and the CLI tests' runner of the real
// chaosrun binary (which needs CHAOSRUN_BINARY, so this file gets the path macros).
#include "integration/cli/chaosrun_process.cc"
#include "unit/api/raw_http.cc"
#include "unit/api/recording_control.cc"
