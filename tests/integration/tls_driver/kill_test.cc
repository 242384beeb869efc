// Issue 12, proof "killed mid-flight", for every fault kind of replace_certificate: the real
// `chaosrun run` applies the fault (the built libchaosrun_tls.so, found in the build's drivers
// directory) and is SIGKILLed while it is applied: the method's next step is a process activity
// that marks it reached it (a file) and then blocks on a fifo this test controls.
// `chaosrun recover --state-dir` then restores the original certificate and key, compared by
// SHA-256, and empties the ledger.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>

#include "integration/tls_driver/tls_harness.h"
#include "support/temp_dir.h"
#include "tls/files.h"

namespace chaosrun::drivers::tls::itest {
namespace {

using nlohmann::json;

void OpenFifoForWriting(const std::string& path) {
  int fd = ::open(path.c_str(), O_WRONLY | O_NONBLOCK | O_CLOEXEC);
  if (fd >= 0) {
    (void)!::write(fd, "x", 1);
    ::close(fd);
  }
}

struct KillCase {
  std::string fault;
  bool issuer;   // issuer_cert/issuer_key given (the lab CA)
  bool key;      // key_path given
  bool new_key;  // the key file is replaced too
  json extra;    // further arguments
};

class TlsKillTest : public ::testing::TestWithParam<KillCase> {};

TEST_P(TlsKillTest, RecoverRestoresTheCertificateAfterSigkill) {
  const KillCase& c = GetParam();
  testing::TempDir tmp;
  std::string dir = tmp.path().string();
  std::string files = dir + "/srv";
  std::string state = dir + "/state";
  ASSERT_EQ(::mkdir(files.c_str(), 0755), 0);
  LabPki pki = WriteLabPki(files);
  std::string gate = dir + "/go";
  ASSERT_EQ(::mkfifo(gate.c_str(), 0600), 0);
  std::string reloads = dir + "/reloads";

  json args = c.extra;
  args["fault"] = c.fault;
  if (c.issuer) {
    args["issuer_cert"] = pki.ca_pem;
    args["issuer_key"] = pki.ca_key;
  }
  if (c.key) args["key_path"] = pki.key;
  if (c.new_key) args["new_key"] = true;
  json experiment = FaultExperiment(pki, reloads, dir, args);
  std::string exp_path = dir + "/experiment.json";
  std::ofstream(exp_path) << experiment.dump(2);

  pid_t runner = StartChild({CHAOSRUN_BINARY, "run", "--state-dir", state, "--journal-path",
                             dir + "/journal.json", exp_path},
                            dir + "/run.log");
  ASSERT_GT(runner, 0);
  bool reached = PollUntil([&] { return ::access((dir + "/at").c_str(), F_OK) == 0; },
                           std::chrono::seconds(60));
  ASSERT_TRUE(reached) << ReadAll(dir + "/run.log");
  // The fault is applied: the certificate (and with new_key the key) is the fault's, the
  // ledger holds it.
  EXPECT_NE(Sha256Hex(ReadAll(pki.cert)), Sha256Hex(pki.leaf.cert_pem));
  if (c.new_key) {
    EXPECT_NE(Sha256Hex(ReadAll(pki.key)), Sha256Hex(pki.leaf.key_pem));
  } else {
    EXPECT_EQ(Sha256Hex(ReadAll(pki.key)), Sha256Hex(pki.leaf.key_pem));
  }
  EXPECT_EQ(ReadAll(reloads), "reload\n");
  // The ledger (0600) holds the undo; with new_key, the original key's bytes (docs/tls.md says
  // so), else never the key.
  std::string ledger = state + "/ledger.jsonl";
  struct stat st {};
  ASSERT_EQ(::stat(ledger.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  EXPECT_NE(ReadAll(ledger).find(Base64Encode(pki.leaf.cert_pem)), std::string::npos);
  EXPECT_EQ(ReadAll(ledger).find(Base64Encode(pki.leaf.key_pem)) != std::string::npos, c.new_key);
  ASSERT_EQ(::kill(runner, SIGKILL), 0);
  EXPECT_EQ(WaitChild(runner), 128 + SIGKILL);
  OpenFifoForWriting(gate);  // the orphaned gate ends (cat sees its byte and EOF)
  EXPECT_NE(Sha256Hex(ReadAll(pki.cert)), Sha256Hex(pki.leaf.cert_pem));

  pid_t recover =
      StartChild({CHAOSRUN_BINARY, "recover", "--state-dir", state}, dir + "/recover.log");
  EXPECT_EQ(WaitChild(recover), 0) << ReadAll(dir + "/recover.log");
  EXPECT_EQ(Sha256Hex(ReadAll(pki.cert)), Sha256Hex(pki.leaf.cert_pem));
  EXPECT_EQ(Sha256Hex(ReadAll(pki.key)), Sha256Hex(pki.leaf.key_pem));
  EXPECT_EQ(ReadAll(reloads), "reload\nreload\n");
  EXPECT_EQ(ReadAll(ledger), "");
  // A second recover finds nothing to do.
  pid_t again =
      StartChild({CHAOSRUN_BINARY, "recover", "--state-dir", state}, dir + "/recover2.log");
  EXPECT_EQ(WaitChild(again), 0) << ReadAll(dir + "/recover2.log");
  EXPECT_EQ(Sha256Hex(ReadAll(pki.cert)), Sha256Hex(pki.leaf.cert_pem));
}

INSTANTIATE_TEST_SUITE_P(
    EveryFault, TlsKillTest,
    ::testing::Values(KillCase{"expired", true, true, true, json::object()},
                      KillCase{"not_yet_valid", true, true, false, json{{"days", 3}}},
                      KillCase{"wrong_host", true, true, true, json::object()},
                      KillCase{"self_signed", false, true, false, json::object()},
                      KillCase{"untrusted_ca", false, true, true, json::object()},
                      KillCase{"garbled", false, false, false, json{{"mode", "garble"}}},
                      KillCase{"garbled", false, false, false, json{{"mode", "truncate"}}}),
    [](const ::testing::TestParamInfo<KillCase>& p) {
      return p.param.fault +
             (p.param.extra.contains("mode") ? "_" + p.param.extra["mode"].get<std::string>() : "");
    });

}  // namespace
}  // namespace chaosrun::drivers::tls::itest
