#include "unit/tls_driver/test_pki.h"

#include <gtest/gtest.h>
#include <openssl/x509_vfy.h>

namespace chaosrun::drivers::tls::test {

Issued MakeTestCa(const std::string& key_spec) {
  Issued ca;
  std::string error;
  ca.key = GenerateKey(key_spec, &error);
  EXPECT_TRUE(ca.key) << error;
  CertRequest req;
  req.cn = "chaosrun test CA";
  req.public_key = ca.key.get();
  req.signer = ca.key.get();
  req.not_before = ::time(nullptr) - 3600;
  req.not_after = ::time(nullptr) + 365 * 86400;
  req.ca = true;
  ca.cert = BuildCertificate(req, &error);
  EXPECT_TRUE(ca.cert) << error;
  ca.cert_pem = CertificatePem(ca.cert.get());
  ca.key_pem = PrivateKeyPem(ca.key.get());
  return ca;
}

Issued IssueLeaf(const Issued& ca, const std::string& cn, const std::vector<std::string>& sans,
                 const std::string& key_spec) {
  Issued leaf;
  std::string error;
  leaf.key = GenerateKey(key_spec, &error);
  EXPECT_TRUE(leaf.key) << error;
  NamePtr name(X509_NAME_new());
  X509_NAME_add_entry_by_NID(name.get(), NID_organizationName, MBSTRING_UTF8,
                             reinterpret_cast<const unsigned char*>("chaosrun tests"), -1, -1, 0);
  // A template carrying only the subject: BuildCertificate copies it and adds cn and sans.
  X509Ptr tmpl(X509_new());
  X509_set_subject_name(tmpl.get(), name.get());
  CertRequest req;
  req.tmpl = tmpl.get();
  req.cn = cn;
  req.sans = sans;
  req.public_key = leaf.key.get();
  req.issuer = ca.cert.get();
  req.signer = ca.key.get();
  req.not_before = ::time(nullptr) - 3600;
  req.not_after = ::time(nullptr) + 90 * 86400;
  leaf.cert = BuildCertificate(req, &error);
  EXPECT_TRUE(leaf.cert) << error;
  leaf.cert_pem = CertificatePem(leaf.cert.get());
  leaf.key_pem = PrivateKeyPem(leaf.key.get());
  return leaf;
}

X509Ptr FirstCert(const std::string& pem) {
  std::string error;
  auto certs = ParseCertificates(pem, &error);
  if (certs.empty()) return nullptr;
  return std::move(certs[0]);
}

int VerifyAgainst(const Issued& ca, const std::string& pem, const std::string& host) {
  std::string error;
  auto certs = ParseCertificates(pem, &error);
  if (certs.empty()) return -1;
  StorePtr store(X509_STORE_new());
  X509_STORE_add_cert(store.get(), ca.cert.get());
  STACK_OF(X509)* untrusted = sk_X509_new_null();
  for (size_t i = 1; i < certs.size(); ++i) sk_X509_push(untrusted, certs[i].get());
  StoreCtxPtr ctx(X509_STORE_CTX_new());
  X509_STORE_CTX_init(ctx.get(), store.get(), certs[0].get(), untrusted);
  if (!host.empty()) {
    X509_VERIFY_PARAM_set1_host(X509_STORE_CTX_get0_param(ctx.get()), host.c_str(), 0);
  }
  int ok = X509_verify_cert(ctx.get());
  int code = ok == 1 ? X509_V_OK : X509_STORE_CTX_get_error(ctx.get());
  sk_X509_free(untrusted);
  return code;
}

}  // namespace chaosrun::drivers::tls::test
