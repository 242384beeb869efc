// MakeFault and GarblePem (certgen.h): the replacement certificate of each fault kind.
#include <openssl/x509v3.h>

#include "tls/certgen.h"

namespace chaosrun::drivers::tls {

namespace {

constexpr time_t kDay = 86400;

FaultOutput FaultError(const std::string& message, bool invalid_argument) {
  FaultOutput out;
  out.error = message;
  out.invalid_argument = invalid_argument;
  return out;
}

bool SelfIssued(X509* cert) {
  return X509_NAME_cmp(X509_get_subject_name(cert), X509_get_issuer_name(cert)) == 0;
}

}  // namespace

std::string GarblePem(const std::string& pem, bool truncate) {
  const std::string begin = "-----BEGIN CERTIFICATE-----";
  const std::string end = "-----END CERTIFICATE-----";
  size_t b = pem.find(begin);
  size_t e = b == std::string::npos ? std::string::npos : pem.find(end, b);
  size_t body_start = b == std::string::npos ? 0 : b + begin.size();
  size_t body_end = e == std::string::npos ? pem.size() : e;
  size_t len = body_end > body_start ? body_end - body_start : 0;
  if (truncate) {
    // Cut in the middle of the first certificate's base64 body: no END line, a short body.
    return pem.substr(0, body_start + len / 2);
  }
  // Overwrite the middle third of the body with a character base64 does not have.
  std::string out = pem;
  for (size_t i = body_start + len / 3; i < body_start + 2 * len / 3; ++i) {
    if (out[i] != '\n' && out[i] != '\r') out[i] = '#';
  }
  if (len < 3) out.insert(body_start, "####");
  return out;
}

FaultOutput MakeFault(const FaultInputs& in) {
  const ReplaceSpec& spec = in.spec;
  const std::string name = FaultName(spec.fault);
  if (spec.fault == Fault::kGarbled) {
    FaultOutput out;
    out.cert_file = GarblePem(in.cert_pem, spec.truncate);
    out.description = {{"garbled", spec.truncate ? "truncate" : "garble"},
                       {"bytes", out.cert_file.size()}};
    return out;
  }
  std::string error;
  auto chain = ParseCertificates(in.cert_pem, &error);
  if (chain.empty()) return FaultError(spec.path + ": " + error, false);
  X509* leaf = chain[0].get();
  PKeyPtr original_key;
  if (!in.key_pem.empty()) {
    original_key = ParsePrivateKey(in.key_pem, &error);
    if (!original_key) return FaultError(spec.key_path + ": " + error, false);
    if (X509_check_private_key(leaf, original_key.get()) != 1) {
      return FaultError(
          "key_path: " + spec.key_path + " is not the key of the certificate " + spec.path, true);
    }
  }
  PKeyPtr fresh;
  if (spec.new_key) {
    fresh = FreshKeyLike(X509_get0_pubkey(leaf), &error);
    if (!fresh) return FaultError(error, false);
  }
  // The key the new certificate certifies, and the private key that goes with it.
  EVP_PKEY* public_key = fresh ? fresh.get() : X509_get0_pubkey(leaf);
  EVP_PKEY* own_private = fresh ? fresh.get() : original_key.get();

  X509Ptr issuer_cert;
  PKeyPtr issuer_key;
  if (!spec.issuer_cert.empty()) {
    auto ic = ParseCertificates(in.issuer_cert, &error);
    if (ic.empty()) return FaultError("issuer_cert: " + spec.issuer_cert + ": " + error, false);
    issuer_cert = std::move(ic[0]);
    issuer_key = ParsePrivateKey(in.issuer_key, &error);
    if (!issuer_key) return FaultError("issuer_key: " + spec.issuer_key + ": " + error, false);
    if (X509_check_private_key(issuer_cert.get(), issuer_key.get()) != 1) {
      return FaultError("issuer_key: not the key of issuer_cert " + spec.issuer_cert, true);
    }
    if (X509_NAME_cmp(X509_get_subject_name(issuer_cert.get()), X509_get_issuer_name(leaf)) != 0) {
      return FaultError("issuer_cert: " + spec.issuer_cert + " is not the issuer of " + spec.path,
                        true);
    }
  }

  CertRequest req;
  req.tmpl = leaf;
  req.public_key = public_key;
  req.not_before = UnixTime(X509_get0_notBefore(leaf));
  req.not_after = UnixTime(X509_get0_notAfter(leaf));
  bool keep_chain = true;  // the original's intermediates follow the new leaf
  PKeyPtr ca_key;
  X509Ptr ca;
  switch (spec.fault) {
    case Fault::kExpired: {
      time_t ago = static_cast<time_t>(spec.days * static_cast<double>(kDay));
      req.not_after = in.now - std::max<time_t>(ago, 1);
      req.not_before = req.not_after - 30 * kDay;
      break;
    }
    case Fault::kNotYetValid: {
      time_t ahead = static_cast<time_t>(spec.days * static_cast<double>(kDay));
      req.not_before = in.now + std::max<time_t>(ahead, 1);
      req.not_after = req.not_before + 90 * kDay;
      break;
    }
    case Fault::kWrongHost:
      req.cn = spec.wrong_host_name;
      req.sans = {"DNS:" + spec.wrong_host_name};
      break;
    case Fault::kSelfSigned:
      if (own_private == nullptr) {
        return FaultError(
            "self_signed: needs key_path (the certificate is signed with its own key) or "
            "new_key",
            true);
      }
      req.signer = own_private;
      keep_chain = false;
      break;
    case Fault::kUntrustedCa: {
      ca_key = FreshKeyLike(X509_get0_pubkey(leaf), &error);
      if (!ca_key) return FaultError(error, false);
      CertRequest ca_req;
      ca_req.cn = "chaosrun untrusted CA";
      ca_req.public_key = ca_key.get();
      ca_req.signer = ca_key.get();
      ca_req.not_before = in.now - kDay;
      ca_req.not_after = in.now + 365 * kDay;
      ca_req.ca = true;
      ca = BuildCertificate(ca_req, &error);
      if (!ca) return FaultError("untrusted_ca: " + error, false);
      req.issuer = ca.get();
      req.signer = ca_key.get();
      keep_chain = false;
      break;
    }
    case Fault::kGarbled:
      break;
  }
  if (req.signer == nullptr) {
    // expired, not_yet_valid, wrong_host: signed like the original, so only the fault differs.
    if (issuer_cert) {
      req.issuer = issuer_cert.get();
      req.signer = issuer_key.get();
    } else if (SelfIssued(leaf) && own_private != nullptr) {
      req.signer = own_private;  // the original is self-signed: so is the replacement
    } else {
      return FaultError(
          name + ": give issuer_cert and issuer_key (the CA that signed " + spec.path + ")" +
              (SelfIssued(leaf) ? ", or key_path (the original is self-signed)" : "") +
              ", so that the new certificate differs from the original only by the "
              "fault",
          true);
    }
  }
  X509Ptr cert = BuildCertificate(req, &error);
  if (!cert) return FaultError(name + ": " + error, false);
  FaultOutput out;
  out.cert_file = CertificatePem(cert.get());
  if (keep_chain) {
    for (size_t i = 1; i < chain.size(); ++i) out.cert_file += CertificatePem(chain[i].get());
  }
  if (fresh) out.key_file = PrivateKeyPem(fresh.get());
  if (out.cert_file.empty() || (fresh && out.key_file.empty())) {
    return FaultError(name + ": cannot write the new PEM: " + OsslError(), false);
  }
  out.description = DescribeCertificate(cert.get(), in.now);
  return out;
}

}  // namespace chaosrun::drivers::tls
