// Issue 12, proof "certificate generation": every fault kind made by the driver, verified with
// OpenSSL's X509_verify_cert against the test CA with the error each fault must produce, and
// the subject, SAN and key type kept where the fault promises it.
#include "tls/certgen.h"

#include <gtest/gtest.h>
#include <openssl/x509_vfy.h>

#include "unit/tls_driver/test_pki.h"

namespace chaosrun::drivers::tls::test {
namespace {

const std::vector<std::string> kSans = {"DNS:lab.example", "DNS:www.lab.example", "IP:127.0.0.1"};

class TlsCertgenTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    ca_ = MakeTestCa();
    leaf_ = IssueLeaf(ca_, "lab.example", kSans, GetParam());
    ASSERT_EQ(VerifyAgainst(ca_, leaf_.cert_pem, "lab.example"), X509_V_OK);
  }
  FaultOutput Make(Fault fault, bool with_issuer, bool with_key) {
    FaultInputs in;
    in.spec.path = "/srv/cert.pem";
    in.spec.key_path = with_key ? "/srv/key.pem" : "";
    in.spec.fault = fault;
    if (with_issuer) {
      in.spec.issuer_cert = "/srv/ca.pem";
      in.spec.issuer_key = "/srv/ca.key";
      in.issuer_cert = ca_.cert_pem;
      in.issuer_key = ca_.key_pem;
    }
    in.cert_pem = leaf_.cert_pem;
    if (with_key) in.key_pem = leaf_.key_pem;
    in.now = ::time(nullptr);
    return MakeFault(in);
  }
  // The subject, SAN and key of `pem` equal the original's.
  void ExpectSameNamesAndKey(const std::string& pem) {
    X509Ptr c = FirstCert(pem);
    ASSERT_TRUE(c);
    EXPECT_EQ(
        X509_NAME_cmp(X509_get_subject_name(c.get()), X509_get_subject_name(leaf_.cert.get())), 0);
    EXPECT_EQ(SubjectAltNames(c.get()), SubjectAltNames(leaf_.cert.get()));
    EXPECT_EQ(EVP_PKEY_eq(X509_get0_pubkey(c.get()), leaf_.key.get()), 1);
  }
  Issued ca_, leaf_;
};

TEST_P(TlsCertgenTest, ExpiredKeepsNamesAndKeyAndFailsOnlyOnTime) {
  FaultOutput out = Make(Fault::kExpired, true, false);
  ASSERT_EQ(out.error, "");
  EXPECT_EQ(VerifyAgainst(ca_, out.cert_file, "lab.example"), X509_V_ERR_CERT_HAS_EXPIRED);
  ExpectSameNamesAndKey(out.cert_file);
  EXPECT_LT(out.description["days_left"].get<double>(), 0);
  EXPECT_TRUE(out.key_file.empty());
}

TEST_P(TlsCertgenTest, NotYetValid) {
  FaultOutput out = Make(Fault::kNotYetValid, true, false);
  ASSERT_EQ(out.error, "");
  EXPECT_EQ(VerifyAgainst(ca_, out.cert_file, "lab.example"), X509_V_ERR_CERT_NOT_YET_VALID);
  ExpectSameNamesAndKey(out.cert_file);
}

TEST_P(TlsCertgenTest, WrongHostVerifiesButNotForTheHost) {
  FaultOutput out = Make(Fault::kWrongHost, true, false);
  ASSERT_EQ(out.error, "");
  EXPECT_EQ(VerifyAgainst(ca_, out.cert_file, ""), X509_V_OK);
  EXPECT_EQ(VerifyAgainst(ca_, out.cert_file, "lab.example"), X509_V_ERR_HOSTNAME_MISMATCH);
  EXPECT_EQ(VerifyAgainst(ca_, out.cert_file, "wrong-host.invalid"), X509_V_OK);
  X509Ptr c = FirstCert(out.cert_file);
  EXPECT_EQ(SubjectAltNames(c.get()), std::vector<std::string>{"wrong-host.invalid"});
  EXPECT_EQ(EVP_PKEY_eq(X509_get0_pubkey(c.get()), leaf_.key.get()), 1);
}

TEST_P(TlsCertgenTest, SelfSignedWithTheOriginalKey) {
  FaultOutput out = Make(Fault::kSelfSigned, false, true);
  ASSERT_EQ(out.error, "");
  EXPECT_EQ(VerifyAgainst(ca_, out.cert_file, "lab.example"),
            X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT);
  ExpectSameNamesAndKey(out.cert_file);
  X509Ptr c = FirstCert(out.cert_file);
  EXPECT_EQ(X509_verify(c.get(), leaf_.key.get()), 1);  // signed by its own key
}

TEST_P(TlsCertgenTest, SelfSignedWithoutKeyIsRefused) {
  FaultOutput out = Make(Fault::kSelfSigned, false, false);
  EXPECT_TRUE(out.invalid_argument);
  EXPECT_NE(out.error.find("key_path"), std::string::npos) << out.error;
}

TEST_P(TlsCertgenTest, UntrustedCa) {
  FaultOutput out = Make(Fault::kUntrustedCa, false, false);
  ASSERT_EQ(out.error, "");
  EXPECT_EQ(VerifyAgainst(ca_, out.cert_file, "lab.example"),
            X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY);
  ExpectSameNamesAndKey(out.cert_file);
}

