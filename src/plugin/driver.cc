#include "plugin/driver.h"

#include <dlfcn.h>

#include <algorithm>
#include <chrono>
#include <cstddef>

#include "common/log.h"

namespace chaosrun::plugin {

namespace {

// The v1 API is complete up to and including free_owned.
constexpr size_t kMinApiSize = offsetof(chaosrun_driver_api, free_owned) + sizeof(void*);

Status ParseFuncs(const Json& d, const char* key, std::vector<FuncInfo>& out) {
  auto it = d.find(key);
  if (it == d.end()) return Status::Ok();
  if (!it->is_array()) return Status::InvalidArgument(std::string(key) + " must be a list");
  for (size_t i = 0; i < it->size(); ++i) {
    const Json& f = (*it)[i];
    std::string where = std::string(key) + "[" + std::to_string(i) + "]";
    if (!f.is_object() || !f.contains("name") || !f["name"].is_string() ||
        f["name"].get<std::string>().empty()) {
      return Status::InvalidArgument(where + " needs a non-empty string name");
    }
    FuncInfo info;
    info.name = f["name"].get<std::string>();
    if (f.contains("description") && f["description"].is_string()) {
      info.description = f["description"].get<std::string>();
    }
    if (f.contains("arguments")) {
      if (!f["arguments"].is_object()) {
        return Status::InvalidArgument(where + ".arguments must be a JSON Schema object");
      }
      info.arguments_schema = f["arguments"];
    }
    out.push_back(std::move(info));
  }
  return Status::Ok();
}

}  // namespace

const FuncInfo* Descriptor::FindAction(const std::string& func) const {
  for (const auto& a : actions) {
    if (a.name == func) return &a;
  }
  return nullptr;
}

const FuncInfo* Descriptor::FindProbe(const std::string& func) const {
  for (const auto& p : probes) {
    if (p.name == func) return &p;
  }
  return nullptr;
}

Result<Descriptor> ParseDescriptor(const std::string& json_text) {
  Json d = Json::parse(json_text, nullptr, false);
  if (d.is_discarded()) return Err(Status::InvalidArgument("the descriptor is not valid JSON"));
  if (!d.is_object()) return Err(Status::InvalidArgument("the descriptor must be a JSON object"));
  Descriptor out;
  out.raw = d;
  for (const char* k : {"name", "version"}) {
    if (!d.contains(k) || !d[k].is_string() || d[k].get<std::string>().empty()) {
      return Err(
          Status::InvalidArgument(std::string("the descriptor needs a non-empty string ") + k));
    }
  }
  out.name = d["name"].get<std::string>();
  out.version = d["version"].get<std::string>();
  if (d.contains("description") && d["description"].is_string()) {
    out.description = d["description"].get<std::string>();
  }
  if (Status st = ParseFuncs(d, "actions", out.actions); !st.ok()) return Err(st);
  if (Status st = ParseFuncs(d, "probes", out.probes); !st.ok()) return Err(st);
  std::vector<std::string> names;
  for (const auto& f : out.actions) names.push_back(f.name);
  for (const auto& f : out.probes) names.push_back(f.name);
  std::sort(names.begin(), names.end());
  if (auto dup = std::adjacent_find(names.begin(), names.end()); dup != names.end()) {
    return Err(Status::InvalidArgument("the descriptor declares '" + *dup + "' twice"));
  }
  return out;
}

std::string CallResult::error() const {
  if (value.is_object() && value.contains("error") && value["error"].is_string()) {
    return value["error"].get<std::string>();
  }
  switch (status) {
    case CHAOSRUN_OK:
      return "";
    case CHAOSRUN_INVALID_ARGUMENT:
      return "invalid arguments";
    case CHAOSRUN_FAILED:
      return "the driver call failed";
    case CHAOSRUN_CANCELLED:
      return "cancelled";
    case CHAOSRUN_UNSUPPORTED:
      return "unsupported";
    default:
      return "driver internal error";
  }
}

Result<std::unique_ptr<Driver>> Driver::Load(const std::string& path) {
  std::unique_ptr<Driver> d(new Driver());
  d->path_ = path;
  auto fail = [&](const std::string& why) {
    return Err(Status::InvalidArgument("driver " + path + ": " + why));
  };
  dlerror();
  d->handle_ = ::dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (d->handle_ == nullptr) {
    const char* e = dlerror();
    return fail(std::string("cannot be loaded: ") + (e ? e : "unknown error"));
  }
  void* sym = ::dlsym(d->handle_, CHAOSRUN_DRIVER_ENTRY_NAME);
  if (sym == nullptr) {
    return fail("is not a chaosrun driver (no " CHAOSRUN_DRIVER_ENTRY_NAME " symbol)");
  }
  auto entry = reinterpret_cast<chaosrun_driver_entry_fn>(sym);
  const chaosrun_driver_api* api = entry(CHAOSRUN_DRIVER_ABI_MAJOR, CHAOSRUN_DRIVER_ABI_MINOR);
  if (api == nullptr) {
    return fail("refused to serve this host (ABI " + std::to_string(CHAOSRUN_DRIVER_ABI_MAJOR) +
                "." + std::to_string(CHAOSRUN_DRIVER_ABI_MINOR) + ")");
  }
  if (api->abi_major != CHAOSRUN_DRIVER_ABI_MAJOR) {
    return fail("speaks driver ABI " + std::to_string(api->abi_major) +
                ".x; this chaosrun speaks " + std::to_string(CHAOSRUN_DRIVER_ABI_MAJOR) + ".x");
  }
  if (api->struct_size < kMinApiSize) {
    return fail("has a truncated API struct (" + std::to_string(api->struct_size) + " bytes)");
  }
  if (!api->create || !api->destroy || !api->probe || !api->prepare || !api->apply || !api->undo ||
      !api->free_owned) {
    return fail("leaves a required function pointer empty");
  }
  if (api->descriptor_json_borrowed == nullptr) return fail("has no descriptor");
  auto desc = ParseDescriptor(api->descriptor_json_borrowed);
  if (!desc) return fail("has a malformed descriptor: " + desc.error().message());
  d->descriptor_ = std::move(*desc);
  d->api_ = api;

  d->host_.abi_major = CHAOSRUN_DRIVER_ABI_MAJOR;
  d->host_.abi_minor = CHAOSRUN_DRIVER_ABI_MINOR;
  d->host_.struct_size = sizeof(chaosrun_host_api);
  d->host_.host_data_borrowed = d.get();
  d->host_.log = &Driver::HostLog;
  d->host_.monotonic_ns = &Driver::HostMonotonicNs;
  d->host_.cancelled = &Driver::HostCancelled;
  d->instance_ = api->create(&d->host_);
  if (d->instance_ == nullptr) return fail("could not create an instance");
  return d;
}

Driver::~Driver() {
  if (api_ != nullptr && instance_ != nullptr) api_->destroy(instance_);
  // The library stays mapped: a driver may have started threads or registered atexit handlers
  // that would crash the host after dlclose.
}

void Driver::HostLog(void* host_data, int32_t level, const char* message) {
  auto* self = static_cast<Driver*>(host_data);
  std::string text = "[driver " + self->descriptor_.name + "] " + (message ? message : "");
  switch (level) {
    case CHAOSRUN_LOG_DEBUG:
      log::Write(log::Level::kDebug, text);
      break;
    case CHAOSRUN_LOG_WARNING:
      log::Write(log::Level::kWarning, text);
      break;
    case CHAOSRUN_LOG_ERROR:
      log::Write(log::Level::kError, text);
      break;
    default:
      log::Write(log::Level::kInfo, text);
      break;
  }
}

uint64_t Driver::HostMonotonicNs(void*) {
  return static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(
                                   std::chrono::steady_clock::now().time_since_epoch())
                                   .count());
}

