#include "http.h"

#include <curl/curl.h>

#include <mutex>

namespace chaosrun_ml {

namespace {

constexpr size_t kMaxAnswerBytes = 1024 * 1024;

size_t Collect(char* data, size_t size, size_t count, void* user) {
  auto* out = static_cast<std::string*>(user);
  size_t n = size * count;
  if (out->size() + n > kMaxAnswerBytes) return 0;  // aborts the transfer (CURLE_WRITE_ERROR)
  out->append(data, n);
  return n;
}

void GlobalInit() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

}  // namespace

std::string HttpAnswer::Describe() const {
  if (!error.empty()) return error;
  std::string text = body.size() > 300 ? body.substr(0, 300) + "..." : body;
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
  return "HTTP " + std::to_string(status) + (text.empty() ? "" : ": " + text);
}

HttpAnswer HttpCall(const std::string& method, const std::string& url, const std::string& body,
                    const std::string& bearer, long timeout_ms) {
  GlobalInit();
  HttpAnswer a;
  CURL* curl = curl_easy_init();
  if (curl == nullptr) {
    a.error = method + " " + url + ": cannot create a libcurl handle";
    return a;
  }
  curl_slist* headers = nullptr;
  headers = curl_slist_append(headers, "Accept: application/json");
  if (!body.empty() || method == "POST") {
    headers = curl_slist_append(headers, "Content-Type: application/json");
  }
  std::string auth;
  if (!bearer.empty()) {
    auth = "Authorization: Bearer " + bearer;
    headers = curl_slist_append(headers, auth.c_str());
  }
  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, method.c_str());
  if (method == "POST" || !body.empty()) {
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body.c_str());
    curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body.size()));
  }
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl, CURLOPT_NOPROXY, "*");
  curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 0L);
  curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, timeout_ms < 2000 ? timeout_ms : 2000L);
  curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, timeout_ms);
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, &Collect);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &a.body);
  CURLcode rc = curl_easy_perform(curl);
  if (rc != CURLE_OK) {
    a.error = method + " " + url + ": " + curl_easy_strerror(rc);
  } else {
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &a.status);
  }
  curl_slist_free_all(headers);
  curl_easy_cleanup(curl);
  return a;
}

}  // namespace chaosrun_ml
