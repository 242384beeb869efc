// A small blocking HTTP/1.1 client for the proxy API tests: one TCP connection to 127.0.0.1,
// requests written byte for byte as given (so a test can send exactly what a Toxiproxy client
// sends, or something malformed), responses read by Content-Length. Every socket has a receive
// and send timeout, so a server that hangs fails the test instead of hanging it.
#pragma once

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "common/json.h"

namespace chaosrun::apitest {

struct HttpReply {
  int status = 0;
  std::map<std::string, std::string> headers;  // names lower-cased
  std::string body;
  Json json() const;  // the body parsed (null when it is not JSON)
  std::string header(const std::string& lower_name) const;
};

class HttpConnection {
 public:
  // Connects to 127.0.0.1:port; `timeout` bounds every later receive and send.
  explicit HttpConnection(int port, std::chrono::milliseconds timeout = std::chrono::seconds(10));
  ~HttpConnection();
  HttpConnection(const HttpConnection&) = delete;
  HttpConnection& operator=(const HttpConnection&) = delete;

  bool connected() const { return fd_ >= 0; }
  // Writes raw bytes; false on error.
  bool SendRaw(const std::string& bytes);
  // Sends one request with Host, Content-Length (when a body is given or the method is POST,
  // PATCH or PUT) and `headers` ("Name: value" each), then reads the response.
  std::optional<HttpReply> Request(const std::string& method, const std::string& target,
                                   const std::optional<std::string>& body = std::nullopt,
                                   const std::vector<std::string>& headers = {});
  // Reads one response (status line, headers, Content-Length body; a body without length is
  // read to end of file). nullopt on timeout, error or end of file before a status line.
  std::optional<HttpReply> ReadReply();
  // True once the server has closed the connection: a read returns end of file or a reset
  // (bytes still unread are discarded). False if the receive timeout passed first.
  bool WaitClosed();

 private:
  bool Fill();  // reads more into buffer_; false on EOF/error/timeout
  int fd_ = -1;
  std::string buffer_;
};

// One request on a new connection.
std::optional<HttpReply> Fetch(int port, const std::string& method, const std::string& target,
                               const std::optional<std::string>& body = std::nullopt,
                               const std::vector<std::string>& headers = {});

// True if a TCP connection to 127.0.0.1:port is refused right now.
bool ConnectionRefused(int port);

// Port of a "host:port" address ("127.0.0.1:4567" -> 4567); 0 when there is none.
int PortOf(const std::string& address);

}  // namespace chaosrun::apitest
