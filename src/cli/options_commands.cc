// The commands of the option table (cli/options.h): usage, description and exit codes.
#include "cli/options.h"

namespace chaosrun::cli {

namespace {

const CommandSpec kCommandTable[] = {
    {Command::kRun, "run", "run an experiment and write its journal",
     "chaosrun run [OPTIONS] SOURCE\n"
     "chaosrun [OPTIONS] SOURCE",
     "Run the experiment in SOURCE (a .json, .yaml or .yml file) and write its journal.\n",
     "Exit codes: 0 completed and not deviated; 1 failed, aborted, interrupted, deviated, invalid\n"
     "or unloadable experiment; 2 usage error.\n"},
    {Command::kValidate, "validate", "check an experiment and report every problem",
     "chaosrun validate [OPTIONS] SOURCE",
     "Check the experiment in SOURCE and report every problem as `JSON-pointer: reason`.\n",
     "Exit codes: 0 valid; 1 invalid or unloadable; 2 usage error.\n"},
    {Command::kDrivers, "drivers", "list the driver plugins and their actions and probes",
     "chaosrun drivers [OPTIONS]",
     "List the driver plugins chaosrun finds, with their actions and probes, and every file that\n"
     "failed to load (and why).\n",
     "Exit codes: 0 every driver loaded; 1 a driver file failed to load; 2 usage error.\n"},
    {Command::kRecover, "recover", "undo every fault left behind by a crashed or killed run",
     "chaosrun recover [--force] [--state-dir DIR] [--driver-dir DIR]...\n"
     "chaosrun recover --list [--json] [--state-dir DIR]\n"
     "chaosrun recover --forget ID [--state-dir DIR]",
     "Undo every fault recorded in the undo ledger and not yet undone (left by a runner that\n"
     "crashed or was killed), newest first, and print what was done. The faults of a run that is\n"
     "still alive are refused (that run undoes them when it ends; stop it with `chaosrun halt` or\n"
     "kill).\n"
     "\n"
     "The state directory and the ledger must belong to the user chaosrun runs as and be writable\n"
     "by no one else; otherwise recover refuses them (exit 1) and says why.\n",
     "Exit codes: 0 every pending fault undone (or nothing to do), listed, or forgotten; 1 an "
     "undo\n"
     "failed (the fault stays in the ledger; run recover again once the cause is fixed), a live\n"
     "run's fault was refused, the ledger cannot be read or is refused, or --forget names no\n"
     "pending fault; 2 usage error.\n"},
    {Command::kHalt, "halt", "the kill switch: stop running experiments and refuse new faults",
     "chaosrun halt [--reason TEXT] [--state-dir DIR]\n"
     "chaosrun halt --clear [--state-dir DIR]",
     "The kill switch. `halt` makes every running experiment that uses this state directory stop\n"
     "and undo its faults, and makes every new fault refuse, until `chaosrun halt --clear`.\n",
     "Exit codes: 0 set or cleared; 1 the state directory is refused or cannot be written;\n"
     "2 usage error.\n"},
    {Command::kProxy, "proxy",
     "`proxy serve`: the fault proxy with a Toxiproxy-compatible HTTP API",
     "chaosrun proxy serve [OPTIONS]",
     "Run the fault proxy with its Toxiproxy-compatible HTTP API (docs/proxy-api.md), until\n"
     "SIGINT or SIGTERM. Existing Toxiproxy clients and the Chaos Toolkit toxiproxy extension "
     "work\n"
     "against it. Once the API listens, prints `chaosrun proxy: API listening on\n"
     "http://HOST:PORT` on stdout.\n",
     "Exit codes: 0 stopped by SIGINT or SIGTERM; 1 the API could not listen or --config could "
     "not\n"
     "be loaded (the message names the entry); 2 usage error (including a non-loopback --api\n"
     "without --allow-remote).\n"},
    {Command::kReport, "report",
     "a self-contained HTML page of a journal, or the history of several",
     "chaosrun report JOURNAL [--output FILE]\n"
     "chaosrun report JOURNAL JOURNAL... --output FILE",
     "Turn a journal (chaosrun's or Chaos Toolkit's) into one self-contained HTML page: summary,\n"
     "faults and how each was undone, a timeline, probes, outputs and errors (docs/report.md).\n"
     "With several journals, write a history page instead: one row per run, in time order, with a\n"
     "trend of time to detect and duration.\n",
     "Exit codes: 0 written; 1 a journal cannot be read (the message names the file and the JSON\n"
     "pointer) or the page cannot be written; 2 usage error.\n"},
    {Command::kRemote, "remote",
     "drive a chaosrund over its API: runs, show, start, abort, halt, pause, resume",
     "chaosrun remote COMMAND [ARGS] [--address URL] [--token-file FILE] [--json]",
     "Drive a running chaosrund over its HTTP API (`chaosrun remote --help`).\n", ""},
    {Command::kHelp, "help", "help for chaosrun or for a command", "chaosrun help [COMMAND]",
     "Print the help of chaosrun, or of COMMAND (same as `chaosrun COMMAND --help`).\n", "", true},
    {Command::kCompletion, "completion", "print the bash completion script",
     "chaosrun completion bash",
     "Print the bash completion script (installed as\n"
     "share/bash-completion/completions/chaosrun).\n",
     "", true},
    {Command::kManPage, "man-page", "print the man page chaosrun.1 (roff)", "chaosrun man-page",
     "Print the manual page chaosrun(1) in roff (installed as share/man/man1/chaosrun.1).\n", "",
     true},
};

}  // namespace

std::span<const CommandSpec> CommandTable() { return kCommandTable; }

const CommandSpec* FindCommand(std::string_view name) {
  for (const CommandSpec& c : kCommandTable) {
    if (name == c.name) return &c;
  }
  return nullptr;
}

const CommandSpec& SpecOf(Command command) {
  for (const CommandSpec& c : kCommandTable) {
    if (c.command == command) return c;
  }
  return kCommandTable[0];  // kVersion has no row: never asked for
}

}  // namespace chaosrun::cli
