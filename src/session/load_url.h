// An experiment downloaded from an http(s) URL (session::LoadSource), through the project's one
// HTTP client (providers::PerformHttp). The parts without I/O are public for tests.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "common/json.h"
#include "common/status.h"
#include "parse/loader.h"
#include "session/load.h"

namespace chaosrun::session {

Result<Json> LoadUrl(const std::string& url, const SourceOptions& options);

// "host[:port]" of a URL as written (without user info): the key of the settings' `auths`.
std::string UrlAuthority(std::string_view url);

// How a downloaded document is parsed: by its Content-Type (the reference's rule: contains
// application/json -> JSON; application/x-yaml or text/yaml -> YAML; text/plain -> kUnknown,
// meaning "JSON, else YAML"), else by how the URL's path ends; nullopt when neither says.
std::optional<parse::DocFormat> DownloadFormat(const std::optional<std::string>& content_type,
                                               std::string_view url);

}  // namespace chaosrun::session
