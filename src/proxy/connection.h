// One proxied TCP connection: the client socket, the upstream socket and two directions
// (0 = upstream: client -> server, 1 = downstream: server -> client), each a FIFO of chunks
// stamped with their arrival time and released through the direction's toxics.
//
// Threading: a connection lives on one io_context (one thread); every method but the
// constructor runs there (control code posts to it). Handlers hold a shared_ptr to it.
//
// Data path: a direction waits for readability with async_wait (no buffer held while idle),
// reads into a per-thread buffer, and when no toxic applies and nothing is queued writes it
// straight to the sink; what the sink does not take is queued. Reading stops while
// DataPlane::max_buffer_bytes are queued (backpressure). With toxics, each chunk reaching the
// head gets a Plan (toxic_math.h) that says when and how much to write. Bulk transfers without
// toxics switch to splice(2) through a per-direction pipe (no copy through user space).
#pragma once

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <memory>
#include <optional>
#include <string>
#include <utility>  // before Boost (GCC 12 / C++23)
#include <vector>

#include "proxy/proxy_state.h"
#include "proxy/toxic_math.h"

namespace chaosrun::proxy {

class Connection : public std::enable_shared_from_this<Connection> {
 public:
  Connection(boost::asio::io_context& context, boost::asio::ip::tcp::socket client,
             std::shared_ptr<ProxyState> proxy, DataPlane& plane, uint64_t id);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // Connects to `upstream` ("HOST:PORT") and starts relaying.
  void Start(const std::string& upstream);
  // Re-reads the proxy's toxic set (after a change) and re-plans both directions.
  void RefreshToxics();
  // Closes both sides (FIN), as Toxiproxy does for a disabled or deleted proxy.
  void Cut() { Close(false); }

 private:
  struct Chunk {
    std::unique_ptr<Chunk> next;
    SteadyTime arrival{};
    size_t size = 0;
    size_t offset = 0;
    bool slice_follow = false;
    std::unique_ptr<char[]> data;
  };
  struct Queue {
    std::unique_ptr<Chunk> head;
    Chunk* tail = nullptr;
    bool empty() const { return head == nullptr; }
    void Push(std::unique_ptr<Chunk> c);
    void Pop();
    void Clear();
    ~Queue() { Clear(); }
  };
  struct Direction {
    explicit Direction(boost::asio::io_context& context) : timer(context) {}
    boost::asio::ip::tcp::socket* src = nullptr;
    boost::asio::ip::tcp::socket* dst = nullptr;
    Queue queue;
    size_t buffered = 0;  // queued bytes plus per-chunk overhead
    std::vector<ToxicRuntime> toxics;
    bool toxic = false;  // some toxic applies to this direction of this connection
    std::optional<Plan> plan;
    size_t piece_left = 0;  // bytes of the planned piece still to write
    SteadyTime last_write{};
    bool read_waiting = false, read_posted = false, read_paused = false;
    bool write_waiting = false;
    bool pump_posted = false;  // a Pump continuation is queued on the loop
    bool src_eof = false, dst_shut = false;
    std::optional<SteadyTime> close_at;  // slow_close
    // Zero-copy bulk path: once a read fills the whole buffer and no toxic applies, data moves
    // source -> pipe -> sink with splice(2). Bytes in the pipe come before any queued chunk.
    int pipe_r = -1, pipe_w = -1;
    size_t pipe_bytes = 0;
    boost::asio::steady_timer timer;
    uint64_t timer_gen = 0;
    std::optional<SteadyTime> armed_at;  // the pending timer's expiry, to avoid re-arming it
  };

  void Connected();
  void TryRead(int i);
  void WaitReadable(int i);
  void WaitWritable(int i);
  void ResumeRead(int i);
  void Enqueue(int i, const char* data, size_t n, SteadyTime arrival);
  void Pump(int i);
  bool WritePiece(int i);
  void FinishDirection(int i);
  void EnableSplice(int i);
  bool SpliceRound(int i);
  bool DrainPipe(int i);
  // Arms the direction's timer for a release at `at`: early by the loop's wake margin, then a
  // bounded precise wait (toxic_math.h: WakeMargin, SpinBudget); `exact` arms it for `at` itself.
  void ArmTimer(int i, SteadyTime at, bool exact = false);
  void UpdateKillTimer();
  void Count(int i, size_t n);
  // Closes both sides: FIN, or RST when `reset`. `linger` (limit_data) shuts the write sides
  // and drains the inputs before closing, so that nothing already written is lost to an RST.
  void Close(bool reset, bool linger = false);

  boost::asio::io_context& context_;
  boost::asio::ip::tcp::socket client_;
  boost::asio::ip::tcp::socket server_;
  std::shared_ptr<ProxyState> proxy_;
  DataPlane& plane_;
  uint64_t id_;
  Rng rng_;
  Direction dirs_[2];
  boost::asio::steady_timer kill_timer_;
  uint64_t kill_gen_ = 0;
  bool connected_ = false;
  bool closed_ = false;
};

}  // namespace chaosrun::proxy
