// overload_telemetry: a bounded load generator against a telemetry collector.
//
// apply double-forks: the intermediate child calls setsid() and forks the generator, then exits
// at once (apply reaps it), so the generator is re-parented to init and never becomes our zombie.
// Between fork and _exit the children use only async-signal-safe calls (the host is
// multi-threaded): dup2/close_range (or close)/open/setsid/sigprocmask, socket/bind/listen/
// poll/accept4/connect/send/recv/close/setsockopt, clock_gettime, write and _exit. Everything
// they need (the request bytes, the addresses, the pacing) is built before the fork; between
// requests the generator poll()s its socket and accepts and closes every connection to it.
//
// The generator POSTs `batch` events per request, paced to `rate` events per second, one
// connection per request (Connection: close; send/receive timeouts of 1 s), until `duration`
// has passed, then exits by itself.
//
// Identity: prepare draws a random token; the generator listens on the abstract unix socket
// "\0chaosrun-ml-overload-<token>" for as long as it lives (the kernel closes it when the process
// dies, so a live socket means a live generator: no pid reuse can fool the undo). The undo
// (whose JSON is fixed at prepare, before any pid exists) connects to that name: refused means
// the generator is gone (ended, or never started): a successful no-op; else it reads the
// listener's pid with SO_PEERCRED, checks its uid is ours, opens a pidfd of that pid, asks the
// socket again (it must name the same pid: the pidfd is then the generator's), SIGKILLs it
// through the pidfd and waits until it is gone. apply's result reports the pid, its start time, the
// rate, the duration and ends_at.
#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <random>
#include <thread>

#include "actions.h"
#include "generator.h"

