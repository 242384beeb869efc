// The real `chaosrun run` with the built libchaosrun_tls.so, to completion: the fault (with
// new_key) is applied and undone at the end of the run, certificate and key are byte-identical
// afterwards, the ledger is empty, and neither key's bytes reach the journal or the output.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <fstream>

#include "integration/tls_driver/tls_harness.h"
#include "support/temp_dir.h"
#include "tls/files.h"

namespace chaosrun::drivers::tls::itest {
namespace {

// The base64 body of a PEM text, without its armour lines and newlines.
std::string PemBody(const std::string& pem) {
  std::string out;
  size_t pos = 0;
  while (pos < pem.size()) {
    size_t nl = pem.find('\n', pos);
    std::string line = pem.substr(pos, nl == std::string::npos ? std::string::npos : nl - pos);
    if (line.rfind("-----", 0) != 0) out += line;
    pos = nl == std::string::npos ? pem.size() : nl + 1;
  }
  return out;
}

TEST(TlsRunTest, TheRunUndoesTheFaultAndKeepsKeysOutOfTheJournal) {
  testing::TempDir tmp;
  std::string dir = tmp.path().string();
  std::string files = dir + "/srv";
  ASSERT_EQ(::mkdir(files.c_str(), 0755), 0);
  LabPki pki = WriteLabPki(files);
  std::string reloads = dir + "/reloads";
  std::string exp_path = dir + "/experiment.json";
  std::ofstream(exp_path) << ExpireExperiment(pki, reloads, "").dump(2);
  std::string journal = dir + "/journal.json";
  pid_t run = StartChild(
      {CHAOSRUN_BINARY, "run", "--state-dir", dir + "/state", "--journal-path", journal, exp_path},
      dir + "/run.log");
  EXPECT_EQ(WaitChild(run), 0) << ReadAll(dir + "/run.log");
  EXPECT_EQ(Sha256Hex(ReadAll(pki.cert)), Sha256Hex(pki.leaf.cert_pem));
  EXPECT_EQ(Sha256Hex(ReadAll(pki.key)), Sha256Hex(pki.leaf.key_pem));
  EXPECT_EQ(ReadAll(reloads), "reload\nreload\n");  // after the fault, after the undo
  struct stat st {};
  ASSERT_EQ(::stat((dir + "/state/ledger.jsonl").c_str(), &st), 0);
  EXPECT_EQ(st.st_size, 0);  // every fault reverted: the ledger is truncated

  std::string text = ReadAll(journal) + ReadAll(dir + "/run.log");
  auto j = nlohmann::json::parse(ReadAll(journal));
  EXPECT_EQ(j["status"], "completed") << j.dump(2);
  EXPECT_EQ(j["run"][0]["output"]["result"]["certificate"]["days_left"].get<double>() < 0, true)
      << j["run"][0].dump(2);
  EXPECT_EQ(text.find("PRIVATE KEY"), std::string::npos);
  EXPECT_EQ(text.find(PemBody(pki.leaf.key_pem).substr(0, 48)), std::string::npos);
  EXPECT_EQ(text.find("bytes_b64"), std::string::npos);
}

}  // namespace
}  // namespace chaosrun::drivers::tls::itest
