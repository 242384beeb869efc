#include "cli/cli.h"
#include "common/which.h"

int main(int argc, char** argv) {
  // One experiment per process: each executable is searched on the PATH once (common/which.h).
  chaosrun::RememberExecutableLookups(true);
  return chaosrun::cli::Main(argc, argv);
}
