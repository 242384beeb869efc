// One proxied TCP connection: the client socket, the upstream socket and two directions
// (0 = upstream: client -> server, 1 = downstream: server -> client), each a FIFO of chunks
// stamped with their arrival time and released through the direction's toxics.
//
// Threading: a connection lives on one Loop (one thread); every method but the constructor
// runs there (control code posts to it). Tasks and timers hold a shared_ptr to it.
//
// Data path: both sockets are registered once with the loop, edge-triggered for reading and
// writing. A direction that reads EAGAIN (or a short read) waits for the next readable edge (no
// buffer held while idle), reads into a per-thread buffer, and when no toxic applies and nothing
// is queued writes it straight to the sink; what the sink does not take is queued and written on
// the next writable edge. Reading stops while DataPlane::max_buffer_bytes are queued
// (backpressure). With toxics, each chunk reaching the head gets a Plan (toxic_math.h) that says
// when and how much to write. Bulk transfers without toxics switch to splice(2) through a
// per-direction pipe (no copy through user space).
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "proxy/address.h"
#include "proxy/http_json_rewrite.h"
#include "proxy/loop.h"
#include "proxy/proxy_state.h"
#include "proxy/toxic_math.h"

namespace chaosrun::proxy {

class Connection : public std::enable_shared_from_this<Connection> {
 public:
  // Takes ownership of `client_fd` (a connected, non-blocking TCP socket).
  Connection(Loop& loop, int client_fd, std::shared_ptr<ProxyState> proxy, DataPlane& plane,
             uint64_t id);
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
  // Readiness of one socket: side 0 is the client, side 1 the upstream. Readable feeds the
  // direction that reads it (direction == side), writable the one that writes to it.
  struct Side final : Pollable {
    Connection* connection = nullptr;
    int index = 0;
    void OnReady(uint32_t events) override { connection->OnReady(index, events); }
  };
  // A json_rewrite toxic that applies to a direction: its framer (http_json_rewrite.h), fed
  // with what the source sends before anything is queued; rewriters chain in toxic order.
  struct Rewriter {
    uint64_t id = 0;
    std::unique_ptr<HttpJsonRewriter> framer;
    std::unique_ptr<HttpMethods> methods;  // downstream: the requests' methods, for framing
    JsonRewriteStats reported;             // what was already added to the proxy's counters
  };
  struct Direction {
    explicit Direction(Loop& loop) : timer(loop) {}
    std::vector<Rewriter> rewriters;
    uint64_t seen = 0;  // bytes read from the source (0: a new rewriter starts at a message)
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
    // A short read may not have emptied the source; read on until EAGAIN. Set by an edge that
    // reports urgent data (a read stops at the urgent mark with data behind it), the peer's FIN
    // or an error (reported with the data before it; no further edge would come).
    bool drain = false;
    std::optional<SteadyTime> close_at;  // slow_close
    // Zero-copy bulk path: once a read fills the whole buffer and no toxic applies, data moves
    // source -> pipe -> sink with splice(2). Bytes in the pipe come before any queued chunk.
    int pipe_r = -1, pipe_w = -1;
    size_t pipe_bytes = 0;
    Timer timer;
    std::optional<SteadyTime> armed_at;  // the pending timer's release time, to avoid re-arming
  };

  int src(int i) const { return fds_[i]; }
  int dst(int i) const { return fds_[1 - i]; }
  void OnReady(int side, uint32_t events);
  // Starts a non-blocking connect to candidates_[next_candidate_++], then the next on failure.
  void ConnectNext();
  void ConnectDone();
  void Refused();
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
  // json_rewrite (connection_rewrite.cc): keeps the direction's rewriters in step with its
  // toxics (a removed one gives back what it holds, unchanged), feeds read bytes through them
  // and queues what comes out.
  void UpdateRewriters(int i);
  void RewriteIn(int i, std::string_view data, SteadyTime now);
  void FlushRewriters(int i);
  std::string FeedChain(int i, size_t from, std::string data);
  void ReportRewriteStats(Rewriter& r);
  void ShareMethods();
  void Observe(std::string_view data);  // client bytes, for observer_
  bool Observing(int i) const { return i == 0 && observer_ != nullptr; }
  // Closes both sides: FIN, or RST when `reset`. `linger` (limit_data) shuts the write sides
  // and drains the inputs before closing, so that nothing already written is lost to an RST.
  void Close(bool reset, bool linger = false);

  Loop& loop_;
  int fds_[2] = {-1, -1};  // [0] client, [1] upstream
  Side sides_[2];
  std::vector<SockAddr> candidates_;  // upstream addresses still to try
  size_t next_candidate_ = 0;
  bool connecting_ = false;
  std::shared_ptr<ProxyState> proxy_;
  DataPlane& plane_;
  uint64_t id_;
  Rng rng_;
  Direction dirs_[2];
  // Downstream rewriters need the methods of the requests (a response to HEAD has no body): a
  // framer that only watches the client's bytes reports them while any downstream rewriter is.
  HttpMethods methods_;
  std::unique_ptr<HttpJsonRewriter> observer_;
  Timer kill_timer_;
  bool connected_ = false;
  bool closed_ = false;
};

}  // namespace chaosrun::proxy
