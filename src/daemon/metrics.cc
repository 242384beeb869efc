#include "daemon/metrics.h"

#include <fmt/format.h>

namespace chaosrun::daemon {
namespace {

void Family(std::string& out, std::string_view name, std::string_view type, std::string_view help) {
  out += fmt::format("# HELP {} {}\n# TYPE {} {}\n", name, help, name, type);
}

std::string Number(double v) { return fmt::format("{}", v); }

void Sample(std::string& out, std::string_view name, double v) {
  out += fmt::format("{} {}\n", name, Number(v));
}

void Labelled(std::string& out, std::string_view name, std::string_view label,
              std::string_view value, double v) {
  out += fmt::format("{}{{{}=\"{}\"}} {}\n", name, label, EscapeLabelValue(value), Number(v));
}

}  // namespace

std::string EscapeLabelValue(std::string_view value) {
  std::string out;
  out.reserve(value.size());
  for (char c : value) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '"') {
      out += "\\\"";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out.push_back(c);
    }
  }
  return out;
}

std::string RenderMetrics(const MetricsSnapshot& m) {
  std::string out;
  Family(out, "chaosrun_runs_total", "counter", "Runs that ended, by outcome.");
  for (const char* o : {"completed", "failed", "aborted", "interrupted", "refused", "not-run"}) {
    auto it = m.runs_by_outcome.find(o);
    Labelled(out, "chaosrun_runs_total", "outcome", o,
             static_cast<double>(it == m.runs_by_outcome.end() ? 0 : it->second));
  }
  for (const auto& [o, n] : m.runs_by_outcome) {
    if (o != "completed" && o != "failed" && o != "aborted" && o != "interrupted" &&
        o != "refused" && o != "not-run") {
      Labelled(out, "chaosrun_runs_total", "outcome", o, static_cast<double>(n));
    }
  }
  Family(out, "chaosrun_runs_in_progress", "gauge", "Runs executing now.");
  Sample(out, "chaosrun_runs_in_progress", static_cast<double>(m.runs_in_progress));
  Family(out, "chaosrun_runs_queued", "gauge", "Runs waiting for a slot.");
  Sample(out, "chaosrun_runs_queued", static_cast<double>(m.runs_queued));
  Family(out, "chaosrun_faults_applied_total", "counter", "Driver faults applied by runs.");
  Sample(out, "chaosrun_faults_applied_total", static_cast<double>(m.faults_applied));
  Family(out, "chaosrun_faults_undone_total", "counter", "Driver faults undone by runs.");
  Sample(out, "chaosrun_faults_undone_total", static_cast<double>(m.faults_undone));
  Family(out, "chaosrun_undo_failures_total", "counter",
         "Faults still applied when their run ended, and undos that failed at start.");
  Sample(out, "chaosrun_undo_failures_total", static_cast<double>(m.undo_failures));
  Family(out, "chaosrun_ledger_pending", "gauge", "Faults in the undo ledger not yet reverted.");
  Sample(out, "chaosrun_ledger_pending", static_cast<double>(m.ledger_pending));
  Family(out, "chaosrun_interrupted_runs_found_total", "counter",
         "Runs found interrupted (by a crash of the daemon) at start.");
  Sample(out, "chaosrun_interrupted_runs_found_total",
         static_cast<double>(m.interrupted_runs_found));
  Family(out, "chaosrun_webhook_failures_total", "counter",
         "Webhook notifications given up after every attempt.");
  Sample(out, "chaosrun_webhook_failures_total", static_cast<double>(m.webhook_failures));
  Family(out, "chaosrun_config_reloads_total", "counter", "Configuration reloads, by result.");
  Labelled(out, "chaosrun_config_reloads_total", "result", "ok",
           static_cast<double>(m.reloads_total));
  Labelled(out, "chaosrun_config_reloads_total", "result", "refused",
           static_cast<double>(m.reload_failures));
  Family(out, "chaosrun_halted", "gauge", "1 while the kill switch is set.");
  Sample(out, "chaosrun_halted", m.halted ? 1 : 0);
  Family(out, "chaosrun_schedule_lag_seconds", "gauge",
         "How late the schedule's last fire started after its nominal time.");
  for (const auto& [name, s] : m.schedules) {
    Labelled(out, "chaosrun_schedule_lag_seconds", "schedule", name, s.lag_seconds);
  }
  Family(out, "chaosrun_schedule_missed_fires_total", "counter",
         "Fires due while the daemon was down (reported, never replayed).");
  for (const auto& [name, s] : m.schedules) {
    Labelled(out, "chaosrun_schedule_missed_fires_total", "schedule", name,
             static_cast<double>(s.missed_fires));
  }
  Family(out, "chaosrun_schedule_skipped_fires_total", "counter",
         "Fires skipped (previous run still going under forbid, halted, queue full).");
  for (const auto& [name, s] : m.schedules) {
    Labelled(out, "chaosrun_schedule_skipped_fires_total", "schedule", name,
             static_cast<double>(s.skipped_fires));
  }
  Family(out, "chaosrun_schedule_last_success_timestamp_seconds", "gauge",
         "When the schedule's last successful run ended (seconds since the epoch).");
  for (const auto& [name, s] : m.schedules) {
    if (s.last_success) {
      Labelled(out, "chaosrun_schedule_last_success_timestamp_seconds", "schedule", name,
               *s.last_success);
    }
  }
  return out;
}

}  // namespace chaosrun::daemon
