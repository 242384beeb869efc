// libcurl, loaded on first use. chaosrun links no TLS or HTTP library at start-up: libcurl and
// its dependency tree (OpenSSL, GnuTLS via librtmp, Kerberos, LDAP, SSH, ...) cost ~10 ms of CPU
// and ~6 MiB of memory in library constructors alone, which every run would pay even when it has
// no http activity. The first http activity dlopen()s libcurl.so.4 and resolves the handful of
// functions chaosrun calls; the types come from <curl/curl.h> as usual.
#pragma once

#include <curl/curl.h>

#include <string>

namespace chaosrun::providers {

struct CurlApi {
  CURLcode (*global_init)(long flags);
  CURL* (*easy_init)();
  void (*easy_cleanup)(CURL*);
  CURLcode (*easy_setopt)(CURL*, CURLoption, ...);
  CURLcode (*easy_getinfo)(CURL*, CURLINFO, ...);
  const char* (*easy_strerror)(CURLcode);
  CURLM* (*multi_init)();
  CURLMcode (*multi_cleanup)(CURLM*);
  CURLMcode (*multi_add_handle)(CURLM*, CURL*);
  CURLMcode (*multi_remove_handle)(CURLM*, CURL*);
  CURLMcode (*multi_perform)(CURLM*, int*);
  CURLMsg* (*multi_info_read)(CURLM*, int*);
  CURLMcode (*multi_poll)(CURLM*, struct curl_waitfd*, unsigned int, int, int*);
  curl_slist* (*slist_append)(curl_slist*, const char*);
  void (*slist_free_all)(curl_slist*);
};

// Loads libcurl once (thread-safe) and runs curl_global_init. Returns nullptr, with the reason
// in `error`, when the library or one of its functions cannot be found.
const CurlApi* LoadCurl(std::string* error);

}  // namespace chaosrun::providers
