#include "tls/ossl.h"

#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/pem.h>

namespace chaosrun::drivers::tls {

std::string OsslError(const std::string& fallback) {
  std::string out;
  unsigned long e = 0;
  while ((e = ERR_get_error()) != 0) {
    char buf[256];
    ERR_error_string_n(e, buf, sizeof(buf));
    if (!out.empty()) out += "; ";
    out += buf;
  }
  return out.empty() ? fallback : out;
}

std::vector<X509Ptr> ParseCertificates(const std::string& pem, std::string* error) {
  std::vector<X509Ptr> out;
  ERR_clear_error();
  BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  if (!bio) {
    *error = OsslError();
    return out;
  }
  for (;;) {
    X509Ptr c(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
    if (!c) break;
    out.push_back(std::move(c));
  }
  unsigned long last = ERR_peek_last_error();
  bool clean_end = ERR_GET_LIB(last) == ERR_LIB_PEM && ERR_GET_REASON(last) == PEM_R_NO_START_LINE;
  if (out.empty() || (last != 0 && !clean_end)) {
    *error = out.empty() ? "no PEM certificate in it (" + OsslError("empty") + ")"
                         : "a certificate after the first does not parse (" + OsslError() + ")";
    out.clear();
    return out;
  }
  ERR_clear_error();
  return out;
}

PKeyPtr ParsePrivateKey(const std::string& pem, std::string* error) {
  ERR_clear_error();
  BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  // An empty passphrase callback: an encrypted key fails instead of prompting.
  auto no_pass = [](char*, int, int, void*) -> int { return 0; };
  PKeyPtr key(bio ? PEM_read_bio_PrivateKey(bio.get(), nullptr, no_pass, nullptr) : nullptr);
  if (!key) *error = "no unencrypted PEM private key in it (" + OsslError() + ")";
  return key;
}

std::string CertificatePem(X509* cert) {
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (!bio || PEM_write_bio_X509(bio.get(), cert) != 1) return {};
  char* data = nullptr;
  long n = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<size_t>(n));
}

std::string PrivateKeyPem(EVP_PKEY* key) {
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (!bio ||
      PEM_write_bio_PrivateKey(bio.get(), key, nullptr, nullptr, 0, nullptr, nullptr) != 1) {
    return {};
  }
  char* data = nullptr;
  long n = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<size_t>(n));
}

namespace {

std::string CurveOf(const EVP_PKEY* key) {
  char name[80] = {0};
  size_t len = 0;
  if (EVP_PKEY_get_utf8_string_param(key, OSSL_PKEY_PARAM_GROUP_NAME, name, sizeof(name), &len) !=
      1) {
    return {};
  }
  return std::string(name, len);
}

}  // namespace

std::string KeyTypeName(const EVP_PKEY* key) {
  if (key == nullptr) return "none";
  switch (EVP_PKEY_get_base_id(key)) {
    case EVP_PKEY_RSA:
      return "RSA " + std::to_string(EVP_PKEY_get_bits(key));
    case EVP_PKEY_EC:
      return "EC " + CurveOf(key);
    case EVP_PKEY_ED25519:
      return "ED25519";
    case EVP_PKEY_ED448:
      return "ED448";
    default:
      return OBJ_nid2sn(EVP_PKEY_get_base_id(key));
  }
}

PKeyPtr GenerateKey(const std::string& spec, std::string* error) {
  ERR_clear_error();
  PKeyPtr key;
  if (spec.rfind("rsa:", 0) == 0) {
    size_t bits = std::strtoul(spec.c_str() + 4, nullptr, 10);
    if (bits < 1024 || bits > 16384) {
      *error = "RSA keys of " + spec.substr(4) + " bits are not supported";
      return nullptr;
    }
    key.reset(EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", bits));
  } else if (spec.rfind("ec:", 0) == 0) {
    key.reset(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", spec.c_str() + 3));
  } else if (spec == "ed25519") {
    key.reset(EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519"));
  } else if (spec == "ed448") {
    key.reset(EVP_PKEY_Q_keygen(nullptr, nullptr, "ED448"));
  } else {
    *error = "no key generator for '" + spec + "'";
    return nullptr;
  }
  if (!key) *error = "key generation (" + spec + ") failed: " + OsslError();
  return key;
}

PKeyPtr FreshKeyLike(const EVP_PKEY* like, std::string* error) {
  switch (EVP_PKEY_get_base_id(like)) {
    case EVP_PKEY_RSA:
      return GenerateKey("rsa:" + std::to_string(EVP_PKEY_get_bits(like)), error);
    case EVP_PKEY_EC:
      return GenerateKey("ec:" + CurveOf(like), error);
    case EVP_PKEY_ED25519:
      return GenerateKey("ed25519", error);
    case EVP_PKEY_ED448:
      return GenerateKey("ed448", error);
    default:
      *error = "cannot make a key like " + KeyTypeName(like);
      return nullptr;
  }
}

}  // namespace chaosrun::drivers::tls
