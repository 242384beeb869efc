// The `process` provider (ctk-spec §4.2).
#include <algorithm>
#include <chrono>

#include "common/log.h"
#include "common/which.h"
#include "providers/process_args.h"
#include "providers/provider.h"
#include "providers/spawn.h"
#include "providers/text.h"

namespace chaosrun::providers {

namespace {

std::string TruncationNote(size_t max_capture) {
  return "\n[chaosrun: output truncated after " + std::to_string(max_capture >> 20) + " MiB]";
}

}  // namespace

Outcome RunProcess(const Json& provider, const Context& ctx) {
  if (!provider.is_object()) return Outcome::Failed("process provider must be an object");
  auto path_it = provider.find("path");
  if (path_it == provider.end() || !path_it->is_string() ||
      path_it->get_ref<const std::string&>().empty()) {
    return Outcome::Failed("a process activity must have a path (a non-empty string)");
  }
  const std::string& path = path_it->get_ref<const std::string&>();
  auto timeout = ParseProcessTimeout(provider);
  if (!timeout) return Outcome::Failed(timeout.error().message());
  std::optional<std::string> resolved = WhichExpandingHome(path);
  if (!resolved) return Outcome::Failed("path '" + path + "' cannot be found");

  static const Json kNull = nullptr;
  auto args_it = provider.find("arguments");
  const Json& arguments = args_it == provider.end() ? kNull : *args_it;
  if (arguments.is_object() && !arguments.empty()) {
    log::Warn("process provider: dict arguments are deprecated, use a list or a string");
  }
  auto argv = BuildProcessArgv(*resolved, arguments);
  if (!argv) return Outcome::Failed(argv.error().message());
  if (ctx.cancel.cancelled()) return Outcome::Interrupted();

  SpawnOptions options;
  if (*timeout) {
    const double secs = std::max(0.0, **timeout);
    options.timeout = std::chrono::nanoseconds(
        static_cast<int64_t>(std::min(secs, 1e9) * 1e9));  // clamp absurd values (≈31 years)
  }
  auto run = SpawnAndWait(*argv, ctx.cancel, options);
  if (!run) return Outcome::Failed(run.error().message());  // "cannot start '<path>': <why>"
  switch (run->end) {
    case ProcessResult::End::kCancelled:
      return Outcome::Interrupted();
    case ProcessResult::End::kTimedOut:
      return Outcome::Failed("process activity took too long to complete");
    case ProcessResult::End::kExited:
      break;
  }
  std::string out = DecodeUtf8Lossy(run->out);
  std::string err = DecodeUtf8Lossy(run->err);
  if (run->out_truncated || run->err_truncated) {
    log::Warn("process provider: output of '{}' exceeded {} MiB and was truncated", *resolved,
              options.max_capture >> 20);
  }
  if (run->out_truncated) out += TruncationNote(options.max_capture);
  if (run->err_truncated) err += TruncationNote(options.max_capture);
  Json output = Json::object();
  output["status"] = run->status;
  output["stdout"] = std::move(out);
  output["stderr"] = std::move(err);
  return Outcome::Succeeded(std::move(output));
}

}  // namespace chaosrun::providers
