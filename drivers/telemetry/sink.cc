#include "telemetry/sink.h"

#include <httplib.h>
#include <sys/socket.h>

#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <thread>

#include "telemetry/args.h"

namespace chaosrun::drivers::telemetry {

namespace {

int64_t UnixMsNow() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

class Sink {
 public:
  explicit Sink(std::string name) { info_.name = std::move(name); }
  ~Sink() { Stop(); }

  std::string Start(int port) {
    // One request per connection: Alertmanager's keep-alive would hold Stop() for the read
    // timeout otherwise.
    server_.set_keep_alive_max_count(1);
    server_.set_read_timeout(2, 0);
    // SO_REUSEADDR only: httplib's default adds SO_REUSEPORT, which would let a second sink
    // (or anything else) share the port and take half the notifications.
    server_.set_socket_options([](int sock) {
      int yes = 1;
      ::setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
    });
    server_.Post(".*", [this](const httplib::Request& req, httplib::Response& res) {
      Record(req.body, res);
    });
    server_.Get("/", [this](const httplib::Request&, httplib::Response& res) {
      res.set_content(Dump(), "application/json");
    });
    int bound = port == 0 ? server_.bind_to_any_port("127.0.0.1")
                          : (server_.bind_to_port("127.0.0.1", port) ? port : -1);
    if (bound <= 0) {
      return "cannot listen on 127.0.0.1:" + std::to_string(port) + " (in use, or not allowed)";
    }
    {
      std::lock_guard lock(mu_);
      info_.port = bound;
      info_.started_ms = UnixMsNow();
    }
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    // listen_after_bind sets is_running at once; the socket accepts since bind+listen above.
    for (int i = 0; i < 200 && !server_.is_running(); ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    return "";
  }

  void Stop() {
    if (thread_.joinable()) {
      server_.stop();
      thread_.join();
    }
  }

  SinkInfo Snapshot() {
    std::lock_guard lock(mu_);
    return info_;
  }

 private:
  void Record(const std::string& body, httplib::Response& res) {
    Notification n;
    std::string error = ParseWebhook(body, UnixMsNow(), &n);
    std::lock_guard lock(mu_);
    if (!error.empty()) {
      ++info_.rejected;
      res.status = 400;
      res.set_content("not an Alertmanager webhook payload: " + error + "\n", "text/plain");
      return;
    }
    if (info_.received.size() < kMaxNotifications) info_.received.push_back(std::move(n));
    res.set_content("{\"recorded\": true}\n", "application/json");
  }

  std::string Dump() {
    SinkInfo s = Snapshot();
    json out{{"name", s.name},
             {"port", s.port},
             {"started_at", IsoFromUnixMs(s.started_ms)},
             {"rejected", s.rejected},
             {"notifications", json::array()}};
    for (const auto& n : s.received) {
      for (const auto& a : n.alerts) out["notifications"].push_back(NotificationJson(n, a));
    }
    return out.dump(2);
  }

  httplib::Server server_;
  std::thread thread_;
  std::mutex mu_;
  SinkInfo info_;
};

struct Registry {
  std::mutex mu;
  std::map<std::string, std::unique_ptr<Sink>> sinks;
  ~Registry() {
    // Unload: stop every server thread before the code it runs goes away.
    std::lock_guard lock(mu);
    sinks.clear();
  }
};

Registry& Sinks() {
  static Registry registry;
  return registry;
}

}  // namespace

std::string OpenSink(const std::string& name, int port, SinkInfo* info) {
  Registry& r = Sinks();
  std::lock_guard lock(r.mu);
  if (r.sinks.count(name) != 0) {
    return "a notification sink named '" + name + "' is open already (port " +
           std::to_string(r.sinks[name]->Snapshot().port) + ")";
  }
  auto sink = std::make_unique<Sink>(name);
  if (std::string e = sink->Start(port); !e.empty()) return e;
  *info = sink->Snapshot();
  r.sinks[name] = std::move(sink);
  return "";
}

bool CloseSink(const std::string& name) {
  std::unique_ptr<Sink> sink;
  {
    Registry& r = Sinks();
    std::lock_guard lock(r.mu);
    auto it = r.sinks.find(name);
    if (it == r.sinks.end()) return false;
    sink = std::move(it->second);
    r.sinks.erase(it);
  }
  sink->Stop();  // outside the lock: a request in flight may still need Snapshot's lock only
  return true;
}

bool SnapshotSink(const std::string& name, SinkInfo* out) {
  Registry& r = Sinks();
  std::lock_guard lock(r.mu);
  auto it = r.sinks.find(name);
  if (it == r.sinks.end()) return false;
  *out = it->second->Snapshot();
  return true;
}

}  // namespace chaosrun::drivers::telemetry
