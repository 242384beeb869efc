// A small PKI for the tls driver's tests: a CA and leaves made with the driver's own builder
// (certgen.h), and an independent check of a certificate with OpenSSL's X509_verify_cert.
#pragma once

#include <ctime>
#include <string>
#include <vector>

#include "tls/certgen.h"

namespace chaosrun::drivers::tls::test {

struct Issued {
  X509Ptr cert;
  PKeyPtr key;
  std::string cert_pem, key_pem;
};

// A CA "chaosrun test CA" with a fresh key of `key_spec` (rsa:2048, ec:prime256v1, ...).
Issued MakeTestCa(const std::string& key_spec = "ec:prime256v1");
// A leaf for `cn` with the SANs ("DNS:..", "IP:..") signed by `ca`, valid from an hour ago for
// 90 days; O=chaosrun tests in the subject.
Issued IssueLeaf(const Issued& ca, const std::string& cn, const std::vector<std::string>& sans,
                 const std::string& key_spec = "ec:prime256v1");

// X509_verify_cert of the first certificate of `pem` against a store holding only `ca` (plus
// the rest of `pem` as untrusted intermediates), checking `host` when non-empty. Returns the
// X509_V_ code (X509_V_OK = 0); -1 when `pem` does not parse.
int VerifyAgainst(const Issued& ca, const std::string& pem, const std::string& host);

// The first certificate of a PEM text (null when none parses).
X509Ptr FirstCert(const std::string& pem);

}  // namespace chaosrun::drivers::tls::test
