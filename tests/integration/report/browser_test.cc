// A real browser renders the page of a real run of experiments/demo: headless Chromium from
// Debian (`chromium --headless --dump-dom` and `--screenshot`), offline. Skipped, with a message,
// when chromium is not installed (scripts/setup.sh installs it, so CI runs it).
//
// "No request left the page" is checked three ways: the page carries a Content-Security-Policy
// that forbids every load; the page is served by a loopback server of the test that counts every
// request it gets (exactly one: the page); and every other host name resolves to nothing
// (--host-resolver-rules). A control page that does reference a resource proves that the count
// would catch it.
//
// With CHAOSRUN_REPORT_SCREENSHOT=FILE set, the screenshot is also copied there (docs/report.md
// shows it).
#include <arpa/inet.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <cstdlib>
#include <filesystem>

#include "report_tools.h"
#include "support/http_server.h"
#include "support/process_helpers.h"
#include "support/temp_dir.h"

extern char** environ;

namespace chaosrun::reporttest {
namespace {

namespace fs = std::filesystem;

std::optional<fs::path> FindChromium() {
  const char* path = std::getenv("PATH");
  std::string dirs = path == nullptr ? "/usr/bin" : path;
  size_t start = 0;
  while (start <= dirs.size()) {
    size_t end = dirs.find(':', start);
    if (end == std::string::npos) end = dirs.size();
    fs::path candidate = fs::path(dirs.substr(start, end - start)) / "chromium";
    if (::access(candidate.c_str(), X_OK) == 0) return candidate;
    start = end + 1;
  }
  return std::nullopt;
}

// The demo's target, as scripts/demo.sh starts it: python3's web server on 127.0.0.1.
class DemoTarget {
 public:
  explicit DemoTarget(const fs::path& dir) : pidfile_(dir / "server.pid") {
    port_ = testing::ClosedLoopbackPort();
    std::vector<std::string> args = {"python3", "-m",        "http.server", std::to_string(port_),
                                     "--bind",  "127.0.0.1", "--directory", dir.string()};
    chaosrun::testing::SpawnFiles files;
    files.stdin_path = "";  // inherited, as before
    files.stdout_path = "/dev/null";
    files.stderr_path = "/dev/null";
    pid_ = chaosrun::testing::SpawnWithFiles(args, files);
    WriteText(pidfile_, std::to_string(pid_) + "\n");
  }
  ~DemoTarget() {
    if (pid_ <= 0) return;
    ::kill(pid_, SIGCONT);
    ::kill(pid_, SIGTERM);
    int status = 0;
    ::waitpid(pid_, &status, 0);
  }
  // Polls (at most 10 s) until the server accepts a connection.
  bool WaitListening() const {
    for (int i = 0; i < 1000 && pid_ > 0; ++i) {
      int fd = ::socket(AF_INET, SOCK_STREAM, 0);
      sockaddr_in a{};
      a.sin_family = AF_INET;
      a.sin_port = htons(static_cast<uint16_t>(port_));
      a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
      bool ok = ::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0;
      ::close(fd);
      if (ok) return true;
      ::poll(nullptr, 0, 10);
    }
    return false;
  }
  std::vector<std::string> Env() const {
    return {"DEMO_PORT=" + std::to_string(port_), "DEMO_PIDFILE=" + pidfile_.string()};
  }

