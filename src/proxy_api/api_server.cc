#include "proxy_api/api_server.h"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <exception>
#include <optional>
#include <thread>
#include <unordered_set>
#include <utility>  // before Boost (Boost 1.74 Asio under GCC 12, C++23)
#include <vector>

#include "common/log.h"
#include "proxy_api/request_id.h"
#include "proxy_api/router.h"

namespace chaosrun::proxy_api {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using ErrorCode = boost::system::error_code;

class Session;

// Everything the server thread works on (ApiServer::Impl is this; sessions see it too).
struct ServerCore {
  ServerCore(proxy::Engine& e, ApiServer::Options o) : engine(e), options(std::move(o)) {}

  void Accept();

  proxy::Engine& engine;
  ApiServer::Options options;
  std::unordered_set<Session*> sessions;  // io thread only; destroyed after io_context
  asio::io_context ioc{1};
  tcp::acceptor acceptor{ioc};
  asio::steady_timer retry{ioc};  // backs off when accept fails (e.g. out of descriptors)
  std::thread thread;
  bool stopping = false;  // io thread only
};

struct ApiServer::Impl : ServerCore {
  using ServerCore::ServerCore;
};

namespace {

bool IsHttpError(const ErrorCode& ec) {
  return ec.category() == http::make_error_code(http::error::bad_target).category();
}

}  // namespace

// One client connection: read a request (header, optional "100 Continue", body), route it,
// write the response, repeat while keep-alive. Owned by the shared_ptrs its handlers hold.
class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket socket, ServerCore& server) : stream_(std::move(socket)), server_(server) {
    server_.sessions.insert(this);
  }
  ~Session() { server_.sessions.erase(this); }
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  void Start() { WaitForRequest(); }

  void Close() {
    ErrorCode ec;
    stream_.socket().shutdown(tcp::socket::shutdown_both, ec);
    stream_.close();
  }

 private:
  const ApiServer::Options& opts() const { return server_.options; }

  // Between requests the connection may idle for idle_timeout; once a byte arrives, the whole
  // request must arrive within read_timeout.
  void WaitForRequest() {
    if (server_.stopping) return Close();
    parser_.emplace();
    parser_->body_limit(opts().max_body_bytes);
    parser_->header_limit(static_cast<uint32_t>(opts().max_header_bytes));
    if (buffer_.size() > 0) return ReadHeader();
    stream_.expires_after(opts().idle_timeout);
    stream_.async_read_some(buffer_.prepare(4096),
                            [self = shared_from_this()](ErrorCode ec, size_t n) {
                              if (ec) return;  // closed, reset or idle too long
                              self->buffer_.commit(n);
                              self->ReadHeader();
                            });
  }

  void ReadHeader() {
    stream_.expires_after(opts().read_timeout);
    http::async_read_header(stream_, buffer_, *parser_,
                            [self = shared_from_this()](ErrorCode ec, size_t) {
                              if (ec) return self->OnReadError(ec);
                              self->OnHeader();
                            });
  }

  void OnHeader() {
    auto& req = parser_->get();
    auto expect = req[http::field::expect];
    if (beast::iequals(expect, "100-continue") && !parser_->is_done()) {
      auto cont = std::make_shared<http::response<http::empty_body>>(http::status::continue_,
                                                                     req.version());
      http::async_write(stream_, *cont, [self = shared_from_this(), cont](ErrorCode ec, size_t) {
        if (ec) return self->Close();
        self->ReadBody();
      });
      return;
    }
    ReadBody();
  }

  void ReadBody() {
    if (parser_->is_done()) return Handle();
    http::async_read(stream_, buffer_, *parser_, [self = shared_from_this()](ErrorCode ec, size_t) {
      if (ec) return self->OnReadError(ec);
      self->Handle();
    });
  }

  void OnReadError(const ErrorCode& ec) {
    if (ec == http::error::body_limit) {
      return WriteError(413, "request body too large (limit " +
                                 std::to_string(opts().max_body_bytes) + " bytes)");
    }
    if (ec == http::error::header_limit) return WriteError(431, "request header too large");
    if (ec == http::error::end_of_stream || ec == http::error::partial_message ||
        !IsHttpError(ec)) {
      return Close();  // the client went away, timed out, or the server is stopping
    }
    WriteError(400, "malformed request: " + ec.message());
  }

  void Handle() {
    auto& req = parser_->get();
    Request request;
    request.method = std::string(req.method_string());
    request.target = std::string(req.target());
    request.body = std::move(req.body());
    request.user_agent = std::string(req[http::field::user_agent]);
    Response response;
    try {
      response = Route(server_.engine, request, RouteOptions{server_.options.allow_remote});
    } catch (const std::exception& e) {  // Route() does not throw; never let a bug kill the loop
      log::Error("proxy API: {} {}: internal error: {}", request.method, request.target, e.what());
      response = ErrorResponse(500, "internal error");
    }
    log::Debug("proxy API: {} {} -> {}", request.method, request.target, response.status);
    Write(response, req.keep_alive(), req.version());
  }

  void WriteError(int status, const std::string& message) {
    Write(ErrorResponse(status, message), false, 11);
  }

  void Write(const Response& r, bool keep_alive, unsigned version) {
    auto res = std::make_shared<http::response<http::string_body>>();
    res->version(version);
    res->result(static_cast<unsigned>(r.status));
    res->set(http::field::server, "chaosrun");
    res->set("X-Toxiproxy-Request-Id", NextRequestId());  // as Toxiproxy, on every response
    if (!r.content_type.empty()) res->set(http::field::content_type, r.content_type);
    if (!r.allow.empty()) res->set(http::field::allow, r.allow);
    res->body() = r.body;
    res->keep_alive(keep_alive && !server_.stopping);
    if (r.status != 204) res->prepare_payload();  // a 204 carries no Content-Length (RFC 9110)
    stream_.expires_after(opts().write_timeout);
    http::async_write(stream_, *res, [self = shared_from_this(), res](ErrorCode ec, size_t) {
      if (ec || !res->keep_alive()) return self->Close();
      self->WaitForRequest();
    });
  }

  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  ServerCore& server_;
};

