#include "providers/http_encode.h"

#include <algorithm>
#include <cctype>

#include "common/encoding.h"
#include "providers/text.h"

namespace chaosrun::providers {

namespace {

bool IEquals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() &&
         (s.back() == ' ' || s.back() == '\t' || s.back() == '\r' || s.back() == '\n')) {
    s.remove_suffix(1);
  }
  return s;
}

void AppendPair(std::string* out, const std::string& key, const Json& value) {
  if (value.is_null()) return;
  if (!out->empty()) out->push_back('&');
  *out += QuotePlus(key);
  out->push_back('=');
  *out += QuotePlus(PythonStr(value));
}

// One key with a value that may be a list (repeated key) or an object (its keys, since Python
// iterates a dict's keys).
void AppendKeyValues(std::string* out, const std::string& key, const Json& value) {
  if (value.is_array()) {
    for (const Json& v : value) AppendPair(out, key, v);
  } else if (value.is_object()) {
    for (const auto& [k, v] : value.items()) AppendPair(out, key, Json(k));
  } else {
    AppendPair(out, key, value);
  }
}

bool HasCrLf(std::string_view s) { return s.find_first_of("\r\n") != std::string_view::npos; }

}  // namespace

std::string QuotePlus(std::string_view s) { return PercentEncode(s, /*space_as_plus=*/true); }

Result<std::string> EncodeParams(const Json& args) {
  std::string out;
  switch (args.type()) {
    case Json::value_t::null:
      return out;
    case Json::value_t::string:
      return args.get<std::string>();
    case Json::value_t::object:
      for (const auto& [key, value] : args.items()) AppendKeyValues(&out, key, value);
      return out;
    case Json::value_t::array:
      for (const Json& pair : args) {
        if (!pair.is_array() || pair.size() != 2) {
          return Err(Status::InvalidArgument(
              "http provider 'arguments' as a list must hold [key, value] pairs"));
        }
        AppendKeyValues(&out, PythonStr(pair[0]), pair[1]);
      }
      return out;
    default:
      return Err(
          Status::InvalidArgument("http provider 'arguments' must be an object or a string, not " +
                                  std::string(args.type_name())));
  }
}

std::string AppendQuery(const std::string& url, const std::string& query) {
  if (query.empty()) return url;
  const size_t hash = url.find('#');
  std::string base = url.substr(0, hash);
  const std::string fragment = hash == std::string::npos ? "" : url.substr(hash);
  if (base.find('?') == std::string::npos) {
    base.push_back('?');
  } else if (base.back() != '?' && base.back() != '&') {
    base.push_back('&');
  }
  return base + query + fragment;
}

void ResponseHeaders::Feed(std::string_view line) {
  if (line.starts_with("HTTP/")) {  // a new response: redirects and 1xx replace the headers
    fields_.clear();
    return;
  }
  if (!line.empty() && (line.front() == ' ' || line.front() == '\t')) {  // obsolete folding
    if (!fields_.empty()) {
      std::string_view more = Trim(line);
      if (!more.empty()) fields_.back().second += " " + std::string(more);
    }
    return;
  }
  const size_t colon = line.find(':');
  if (colon == std::string_view::npos || colon == 0) return;  // blank line or junk
  std::string name(Trim(line.substr(0, colon)));
  std::string value(Trim(line.substr(colon + 1)));
  for (auto& [n, v] : fields_) {
    if (IEquals(n, name)) {
      v += ", " + value;
      return;
    }
  }
  fields_.emplace_back(std::move(name), std::move(value));
}

Json ResponseHeaders::ToJson() const {
  Json out = Json::object();
  for (const auto& [n, v] : fields_) out[DecodeLatin1(n)] = DecodeLatin1(v);
  return out;
}

std::optional<std::string> ResponseHeaders::Get(std::string_view name) const {
  for (const auto& [n, v] : fields_) {
    if (IEquals(n, name)) return v;
  }
  return std::nullopt;
}

bool IsExactJsonContentType(const std::optional<std::string>& content_type) {
  return content_type && *content_type == "application/json";
}

Result<HttpTimeout> ParseHttpTimeout(const Json& provider) {
  HttpTimeout t;
  auto it = provider.find("timeout");
  if (it == provider.end() || it->is_null()) return t;
  const auto bad = [&] {
    return Err(Status::InvalidArgument(
        "http provider 'timeout' must be a positive number of seconds or [connect, read], not " +
        DumpCompact(*it)));
  };
  if (it->is_number()) {
    t.total = it->get<double>();
    if (*t.total <= 0) return bad();
    return t;
  }
  if (!it->is_array() || it->size() != 2) return bad();
  for (size_t i = 0; i < 2; ++i) {
    const Json& v = (*it)[i];
    if (v.is_null()) continue;
    if (!v.is_number() || v.get<double>() <= 0) return bad();
    (i == 0 ? t.connect : t.read) = v.get<double>();
  }
  return t;
}

Result<std::optional<std::vector<long>>> ParseExpectedStatus(const Json& provider) {
  auto it = provider.find("expected_status");
  if (it == provider.end() || it->is_null()) return std::optional<std::vector<long>>();
  std::vector<long> codes;
  const auto add = [&](const Json& v) {
    if (!v.is_number_integer()) return false;
    codes.push_back(v.get<long>());
    return true;
  };
  bool ok = true;
  if (it->is_array()) {
    for (const Json& v : *it) ok = ok && add(v);
  } else {
    ok = add(*it);
  }
  if (!ok) {
    return Err(Status::InvalidArgument(
        "http provider 'expected_status' must be an integer or a list of integers, not " +
        DumpCompact(*it)));
  }
  return std::optional<std::vector<long>>(std::move(codes));
}

Result<std::vector<std::string>> BuildRequestHeaders(const Json& headers) {
  std::vector<std::string> lines;
  if (headers.is_null()) return lines;
  if (!headers.is_object()) {
    return Err(Status::InvalidArgument("http provider 'headers' must be an object"));
  }
  for (const auto& [name, value] : headers.items()) {
    if (value.is_null()) continue;
    const std::string v = PythonStr(value);
    if (name.empty() || HasCrLf(name) || name.find(':') != std::string::npos || HasCrLf(v) ||
        name.find_first_of(" \t") != std::string::npos) {
      return Err(Status::InvalidArgument("http provider: invalid header '" + name + "'"));
    }
    // "Name;" is curl's way to send a header with an empty value.
    lines.push_back(v.empty() ? name + ";" : name + ": " + v);
  }
  return lines;
}

}  // namespace chaosrun::providers
