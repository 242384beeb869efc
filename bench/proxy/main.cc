// proxybench: the measuring client of bench/proxy/run.sh. One binary, one subcommand per
// measurement (see the file of each). Targets are NAME=PORT[:PID] on 127.0.0.1.
//
//   proxybench latency|setup|bulk|idle [--option value...] TARGET...
//   proxybench relay --listen PORT --upstream PORT [--busy-poll-us N]   (relay.cc)
//   proxybench freeport        prints a free loopback TCP port
//   proxybench cpu PID         prints the CPU time (ns) of PID and its descendants
#include <netinet/in.h>
#include <sys/socket.h>

#include <cstdio>
#include <cstring>
#include <string>

#include "args.h"
#include "bench_util.h"

namespace bench {
int Latency(const Args& a);
int Setup(const Args& a);
int Bulk(const Args& a);
int Idle(const Args& a);
int Relay(const Args& a);
}  // namespace bench

namespace {

int FreePort() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof a;
  if (fd < 0 || bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 ||
      getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len) != 0) {
    bench::Die("freeport");
  }
  std::printf("%d\n", ntohs(a.sin_port));
  close(fd);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  std::string cmd = argc > 1 ? argv[1] : "";
  if (cmd == "freeport") return FreePort();
  if (cmd == "cpu" && argc == 3) {
    std::printf("%.0f\n", bench::TreeCpuNs(std::atoi(argv[2])));
    return 0;
  }
  bench::Args a = bench::ParseArgs(argc, argv, 2);
  if (cmd == "latency") return bench::Latency(a);
  if (cmd == "setup") return bench::Setup(a);
  if (cmd == "bulk") return bench::Bulk(a);
  if (cmd == "idle") return bench::Idle(a);
  if (cmd == "relay") return bench::Relay(a);
  std::fprintf(stderr, "usage: proxybench latency|setup|bulk|idle|relay|freeport|cpu ...\n");
  return 2;
}
