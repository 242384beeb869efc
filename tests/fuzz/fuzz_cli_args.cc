// libFuzzer target: the command line (cli/args.h, CLI11 over the option table). The input is
// split into arguments at NUL bytes and newlines. Any argv must give Args or a usage error,
// never a crash or an exception; nothing is run (parsing only reads the option table and asks
// whether a word names an existing file).
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "cli/args.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::vector<std::string> argv(1);
  for (size_t i = 0; i < size; ++i) {
    const char c = static_cast<char>(data[i]);
    if (c == '\0' || c == '\n') {
      if (argv.size() >= 64) break;
      argv.emplace_back();
    } else {
      argv.back() += c;
    }
  }
  auto args = chaosrun::cli::ParseArgs(argv);
  if (!args) (void)args.error().message();
  return 0;
}
