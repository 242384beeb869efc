#include "session/load_url.h"

#include <cctype>
#include <cstdlib>

#include "common/log.h"
#include "common/redact.h"
#include "common/url_text.h"
#include "providers/http_transfer.h"

namespace chaosrun::session {

namespace {

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string_view UrlPath(std::string_view url) {
  size_t start = url.find("://");
  start = start == std::string_view::npos ? 0 : url.find('/', start + 3);
  if (start == std::string_view::npos) return "";
  std::string_view path = url.substr(start);
  return path.substr(0, path.find_first_of("?#"));
}

bool EndsWith(std::string_view s, std::string_view tail) {
  return s.size() >= tail.size() && s.substr(s.size() - tail.size()) == tail;
}

std::string Megabytes(size_t bytes) {
  if (bytes % (size_t{1} << 20) == 0) return std::to_string(bytes >> 20) + " MiB";
  return std::to_string(bytes) + " bytes";
}

Status FetchError(const std::string& url, const std::string& why) {
  return Status::Unavailable("Failed to fetch the experiment from " + ShownUrl(url) + ": " + why);
}

// The answer's body in an error message: its first line, at most 200 bytes.
std::string BodyExcerpt(const std::string& body) {
  std::string line = body.substr(0, body.find('\n'));
  if (line.size() > 200) line = line.substr(0, 200) + "…";
  return line;
}

}  // namespace

std::string UrlAuthority(std::string_view url) {
  size_t start = url.find("://");
  if (start == std::string_view::npos) return "";
  start += 3;
  size_t end = url.find_first_of("/?#", start);
  std::string_view authority =
      url.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start);
  if (size_t at = authority.rfind('@'); at != std::string_view::npos) {
    authority = authority.substr(at + 1);
  }
  return std::string(authority);
}

std::optional<parse::DocFormat> DownloadFormat(const std::optional<std::string>& content_type,
                                               std::string_view url) {
  if (content_type) {
    std::string ct = Lower(*content_type);
    if (ct.find("application/json") != std::string::npos) return parse::DocFormat::kJson;
    if (ct.find("application/x-yaml") != std::string::npos ||
        ct.find("text/yaml") != std::string::npos) {
      return parse::DocFormat::kYaml;
    }
    if (ct.find("text/plain") != std::string::npos) return parse::DocFormat::kUnknown;
  }
  std::string path = Lower(UrlPath(url));
  if (EndsWith(path, ".json")) return parse::DocFormat::kJson;
  if (EndsWith(path, ".yaml") || EndsWith(path, ".yml")) return parse::DocFormat::kYaml;
  return std::nullopt;
}

Result<Json> LoadUrl(const std::string& url, const SourceOptions& options) {
  providers::HttpRequest req;
  req.url = url;
  req.method = "GET";
  req.headers = {"Accept: application/json, application/x-yaml", "User-Agent: chaosrun"};
  const char* token = std::getenv("CHAOSTOOLKIT_LOADER_AUTH_BEARER_TOKEN");
  std::string authorization;
  if (token != nullptr && *token != '\0') {
    authorization = std::string("bearer ") + token;
    Redactor::Global().Add(token);
  } else if (const Json* auth = Member(options.auths, UrlAuthority(url).c_str())) {
    std::string value = auth->value("value", "");
    authorization = auth->value("type", "") + " " + value;
    Redactor::Global().Add(value);
  }
  if (!authorization.empty()) req.headers.push_back("Authorization: " + authorization);
  req.verify_tls = options.verify_tls;
  req.timeout.connect = options.connect_timeout_seconds;
  req.timeout.total = options.timeout_seconds;
  req.max_body = options.max_bytes;
  log::Debug("fetching the experiment from {}", ShownUrl(url));
  providers::HttpResult r = providers::PerformHttp(req, options.cancel);
  using E = providers::HttpResult::Error;
  switch (r.error) {
    case E::kNone:
      break;
    case E::kTooLarge:
      return Err(FetchError(
          url, "the answer is larger than the " + Megabytes(options.max_bytes) + " limit"));
    case E::kCancelled:  // the run's interrupt (Ctrl-C): as an interrupt before the run
      return Err(Status::Cancelled("Interrupted: " + options.cancel.reason() +
                                   " while fetching the experiment from " + ShownUrl(url) +
                                   "; nothing was run"));
    case E::kTimeout:
      return Err(FetchError(
          url, fmt::format("no complete answer within {:g} s (timeout)", options.timeout_seconds)));
    default:
      return Err(FetchError(url, r.message));
  }
  if (r.status != 200) {
    std::string why = "HTTP " + std::to_string(r.status);
    if (std::string excerpt = BodyExcerpt(r.body); !excerpt.empty()) why += ": " + excerpt;
    return Err(FetchError(url, why));
  }
  auto content_type = r.headers.Get("Content-Type");
  auto format = DownloadFormat(content_type, url);
  if (!format) {
    return Err(Status::InvalidArgument(
        "the experiment from " + ShownUrl(url) + " has the Content-Type '" +
        content_type.value_or("") +
        "': only json and yaml (application/json, application/x-yaml, text/yaml, text/plain, or "
        "a path ending in .json, .yaml or .yml) are supported"));
  }
  Result<Json> doc = Err(Status::Internal("unparsed"));
  if (*format == parse::DocFormat::kUnknown) {  // text/plain: JSON, else YAML
    doc = parse::ParseText(r.body, parse::DocFormat::kJson, ShownUrl(url));
    if (!doc) doc = parse::ParseText(r.body, parse::DocFormat::kYaml, ShownUrl(url));
  } else {
    doc = parse::ParseText(r.body, *format, ShownUrl(url));
  }
  if (!doc) return doc;
  if (!doc->is_object()) {
    return Err(
        Status::InvalidArgument(ShownUrl(url) + ": the experiment document must be a mapping"));
  }
  return doc;
}

}  // namespace chaosrun::session
