#include "providers/process_args.h"

namespace chaosrun::providers {

namespace {

void AppendListElement(const Json& v, std::vector<std::string>* argv) {
  if (v.is_null()) return;
  if (v.is_string() && v.get_ref<const std::string&>().empty()) return;
  argv->push_back(PythonStr(v));
}

}  // namespace

Result<std::vector<std::string>> BuildProcessArgv(const std::string& resolved_path,
                                                  const Json& arguments) {
  std::vector<std::string> argv{resolved_path};
  switch (arguments.type()) {
    case Json::value_t::null:
      return argv;
    case Json::value_t::string:
      return std::vector<std::string>{
          "/bin/sh", "-c", resolved_path + " " + arguments.get_ref<const std::string&>()};
    case Json::value_t::array:
      argv.reserve(arguments.size() + 1);
      for (const Json& v : arguments) AppendListElement(v, &argv);
      return argv;
    case Json::value_t::object:
      argv.reserve(arguments.size() * 2 + 1);
      for (const auto& [key, value] : arguments.items()) {
        AppendListElement(Json(key), &argv);
        AppendListElement(value, &argv);
      }
      return argv;
    default:
      return Err(Status::InvalidArgument(
          "process provider 'arguments' must be a list, a string or an object, not " +
          std::string(arguments.type_name())));
  }
}

Result<std::optional<double>> ParseProcessTimeout(const Json& provider) {
  auto it = provider.find("timeout");
  if (it == provider.end() || it->is_null()) return std::optional<double>();
  if (!it->is_number()) {
    return Err(Status::InvalidArgument(
        "process provider 'timeout' must be a number of seconds, not " + DumpCompact(*it)));
  }
  return std::optional<double>(it->get<double>());
}

}  // namespace chaosrun::providers
