// Making certificates with OpenSSL: a new certificate from a template (the original), the fault
// replacements of replace_certificate, and what a certificate says (for results and the probe).
#pragma once

#include <ctime>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "tls/args.h"
#include "tls/ossl.h"

namespace chaosrun::drivers::tls {

// What to put in a new certificate. The subject and extensions come from `tmpl` when given
// (except the key identifiers, recomputed, and the SAN when `sans` is set), else from `cn`.
struct CertRequest {
  const X509* tmpl = nullptr;
  std::string cn;                 // replaces every CN of the subject when non-empty
  std::vector<std::string> sans;  // "DNS:name" / "IP:addr"; replaces the template's SAN
  EVP_PKEY* public_key = nullptr;
  X509* issuer = nullptr;      // null: self-signed (issuer name = subject, signed by signer)
  EVP_PKEY* signer = nullptr;  // the issuer's private key (or the certificate's own)
  time_t not_before = 0, not_after = 0;
  bool ca = false;  // without a template: a CA (basicConstraints CA:TRUE, keyCertSign)
};

// A signed X.509 v3 certificate with a random serial; null and *error set on failure.
X509Ptr BuildCertificate(const CertRequest& req, std::string* error);

// {subject, issuer, not_before, not_after, days_left, san, key_type} of a certificate; ISO 8601
// UTC times, days_left fractional and negative once expired.
nlohmann::json DescribeCertificate(const X509* cert, time_t now);
std::string IsoTime(time_t t);
time_t UnixTime(const ASN1_TIME* t);  // 0 when unreadable
// The SAN entries: DNS names and IP addresses as text.
std::vector<std::string> SubjectAltNames(const X509* cert);

// The inputs of one replacement: the original files' bytes and the spec.
struct FaultInputs {
  ReplaceSpec spec;
  std::string cert_pem;     // the original certificate file
  std::string key_pem;      // the original key file, when key_path is given
  std::string issuer_cert;  // the issuer's certificate and key files, when given
  std::string issuer_key;
  time_t now = 0;
};

struct FaultOutput {
  std::string cert_file;       // the new certificate file's bytes
  std::string key_file;        // the new key file's bytes (new_key only)
  nlohmann::json description;  // DescribeCertificate of the new leaf (garbled: {"garbled": mode})
  std::string error;           // set on failure (nothing else is then)
  bool invalid_argument = false;  // the error is the caller's (arguments that cannot work)
};

// The replacement for `in.spec.fault`; see docs/tls.md for what each fault keeps.
FaultOutput MakeFault(const FaultInputs& in);

// The garbled or truncated copy of a PEM file (never parses as a certificate).
std::string GarblePem(const std::string& pem, bool truncate);

}  // namespace chaosrun::drivers::tls
