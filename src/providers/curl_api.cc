#include "providers/curl_api.h"

#include <dlfcn.h>

#include <mutex>

namespace chaosrun::providers {

namespace {

struct Loaded {
  CurlApi api{};
  bool ok = false;
  std::string error;
};

template <typename Fn>
bool Resolve(void* lib, const char* name, Fn& out, std::string& error) {
  void* sym = ::dlsym(lib, name);
  if (sym == nullptr) {
    error = std::string("libcurl lacks ") + name;
    return false;
  }
  out = reinterpret_cast<Fn>(sym);
  return true;
}

Loaded Load() {
  Loaded l;
  void* lib = nullptr;
  for (const char* name : {"libcurl.so.4", "libcurl.so", "libcurl-gnutls.so.4"}) {
    lib = ::dlopen(name, RTLD_NOW | RTLD_LOCAL);
    if (lib != nullptr) break;
  }
  if (lib == nullptr) {
    const char* e = ::dlerror();
    l.error = std::string("cannot load libcurl (install libcurl4): ") + (e ? e : "not found");
    return l;
  }
  CurlApi& a = l.api;
  std::string& err = l.error;
  l.ok = Resolve(lib, "curl_global_init", a.global_init, err) &&
         Resolve(lib, "curl_easy_init", a.easy_init, err) &&
         Resolve(lib, "curl_easy_cleanup", a.easy_cleanup, err) &&
         Resolve(lib, "curl_easy_setopt", a.easy_setopt, err) &&
         Resolve(lib, "curl_easy_getinfo", a.easy_getinfo, err) &&
         Resolve(lib, "curl_easy_strerror", a.easy_strerror, err) &&
         Resolve(lib, "curl_multi_init", a.multi_init, err) &&
         Resolve(lib, "curl_multi_cleanup", a.multi_cleanup, err) &&
         Resolve(lib, "curl_multi_add_handle", a.multi_add_handle, err) &&
         Resolve(lib, "curl_multi_remove_handle", a.multi_remove_handle, err) &&
         Resolve(lib, "curl_multi_perform", a.multi_perform, err) &&
         Resolve(lib, "curl_multi_info_read", a.multi_info_read, err) &&
         Resolve(lib, "curl_multi_poll", a.multi_poll, err) &&
         Resolve(lib, "curl_slist_append", a.slist_append, err) &&
         Resolve(lib, "curl_slist_free_all", a.slist_free_all, err);
  if (l.ok && a.global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
    l.ok = false;
    l.error = "curl_global_init failed";
  }
  // The library stays loaded for the life of the process (curl keeps global state).
  return l;
}

}  // namespace

const CurlApi* LoadCurl(std::string* error) {
  static std::once_flag once;
  static Loaded loaded;
  std::call_once(once, [] { loaded = Load(); });
  if (!loaded.ok) {
    if (error != nullptr) *error = loaded.error;
    return nullptr;
  }
  return &loaded.api;
}

}  // namespace chaosrun::providers