int32_t Driver::HostCancelled(void* host_data, uint64_t call_id) {
  auto* self = static_cast<Driver*>(host_data);
  std::lock_guard lock(self->tokens_mu_);
  auto it = self->tokens_.find(call_id);
  return it != self->tokens_.end() && it->second.cancelled() ? 1 : 0;
}

CallResult Driver::Invoke(Fn fn, const std::string& func, const Json& input,
                          const CancelToken& cancel) {
  std::lock_guard call_lock(call_mu_);
  uint64_t id;
  {
    std::lock_guard lock(tokens_mu_);
    id = next_call_++;
    tokens_[id] = cancel;
  }
  std::string in = DumpCompact(input);
  char* out = nullptr;
  CallResult r;
  r.status = fn(instance_, id, func.c_str(), in.c_str(), &out);
  {
    std::lock_guard lock(tokens_mu_);
    tokens_.erase(id);
  }
  if (out != nullptr) {
    r.value = Json::parse(out, nullptr, false);
    api_->free_owned(out);
    if (r.value.is_discarded()) {
      r.status = CHAOSRUN_INTERNAL;
      r.value = Json{{"error", "driver " + descriptor_.name + " returned malformed JSON"}};
    }
  }
  if (r.status < CHAOSRUN_OK || r.status > CHAOSRUN_INTERNAL) r.status = CHAOSRUN_INTERNAL;
  return r;
}

CallResult Driver::Probe(const std::string& func, const Json& args, const CancelToken& c) {
  return Invoke(api_->probe, func, args, c);
}
CallResult Driver::Prepare(const std::string& func, const Json& args, const CancelToken& c) {
  return Invoke(api_->prepare, func, args, c);
}
CallResult Driver::Apply(const std::string& func, const Json& plan, const CancelToken& c) {
  return Invoke(api_->apply, func, plan, c);
}
CallResult Driver::Undo(const std::string& func, const Json& undo, const CancelToken& c) {
  return Invoke(api_->undo, func, undo, c);
}

}  // namespace chaosrun::plugin
