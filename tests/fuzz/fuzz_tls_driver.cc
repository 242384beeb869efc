// libFuzzer target: the tls driver's parsers of untrusted input (drivers/tls/): the arguments of
// replace_certificate and tls_certificate, and a certificate file's bytes as replace_certificate
// and the probe read them (every PEM certificate, what it says, a private key, the garbled copy,
// and the replacement a fault makes from them). Input: first byte picks the parser ('a' JSON
// arguments; anything else: certificate bytes, then a NUL, then key bytes) and, for the bytes,
// the fault (bits 1-3) and whether the file is its own issuer (bit 4). No fault that makes a key
// (new_key, untrusted_ca) is tried: key generation would dominate the time. Never a crash, a leak
// or an exception; a reload spec's ToJson parses back to the same JSON.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "tls/args.h"
#include "tls/certgen.h"
#include "tls/ossl.h"

namespace tls = chaosrun::drivers::tls;
using nlohmann::json;

namespace {

// 2026-12-07T03:00:00Z: a fixed "now", so inputs replay the same.
constexpr time_t kNow = 1796612400;

void FuzzArgs(std::string_view text) {
  const json args = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (args.is_discarded()) return;
  tls::ReplaceSpec replace;
  if (tls::ParseReplaceArgs(args, &replace).empty()) {
    (void)tls::FaultName(replace.fault);
    const json back = replace.reload.ToJson();
    tls::ReloadSpec again;
    if (!tls::ParseReload(back, &again).empty() || again.ToJson() != back) std::abort();
  }
  tls::ProbeSpec probe;
  (void)tls::ParseProbeArgs(args, &probe);
  tls::ReloadSpec reload;
  if (tls::ParseReload(args.is_object() && args.contains("reload") ? args["reload"] : args, &reload)
          .empty()) {
    const json back = reload.ToJson();
    tls::ReloadSpec again;
    if (!tls::ParseReload(back, &again).empty() || again.ToJson() != back) std::abort();
  }
}

void FuzzCertificateBytes(uint8_t mode, std::string_view bytes) {
  const size_t nul = bytes.find('\0');
  const std::string cert_pem(bytes.substr(0, nul));
  const std::string key_pem(nul == std::string_view::npos ? "" : bytes.substr(nul + 1));
  std::string error;
  for (const tls::X509Ptr& c : tls::ParseCertificates(cert_pem, &error)) {
    // As the SDK serialises a driver's answer (invalid UTF-8 replaced, never a throw).
    (void)tls::DescribeCertificate(c.get(), kNow)
        .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    (void)tls::SubjectAltNames(c.get());
    (void)tls::UnixTime(X509_get0_notAfter(c.get()));
    if (const EVP_PKEY* pub = X509_get0_pubkey(c.get())) (void)tls::KeyTypeName(pub);
  }
  if (!key_pem.empty()) {
    if (tls::PKeyPtr key = tls::ParsePrivateKey(key_pem, &error)) {
      (void)tls::KeyTypeName(key.get());
      (void)tls::PrivateKeyPem(key.get());
    }
  }
  (void)tls::ParseCertificates(tls::GarblePem(cert_pem, (mode & 1) != 0), &error);

  static const tls::Fault kFaults[] = {tls::Fault::kExpired,   tls::Fault::kNotYetValid,
                                       tls::Fault::kWrongHost, tls::Fault::kSelfSigned,
                                       tls::Fault::kGarbled,   tls::Fault::kExpired,
                                       tls::Fault::kWrongHost, tls::Fault::kNotYetValid};
  tls::FaultInputs in;
  in.spec.path = "/srv/tls/cert.pem";
  in.spec.fault = kFaults[(mode >> 1) & 7];
  in.spec.truncate = (mode & 1) != 0;
  in.spec.days = 1 + (mode >> 5);
  in.cert_pem = cert_pem;
  in.now = kNow;
  if (!key_pem.empty()) {
    in.spec.key_path = "/srv/tls/key.pem";
    in.key_pem = key_pem;
  }
  if ((mode & 16) != 0) {  // the file names itself as its issuer
    in.spec.issuer_cert = in.spec.path;
    in.spec.issuer_key = in.spec.key_path;
    in.issuer_cert = cert_pem;
    in.issuer_key = key_pem;
  }
  const tls::FaultOutput out = tls::MakeFault(in);
  if (out.error.empty()) {
    (void)out.description.dump();
    (void)tls::ParseCertificates(out.cert_file, &error);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const std::string_view rest(reinterpret_cast<const char*>(data + 1), size - 1);
  if (data[0] == 'a') {
    FuzzArgs(rest);
  } else {
    FuzzCertificateBytes(data[0], rest);
  }
  (void)tls::OsslError();  // OpenSSL's error queue is per thread: leave it empty for the next input
  return 0;
}
