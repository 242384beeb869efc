// The console tests' one way to run the real chaosrun binary: in a temporary directory, its
// stdout and stderr captured to files (or stderr on a pseudo-terminal, to see what a terminal
// sees), with its state directory and journal inside that directory.
#pragma once

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "common/json.h"
#include "support/temp_dir.h"

namespace chaosrun::consoletest {

struct Ran {
  int code = -1;
  std::string out;
  std::string err;  // stderr: the console
};

class ConsoleTest : public ::testing::Test {
 protected:
  std::string Path(const std::string& name) const { return (dir_.path() / name).string(); }
  std::string Write(const std::string& name, const Json& experiment) const {
    return dir_.Write(name, DumpPretty(experiment));
  }
  std::string JournalPath() const { return Path("journal.json"); }
  // The journal written (null when missing or not JSON).
  Json Journal() const;
  // `chaosrun run --state-dir … --journal-path … <args…>`, stderr to a file.
  Ran Run(const std::vector<std::string>& args) const;
  // The same with stderr on a pseudo-terminal (isatty true); `err` is what the terminal got.
  Ran RunOnTerminal(const std::vector<std::string>& args) const;

 private:
  std::vector<std::string> Argv(const std::vector<std::string>& args) const;
  chaosrun::testing::TempDir dir_;
};

// The lines of `text` containing `needle`.
std::vector<std::string> LinesWith(const std::string& text, const std::string& needle);

// A `process` activity running `sh -c script`.
Json Shell(const std::string& type, const std::string& name, const std::string& script);

}  // namespace chaosrun::consoletest
