// Issue 12, proof against a REAL nginx (/usr/sbin/nginx, our own instance on 127.0.0.1 with a
// temp prefix and a CA made here): the probe verifies the served certificate; replace_certificate
// with fault expired and a SIGHUP through nginx's pidfile makes the probe report "certificate
// has expired" (polled with a cap until nginx has reloaded); the undo brings back the original,
// byte-identical, and the probe verifies again. The same for the other fault kinds' verdicts.
#include <gtest/gtest.h>
#include <unistd.h>

#include "integration/tls_driver/tls_harness.h"
#include "support/temp_dir.h"
#include "tls/actions.h"
#include "tls/files.h"

namespace chaosrun::drivers::tls::itest {
namespace {

using nlohmann::json;

class TlsNginxTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (::access(kNginx, X_OK) != 0) GTEST_SKIP() << kNginx << " is not installed";
    dir_ = tmp_.path().string();
    pki_ = WriteLabPki(dir_);
    std::string error;
    ASSERT_TRUE(nginx_.Start(dir_, &error)) << error;
  }
  json ProbeArgs() const {
    return json{{"host", "127.0.0.1"},
                {"port", nginx_.port()},
                {"sni", "lab.example"},
                {"ca_file", pki_.ca_pem},
                {"timeout", 5}};
  }
  json ProbeNow() {
    sdk::Reply r = Probe("tls_certificate", ProbeArgs(), env_);
    EXPECT_EQ(r.status, CHAOSRUN_OK) << r.value.dump();
    return r.value;
  }
  // Polls the probe (capped) until its verify_error is `want`; returns the last result.
  json ProbeUntil(const std::string& want) {
    json last;
    PollUntil([&] {
      last = ProbeNow();
      return last.value("verify_error", "") == want;
    });
    return last;
  }
  // One fault end to end: apply with a HUP via the pidfile, see `verdict`, undo, verified again.
  void Drill(json args, const std::string& verdict) {
    args["path"] = pki_.cert;
    args["reload"] = {{"signal", "HUP"}, {"pidfile", nginx_.pidfile()}};
    sdk::Reply plan = Prepare("replace_certificate", args, env_);
    ASSERT_EQ(plan.status, CHAOSRUN_OK) << plan.value.dump();
    sdk::Reply applied = Apply("replace_certificate", plan.value, env_);
    ASSERT_EQ(applied.status, CHAOSRUN_OK) << applied.value.dump();
    EXPECT_NE(applied.value["reload"].get<std::string>().find("SIGHUP sent to pid"),
              std::string::npos);
    json seen = ProbeUntil(verdict);
    EXPECT_EQ(seen["verify_error"], verdict) << seen.dump() << nginx_.Log();
    EXPECT_EQ(seen["verified"], false);
    sdk::Reply undone = Undo("replace_certificate", plan.value["undo"], env_);
    ASSERT_EQ(undone.status, CHAOSRUN_OK) << undone.value.dump();
    EXPECT_EQ(Sha256Hex(ReadAll(pki_.cert)), Sha256Hex(pki_.leaf.cert_pem));
    json back = ProbeUntil("ok");
    EXPECT_EQ(back["verified"], true) << back.dump() << nginx_.Log();
  }
  testing::TempDir tmp_;
  std::string dir_;
  LabPki pki_;
  Nginx nginx_;
  Env env_;
};

TEST_F(TlsNginxTest, ProbeDescribesTheServedCertificate) {
  json r = ProbeNow();
  EXPECT_EQ(r["verified"], true) << r.dump();
  EXPECT_EQ(r["verify_error"], "ok");
  EXPECT_NEAR(r["days_left"].get<double>(), 90, 0.1);
  EXPECT_EQ(r["san"], json({"lab.example", "127.0.0.1"}));
  EXPECT_NE(r["subject"].get<std::string>().find("CN=lab.example"), std::string::npos);
  EXPECT_NE(r["issuer"].get<std::string>().find("CN=chaosrun test CA"), std::string::npos);
  // Another name, and the system store (which does not hold our CA), do not verify.
  json args = ProbeArgs();
  args["sni"] = "other.example";
  sdk::Reply other = Probe("tls_certificate", args, env_);
  EXPECT_EQ(other.value["verify_error"], "hostname mismatch") << other.value.dump();
  args.erase("ca_file");
  args["sni"] = "lab.example";
  sdk::Reply system = Probe("tls_certificate", args, env_);
  EXPECT_EQ(system.value["verified"], false) << system.value.dump();
}

TEST_F(TlsNginxTest, ExpiredThroughPidfileHupThenUndo) {
  Drill(json{{"fault", "expired"}, {"issuer_cert", pki_.ca_pem}, {"issuer_key", pki_.ca_key}},
        "certificate has expired");
}

TEST_F(TlsNginxTest, OtherFaultsAsTheClientSeesThem) {
  Drill(json{{"fault", "not_yet_valid"}, {"issuer_cert", pki_.ca_pem}, {"issuer_key", pki_.ca_key}},
        "certificate is not yet valid");
  Drill(json{{"fault", "wrong_host"}, {"issuer_cert", pki_.ca_pem}, {"issuer_key", pki_.ca_key}},
        "hostname mismatch");
  Drill(json{{"fault", "self_signed"}, {"key_path", pki_.key}}, "self-signed certificate");
  Drill(json{{"fault", "untrusted_ca"}}, "unable to get local issuer certificate");
}

TEST_F(TlsNginxTest, ProbeNeverHangsOnASilentServer) {
  // A listener that accepts (the kernel completes the handshake) and never speaks TLS.
  int port = UnusedPort();
  pid_t nc =
      StartChild({"python3", "-c",
                  "import socket,time\n"
                  "s=socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)\n"
                  "s.bind(('127.0.0.1'," +
                      std::to_string(port) +
                      ")); s.listen(8)\n"
                      "open('" +
                      dir_ +
                      "/silent.up','w').close()\n"
                      "c=s.accept(); time.sleep(60)\n"});
  ASSERT_TRUE(PollUntil([&] { return ::access((dir_ + "/silent.up").c_str(), F_OK) == 0; }));
  sdk::Reply r =
      Probe("tls_certificate", json{{"host", "127.0.0.1"}, {"port", port}, {"timeout", 0.3}}, env_);
  EXPECT_EQ(r.status, CHAOSRUN_FAILED);
  EXPECT_NE(r.value["error"].get<std::string>().find("timed out"), std::string::npos)
      << r.value.dump();
  ::kill(nc, SIGKILL);
  WaitChild(nc);
}

}  // namespace
}  // namespace chaosrun::drivers::tls::itest
