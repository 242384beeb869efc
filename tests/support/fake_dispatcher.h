// FakeDispatcher: a scripted provider dispatcher for engine tests. Each activity name maps to a
// behaviour; every call is recorded. Unscripted activities succeed with {"status": 0}.
#pragma once

#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "providers/provider.h"

namespace chaosrun::testing {

class FakeDispatcher final : public providers::Dispatcher {
 public:
  using Behaviour =
      std::function<providers::Outcome(const Json& provider, const providers::Context& ctx)>;

  void Script(const std::string& name, Behaviour b) {
    std::lock_guard lock(mu_);
    script_[name] = std::move(b);
  }
  void Returns(const std::string& name, Json output) {
    Script(name, [output](const Json&, const providers::Context&) {
      return providers::Outcome::Succeeded(output);
    });
  }
  void Fails(const std::string& name, std::string message) {
    Script(name, [message](const Json&, const providers::Context&) {
      return providers::Outcome::Failed(message);
    });
  }
  // Blocks until the token is cancelled, then reports the activity as interrupted. `started`
  // runs first (e.g. to release a latch the test waits on).
  void BlocksUntilCancelled(const std::string& name, std::function<void()> started) {
    Script(name, [started](const Json&, const providers::Context& ctx) {
      if (started) started();
      while (!ctx.cancel.WaitUntil(std::chrono::steady_clock::now() + std::chrono::hours(1))) {
      }
      return providers::Outcome::Interrupted();
    });
  }

  providers::Outcome Run(const Json& activity, const Json& provider,
                         const providers::Context& ctx) override {
    std::string name = activity.value("name", "");
    Behaviour b;
    {
      std::lock_guard lock(mu_);
      calls_.push_back(name);
      providers_.push_back(provider);
      auto it = script_.find(name);
      if (it != script_.end()) b = it->second;
    }
    if (b) return b(provider, ctx);
    return providers::Outcome::Succeeded(Json{{"status", 0}, {"stdout", ""}, {"stderr", ""}});
  }

  std::vector<std::string> calls() const {
    std::lock_guard lock(mu_);
    return calls_;
  }
  int count(const std::string& name) const {
    std::lock_guard lock(mu_);
    int n = 0;
    for (const auto& c : calls_) n += c == name ? 1 : 0;
    return n;
  }
  // The substituted provider block of the i-th call.
  Json provider(size_t i) const {
    std::lock_guard lock(mu_);
    return providers_.at(i);
  }

 private:
  mutable std::mutex mu_;
  std::map<std::string, Behaviour> script_;
  std::vector<std::string> calls_;
  std::vector<Json> providers_;
};

}  // namespace chaosrun::testing