namespace chaosrun_ml {

namespace {

constexpr size_t kMaxRequestBytes = 1024 * 1024;

// glibc 2.36's <sys/pidfd.h> lacks extern "C" (its wrappers do not link from C++): the syscalls.
int OpenPidfd(pid_t pid) { return static_cast<int>(::syscall(SYS_pidfd_open, pid, 0)); }
int SignalPidfd(int pidfd, int sig) {
  return static_cast<int>(::syscall(SYS_pidfd_send_signal, pidfd, sig, nullptr, 0));
}

struct Url {
  std::string host, path;
  int port = 0;
};

std::string ParseHttpUrl(const std::string& text, Url* u) {
  if (text.rfind("http://", 0) != 0) return "url: must start with http://";
  std::string rest = text.substr(7);
  size_t slash = rest.find('/');
  std::string authority = rest.substr(0, slash);
  u->path = slash == std::string::npos ? "/" : rest.substr(slash);
  if (u->path.find_first_of(" \r\n#") != std::string::npos)
    return "url: bad characters in the path";
  std::string port = "80";
  if (!authority.empty() && authority[0] == '[') {
    size_t close = authority.find(']');
    if (close == std::string::npos) return "url: unterminated [IPv6] host";
    u->host = authority.substr(1, close - 1);
    if (close + 1 < authority.size()) {
      if (authority[close + 1] != ':') return "url: expected :PORT after the [IPv6] host";
      port = authority.substr(close + 2);
    }
  } else {
    size_t colon = authority.rfind(':');
    u->host = authority.substr(0, colon);
    if (colon != std::string::npos) port = authority.substr(colon + 1);
  }
  if (u->host.empty() || u->host.find_first_of("@ ") != std::string::npos) {
    return "url: no host";
  }
  char* end = nullptr;
  long p = std::strtol(port.c_str(), &end, 10);
  if (port.empty() || *end != '\0' || p < 1 || p > 65535) return "url: bad port '" + port + "'";
  u->port = static_cast<int>(p);
  return {};
}

struct OverloadSpec {
  Url url;
  double rate = 0, duration = 0;
  int64_t batch = 100;
  json event;
  std::string address;  // numeric
};

std::string ParseOverload(const json& args, OverloadSpec* s) {
  static const char* const kAllowed[] = {"url", "rate", "duration", "batch", "event", nullptr};
  if (std::string e = UnknownKeys(args, kAllowed); !e.empty()) return e;
  std::string error;
  auto url = StringArg(args, "url", &error);
  if (!url) return error.empty() ? "url: required" : error;
  if (std::string e = ParseHttpUrl(*url, &s->url); !e.empty()) return e;
  auto rate = NumberArg(args, "rate", 0, 100000, &error);
  if (!rate) return error.empty() ? "rate: required (events per second)" : error;
  auto duration = NumberArg(args, "duration", 0, 600, &error);
  if (!duration) return error.empty() ? "duration: required (seconds)" : error;
  auto batch = IntArg(args, "batch", 1, 10000, &error);
  if (!error.empty()) return error;
  s->rate = *rate;
  s->duration = *duration;
  s->batch = batch ? *batch : 100;
  s->event = args.contains("event") ? args["event"] : json{{"kind", "synthetic"}};
  if (!s->event.is_object()) return "event: must be a JSON object";
  return {};
}

std::string BuildRequest(const OverloadSpec& s, const std::string& host_port) {
  const std::string one = s.event.dump();
  std::string body = "[";
  body.reserve(static_cast<size_t>(s.batch) * (one.size() + 1) + 2);
  for (int64_t i = 0; i < s.batch; ++i) {
    if (i > 0) body += ',';
    body += one;
  }
  body += ']';
  return "POST " + s.url.path + " HTTP/1.1\r\nHost: " + host_port +
         "\r\nUser-Agent: chaosrun-ml-overload\r\nContent-Type: application/json\r\n"
         "Content-Length: " +
         std::to_string(body.size()) + "\r\nConnection: close\r\n\r\n" + body;
}

std::string HostPort(const Url& u) {
  return (u.host.find(':') != std::string::npos ? "[" + u.host + "]" : u.host) + ":" +
         std::to_string(u.port);
}

}  // namespace

Reply PrepareOverload(const json& args, const Env&) {
  OverloadSpec s;
  if (std::string e = ParseOverload(args, &s); !e.empty()) {
    return Reply::Invalid(ArgPointer(e));
  }
  const std::string host_port = HostPort(s.url);
  if (BuildRequest(s, host_port).size() > kMaxRequestBytes) {
    return Reply::Invalid("/batch: one request (batch x event) would exceed " +
                          std::to_string(kMaxRequestBytes) + " bytes");
  }
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_NUMERICSERV;
  addrinfo* res = nullptr;
  int rc = getaddrinfo(s.url.host.c_str(), std::to_string(s.url.port).c_str(), &hints, &res);
  if (rc != 0 || res == nullptr) {
    return Reply::Failed("overload_telemetry: url: cannot resolve " + s.url.host + ": " +
                         gai_strerror(rc));
  }
  // IPv4 first ("localhost" may list ::1 first while the collector listens on 127.0.0.1).
  const addrinfo* pick = res;
  for (const addrinfo* a = res; a != nullptr; a = a->ai_next) {
    if (a->ai_family == AF_INET) {
      pick = a;
      break;
    }
  }
  char buf[INET6_ADDRSTRLEN] = {};
  const void* addr =
      pick->ai_family == AF_INET6
          ? static_cast<const void*>(&reinterpret_cast<sockaddr_in6*>(pick->ai_addr)->sin6_addr)
          : static_cast<const void*>(&reinterpret_cast<sockaddr_in*>(pick->ai_addr)->sin_addr);
  inet_ntop(pick->ai_family, addr, buf, sizeof(buf));
  freeaddrinfo(res);
  std::random_device rd;
  char token[33];
  std::snprintf(token, sizeof(token), "%08x%08x%08x%08x", rd(), rd(), rd(), rd());
  json undo{{"token", token}, {"url", args["url"]}};
  json plan = args;
  plan["batch"] = s.batch;
  plan["event"] = s.event;
  plan["address"] = buf;
  plan["host_port"] = host_port;
  plan["token"] = token;
  plan["requests_per_second"] = s.rate / static_cast<double>(s.batch);
  // The target as written and, when the host is a name, the numeric address the load goes to.
  const std::string numeric = HostPort(Url{buf, "", s.url.port});
  plan["targets"] = numeric == host_port
                        ? json::array({"endpoint:" + host_port})
                        : json::array({"endpoint:" + host_port, "endpoint:" + numeric});
  plan["undo"] = undo;
  return Reply::Ok(plan);
}

Reply ApplyOverload(const json& plan, const Env& env) {
  OverloadSpec s;
  json args = json::object();
  for (const char* k : {"url", "rate", "duration", "batch", "event"}) {
    if (plan.is_object() && plan.contains(k)) args[k] = plan[k];
  }
  if (std::string e = ParseOverload(args, &s); !e.empty()) {
    return Reply::Invalid("overload_telemetry: invalid plan: " + e);
  }
  std::string error;
  auto address = StringArg(plan, "address", &error);
  auto token = StringArg(plan, "token", &error);
  if (!address || !token || token->size() != 32) {
    return Reply::Invalid("overload_telemetry: invalid plan: no address or token");
  }
  GeneratorSpec g;
  std::memset(&g.target, 0, sizeof(g.target));
  auto* v4 = reinterpret_cast<sockaddr_in*>(&g.target);
  auto* v6 = reinterpret_cast<sockaddr_in6*>(&g.target);
  if (inet_pton(AF_INET, address->c_str(), &v4->sin_addr) == 1) {
    v4->sin_family = AF_INET;
    v4->sin_port = htons(static_cast<uint16_t>(s.url.port));
    g.target_len = sizeof(sockaddr_in);
  } else if (inet_pton(AF_INET6, address->c_str(), &v6->sin6_addr) == 1) {
    v6->sin6_family = AF_INET6;
    v6->sin6_port = htons(static_cast<uint16_t>(s.url.port));
    g.target_len = sizeof(sockaddr_in6);
  } else {
    return Reply::Invalid("overload_telemetry: invalid plan: bad address " + *address);
  }
  const std::string request = BuildRequest(s, HostPort(s.url));
  g.request = request.data();
  g.request_len = request.size();
  AbstractAddress(SocketName(*token), &g.self, &g.self_len);
  g.interval_ns =
      std::max<int64_t>(1000, static_cast<int64_t>(1e9 * static_cast<double>(s.batch) / s.rate));
  g.duration_ns = static_cast<int64_t>(s.duration * 1e9);
  if (env.cancelled()) return Reply::Error(CHAOSRUN_CANCELLED, "overload_telemetry: cancelled");
  if (pid_t running = FindGenerator(*token, &error); running != 0) {
    if (running < 0) return Reply::Failed("overload_telemetry: " + error);
    return Reply::Failed("overload_telemetry: a generator of this fault is already running (pid " +
                         std::to_string(running) + ")");
  }
  pid_t pid = StartGenerator(g, &error);
  if (pid < 0) return Reply::Failed("overload_telemetry: " + error);
  auto st = ReadProcStat(pid);
  const double ends_at =
      std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count() +
      s.duration;
  env.log(CHAOSRUN_LOG_INFO, "overload_telemetry: generator " + std::to_string(pid) + " POSTs " +
                                 json(s.rate).dump() + " events/s to " + plan["url"].dump() +
                                 " for " + json(s.duration).dump() + " s");
  json result{{"pid", pid},
              {"rate", s.rate},
              {"duration", s.duration},
              {"batch", s.batch},
              {"requests_per_second", s.rate / static_cast<double>(s.batch)},
              {"ends_at", ends_at},
              {"url", plan["url"]}};
  if (st) result["start_time"] = st->start_time;
  return Reply::Ok(result);
}

Reply UndoOverload(const json& undo, const Env& env) {
  std::string error;
  auto token = StringArg(undo, "token", &error);
  if (!token || token->size() != 32) {
    return Reply::Invalid("overload_telemetry: invalid undo: no token");
  }
  pid_t pid = FindGenerator(*token, &error);
  if (pid < 0) return Reply::Failed("overload_telemetry: undo: " + error);
  if (pid == 0) {
    return Reply::Ok(json{{"stopped", false},
                          {"reason",
                           "not running (it ended by itself, or "
                           "never started)"}});
  }
  // pid reuse: the pidfd pins the process; the socket, asked again, must still name that pid
  // (so the pidfd is the live generator's), and the signal goes through the pidfd.
  int pidfd = OpenPidfd(pid);
  if (pidfd < 0) {
    if (errno != ESRCH) {
      return Reply::Failed("overload_telemetry: undo: pidfd_open " + std::to_string(pid) + ": " +
                           std::strerror(errno));
    }
  } else {
    pid_t again = FindGenerator(*token, &error);
    if (again < 0) {
      ::close(pidfd);
      return Reply::Failed("overload_telemetry: undo: " + error);
    }
    if (again == pid && SignalPidfd(pidfd, SIGKILL) != 0 && errno != ESRCH) {
      int e = errno;
      ::close(pidfd);
      return Reply::Failed("overload_telemetry: undo: SIGKILL " + std::to_string(pid) + ": " +
                           std::strerror(e));
    }
    if (again != 0 && again != pid) {
      ::close(pidfd);
      return Reply::Failed("overload_telemetry: undo: the generator's socket named pid " +
                           std::to_string(pid) + ", then pid " + std::to_string(again) +
                           ": nothing was signalled; run the undo again");
    }
    // The pidfd becomes readable when the process has exited.
    pollfd p{pidfd, POLLIN, 0};
    while (again == pid && poll(&p, 1, 5000) < 0 && errno == EINTR) {
    }
    ::close(pidfd);
  }
  // Gone when its socket is: reap it if it happens to be our child (a subreaper host). The
  // probes back off (5 ms doubling up to 200 ms), 5 s at most.
  auto end = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  auto pause = std::chrono::milliseconds(5);
  for (;;) {
    int status = 0;
    (void)waitpid(pid, &status, WNOHANG);
    std::string e;
    if (FindGenerator(*token, &e) == 0) break;
    if (std::chrono::steady_clock::now() > end) {
      return Reply::Failed("overload_telemetry: undo: generator " + std::to_string(pid) +
                           " is still running 5 s after SIGKILL");
    }
    std::this_thread::sleep_for(pause);
    pause = std::min(pause * 2, std::chrono::milliseconds(200));
  }
  env.log(CHAOSRUN_LOG_INFO, "overload_telemetry: stopped generator " + std::to_string(pid));
  return Reply::Ok(json{{"stopped", true}, {"pid", pid}});
}

}  // namespace chaosrun_ml