 private:
  fs::path pidfile_;
  int port_ = 0;
  pid_t pid_ = -1;
};

std::vector<std::string> ChromiumArgs(const fs::path& chromium, const fs::path& profile) {
  return {chromium.string(),
          "--headless",
          "--no-sandbox",
          "--disable-gpu",
          "--disable-background-networking",
          "--disable-component-update",
          "--disable-sync",
          "--no-first-run",
          "--no-default-browser-check",
          "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
          "--user-data-dir=" + profile.string()};
}

struct Served {
  std::string dom;  // --dump-dom
  int requests = 0;
};

// Serves `html` at /page.html on a fresh loopback server and dumps its DOM with chromium.
Served DumpDom(const fs::path& chromium, const fs::path& dir, const std::string& html) {
  testing::HttpServer server;
  server.Handle("GET", "/page.html", [&](const testing::TestRequest&) {
    testing::TestResponse r;
    r.headers = {{"Content-Type", "text/html; charset=utf-8"}};
    r.body = html;
    return r;
  });
  auto args = ChromiumArgs(chromium, dir / "profile-dom");
  args.push_back("--dump-dom");
  args.push_back(server.Url("/page.html"));
  ToolResult r = RunTool(args, dir);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  server.Stop();
  return {r.out, server.request_count()};
}

// Runs `experiment` against the demo target and renders its report; returns the page path.
fs::path RunAndReport(const testing::TempDir& dir, const fs::path& experiment,
                      const std::string& name) {
  DemoTarget target(dir.path());
  EXPECT_TRUE(target.WaitListening()) << "the demo's web server did not start";
  fs::path journal = dir.path() / (name + ".json");
  ToolResult run = RunChaosrun({"run", "--journal-path", journal.string(), experiment.string()},
                               dir.path(), target.Env());
  EXPECT_EQ(run.exit_code, 0) << run.err;
  ToolResult rep = RunChaosrun({"report", journal.string()}, dir.path());
  EXPECT_EQ(rep.exit_code, 0) << rep.err;
  return dir.path() / (name + ".html");
}

std::vector<std::string> ActivityNames(const fs::path& experiment) {
  Json e = Json::parse(ReadText(experiment));
  std::vector<std::string> names;
  for (const char* part : {"method", "rollbacks"}) {
    for (const Json& a : e[part]) names.push_back(a["name"].get<std::string>());
  }
  return names;
}

TEST(ReportBrowserTest, ChromiumRendersTheDemosPageOfflineAndNothingLeavesIt) {
  auto chromium = FindChromium();
  if (!chromium) GTEST_SKIP() << "chromium is not installed (scripts/setup.sh installs it)";
  testing::TempDir dir;
  // The demo as it is, and the demo with its freeze done by the process driver (a fault the
  // ledger undoes), so that the page has a fault band.
  fs::path demo = SourceDir() / "experiments" / "demo" / "frozen-web-server.json";
  Json variant = Json::parse(ReadText(demo));
  variant["method"][0]["provider"] = {{"type", "driver"},
                                      {"driver", "process"},
                                      {"func", "stop"},
                                      {"arguments", {{"pidfile", "${pidfile}"}}}};
  fs::path with_driver = dir.path() / "frozen-web-server-driver.json";
  WriteText(with_driver, variant.dump(2));

  for (const fs::path& experiment : {demo, with_driver}) {
    SCOPED_TRACE(experiment.string());
    bool faulted = experiment == with_driver;
    fs::path page = RunAndReport(dir, experiment, faulted ? "demo-driver" : "demo");
    std::string html = ReadText(page);
    ASSERT_FALSE(html.empty());
    Served s = DumpDom(*chromium, dir.path(), html);
    EXPECT_EQ(s.requests, 1) << "the page made a request of its own";
    fs::path dom_path = dir.path() / "dom.html";
    WriteText(dom_path, s.dom);
    Outline dom = ParsePage(dom_path, "html");
    ASSERT_EQ(dom.error, "");
    ASSERT_NE(dom.ById("title"), nullptr) << s.dom.substr(0, 500);
    EXPECT_EQ(dom.ById("title")->text, "A frozen web server is noticed, and recovers once resumed");
    std::string names;
    for (const Element* e : dom.Find("td", "activity-name")) names += e->text + "\n";
    for (const std::string& name : ActivityNames(experiment)) {
      EXPECT_NE(names.find(name + "\n"), std::string::npos) << name;
    }
    EXPECT_EQ(dom.Find("svg", "timeline").size(), 1u);
    if (faulted) {
      auto labels = dom.Find("text", "fault-label");
      ASSERT_EQ(labels.size(), 1u);
      EXPECT_TRUE(labels[0]->text.starts_with("process.stop → process:python3/"))
          << labels[0]->text;
      EXPECT_EQ(dom.Find("rect", "band").size(), 1u);
    }
    if (!faulted) continue;
    // The screenshot of the richer page: not blank.
    testing::HttpServer server;
    server.Handle("GET", "/page.html", [&](const testing::TestRequest&) {
      testing::TestResponse r;
      r.headers = {{"Content-Type", "text/html; charset=utf-8"}};
      r.body = html;
      return r;
    });
    fs::path png = dir.path() / "screenshot.png";
    auto args = ChromiumArgs(*chromium, dir.path() / "profile-shot");
    args.push_back("--screenshot=" + png.string());
    args.push_back("--window-size=1200,1500");
    args.push_back("--hide-scrollbars");
    args.push_back(server.Url("/page.html"));
    ToolResult shot = RunTool(args, dir.path());
    EXPECT_EQ(shot.exit_code, 0) << shot.err;
    server.Stop();
    EXPECT_EQ(server.request_count(), 1);
    ToolResult stats =
        RunTool({"python3", (ReportTestDir() / "png_stats.py").string(), png.string()}, dir.path());
    ASSERT_EQ(stats.exit_code, 0) << stats.err;
    Json st = Json::parse(stats.out);
    EXPECT_EQ(st["width"], 1200);
    EXPECT_GT(st["non_white"].get<double>(), 0.03) << stats.out;  // text, bars, tables
    EXPECT_GE(st["colours"].get<int>(), 8) << stats.out;          // green, red, orange, ink…
    if (const char* keep = std::getenv("CHAOSRUN_REPORT_SCREENSHOT"); keep != nullptr) {
      fs::copy_file(png, keep, fs::copy_options::overwrite_existing);
    }
  }
}

// The control: the request count does see a page that loads something, and the report's policy
// blocks the same reference.
TEST(ReportBrowserTest, TheRequestCountCatchesAPageThatLoadsSomething) {
  auto chromium = FindChromium();
  if (!chromium) GTEST_SKIP() << "chromium is not installed (scripts/setup.sh installs it)";
  testing::TempDir dir;
  const std::string body = "<body><p id=\"x\">x</p><img src=\"/leak.png\"/></body></html>";
  Served open = DumpDom(*chromium, dir.path(), "<!DOCTYPE html><html><head></head>" + body);
  EXPECT_GE(open.requests, 2) << "the control page's image was not requested";
  Served locked = DumpDom(*chromium, dir.path(),
                          "<!DOCTYPE html><html><head><meta http-equiv=\"Content-Security-Policy\" "
                          "content=\"default-src 'none'; style-src 'unsafe-inline'; img-src "
                          "data:\"/></head>" +
                              body);
  EXPECT_EQ(locked.requests, 1);
}

}  // namespace
}  // namespace chaosrun::reporttest
