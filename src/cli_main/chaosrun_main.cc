#include "cli/cli.h"

int main(int argc, char** argv) { return chaosrun::cli::Main(argc, argv); }
