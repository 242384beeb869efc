// bench/daemon/floor_server: the floor of the API benchmark. A cpp-httplib server (the library
// chaosrund's API uses, the same Debian header) answering every GET / with a fixed small JSON
// body, one request per connection as chaosrund does. Prints its port on stdout, serves until
// killed.
#include <httplib.h>

#include <cstdio>

int main() {
  httplib::Server svr;
  svr.set_keep_alive_max_count(1);  // one request per connection, like chaosrund
  svr.Get("/", [](const httplib::Request&, httplib::Response& res) {
    res.set_content("{\"runs\": [], \"total\": 0}", "application/json");
  });
  const int port = svr.bind_to_any_port("127.0.0.1");
  if (port < 0) return 1;
  std::printf("%d\n", port);
  std::fflush(stdout);
  return svr.listen_after_bind() ? 0 : 1;
}
