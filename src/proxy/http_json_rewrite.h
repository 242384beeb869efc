// The json_rewrite toxic (chaosrun extension): frames the HTTP/1.x messages of one direction of
// a connection and rewrites the JSON records in their bodies (drop, rename, scale or retype a
// field), re-sending each rewritten message with a corrected Content-Length. Everything it
// cannot or must not rewrite passes unchanged, byte for byte (docs/network.md, "json_rewrite").
//
// Pure: HttpJsonRewriter takes bytes in any split and appends what may be sent on to an output
// string; no sockets, no clock. connection.cc keeps one per direction and json_rewrite toxic;
// unit tests and the fuzz target (tests/fuzz/fuzz_json_rewrite.cc) drive it directly.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/json.h"
#include "common/status.h"

namespace chaosrun::proxy {

struct JsonRewriteOp {
  enum class Kind { kDrop, kRename, kScale, kRetype };
  Kind kind = Kind::kDrop;
  std::string field;    // a key of the record, or a JSON pointer inside it ("/a/b")
  std::string to;       // rename: the new key (or pointer)
  double factor = 1.0;  // scale
  Json factor_json;     // scale: the factor as given (an integer factor keeps integers integral)
  std::string type;     // retype: string, number, integer, boolean, null
};

struct JsonRewriteConfig {
  static constexpr size_t kDefaultMaxBody = size_t{1} << 20;  // 1 MiB
  static constexpr size_t kMaxMaxBody = size_t{64} << 20;     // 64 MiB
  static constexpr size_t kMaxOperations = 64;
  std::vector<JsonRewriteOp> operations;
  std::string records;  // JSON pointer to the records in the body; "" = the body itself
  size_t max_body_bytes = kDefaultMaxBody;
};

// Parses the toxic's attributes {"operations", "records", "max_body_bytes"}; errors name the
// field: "attributes.operations[1].op: must be one of drop, rename, scale, retype".
Result<JsonRewriteConfig> ParseJsonRewrite(const Json& attributes);
// The attributes back, every member present (the toxic's normalised form).
Json JsonRewriteToJson(const JsonRewriteConfig& config);

// Applies the operations to the records of `body`; true when something changed.
bool RewriteJsonRecords(const JsonRewriteConfig& config, Json& body);

// The methods of the requests seen on a connection, oldest first: the response framer needs
// them (a response to HEAD has no body, one to a successful CONNECT is a tunnel). Bounded.
class HttpMethods {
 public:
  static constexpr size_t kMax = 1024;
  void Push(std::string_view method);
  std::string Pop();  // "" when none is known
  void Clear() { pending_.clear(); }

 private:
  std::deque<std::string> pending_;
};

struct JsonRewriteStats {
  uint64_t rewritten = 0;  // bodies re-sent rewritten
  uint64_t unchanged = 0;  // JSON bodies that passed as they were (unparseable, nothing matched)
  uint64_t oversize = 0;   // JSON bodies larger than max_body_bytes, streamed unchanged
};

class HttpJsonRewriter {
 public:
  enum class Role { kRequests, kResponses };  // upstream stream: requests; downstream: responses
  static constexpr size_t kMaxHeadBytes = 64 * 1024;
  static constexpr int kMaxJsonDepth = 128;  // deeper bodies pass unchanged

  // `config` null: frame only (nothing is rewritten; requests still report their methods).
  // `methods`: requests push, responses pop; may be null (responses then assume GET).
  // `synced` false: the direction already carried bytes, so the framer waits for a read that
  // starts with a start line ("HTTP/1." or "METHOD ") before it frames anything.
  HttpJsonRewriter(Role role, std::shared_ptr<const JsonRewriteConfig> config, HttpMethods* methods,
                   bool synced = true);

  // Takes the next bytes of the stream; appends to `out` what may be sent on now.
  void Feed(std::string_view in, std::string& out);
  // Gives back every byte held (unchanged) and passes everything after it through: the toxic
  // was removed, or the stream ended.
  void Flush(std::string& out);
  // New operations, used from the next message on (the current one keeps its own).
  void SetConfig(std::shared_ptr<const JsonRewriteConfig> config) { next_config_ = config; }

  size_t held() const { return head_.size() + raw_.size(); }
  // The most this framer may hold: one header block plus max_body_bytes.
  size_t bound() const;
  const JsonRewriteStats& stats() const { return stats_; }

 private:
  enum class State { kUnsynced, kHead, kBody, kChunked, kRaw };
  enum class Chunk { kSize, kData, kDataEnd, kTrailer };
  bool LooksLikeStart(std::string_view in) const;
  // Returns false when the prefix can no longer be a start line.
  bool PlausiblePrefix() const;
  void FeedHead(std::string_view& in, std::string& out);
  void StartMessage(std::string& out);
  void FeedBody(std::string_view& in, std::string& out);
  void FeedChunked(std::string_view& in, std::string& out);
  void Take(std::string_view& in, size_t n, std::string& out);
  void FinishMessage(std::string& out);
  void GiveUp(std::string& out);  // framing lost: everything held, then raw for good
  void CheckBound(std::string& out);

  Role role_;
  std::shared_ptr<const JsonRewriteConfig> config_, next_config_;
  HttpMethods* methods_;
  State state_;
  std::string head_;  // the header block being read
  std::string raw_;   // held: the whole message (head + body) as received
  size_t head_size_ = 0;
  bool hold_ = false;       // this message's body is buffered for a rewrite
  bool chunked_ = false;    // this message's body is chunked (held: decoded at the end)
  bool raw_after_ = false;  // after this message the stream is a tunnel (Upgrade, CONNECT)
  uint64_t remaining_ = 0;  // kBody: bytes left; kChunked kData: bytes left in the chunk
  Chunk chunk_ = Chunk::kSize;
  std::string line_;  // kChunked: the size or trailer line being read
  JsonRewriteStats stats_;
};

}  // namespace chaosrun::proxy
