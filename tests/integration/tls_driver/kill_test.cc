// Issue 12, proof "killed mid-flight": the real `chaosrun run` applies replace_certificate
// (the built libchaosrun_tls.so, found in the build's drivers directory) and is SIGKILLed while
// the fault is applied: the method's next step is a process activity that marks it reached it
// (a file) and then blocks on a fifo this test controls. `chaosrun recover --state-dir` then
// restores the original certificate and key, compared by SHA-256, and empties the ledger.
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

TEST(TlsKillTest, RecoverRestoresTheCertificateAfterSigkill) {
  testing::TempDir tmp;
  std::string dir = tmp.path().string();
  std::string files = dir + "/srv";
  std::string state = dir + "/state";
  ASSERT_EQ(::mkdir(files.c_str(), 0755), 0);
  LabPki pki = WriteLabPki(files);
  std::string gate = dir + "/go";
  ASSERT_EQ(::mkfifo(gate.c_str(), 0600), 0);
  std::string reloads = dir + "/reloads";

  json experiment = ExpireExperiment(pki, reloads, dir);
  std::string exp_path = dir + "/experiment.json";
  std::ofstream(exp_path) << experiment.dump(2);

  pid_t runner = StartChild({CHAOSRUN_BINARY, "run", "--state-dir", state, "--journal-path",
                             dir + "/journal.json", exp_path},
                            dir + "/run.log");
  ASSERT_GT(runner, 0);
  bool reached = PollUntil([&] { return ::access((dir + "/at").c_str(), F_OK) == 0; },
                           std::chrono::seconds(60));
  ASSERT_TRUE(reached) << ReadAll(dir + "/run.log");
  // The fault is applied: the certificate and the key are the fault's, the ledger holds it.
  EXPECT_NE(Sha256Hex(ReadAll(pki.cert)), Sha256Hex(pki.leaf.cert_pem));
  EXPECT_NE(Sha256Hex(ReadAll(pki.key)), Sha256Hex(pki.leaf.key_pem));
  EXPECT_EQ(ReadAll(reloads), "reload\n");
  // The ledger (0600) holds the undo with the original key's bytes (docs/tls.md says so).
  std::string ledger = state + "/ledger.jsonl";
  struct stat st {};
  ASSERT_EQ(::stat(ledger.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  EXPECT_NE(ReadAll(ledger).find(Base64Encode(pki.leaf.key_pem)), std::string::npos);
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

}  // namespace
}  // namespace chaosrun::drivers::tls::itest
