// BuildCertificate and DescribeCertificate (certgen.h).
#include <openssl/asn1.h>
#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/x509v3.h>

#include <cmath>

#include "tls/certgen.h"

namespace chaosrun::drivers::tls {

namespace {

bool AddConfExtension(X509* cert, X509V3_CTX* ctx, int nid, const std::string& value) {
  X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, ctx, nid, value.c_str());
  if (ext == nullptr) return false;
  int ok = X509_add_ext(cert, ext, -1);
  X509_EXTENSION_free(ext);
  return ok == 1;
}

bool SetRandomSerial(X509* cert) {
  BIGNUM* bn = BN_new();
  bool ok = bn != nullptr && BN_rand(bn, 127, BN_RAND_TOP_ANY, BN_RAND_BOTTOM_ANY) == 1 &&
            BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(cert)) != nullptr;
  BN_free(bn);
  return ok;
}

bool ReplaceCn(X509_NAME* name, const std::string& cn) {
  int i = -1;
  while ((i = X509_NAME_get_index_by_NID(name, NID_commonName, -1)) >= 0) {
    X509_NAME_ENTRY_free(X509_NAME_delete_entry(name, i));
  }
  return X509_NAME_add_entry_by_NID(name, NID_commonName, MBSTRING_UTF8,
                                    reinterpret_cast<const unsigned char*>(cn.c_str()), -1, -1,
                                    0) == 1;
}

std::string JoinSans(const std::vector<std::string>& sans) {
  std::string out;
  for (const auto& s : sans) out += (out.empty() ? "" : ",") + s;
  return out;
}

bool IsEdwards(const EVP_PKEY* key) {
  int id = EVP_PKEY_get_base_id(key);
  return id == EVP_PKEY_ED25519 || id == EVP_PKEY_ED448;
}

std::string NameText(const X509_NAME* name) {
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (!bio || X509_NAME_print_ex(bio.get(), name, 0, XN_FLAG_RFC2253) < 0) return {};
  char* data = nullptr;
  long n = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<size_t>(n));
}

}  // namespace

time_t UnixTime(const ASN1_TIME* t) {
  struct tm tm {};
  if (t == nullptr || ASN1_TIME_to_tm(t, &tm) != 1) return 0;
  return timegm(&tm);
}

X509Ptr BuildCertificate(const CertRequest& req, std::string* error) {
  ERR_clear_error();
  auto fail = [&](const std::string& what) {
    *error = what + ": " + OsslError();
    return X509Ptr();
  };
  if (req.public_key == nullptr || req.signer == nullptr) {
    *error = "a certificate needs a public key and a signing key";
    return nullptr;
  }
  X509Ptr cert(X509_new());
  if (!cert || X509_set_version(cert.get(), 2) != 1 || !SetRandomSerial(cert.get())) {
    return fail("cannot start a certificate");
  }
  NamePtr subject(req.tmpl != nullptr ? X509_NAME_dup(X509_get_subject_name(req.tmpl))
                                      : X509_NAME_new());
  if (!subject) return fail("cannot copy the subject");
  if (!req.cn.empty() && !ReplaceCn(subject.get(), req.cn)) return fail("cannot set the CN");
  if (X509_set_subject_name(cert.get(), subject.get()) != 1 ||
      X509_set_issuer_name(cert.get(), req.issuer != nullptr ? X509_get_subject_name(req.issuer)
                                                             : subject.get()) != 1 ||
      X509_set_pubkey(cert.get(), req.public_key) != 1) {
    return fail("cannot set the names or the key");
  }
  if (ASN1_TIME_set(X509_getm_notBefore(cert.get()), req.not_before) == nullptr ||
      ASN1_TIME_set(X509_getm_notAfter(cert.get()), req.not_after) == nullptr) {
    return fail("cannot set the validity");
  }
  // Extensions: the template's, but never its key identifiers (recomputed below) and not its
  // SAN when new names are given.
  if (req.tmpl != nullptr) {
    for (int i = 0; i < X509_get_ext_count(req.tmpl); ++i) {
      X509_EXTENSION* ext = X509_get_ext(req.tmpl, i);
      int nid = OBJ_obj2nid(X509_EXTENSION_get_object(ext));
      if (nid == NID_subject_key_identifier || nid == NID_authority_key_identifier) continue;
      if (nid == NID_subject_alt_name && !req.sans.empty()) continue;
      if (X509_add_ext(cert.get(), ext, -1) != 1) return fail("cannot copy an extension");
    }
  }
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, req.issuer != nullptr ? req.issuer : cert.get(), cert.get(), nullptr,
                 nullptr, 0);
  if (req.tmpl == nullptr) {
    bool ok = req.ca
                  ? AddConfExtension(cert.get(), &ctx, NID_basic_constraints, "critical,CA:TRUE") &&
                        AddConfExtension(cert.get(), &ctx, NID_key_usage,
                                         "critical,keyCertSign,cRLSign,digitalSignature")
                  : AddConfExtension(cert.get(), &ctx, NID_basic_constraints, "CA:FALSE") &&
                        AddConfExtension(cert.get(), &ctx, NID_ext_key_usage, "serverAuth");
    if (!ok) return fail("cannot add the basic extensions");
  }
  if (!req.sans.empty() &&
      !AddConfExtension(cert.get(), &ctx, NID_subject_alt_name, JoinSans(req.sans))) {
    return fail("cannot set the subject alternative names");
  }
  if (!AddConfExtension(cert.get(), &ctx, NID_subject_key_identifier, "hash")) {
    return fail("cannot add the subject key identifier");
  }
  // The authority key identifier only when the issuer has a key identifier to point at (a
  // self-signed certificate points at its own, just added).
  X509* issuer = req.issuer != nullptr ? req.issuer : cert.get();
  if (X509_get_ext_by_NID(issuer, NID_subject_key_identifier, -1) >= 0 &&
      !AddConfExtension(cert.get(), &ctx, NID_authority_key_identifier, "keyid:always")) {
    return fail("cannot add the authority key identifier");
  }
  const EVP_MD* md = IsEdwards(req.signer) ? nullptr : EVP_sha256();
  if (X509_sign(cert.get(), req.signer, md) <= 0) return fail("cannot sign the certificate");
  return cert;
}

