// Owning handles for OpenSSL objects, PEM text in and out, and the error queue as text. Nothing
// here throws; a null handle and an error message report a failure.
#pragma once

#include <openssl/evp.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <memory>
#include <string>
#include <vector>

namespace chaosrun::drivers::tls {

struct OsslFree {
  void operator()(X509* p) const { X509_free(p); }
  void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
  void operator()(X509_NAME* p) const { X509_NAME_free(p); }
  void operator()(X509_STORE* p) const { X509_STORE_free(p); }
  void operator()(X509_STORE_CTX* p) const { X509_STORE_CTX_free(p); }
  void operator()(SSL_CTX* p) const { SSL_CTX_free(p); }
  void operator()(SSL* p) const { SSL_free(p); }
  void operator()(BIO* p) const { BIO_free(p); }
};
using X509Ptr = std::unique_ptr<X509, OsslFree>;
using PKeyPtr = std::unique_ptr<EVP_PKEY, OsslFree>;
using NamePtr = std::unique_ptr<X509_NAME, OsslFree>;
using StorePtr = std::unique_ptr<X509_STORE, OsslFree>;
using StoreCtxPtr = std::unique_ptr<X509_STORE_CTX, OsslFree>;
using SslCtxPtr = std::unique_ptr<SSL_CTX, OsslFree>;
using SslPtr = std::unique_ptr<SSL, OsslFree>;
using BioPtr = std::unique_ptr<BIO, OsslFree>;

// The thread's OpenSSL error queue as one line (and clears it); `fallback` when it is empty.
std::string OsslError(const std::string& fallback = "unknown OpenSSL error");

// Every certificate of a PEM text, in order (a leaf and its chain). Empty and *error set when
// there is none or one does not parse.
std::vector<X509Ptr> ParseCertificates(const std::string& pem, std::string* error);
// The (unencrypted) private key of a PEM text; null and *error set otherwise.
PKeyPtr ParsePrivateKey(const std::string& pem, std::string* error);

std::string CertificatePem(X509* cert);
std::string PrivateKeyPem(EVP_PKEY* key);  // PKCS#8, unencrypted

// "RSA 2048", "EC prime256v1", "ED25519", ...
std::string KeyTypeName(const EVP_PKEY* key);
// A fresh key of the same algorithm and size (RSA bits, EC curve) as `like`.
PKeyPtr FreshKeyLike(const EVP_PKEY* like, std::string* error);
// A fresh key: "rsa:<bits>", "ec:<curve>" (e.g. ec:prime256v1) or "ed25519".
PKeyPtr GenerateKey(const std::string& spec, std::string* error);

}  // namespace chaosrun::drivers::tls
