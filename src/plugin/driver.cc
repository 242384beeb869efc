#include "plugin/driver.h"

#include <dlfcn.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstddef>
#include <exception>

#include "common/log.h"

namespace chaosrun::plugin {

namespace {

// The v1 API is complete up to and including free_owned.
constexpr size_t kMinApiSize = offsetof(chaosrun_driver_api, free_owned) + sizeof(void*);

// "undo_timeout": a positive number of seconds, if present.
Status ParseUndoTimeout(const Json& obj, const std::string& where, std::optional<double>& out) {
  auto it = obj.find("undo_timeout");
  if (it == obj.end()) return Status::Ok();
  if (!it->is_number() || !(it->get<double>() > 0)) {
    return Status::InvalidArgument(where + " must be a positive number of seconds");
  }
  out = it->get<double>();
  return Status::Ok();
}

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
    if (Status st = ParseUndoTimeout(f, where + ".undo_timeout", info.undo_timeout); !st.ok()) {
      return st;
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

std::optional<double> Descriptor::UndoTimeout(const std::string& func) const {
  const FuncInfo* a = FindAction(func);
  if (a != nullptr && a->undo_timeout) return a->undo_timeout;
  return undo_timeout;
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
  if (Status st = ParseUndoTimeout(d, "undo_timeout", out.undo_timeout); !st.ok()) return Err(st);
  if (auto it = d.find("concurrent_calls"); it != d.end()) {
    if (!it->is_boolean()) {
      return Err(Status::InvalidArgument("concurrent_calls must be true or false"));
    }
    out.concurrent_calls = it->get<bool>();
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

// Everything a call needs, shared by the Driver and the calls in flight: an abandoned call keeps
// the instance (and the host callbacks it was given) alive until it returns.
struct Driver::Core {
  using Fn = int32_t (*)(void*, uint64_t, const char*, const char*, char**);

  Core() : slot_fd(::eventfd(1, EFD_CLOEXEC | EFD_NONBLOCK | EFD_SEMAPHORE)) {}
  ~Core() {
    if (api != nullptr && instance != nullptr) api->destroy(instance);
    if (slot_fd >= 0) ::close(slot_fd);
  }
  Core(const Core&) = delete;
  Core& operator=(const Core&) = delete;

  // Takes the instance (one call at a time); false when `cancel` fires first, or (`*stuck`) when
  // the call holding the instance was told to stop and still has not returned: an undo the host
  // abandoned may never return, and no later call may wait for it forever.
  bool Acquire(const CancelToken& cancel, bool* stuck) {
    *stuck = false;
    for (;;) {
      uint64_t v = 0;
      if (::read(slot_fd, &v, sizeof v) == static_cast<ssize_t>(sizeof v)) return true;
      if (errno != EAGAIN && errno != EINTR) return false;
      pollfd fds[2] = {{slot_fd, POLLIN, 0}, {cancel.fd(), POLLIN, 0}};
      int n = ::poll(fds, 2, kStuckCheckMs);
      if (n < 0 && errno != EINTR) return false;
      if ((fds[1].revents & POLLIN) != 0) return false;
      if (n == 0 && HolderTold()) {
        *stuck = true;
        return false;
      }
    }
  }
  // Whether the call in progress has been cancelled (and so should have returned).
  bool HolderTold() {
    std::lock_guard lock(tokens_mu);
    for (const auto& [id, token] : tokens) {
      if (token.cancelled()) return true;
    }
    return false;
  }
  static constexpr int kStuckCheckMs = 100;
  void Release() const {
    uint64_t one = 1;
    [[maybe_unused]] ssize_t n = ::write(slot_fd, &one, sizeof one);
  }

  CallResult Invoke(Fn fn, const std::string& func, const Json& input, const CancelToken& cancel);

  static void HostLog(void* host_data, int32_t level, const char* message);
  static uint64_t HostMonotonicNs(void* host_data);
  static int32_t HostCancelled(void* host_data, uint64_t call_id);

  std::string name;
  const chaosrun_driver_api* api = nullptr;
  void* instance = nullptr;
  chaosrun_host_api host{};
  int slot_fd;              // an eventfd semaphore: readable while no call is in progress
  bool concurrent = false;  // the descriptor's concurrent_calls: no slot, calls run at once
  std::mutex tokens_mu;
  std::map<uint64_t, CancelToken> tokens;
  uint64_t next_call = 1;
};

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

  auto core = std::make_shared<Core>();
  if (core->slot_fd < 0) return fail("cannot be served: no eventfd for its call slot");
  core->name = d->descriptor_.name;
  core->concurrent = d->descriptor_.concurrent_calls;
  core->host.abi_major = CHAOSRUN_DRIVER_ABI_MAJOR;
  core->host.abi_minor = CHAOSRUN_DRIVER_ABI_MINOR;
  core->host.struct_size = sizeof(chaosrun_host_api);
  core->host.host_data_borrowed = core.get();
  core->host.log = &Core::HostLog;
  core->host.monotonic_ns = &Core::HostMonotonicNs;
  core->host.cancelled = &Core::HostCancelled;
  core->instance = api->create(&core->host);
  if (core->instance == nullptr) return fail("could not create an instance");
  core->api = api;
  d->core_ = std::move(core);
  return d;
}

Driver::~Driver() = default;
// The instance is destroyed with the core, when no call holds it any more. The library stays
// mapped: a driver may have started threads or registered atexit handlers that would crash the
// host after dlclose.

void Driver::Core::HostLog(void* host_data, int32_t level, const char* message) {
  auto* self = static_cast<Core*>(host_data);
  std::string text = "[driver " + self->name + "] " + (message ? message : "");
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
      // A driver's info lines are details (the built-in drivers log each apply's raw JSON
      // reply): --verbose shows them; the console's own fault line says what was done.
      log::Write(log::Level::kDebug, text);
      break;
  }
}

uint64_t Driver::Core::HostMonotonicNs(void*) {
  return static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(
                                   std::chrono::steady_clock::now().time_since_epoch())
                                   .count());
}

int32_t Driver::Core::HostCancelled(void* host_data, uint64_t call_id) {
  auto* self = static_cast<Core*>(host_data);
  std::lock_guard lock(self->tokens_mu);
  auto it = self->tokens.find(call_id);
  return it != self->tokens.end() && it->second.cancelled() ? 1 : 0;
}

CallResult Driver::Core::Invoke(Fn fn, const std::string& func, const Json& input,
                                const CancelToken& cancel) {
  CallResult r;
  bool stuck = false;
  // A concurrent driver takes no slot: no call waits for another, so none can be stuck behind an
  // abandoned one (each call still sees its own cancellation through its call id).
  if (!concurrent && !Acquire(cancel, &stuck)) {
    if (stuck) {
      r.status = CHAOSRUN_INTERNAL;
      r.value = Json{{"error", "driver " + name +
                                   " is stuck: a call on it was told to stop and has not "
                                   "returned (an abandoned undo?)"}};
      return r;
    }
    r.status = CHAOSRUN_CANCELLED;
    r.value = Json{{"error", "cancelled while waiting for driver " + name +
                                 " (another call on it has not returned)"}};
    return r;
  }
  uint64_t id = 0;
  try {
    {
      std::lock_guard lock(tokens_mu);
      id = next_call++;
      tokens[id] = cancel;
    }
    std::string in = DumpCompact(input);
    char* out = nullptr;
    r.status = fn(instance, id, func.c_str(), in.c_str(), &out);
    if (out != nullptr) {
      r.value = Json::parse(out, nullptr, false);
      api->free_owned(out);
      if (r.value.is_discarded()) {
        r.status = CHAOSRUN_INTERNAL;
        r.value = Json{{"error", "driver " + name + " returned malformed JSON"}};
      }
    }
    if (r.status < CHAOSRUN_OK || r.status > CHAOSRUN_INTERNAL) r.status = CHAOSRUN_INTERNAL;
  } catch (const std::exception& e) {  // only the host's own allocations can throw here
    r.status = CHAOSRUN_INTERNAL;
    r.value = Json{{"error", std::string("host error around the driver call: ") + e.what()}};
  }
  {
    std::lock_guard lock(tokens_mu);
    tokens.erase(id);
  }
  if (!concurrent) Release();
  return r;
}

CallResult Driver::Probe(const std::string& func, const Json& args, const CancelToken& c) {
  return core_->Invoke(core_->api->probe, func, args, c);
}
CallResult Driver::Prepare(const std::string& func, const Json& args, const CancelToken& c) {
  return core_->Invoke(core_->api->prepare, func, args, c);
}
CallResult Driver::Apply(const std::string& func, const Json& plan, const CancelToken& c) {
  return core_->Invoke(core_->api->apply, func, plan, c);
}
CallResult Driver::Undo(const std::string& func, const Json& undo, const CancelToken& c) {
  return core_->Invoke(core_->api->undo, func, undo, c);
}

std::function<CallResult(const CancelToken&)> Driver::DetachableUndo(const std::string& func,
                                                                     const Json& undo) const {
  return [core = core_, func, undo](const CancelToken& c) {
    return core->Invoke(core->api->undo, func, undo, c);
  };
}

}  // namespace chaosrun::plugin
