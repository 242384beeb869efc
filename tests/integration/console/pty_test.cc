// On a terminal (stderr is a pseudo-terminal here), an activity's start line is completed in
// place: the start line, then "\r" + erase-line, then the whole line with its result. Without a
// terminal the same run prints two lines (console_test.cc). --verbose never completes in place
// (its debug lines come between the start and the end).
#include "console_harness.h"

namespace chaosrun::consoletest {
namespace {

TEST_F(ConsoleTest, OnATerminalTheStartLineIsCompletedInPlace) {
  Json e = {{"title", "tty"},
            {"description", "tty"},
            {"method", Json::array({Shell("action", "in-place", "true")})}};
  const std::string path = Write("e.json", e);
  Ran r = RunOnTerminal({path});
  ASSERT_EQ(r.code, 0) << r.err;
  const size_t start = r.err.find("  Action: in-place ...\r\033[K[");
  ASSERT_NE(start, std::string::npos) << r.err;
  const size_t end = r.err.find("  Action: in-place ... succeeded (status 0) [", start);
  EXPECT_NE(end, std::string::npos) << r.err;
  // The start line is never left on a line of its own.
  EXPECT_EQ(r.err.find("  Action: in-place ...\r\n"), std::string::npos) << r.err;

  Ran verbose = RunOnTerminal({"--verbose", path});
  ASSERT_EQ(verbose.code, 0) << verbose.err;
  EXPECT_EQ(verbose.err.find("\033[K"), std::string::npos) << verbose.err;
  EXPECT_NE(verbose.err.find("  Action: in-place ...\r\n"), std::string::npos) << verbose.err;
}

}  // namespace
}  // namespace chaosrun::consoletest
