#include "cli/cli.h"

namespace chaosrun::cli {
int Main(int, char**) { return kExitOk; }
}  // namespace chaosrun::cli
