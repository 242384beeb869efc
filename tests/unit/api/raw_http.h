// Bytes on a loopback socket, for the API tests: the request is sent exactly as written (so a
// test can send traversal attempts, NUL bytes, oversized headers or half a request), and the
// response is read until the server closes (the API serves one request per connection). Every
// read has a 30 s cap, so a server that never answers fails the test instead of hanging it.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "common/json.h"

namespace chaosrun::apitest {

struct RawReply {
  int status = 0;                              // 0: no parsable response
  std::map<std::string, std::string> headers;  // names lower-cased
  std::string body;
  std::string Header(const std::string& lower_name) const;
  Json JsonBody() const;  // discarded (is_discarded()) when not JSON
};

// A request as bytes: the request line, Host, each header line given ("Name: value"), a
// Content-Length when there is a body, the body.
std::string BuildRequest(const std::string& method, const std::string& target,
                         const std::vector<std::string>& headers = {},
                         const std::string& body = "");

class RawConnection {
 public:
  explicit RawConnection(uint16_t port);  // connects (ADD_FAILURE when it cannot)
  ~RawConnection();
  RawConnection(const RawConnection&) = delete;
  RawConnection& operator=(const RawConnection&) = delete;

  bool Send(const std::string& bytes);
  RawReply ReadReply();  // until EOF

 private:
  int fd_ = -1;
};

// Connect, send, read the reply.
RawReply Exchange(uint16_t port, const std::string& bytes);

}  // namespace chaosrun::apitest