TEST_P(TlsCertgenTest, NewKeyOfTheSameType) {
  FaultInputs in;
  in.spec.path = "/srv/cert.pem";
  in.spec.key_path = "/srv/key.pem";
  in.spec.fault = Fault::kExpired;
  in.spec.new_key = true;
  in.spec.issuer_cert = "/srv/ca.pem";
  in.spec.issuer_key = "/srv/ca.key";
  in.issuer_cert = ca_.cert_pem;
  in.issuer_key = ca_.key_pem;
  in.cert_pem = leaf_.cert_pem;
  in.key_pem = leaf_.key_pem;
  in.now = ::time(nullptr);
  FaultOutput out = MakeFault(in);
  ASSERT_EQ(out.error, "");
  std::string error;
  PKeyPtr fresh = ParsePrivateKey(out.key_file, &error);
  ASSERT_TRUE(fresh) << error;
  EXPECT_EQ(KeyTypeName(fresh.get()), KeyTypeName(leaf_.key.get()));
  EXPECT_NE(EVP_PKEY_eq(fresh.get(), leaf_.key.get()), 1);
  X509Ptr c = FirstCert(out.cert_file);
  EXPECT_EQ(X509_check_private_key(c.get(), fresh.get()), 1);
  EXPECT_EQ(VerifyAgainst(ca_, out.cert_file, "lab.example"), X509_V_ERR_CERT_HAS_EXPIRED);
}

INSTANTIATE_TEST_SUITE_P(KeyTypes, TlsCertgenTest,
                         ::testing::Values("ec:prime256v1", "rsa:2048", "ed25519"),
                         [](const ::testing::TestParamInfo<std::string>& p) {
                           std::string n = p.param;
                           for (char& c : n) {
                             if (c == ':') c = '_';
                           }
                           return n;
                         });

TEST(TlsCertgenGarbled, GarbleAndTruncateNeverParse) {
  Issued ca = MakeTestCa();
  Issued leaf = IssueLeaf(ca, "lab.example", kSans);
  for (bool truncate : {false, true}) {
    std::string bad = GarblePem(leaf.cert_pem, truncate);
    EXPECT_NE(bad, leaf.cert_pem);
    EXPECT_EQ(VerifyAgainst(ca, bad, ""), -1) << (truncate ? "truncate" : "garble");
    std::string error;
    EXPECT_TRUE(ParseCertificates(bad, &error).empty());
    if (truncate) {
      EXPECT_LT(bad.size(), leaf.cert_pem.size());
    }
  }
}

TEST(TlsCertgenIssuer, ExpiredWithoutIssuerIsRefusedNamingIt) {
  Issued ca = MakeTestCa();
  Issued leaf = IssueLeaf(ca, "lab.example", kSans);
  FaultInputs in;
  in.spec.path = "/srv/cert.pem";
  in.spec.fault = Fault::kExpired;
  in.cert_pem = leaf.cert_pem;
  in.now = ::time(nullptr);
  FaultOutput out = MakeFault(in);
  EXPECT_TRUE(out.invalid_argument);
  EXPECT_NE(out.error.find("issuer_cert and issuer_key"), std::string::npos) << out.error;
  // The wrong CA is refused too.
  Issued other = MakeTestCa();
  in.spec.issuer_cert = "/srv/other.pem";
  in.spec.issuer_key = "/srv/other.key";
  in.issuer_cert = other.cert_pem;
  in.issuer_key = ca.key_pem;
  out = MakeFault(in);
  EXPECT_NE(out.error.find("not the key of issuer_cert"), std::string::npos) << out.error;
}

TEST(TlsCertgenIssuer, SelfSignedOriginalExpiresWithItsOwnKey) {
  std::string error;
  PKeyPtr key = GenerateKey("ec:prime256v1", &error);
  CertRequest req;
  req.cn = "solo.example";
  req.sans = {"DNS:solo.example"};
  req.public_key = key.get();
  req.signer = key.get();
  req.not_before = ::time(nullptr) - 60;
  req.not_after = ::time(nullptr) + 86400;
  X509Ptr solo = BuildCertificate(req, &error);
  ASSERT_TRUE(solo) << error;
  FaultInputs in;
  in.spec.path = "/srv/cert.pem";
  in.spec.key_path = "/srv/key.pem";
  in.spec.fault = Fault::kExpired;
  in.cert_pem = CertificatePem(solo.get());
  in.key_pem = PrivateKeyPem(key.get());
  in.now = ::time(nullptr);
  FaultOutput out = MakeFault(in);
  ASSERT_EQ(out.error, "");
  X509Ptr c = FirstCert(out.cert_file);
  EXPECT_EQ(X509_verify(c.get(), key.get()), 1);
  EXPECT_LT(out.description["days_left"].get<double>(), 0);
}

TEST(TlsCertgenDescribe, IsoTimesAndDaysLeft) {
  EXPECT_EQ(IsoTime(0), "1970-01-01T00:00:00Z");
  Issued ca = MakeTestCa();
  Issued leaf = IssueLeaf(ca, "lab.example", kSans, "rsa:2048");
  auto d = DescribeCertificate(leaf.cert.get(), ::time(nullptr));
  EXPECT_NEAR(d["days_left"].get<double>(), 90, 0.1);
  EXPECT_EQ(d["key_type"], "RSA 2048");
  EXPECT_EQ(d["san"], nlohmann::json({"lab.example", "www.lab.example", "127.0.0.1"}));
  EXPECT_NE(d["subject"].get<std::string>().find("CN=lab.example"), std::string::npos);
  EXPECT_NE(d["issuer"].get<std::string>().find("CN=chaosrun test CA"), std::string::npos);
}

}  // namespace
}  // namespace chaosrun::drivers::tls::test
