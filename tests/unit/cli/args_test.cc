// The command-line parser (src/cli/args.cc on CLI11, from the table in src/cli/options.h): every
// option reaches its field, every bad value is a usage error naming the flag, unknown commands
// and options get a did-you-mean, and `chaosrun SOURCE` still means `chaosrun run SOURCE`.
#include "cli/args.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <string>
#include <vector>

#include "cli/options.h"

namespace chaosrun::cli {
namespace {

Args ArgsOk(const std::vector<std::string>& argv) {
  auto parsed = ParseArgs(argv);
  EXPECT_TRUE(parsed.has_value()) << ::testing::PrintToString(argv) << ": "
                                  << (parsed ? "" : parsed.error().message());
  return parsed ? *parsed : Args{};
}

std::string ArgsError(const std::vector<std::string>& argv) {
  auto parsed = ParseArgs(argv);
  EXPECT_FALSE(parsed.has_value()) << ::testing::PrintToString(argv);
  return parsed ? "" : parsed.error().message();
}

TEST(Args, ASourceAloneMeansRun) {
  Args a = ArgsOk({"x.json"});
  EXPECT_EQ(a.command, Command::kRun);
  EXPECT_EQ(a.source, "x.json");
  a = ArgsOk({"--dry", "actions", "dir/exp", "--journal-path=j.json"});
  EXPECT_EQ(a.command, Command::kRun);
  EXPECT_EQ(a.source, "dir/exp");
  EXPECT_EQ(a.dry, "actions");
  EXPECT_EQ(a.journal_path, "j.json");
  EXPECT_EQ(ArgsOk({"https://example.com/e"}).source, "https://example.com/e");
  EXPECT_EQ(ArgsOk({"e.yml"}).source, "e.yml");
  // After `--` a word is a SOURCE, even one spelled like a command.
  a = ArgsOk({"--", "run"});
  EXPECT_EQ(a.command, Command::kRun);
  EXPECT_EQ(a.source, "run");
  a = ArgsOk({"run", "--", "--odd-name.json"});
  EXPECT_EQ(a.source, "--odd-name.json");
}

TEST(Args, AnExistingFileWithoutDotOrSlashIsASource) {
  std::filesystem::path dir =
      std::filesystem::temp_directory_path() / ("chaosrun-args-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  std::filesystem::path old = std::filesystem::current_path();
  std::filesystem::current_path(dir);
  std::ofstream("experiment") << "{}";
  Args a = ArgsOk({"experiment"});
  std::filesystem::current_path(old);
  std::filesystem::remove_all(dir);
  EXPECT_EQ(a.command, Command::kRun);
  EXPECT_EQ(a.source, "experiment");
}

TEST(Args, AnUnknownCommandIsAUsageErrorWithDidYouMean) {
  EXPECT_EQ(ArgsError({"rnu"}), "No such command 'rnu'. Did you mean 'run'?");
  EXPECT_EQ(ArgsError({"valdiate", "x.json"}),
            "No such command 'valdiate'. Did you mean 'validate'?");
  EXPECT_EQ(ArgsError({"--verbose", "recovr"}),
            "No such command 'recovr'. Did you mean 'recover'?");
  EXPECT_EQ(ArgsError({"zzzzzz"}), "No such command 'zzzzzz'.");
  EXPECT_EQ(ArgsError({"help", "hlat"}), "No such command 'hlat'. Did you mean 'halt'?");
}

TEST(Args, AnUnknownOptionIsAUsageErrorWithDidYouMean) {
  EXPECT_EQ(ArgsError({"run", "--jounral-path", "j", "x.json"}),
            "no such option: --jounral-path; did you mean '--journal-path'?");
  EXPECT_EQ(ArgsError({"--jounral-path", "j", "x.json"}),
            "no such option: --jounral-path; did you mean '--journal-path'?");
  EXPECT_EQ(ArgsError({"validate", "--strcit", "x.json"}),
            "no such option: --strcit; did you mean '--strict'?");
  EXPECT_EQ(ArgsError({"run", "--zzzzzzzz", "x.json"}), "no such option: --zzzzzzzz");
  EXPECT_EQ(ArgsError({"run", "--journal", "j", "x.json"}),
            "no such option: --journal; did you mean '--journal-path'?");
  // Prefixes are not accepted as the option itself (CLI11 matches whole names only).
  EXPECT_EQ(ArgsError({"proxy", "serve", "--busy", "0"}),
            "no such option: --busy; did you mean '--busy-poll'?");
  // Known, but to another command: says which.
  EXPECT_EQ(ArgsError({"halt", "--force"}),
            "no such option: --force (it only applies to `chaosrun recover`)");
  EXPECT_EQ(ArgsError({"run", "x.json", "--api", "127.0.0.1:0"}),
            "no such option: --api (it only applies to `chaosrun proxy serve`)");
  EXPECT_EQ(ArgsError({"drivers", "--journal-path", "j"}),
            "no such option: --journal-path (it only applies to `chaosrun run`)");
  EXPECT_EQ(ArgsError({"run", "--json", "x.json"}),
            "no such option: --json (it only applies to `chaosrun validate`, `chaosrun drivers` "
            "and `chaosrun recover`)");
}

TEST(Args, ValuesAndFlagsAreChecked) {
  EXPECT_EQ(ArgsError({"run", "--journal-path"}), "option --journal-path needs a value");
  EXPECT_EQ(ArgsError({"run", "--fail-fast=yes", "x.json"}),
            "option --fail-fast does not take a value");
  // An empty inline value (an unset variable) never takes the next argument as the value: the
  // journal would overwrite that file.
  EXPECT_EQ(ArgsError({"run", "--journal-path=", "victim.json", "e.json"}),
            "option --journal-path needs a value");
  EXPECT_EQ(ArgsError({"--journal-path=", "e.json"}), "option --journal-path needs a value");
  EXPECT_EQ(ArgsError({"--log-file=", "run", "e.json"}), "option --log-file needs a value");
  EXPECT_EQ(ArgsError({"validate", "--var=", "e.json"}), "option --var needs a value");
  EXPECT_EQ(ArgsError({"run", "--fail-fast=", "x.json"}),
            "option --fail-fast does not take a value");
  EXPECT_EQ(ArgsError({"run", "x.json", "--", "--journal-path="}),
            "unexpected extra argument: --journal-path=");
  EXPECT_EQ(ArgsError({"run"}), "missing argument: SOURCE");
  EXPECT_EQ(ArgsError({"run", "a.json", "b.json"}), "unexpected extra argument: b.json");
  EXPECT_EQ(ArgsError({"drivers", "extra"}), "unexpected argument: extra");
  struct Case {
    std::vector<std::string> argv;
    std::string message;
  };
  for (const auto& c : std::vector<Case>{
           {{"run", "--dry", "all", "x"}, "--dry must be one of probes, actions"},
           {{"run", "--rollback-strategy", "x", "x"}, "--rollback-strategy must be one of"},
           {{"run", "--hypothesis-strategy", "x", "x"}, "--hypothesis-strategy must be one of"},
           {{"run", "--hypothesis-frequency", "-1", "x"}, "--hypothesis-frequency must be"},
           {{"run", "--hypothesis-frequency", "nan", "x"}, "--hypothesis-frequency must be"},
           {{"run", "--deadline", "0", "x"}, "--deadline must be a positive number"},
           {{"run", "--deadline", "5s", "x"}, "--deadline must be a positive number"},
           {{"run", "--python", "", "x"}, "--python needs a path"},
           {{"run", "--control-file", "/no/such/file", "x"}, "--control-file: '/no/such/file'"},
           {{"--log-format", "xml", "x.json"}, "--log-format must be text or json"},
           {{"--log-file-level", "trace", "x.json"}, "--log-file-level must be one of debug, info"},
           {{"--settings", "", "x.json"}, "--settings needs a file name"},
           {{"--change-dir", "", "x.json"}, "--change-dir needs a directory"},
           {{"proxy", "serve", "--threads", "0"}, "--threads must be a whole number from 1 to 64"},
           {{"proxy", "serve", "--threads", "65"}, "--threads must be"},
           {{"proxy", "serve", "--seed", "x"}, "--seed must be a whole number"},
           {{"proxy", "serve", "--max-buffer", "1K"}, "--max-buffer must be a size from 4K"},
           {{"proxy", "serve", "--max-buffer", "2G"}, "--max-buffer must be a size"},
           {{"proxy"}, "missing argument: serve"},
           {{"proxy", "start"}, "unknown proxy command 'start'"},
           {{"proxy", "serve", "x"}, "unexpected argument: x"},
           {{"report"}, "missing argument: JOURNAL"},
           {{"report", "a.json", "b.json"}, "a history of several journals needs --output"},
           {{"report", "a.json", "-o", ""}, "--output needs a file name"},
           {{"completion"}, "missing argument: SHELL"},
           {{"completion", "zsh"}, "no such shell 'zsh'"},
       }) {
    std::string message = ArgsError(c.argv);
    EXPECT_NE(message.find(c.message), std::string::npos)
        << ::testing::PrintToString(c.argv) << ": " << message;
  }
}

TEST(Args, RunOptionsReachTheirFields) {
  Args a = ArgsOk({"run",
                   "--journal-path",
                   "j.json",
                   "--dry=probes",
                   "--no-validation",
                   "--rollback-strategy",
                   "always",
                   "--hypothesis-strategy",
                   "continuously",
                   "--hypothesis-frequency",
                   "0.5",
                   "--fail-fast",
                   "--var",
                   "a=1",
                   "--var",
                   "b:int=2",
                   "--var-file",
                   "v.env",
                   "--deadline",
                   "7.5",
                   "--python",
                   "/py",
                   "--driver-dir",
                   "/d1",
                   "--driver-dir=/d2",
                   "--state-dir",
                   "/s",
                   "--policy",
                   "/p.json",
                   "--no-verify-tls",
                   "x.json"});
  EXPECT_EQ(a.journal_path, "j.json");
  EXPECT_EQ(a.dry, "probes");
  EXPECT_TRUE(a.no_validation);
  EXPECT_EQ(a.rollback_strategy, "always");
  EXPECT_EQ(a.hypothesis_strategy, "continuously");
  EXPECT_DOUBLE_EQ(a.hypothesis_frequency, 0.5);
  EXPECT_TRUE(a.fail_fast);
  EXPECT_EQ(a.vars, (std::vector<std::string>{"a=1", "b:int=2"}));
  EXPECT_EQ(a.var_files, std::vector<std::string>{"v.env"});
  EXPECT_DOUBLE_EQ(a.deadline_seconds, 7.5);
  EXPECT_EQ(a.python, "/py");
  EXPECT_EQ(a.driver_dirs, (std::vector<std::string>{"/d1", "/d2"}));
  EXPECT_EQ(a.state_dir, "/s");
  EXPECT_EQ(a.policy_path, "/p.json");
  EXPECT_FALSE(a.verify_tls);
  EXPECT_EQ(a.source, "x.json");
  Args defaults = ArgsOk({"run", "x.json"});
  EXPECT_EQ(defaults.journal_path, "./journal.json");
  EXPECT_TRUE(defaults.verify_tls);
  EXPECT_DOUBLE_EQ(defaults.hypothesis_frequency, 1.0);
}

TEST(Args, GlobalOptionsGoBeforeOrAfterTheCommand) {
  for (const auto& argv : std::vector<std::vector<std::string>>{
           {"--no-version-check", "--settings", "s.yaml", "--change-dir", "/tmp", "--no-log-file",
            "--log-file", "l.log", "--log-file-level", "warning", "--log-format", "json", "-v",
            "run", "x.json"},
           {"run", "x.json", "--no-version-check", "--settings=s.yaml", "--change-dir=/tmp",
            "--no-log-file", "--log-file=l.log", "--log-file-level=warning", "--log-format=json",
            "--verbose"},
       }) {
    Args a = ArgsOk(argv);
    EXPECT_EQ(a.command, Command::kRun);
    EXPECT_TRUE(a.no_version_check);
    EXPECT_EQ(a.settings_path, "s.yaml");
    EXPECT_EQ(a.change_dir, "/tmp");
    EXPECT_TRUE(a.no_log_file);
    EXPECT_EQ(a.log_file, "l.log");
    EXPECT_EQ(a.log_file_level, log::Level::kWarning);
    EXPECT_EQ(a.log_format, log::Format::kJson);
    EXPECT_TRUE(a.verbose);
  }
  // The reference's spelling of the text format, and validate's share of run's
  // options.
  EXPECT_EQ(ArgsOk({"--log-format", "string", "x.json"}).log_format, log::Format::kText);
  Args v = ArgsOk({"validate", "--no-verify-tls", "--settings", "s.json", "--var", "k=v", "e"});
  EXPECT_EQ(v.command, Command::kValidate);
  EXPECT_FALSE(v.verify_tls);
  EXPECT_EQ(v.settings_path, "s.json");
  EXPECT_EQ(v.source, "e");
  // Global flags are accepted by every command, remote included (before its word).
  EXPECT_TRUE(ArgsOk({"--no-version-check", "drivers"}).no_version_check);
  Args r = ArgsOk({"--no-version-check", "remote", "runs", "--json"});
  EXPECT_EQ(r.command, Command::kRemote);
  EXPECT_EQ(r.remote_args, (std::vector<std::string>{"runs", "--json"}));
}

TEST(Args, OtherCommandsOptions) {
  Args h = ArgsOk({"halt", "--reason", "drill", "--state-dir", "/s"});
  EXPECT_EQ(h.command, Command::kHalt);
  EXPECT_EQ(h.reason, "drill");
  EXPECT_TRUE(ArgsOk({"halt", "--clear"}).clear);
  Args d = ArgsOk({"drivers", "--json", "--driver-dir", "/d"});
  EXPECT_EQ(d.command, Command::kDrivers);
  EXPECT_TRUE(d.json_output);
  Args rep = ArgsOk({"report", "a.json", "b.json", "-o", "h.html"});
  EXPECT_EQ(rep.report_journals, (std::vector<std::string>{"a.json", "b.json"}));
  EXPECT_EQ(rep.report_output, "h.html");
  Args p = ArgsOk({"proxy", "serve", "--api", "127.0.0.1:0", "--config", "c.json", "--threads", "4",
                   "--seed", "9", "--max-buffer", "64K", "--allow-remote"});
  EXPECT_EQ(p.proxy_action, "serve");
  EXPECT_EQ(p.proxy_api, "127.0.0.1:0");
  EXPECT_EQ(p.proxy_config, "c.json");
  EXPECT_EQ(p.proxy_threads, 4);
  EXPECT_EQ(p.proxy_seed, 9u);
  EXPECT_EQ(p.proxy_max_buffer, 64u << 10);
  EXPECT_TRUE(p.allow_remote);
  EXPECT_EQ(ArgsOk({"completion", "bash"}).command, Command::kCompletion);
  EXPECT_EQ(ArgsOk({"man-page"}).command, Command::kManPage);
}

TEST(Args, HelpAndVersion) {
  EXPECT_EQ(ArgsOk({}).command, Command::kHelp);
  Args h = ArgsOk({"run", "--bogus", "--help"});
  EXPECT_EQ(h.command, Command::kHelp);
  EXPECT_EQ(h.help_topic, "run");
  EXPECT_EQ(ArgsOk({"proxy", "-h"}).help_topic, "proxy");
  EXPECT_EQ(ArgsOk({"--help"}).help_topic, "");
  EXPECT_EQ(ArgsOk({"help", "recover"}).help_topic, "recover");
  EXPECT_EQ(ArgsOk({"x.json", "--version"}).command, Command::kVersion);
  // `remote --help` is remote's own (src/cli/remote_command.cc).
  Args r = ArgsOk({"remote", "--help"});
  EXPECT_EQ(r.command, Command::kRemote);
  EXPECT_EQ(r.remote_args, std::vector<std::string>{"--help"});
  // A value that looks like --help is a value.
  EXPECT_EQ(ArgsOk({"halt", "--reason", "--help"}).reason, "--help");
}

TEST(Args, EveryOptionOfTheTableIsInItsCommandsHelp) {
  for (const OptionSpec& o : OptionTable()) {
    for (const CommandSpec& c : CommandTable()) {
      if (c.command == Command::kRemote || !AppliesTo(o, c.command)) continue;
      EXPECT_NE(HelpText(c.name).find(LongName(o)), std::string::npos)
          << LongName(o) << " in `chaosrun " << c.name << " --help`";
    }
  }
}

}  // namespace
}  // namespace chaosrun::cli