std::string IsoTime(time_t t) {
  struct tm tm {};
  gmtime_r(&t, &tm);
  char buf[32];
  strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

std::vector<std::string> SubjectAltNames(const X509* cert) {
  std::vector<std::string> out;
  auto* names =
      static_cast<GENERAL_NAMES*>(X509_get_ext_d2i(cert, NID_subject_alt_name, nullptr, nullptr));
  if (names == nullptr) return out;
  for (int i = 0; i < sk_GENERAL_NAME_num(names); ++i) {
    const GENERAL_NAME* g = sk_GENERAL_NAME_value(names, i);
    if (g->type == GEN_DNS) {
      // A DNS name is ASCII; any other byte of a hostile certificate is shown as \xNN, so the
      // probe's output stays valid UTF-8 and says what the certificate holds.
      const ASN1_IA5STRING* s = g->d.dNSName;
      const unsigned char* b = ASN1_STRING_get0_data(s);
      std::string name;
      for (int k = 0; k < ASN1_STRING_length(s); ++k) {
        if (b[k] >= 0x20 && b[k] < 0x7f) {
          name.push_back(static_cast<char>(b[k]));
        } else {
          static const char kHex[] = "0123456789abcdef";
          name += "\\x";
          name.push_back(kHex[b[k] >> 4]);
          name.push_back(kHex[b[k] & 0xf]);
        }
      }
      out.push_back(std::move(name));
    } else if (g->type == GEN_IPADD) {
      const ASN1_OCTET_STRING* ip = g->d.iPAddress;
      const unsigned char* b = ASN1_STRING_get0_data(ip);
      int n = ASN1_STRING_length(ip);
      char buf[64] = {0};
      if (n == 4) {
        snprintf(buf, sizeof(buf), "%u.%u.%u.%u", b[0], b[1], b[2], b[3]);
      } else if (n == 16) {
        std::string s;
        for (int k = 0; k < 16; k += 2) {
          char part[8];
          snprintf(part, sizeof(part), "%s%x", k == 0 ? "" : ":", (b[k] << 8) | b[k + 1]);
          s += part;
        }
        snprintf(buf, sizeof(buf), "%s", s.c_str());
      }
      out.emplace_back(buf);
    }
  }
  GENERAL_NAMES_free(names);
  return out;
}

nlohmann::json DescribeCertificate(const X509* cert, time_t now) {
  time_t nb = UnixTime(X509_get0_notBefore(cert));
  time_t na = UnixTime(X509_get0_notAfter(cert));
  double days_left = std::round((static_cast<double>(na) - static_cast<double>(now)) / 86.4) / 1000;
  return nlohmann::json{{"subject", NameText(X509_get_subject_name(cert))},
                        {"issuer", NameText(X509_get_issuer_name(cert))},
                        {"not_before", IsoTime(nb)},
                        {"not_after", IsoTime(na)},
                        {"days_left", days_left},
                        {"san", SubjectAltNames(cert)},
                        {"key_type", KeyTypeName(X509_get0_pubkey(cert))}};
}

}  // namespace chaosrun::drivers::tls
