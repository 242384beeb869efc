// tls_certificate: connect (TCP, deadline), TLS handshake with SNI, and report what the served
// certificate says and whether it verifies (chain against ca_file or the system store, validity
// and the host name). Never hangs: every wait is bounded by the one deadline.
#include <arpa/inet.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <poll.h>
#include <unistd.h>

#include "network/tcp.h"
#include "tls/actions.h"
#include "tls/args.h"
#include "tls/certgen.h"

namespace chaosrun::drivers::tls {

namespace {

bool IsIpLiteral(const std::string& s) {
  unsigned char buf[16];
  return inet_pton(AF_INET, s.c_str(), buf) == 1 || inet_pton(AF_INET6, s.c_str(), buf) == 1;
}

struct FdCloser {
  int fd = -1;
  ~FdCloser() {
    if (fd >= 0) ::close(fd);
  }
};

}  // namespace

sdk::Reply ProbeCertificate(const nlohmann::json& args, const Env& env) {
  ProbeSpec spec;
  if (std::string e = ParseProbeArgs(args, &spec); !e.empty()) {
    return sdk::Reply::Invalid("tls_certificate: " + e);
  }
  const std::string where = spec.host + ":" + std::to_string(spec.port);
  ERR_clear_error();
  SslCtxPtr ctx(SSL_CTX_new(TLS_client_method()));
  if (!ctx) return sdk::Reply::Failed("tls_certificate: " + OsslError());
  int loaded = spec.ca_file.empty()
                   ? SSL_CTX_set_default_verify_paths(ctx.get())
                   : SSL_CTX_load_verify_locations(ctx.get(), spec.ca_file.c_str(), nullptr);
  if (loaded != 1) {
    return sdk::Reply::Failed("tls_certificate: cannot load the trusted CAs" +
                              (spec.ca_file.empty() ? "" : " of " + spec.ca_file) + ": " +
                              OsslError());
  }
  // Verification runs during the handshake and is read afterwards: the handshake completes
  // whatever the verdict, so that an expired certificate can still be described.
  SSL_CTX_set_verify(ctx.get(), SSL_VERIFY_NONE, nullptr);
  SslPtr ssl(SSL_new(ctx.get()));
  if (!ssl) return sdk::Reply::Failed("tls_certificate: " + OsslError());
  bool ip = IsIpLiteral(spec.sni);
  if (ip) {
    X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl.get()), spec.sni.c_str());
  } else {
    // SSL_set_tlsext_host_name without the macro's C cast.
    SSL_ctrl(ssl.get(), SSL_CTRL_SET_TLSEXT_HOSTNAME, TLSEXT_NAMETYPE_host_name,
             const_cast<char*>(spec.sni.c_str()));
    SSL_set1_host(ssl.get(), spec.sni.c_str());
  }
  auto deadline = std::chrono::steady_clock::now() +
                  std::chrono::milliseconds(static_cast<int64_t>(spec.timeout_seconds * 1000));
  FdCloser sock;
  if (std::string e = network::TcpConnect(spec.host, spec.port, deadline, env.cancelled, &sock.fd);
      !e.empty()) {
    return sdk::Reply::Failed("tls_certificate: " + e);
  }
  SSL_set_fd(ssl.get(), sock.fd);
  for (;;) {
    ERR_clear_error();
    int rc = SSL_connect(ssl.get());
    if (rc == 1) break;
    int err = SSL_get_error(ssl.get(), rc);
    short events = err == SSL_ERROR_WANT_READ ? POLLIN : err == SSL_ERROR_WANT_WRITE ? POLLOUT : 0;
    if (events == 0) {
      return sdk::Reply::Failed("tls_certificate: the TLS handshake with " + where +
                                " failed: " + OsslError("the connection was closed"));
    }
    if (std::string w = network::WaitFd(sock.fd, events, deadline, env.cancelled); !w.empty()) {
      if (w == "cancelled") return sdk::Reply::Error(CHAOSRUN_CANCELLED, "cancelled");
      return sdk::Reply::Failed("tls_certificate: the TLS handshake with " + where + " " + w);
    }
  }
  X509Ptr peer(SSL_get1_peer_certificate(ssl.get()));
  if (!peer) return sdk::Reply::Failed("tls_certificate: " + where + " sent no certificate");
  long verdict = SSL_get_verify_result(ssl.get());
  nlohmann::json out = DescribeCertificate(peer.get(), env.Now());
  out["verified"] = verdict == X509_V_OK;
  out["verify_error"] = X509_verify_cert_error_string(verdict);
  out["verify_code"] = verdict;
  out["host"] = spec.host;
  out["port"] = spec.port;
  out["sni"] = spec.sni;
  SSL_shutdown(ssl.get());  // one non-blocking attempt: a close_notify, never a wait
  return sdk::Reply::Ok(std::move(out));
}

}  // namespace chaosrun::drivers::tls