void ServerCore::Accept() {
  acceptor.async_accept([this](ErrorCode ec, tcp::socket socket) {
    if (stopping || ec == asio::error::operation_aborted) return;
    if (ec) {  // out of descriptors and the like: back off a little instead of spinning
      log::Warn("proxy API: accept failed: {}", ec.message());
      retry.expires_after(std::chrono::milliseconds(50));
      retry.async_wait([this](ErrorCode wait_ec) {
        if (!wait_ec) Accept();
      });
      return;
    }
    if (sessions.size() >= options.max_connections) {
      ErrorCode ignored;
      socket.close(ignored);
    } else {
      std::make_shared<Session>(std::move(socket), *this)->Start();
    }
    Accept();
  });
}

std::string ApiServer::Endpoint::Url() const {
  bool v6 = host.find(':') != std::string::npos;
  return "http://" + (v6 ? "[" + host + "]" : host) + ":" + std::to_string(port);
}

ApiServer::ApiServer(proxy::Engine& engine, Options options)
    : impl_(std::make_unique<Impl>(engine, std::move(options))) {}

ApiServer::~ApiServer() { Stop(); }

Result<ApiServer::Endpoint> ApiServer::Start() {
  Impl& s = *impl_;
  if (s.thread.joinable()) return Err(Status::Internal("the API server is already running"));
  ErrorCode ec;
  auto address = asio::ip::make_address(s.options.host, ec);
  if (ec) {
    if (s.options.host != "localhost") {
      return Err(Status::InvalidArgument("API host must be an IP address or localhost, not '" +
                                         s.options.host + "'"));
    }
    address = asio::ip::address_v4::loopback();
  }
  tcp::endpoint requested(address, s.options.port);
  std::string where = Endpoint{address.to_string(), s.options.port}.Url();
  auto fail = [&](const char* what) {
    ErrorCode ignored;
    s.acceptor.close(ignored);
    return Err(Status::IoError(std::string("cannot ") + what + " " + where + ": " + ec.message()));
  };
  s.acceptor.open(requested.protocol(), ec);
  if (ec) return fail("open a socket for");
  s.acceptor.set_option(asio::socket_base::reuse_address(true), ec);
  s.acceptor.bind(requested, ec);
  if (ec) return fail("bind");
  s.acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) return fail("listen on");
  tcp::endpoint bound = s.acceptor.local_endpoint(ec);
  if (ec) return fail("read the address of");

  s.stopping = false;
  s.Accept();
  s.thread = std::thread([&s] {
    try {
      s.ioc.run();
    } catch (const std::exception& e) {
      log::Error("proxy API: server loop stopped: {}", e.what());
    }
  });
  return Endpoint{bound.address().to_string(), bound.port()};
}

void ApiServer::Stop() {
  Impl& s = *impl_;
  if (!s.thread.joinable()) return;
  asio::post(s.ioc, [&s] {
    s.stopping = true;
    ErrorCode ignored;
    s.acceptor.close(ignored);
    s.retry.cancel();
    std::vector<Session*> open(s.sessions.begin(), s.sessions.end());
    for (Session* session : open) session->Close();
  });
  s.thread.join();
  s.ioc.restart();
}

}  // namespace chaosrun::proxy_api
