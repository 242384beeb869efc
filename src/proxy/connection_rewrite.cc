// The json_rewrite toxic on a connection: each direction's rewriters (http_json_rewrite.h) see
// the bytes as they are read, before the other toxics; what they let out is queued like any
// read. Adding a rewriter starts it at a message boundary (at once on a fresh direction, else at
// the next read that starts with a start line); removing one gives back what it holds, unchanged
// and in order, so no byte is lost, duplicated or reordered.
#include <utility>

#include "proxy/connection.h"
#include "proxy/connection_util.h"

namespace chaosrun::proxy {

void Connection::ReportRewriteStats(Rewriter& r) {
  const JsonRewriteStats& s = r.framer->stats();
  ProxyCounters& c = proxy_->counters;
  c.json_rewritten.fetch_add(s.rewritten - r.reported.rewritten, std::memory_order_relaxed);
  c.json_unchanged.fetch_add(s.unchanged - r.reported.unchanged, std::memory_order_relaxed);
  c.json_oversize.fetch_add(s.oversize - r.reported.oversize, std::memory_order_relaxed);
  r.reported = s;
}

void Connection::ShareMethods() {
  for (std::string m = methods_.Pop(); !m.empty(); m = methods_.Pop()) {
    for (Rewriter& r : dirs_[1].rewriters) {
      if (r.methods) r.methods->Push(m);
    }
  }
}

std::string Connection::FeedChain(int i, size_t from, std::string data) {
  std::vector<Rewriter>& chain = dirs_[i].rewriters;
  for (size_t k = from; k < chain.size() && !data.empty(); ++k) {
    if (!chain[k].framer) continue;
    std::string out;
    chain[k].framer->Feed(data, out);
    ReportRewriteStats(chain[k]);
    data = std::move(out);
  }
  return data;
}

void Connection::RewriteIn(int i, std::string_view data, SteadyTime now) {
  std::string out = FeedChain(i, 0, std::string(data));
  if (!out.empty()) Enqueue(i, out.data(), out.size(), now);
}

void Connection::FlushRewriters(int i) {
  std::vector<Rewriter>& chain = dirs_[i].rewriters;
  for (size_t k = 0; k < chain.size(); ++k) {
    if (!chain[k].framer) continue;
    std::string held;
    chain[k].framer->Flush(held);
    ReportRewriteStats(chain[k]);
    std::string out = FeedChain(i, k + 1, std::move(held));
    if (!out.empty()) Enqueue(i, out.data(), out.size(), internal::Now());
  }
}

void Connection::UpdateRewriters(int i) {
  Direction& d = dirs_[i];
  auto applying = [&d](uint64_t id) -> const ToxicRuntime* {
    for (const ToxicRuntime& t : d.toxics) {
      if (t.id == id && t.applies && t.params.type == ToxicType::kJsonRewrite &&
          t.params.json_rewrite) {
        return &t;
      }
    }
    return nullptr;
  };
  // Removed (or no longer applying) rewriters give back what they hold, through the rest of the
  // chain, in chain order.
  for (size_t k = 0; k < d.rewriters.size(); ++k) {
    Rewriter& r = d.rewriters[k];
    if (applying(r.id)) continue;
    std::string held;
    r.framer->Flush(held);
    ReportRewriteStats(r);
    std::string out = FeedChain(i, k + 1, std::move(held));
    if (!out.empty()) Enqueue(i, out.data(), out.size(), internal::Now());
    r.framer.reset();
  }
  std::vector<Rewriter> next;
  for (const ToxicRuntime& t : d.toxics) {
    if (!applying(t.id)) continue;
    Rewriter r;
    for (Rewriter& old : d.rewriters) {
      if (old.id == t.id && old.framer) r = std::move(old);
    }
    if (r.framer) {
      r.framer->SetConfig(t.params.json_rewrite);  // from its next message on
    } else {
      r.id = t.id;
      if (i == 1) r.methods = std::make_unique<HttpMethods>();
      auto role = i == 0 ? HttpJsonRewriter::Role::kRequests : HttpJsonRewriter::Role::kResponses;
      r.framer = std::make_unique<HttpJsonRewriter>(role, t.params.json_rewrite, r.methods.get(),
                                                    /*synced=*/d.seen == 0);
    }
    next.push_back(std::move(r));
  }
  d.rewriters = std::move(next);
  if (i != 1) return;
  // The requests' methods come from the client's bytes as they are (observer_), whatever the
  // upstream toxics do to them.
  if (d.rewriters.empty()) {
    observer_.reset();
    methods_.Clear();
  } else if (!observer_) {
    observer_ = std::make_unique<HttpJsonRewriter>(HttpJsonRewriter::Role::kRequests, nullptr,
                                                   &methods_, /*synced=*/dirs_[0].seen == 0);
  }
}

void Connection::Observe(std::string_view data) {
  std::string ignored;  // the observer's output: the bytes themselves, relayed elsewhere
  observer_->Feed(data, ignored);
  ShareMethods();
}

}  // namespace chaosrun::proxy
