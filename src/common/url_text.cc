#include "common/url_text.h"

namespace chaosrun {

std::string ShownUrl(const std::string& url) {
  std::string out = url;
  size_t scheme = out.find("://");
  size_t host_start = scheme == std::string::npos ? 0 : scheme + 3;
  size_t host_end = out.find_first_of("/?#", host_start);
  size_t at = out.rfind('@', host_end == std::string::npos ? out.size() : host_end);
  if (at != std::string::npos && at >= host_start) out.erase(host_start, at + 1 - host_start);
  size_t cut = out.find_first_of("?#", host_start);
  if (cut != std::string::npos) {
    bool query = out[cut] == '?' && cut + 1 < out.size() && out[cut + 1] != '#';
    out.erase(cut);
    if (query) out += "?…";
  }
  return out;
}

}  // namespace chaosrun
