// Toxic control: add, update, remove, list; `duration` expiry timers.
#include "proxy/connection.h"
#include "proxy/engine_impl.h"
#include "proxy/toxic_params.h"
#include "proxy/udp_relay.h"

namespace chaosrun::proxy {

namespace {

ActiveToxic* FindToxic(ProxyState& p, const std::string& name) {
  for (ActiveToxic& t : p.toxics) {
    if (t.spec.name == name) return &t;
  }
  return nullptr;
}

Status NoToxic(const std::string& name) { return Status::NotFound("toxic " + name + " not found"); }

}  // namespace

void Engine::Impl::ArmExpiry(const std::shared_ptr<ProxyState>& p, ActiveToxic& t) {
  if (!t.spec.duration) return;
  auto timer = std::make_shared<Timer>(control_loop());
  t.expiry = timer;
  SteadyTime at = std::chrono::steady_clock::now() + *t.spec.duration;
  // Timers belong to the loop thread: armed there. The callback names the timer by address
  // only (the toxic owns it), so removing the toxic frees it.
  control_loop().Post([this, name = p->spec.name, id = t.id, timer, at] {
    Timer* raw = timer.get();
    timer->Arm(at, [this, name, id, raw] { ExpireToxic(name, id, raw); });
  });
}

void Engine::Impl::CancelExpiry(ActiveToxic& t) {
  if (!t.expiry) return;
  auto timer = std::move(t.expiry);
  Loop& loop = timer->loop();
  loop.Post([timer] { timer->Cancel(); });
}

void Engine::Impl::ExpireToxic(const std::string& proxy, uint64_t id, const Timer* timer) {
  auto p = Find(proxy);
  if (!p) return;
  {
    std::lock_guard lock(p->mu);
    // The toxic must still carry this very timer: an update that changed `duration` while this
    // one was firing replaced it, and the toxic lives on until the new one fires.
    auto it = std::find_if(p->toxics.begin(), p->toxics.end(), [id, timer](const ActiveToxic& t) {
      return t.id == id && t.expiry.get() == timer;
    });
    if (it == p->toxics.end()) return;  // removed, replaced or re-armed meanwhile
    p->toxics.erase(it);
    p->RebuildToxicSetLocked();
  }
  NotifyToxicsChanged(*p);
}

void Engine::Impl::NotifyToxicsChanged(ProxyState& p) {
  std::shared_ptr<UdpRelay> relay;
  {
    std::lock_guard lock(p.mu);
    relay = p.udp;
  }
  if (relay) relay->RefreshToxics();
  ForEachConnection(p, [](Connection& c) { c.RefreshToxics(); });
}

Result<Json> Engine::AddToxic(const std::string& proxy, const ToxicSpec& toxic) {
  // Untrusted attributes are checked before anything copies them (a nested value would recurse).
  if (Status s = CheckAttributeValues(toxic.attributes, toxic.type); !s.ok()) return Err(s);
  // Normalise through the JSON form: defaults, validation and attribute names in one place.
  auto spec = ToxicFromJson(ToxicToJson(toxic));
  if (!spec) return Err(spec.error());
  auto params = ParseAttributes(*ToxicTypeFromName(spec->type), spec->attributes);
  if (!params) return Err(params.error());
  auto p = impl_->Find(proxy);
  if (!p) return Err(Status::NotFound("proxy " + proxy + " not found"));
  Json out;
  {
    std::lock_guard lock(p->mu);
    if (FindToxic(*p, spec->name)) {
      return Err(Status::AlreadyExists("toxic " + spec->name + " already exists"));
    }
    if (p->spec.protocol == Protocol::kUdp && !AppliesToUdp(spec->type)) {
      return Err(Status::InvalidArgument(
          "type: " + spec->type +
          " does not apply to a udp proxy (latency, bandwidth, timeout, limit_data, corrupt, "
          "noop do)"));
    }
    ActiveToxic t{++impl_->next_toxic_id, *spec, *params, nullptr};
    impl_->ArmExpiry(p, t);
    out = ToxicToJson(t.spec);
    p->toxics.push_back(std::move(t));
    p->RebuildToxicSetLocked();
  }
  impl_->NotifyToxicsChanged(*p);
  return out;
}

Result<Json> Engine::UpdateToxic(const std::string& proxy, const std::string& toxic,
                                 const Json& patch) {
  if (!patch.is_object()) return Err(Status::InvalidArgument("toxic: must be a JSON object"));
  if (Status s = CheckNesting(patch, "toxic"); !s.ok()) return Err(s);
  // The attributes' values are checked once the toxic (its type) is known; CheckNesting above
  // already bounds them.
  const Json* patch_attributes = Member(patch, "attributes");
  if (patch_attributes && !patch_attributes->is_null() && !patch_attributes->is_object()) {
    return Err(Status::InvalidArgument("attributes: must be an object"));
  }
  for (const char* key : {"toxicity", "duration", "seed"}) {
    const Json* v = Member(patch, key);
    if (v && !v->is_null() && !v->is_number()) {
      return Err(Status::InvalidArgument(std::string(key) + ": must be a number"));
    }
  }
  auto p = impl_->Find(proxy);
  if (!p) return Err(Status::NotFound("proxy " + proxy + " not found"));
  Json out;
  {
    std::lock_guard lock(p->mu);
    ActiveToxic* t = FindToxic(*p, toxic);
    if (!t) return Err(NoToxic(toxic));
    if (patch_attributes) {
      if (Status s = CheckAttributeValues(*patch_attributes, t->spec.type); !s.ok()) return Err(s);
    }
    // Validate the merged toxic as a whole, as if it were new.
    Json merged = ToxicToJson(t->spec);
    for (const char* key : {"type", "stream", "name"}) {
      const Json* v = Member(patch, key);
      if (v && !v->is_null() && *v != merged[key]) {
        return Err(Status::InvalidArgument(std::string(key) + ": cannot be changed"));
      }
    }
    if (const Json* v = Member(patch, "toxicity")) merged["toxicity"] = *v;
    if (const Json* v = Member(patch, "duration")) merged["duration"] = *v;
    if (const Json* v = Member(patch, "seed")) merged["seed"] = *v;
    auto params = t->params;
    if (const Json* v = Member(patch, "attributes")) {
      auto m = MergeAttributes(t->params, *v);
      if (!m) return Err(m.error());
      params = *m;
      merged["attributes"] = AttributesToJson(params);
    }
    auto spec = ToxicFromJson(merged);
    if (!spec) return Err(spec.error());
    bool rearm = Member(patch, "duration") != nullptr;
    if (rearm) Impl::CancelExpiry(*t);
    t->spec = *spec;
    t->params = params;
    ++t->revision;
    if (rearm) impl_->ArmExpiry(p, *t);
    p->RebuildToxicSetLocked();
    out = ToxicToJson(t->spec);
  }
  impl_->NotifyToxicsChanged(*p);
  return out;
}

Status Engine::RemoveToxic(const std::string& proxy, const std::string& toxic) {
  auto p = impl_->Find(proxy);
  if (!p) return Status::NotFound("proxy " + proxy + " not found");
  {
    std::lock_guard lock(p->mu);
    ActiveToxic* t = FindToxic(*p, toxic);
    if (!t) return NoToxic(toxic);
    Impl::CancelExpiry(*t);
    p->toxics.erase(p->toxics.begin() + (t - p->toxics.data()));
    p->RebuildToxicSetLocked();
  }
  impl_->NotifyToxicsChanged(*p);
  return Status::Ok();
}

Result<Json> Engine::ListToxics(const std::string& proxy) const {
  auto p = impl_->Find(proxy);
  if (!p) return Err(Status::NotFound("proxy " + proxy + " not found"));
  std::lock_guard lock(p->mu);
  Json j = Json::array();
  for (const ActiveToxic& t : p->toxics) j.push_back(ToxicToJson(t.spec));
  return j;
}

Result<Json> Engine::GetToxic(const std::string& proxy, const std::string& toxic) const {
  auto p = impl_->Find(proxy);
  if (!p) return Err(Status::NotFound("proxy " + proxy + " not found"));
  std::lock_guard lock(p->mu);
  ActiveToxic* t = FindToxic(*p, toxic);
  if (!t) return Err(NoToxic(toxic));
  return ToxicToJson(t->spec);
}

}  // namespace chaosrun::proxy
