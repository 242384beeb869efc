// replace_certificate in-process on files this test creates: prepare has no side effect and
// records the originals, apply replaces atomically keeping mode and owner, a failed reload
// restores at once (issue 12, proof "restore after a failed reload"), undo is idempotent.
#include <gtest/gtest.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <sstream>

#include "support/temp_dir.h"
#include "tls/actions.h"
#include "tls/files.h"
#include "unit/tls_driver/test_pki.h"

namespace chaosrun::drivers::tls::test {
namespace {

using nlohmann::json;

std::string Slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

struct Meta {
  mode_t mode;
  uid_t uid;
  gid_t gid;
};
Meta MetaOf(const std::string& path) {
  struct stat st {};
  EXPECT_EQ(::stat(path.c_str(), &st), 0) << path;
  return {st.st_mode & 07777, st.st_uid, st.st_gid};
}

class TlsReplaceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ca_ = MakeTestCa();
    leaf_ = IssueLeaf(ca_, "lab.example", {"DNS:lab.example"});
    dir_ = dir.path().string();
    cert_ = dir.Write("cert.pem", leaf_.cert_pem);
    key_ = dir.Write("key.pem", leaf_.key_pem);
    ca_path_ = dir.Write("ca.pem", ca_.cert_pem);
    ca_key_ = dir.Write("ca.key", ca_.key_pem);
    ASSERT_EQ(::chmod(cert_.c_str(), 0640), 0);
    ASSERT_EQ(::chmod(key_.c_str(), 0600), 0);
    // Root keeps another owner (the test runs as root in CI); otherwise our own is kept.
    if (::geteuid() == 0) {
      ASSERT_EQ(::chown(cert_.c_str(), 65534, 65534), 0);
      ASSERT_EQ(::chown(key_.c_str(), 65534, 65534), 0);
    }
    cert_meta_ = MetaOf(cert_);
    key_meta_ = MetaOf(key_);
  }
  json Args(const std::string& fault) {
    return json{{"path", cert_},
                {"key_path", key_},
                {"fault", fault},
                {"issuer_cert", ca_path_},
                {"issuer_key", ca_key_}};
  }
  void ExpectOriginal() {
    EXPECT_EQ(Sha256Hex(Slurp(cert_)), Sha256Hex(leaf_.cert_pem));
    EXPECT_EQ(Sha256Hex(Slurp(key_)), Sha256Hex(leaf_.key_pem));
    Meta c = MetaOf(cert_), k = MetaOf(key_);
    EXPECT_EQ(c.mode, cert_meta_.mode);
    EXPECT_EQ(c.uid, cert_meta_.uid);
    EXPECT_EQ(c.gid, cert_meta_.gid);
    EXPECT_EQ(k.mode, key_meta_.mode);
    EXPECT_EQ(k.uid, key_meta_.uid);
    EXPECT_EQ(k.gid, key_meta_.gid);
  }
  testing::TempDir dir;
  Issued ca_, leaf_;
  std::string dir_, cert_, key_, ca_path_, ca_key_;
  Meta cert_meta_{}, key_meta_{};
  Env env_;
};

TEST_F(TlsReplaceTest, PrepareRecordsOriginalsAndChangesNothing) {
  json args = Args("expired");
  args["new_key"] = true;
  sdk::Reply plan = Prepare("replace_certificate", args, env_);
  ASSERT_EQ(plan.status, CHAOSRUN_OK) << plan.value.dump();
  ExpectOriginal();
  EXPECT_EQ(plan.value["targets"], json({"file:" + cert_, "file:" + key_}));
  const json& files = plan.value["undo"]["files"];
  ASSERT_EQ(files.size(), 2u);
  EXPECT_EQ(files[0]["sha256"], Sha256Hex(leaf_.cert_pem));
  EXPECT_EQ(files[0]["mode"], 0640);
  EXPECT_EQ(files[0]["uid"], cert_meta_.uid);
  EXPECT_EQ(files[1]["role"], "key");
  std::string decoded;
  ASSERT_TRUE(Base64Decode(files[1]["bytes_b64"].get<std::string>(), &decoded));
  EXPECT_EQ(decoded, leaf_.key_pem);
  // Outside "undo" the plan (which the journal shows) carries no file bytes.
  json shown = plan.value;
  shown.erase("undo");
  EXPECT_EQ(shown.dump().find("PRIVATE KEY"), std::string::npos);
  EXPECT_EQ(shown.dump().find(files[1]["bytes_b64"].get<std::string>().substr(0, 40)),
            std::string::npos);
}

TEST_F(TlsReplaceTest, ApplyThenUndoRestoresBytesModeAndOwner) {
  std::string marker = dir_ + "/reloads";
  json args = Args("expired");
  args["new_key"] = true;
  args["reload"] = {{"command", {"sh", "-c", "echo x >> " + marker}}};
  sdk::Reply plan = Prepare("replace_certificate", args, env_);
  ASSERT_EQ(plan.status, CHAOSRUN_OK) << plan.value.dump();
  sdk::Reply applied = Apply("replace_certificate", plan.value, env_);
  ASSERT_EQ(applied.status, CHAOSRUN_OK) << applied.value.dump();
  EXPECT_EQ(Slurp(marker), "x\n");
  EXPECT_EQ(VerifyAgainst(ca_, Slurp(cert_), "lab.example"), X509_V_ERR_CERT_HAS_EXPIRED);
  EXPECT_NE(Slurp(key_), leaf_.key_pem);
  Meta c = MetaOf(cert_), k = MetaOf(key_);
  EXPECT_EQ(c.mode, 0640u);
  EXPECT_EQ(c.uid, cert_meta_.uid);
  EXPECT_EQ(k.mode, 0600u);
  EXPECT_EQ(k.gid, key_meta_.gid);
  // No temporary file is left beside them.
  int entries = 0;
  for (const auto& e : std::filesystem::directory_iterator(dir_)) entries += e.is_regular_file();
  EXPECT_EQ(entries, 5);  // cert, key, ca, ca.key, reloads

  sdk::Reply undone = Undo("replace_certificate", plan.value["undo"], env_);
  ASSERT_EQ(undone.status, CHAOSRUN_OK) << undone.value.dump();
  ExpectOriginal();
  EXPECT_EQ(undone.value["restored"].size(), 2u);
  EXPECT_EQ(Slurp(marker), "x\nx\n");
  // Twice: nothing to restore; still OK.
  undone = Undo("replace_certificate", plan.value["undo"], env_);
  ASSERT_EQ(undone.status, CHAOSRUN_OK) << undone.value.dump();
  EXPECT_TRUE(undone.value["restored"].empty());
  ExpectOriginal();
}

TEST_F(TlsReplaceTest, UndoWithoutApplyIsHarmless) {
  sdk::Reply plan = Prepare("replace_certificate", Args("untrusted_ca"), env_);
  ASSERT_EQ(plan.status, CHAOSRUN_OK) << plan.value.dump();
  sdk::Reply undone = Undo("replace_certificate", plan.value["undo"], env_);
  ASSERT_EQ(undone.status, CHAOSRUN_OK) << undone.value.dump();
  EXPECT_TRUE(undone.value["restored"].empty());
  ExpectOriginal();
}

TEST_F(TlsReplaceTest, FailedReloadRestoresAtOnceAndFails) {
  std::string marker = dir_ + "/reloads";
  json args = Args("expired");
  args["new_key"] = true;
  // Exits 1 the first time (after the fault), 0 the second (after the restore).
  args["reload"] = {{"command",
                     {"sh", "-c",
                      "if [ -e " + marker + " ]; then echo again >> " + marker +
                          "; exit 0; fi; echo first > " + marker + "; echo nope >&2; exit 1"}}};
  sdk::Reply plan = Prepare("replace_certificate", args, env_);
  ASSERT_EQ(plan.status, CHAOSRUN_OK) << plan.value.dump();
  sdk::Reply applied = Apply("replace_certificate", plan.value, env_);
  ASSERT_EQ(applied.status, CHAOSRUN_FAILED) << applied.value.dump();
  std::string why = applied.value["error"];
  EXPECT_NE(why.find("reload failed"), std::string::npos) << why;
  EXPECT_NE(why.find("exit status 1"), std::string::npos) << why;
  EXPECT_NE(why.find("nope"), std::string::npos) << why;
  EXPECT_NE(why.find("the original was restored and reloaded"), std::string::npos) << why;
  ExpectOriginal();
  EXPECT_EQ(Slurp(marker), "first\nagain\n");
  // The host still runs the undo: harmless.
  sdk::Reply undone = Undo("replace_certificate", plan.value["undo"], env_);
  EXPECT_EQ(undone.status, CHAOSRUN_OK) << undone.value.dump();
  ExpectOriginal();
}

TEST_F(TlsReplaceTest, ReloadToAMissingPidfileRestoresAndFails) {
  json args = Args("wrong_host");
  args["reload"] = {{"signal", "HUP"}, {"pidfile", dir_ + "/missing.pid"}};
  sdk::Reply plan = Prepare("replace_certificate", args, env_);
  ASSERT_EQ(plan.status, CHAOSRUN_OK) << plan.value.dump();
  sdk::Reply applied = Apply("replace_certificate", plan.value, env_);
  ASSERT_EQ(applied.status, CHAOSRUN_FAILED);
  std::string why = applied.value["error"];
  EXPECT_NE(why.find("cannot read the pidfile"), std::string::npos) << why;
  EXPECT_NE(why.find("reloading it failed"), std::string::npos) << why;
  ExpectOriginal();
}

TEST_F(TlsReplaceTest, SignalToAPidAndAFailedReloadAfterTheUndoIsRetried) {
  // A child of ours whose default action for SIGUSR1 is to die: its exit status proves the
  // signal arrived. Once reaped, its pid names nobody and the next reload fails.
  pid_t child = -1;
  char sleep_arg[] = "sleep", sixty[] = "60";
  char* argv[] = {sleep_arg, sixty, nullptr};
  ASSERT_EQ(::posix_spawnp(&child, "sleep", nullptr, nullptr, argv, environ), 0);
  json args = Args("untrusted_ca");
  args["reload"] = {{"signal", "USR1"}, {"pid", child}};
  sdk::Reply plan = Prepare("replace_certificate", args, env_);
  ASSERT_EQ(plan.status, CHAOSRUN_OK) << plan.value.dump();
  sdk::Reply applied = Apply("replace_certificate", plan.value, env_);
  ASSERT_EQ(applied.status, CHAOSRUN_OK) << applied.value.dump();
  EXPECT_EQ(applied.value["reload"], "SIGUSR1 sent to pid " + std::to_string(child));
  int status = 0;
  ASSERT_EQ(::waitpid(child, &status, 0), child);
  EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGUSR1);
  // The undo restores, then its reload fails: the undo fails (the host retries it).
  sdk::Reply undone = Undo("replace_certificate", plan.value["undo"], env_);
  EXPECT_EQ(undone.status, CHAOSRUN_FAILED);
  EXPECT_NE(undone.value["error"].get<std::string>().find("restored, but the reload failed"),
            std::string::npos)
      << undone.value.dump();
  ExpectOriginal();
  // The retry finds the original in place, tries the reload again and reports its failure.
  undone = Undo("replace_certificate", plan.value["undo"], env_);
  EXPECT_EQ(undone.status, CHAOSRUN_OK) << undone.value.dump();
  EXPECT_NE(undone.value["reload_error"].get<std::string>().find("no process with pid"),
            std::string::npos);
}

TEST_F(TlsReplaceTest, UndoLeavesAFileSomeoneElseChanged) {
  sdk::Reply plan = Prepare("replace_certificate", Args("garbled"), env_);
  ASSERT_EQ(plan.status, CHAOSRUN_OK) << plan.value.dump();
  ASSERT_EQ(Apply("replace_certificate", plan.value, env_).status, CHAOSRUN_OK);
  EXPECT_EQ(VerifyAgainst(ca_, Slurp(cert_), ""), -1);
  std::string renewed = IssueLeaf(ca_, "lab.example", {"DNS:lab.example"}).cert_pem;
  ASSERT_EQ(WriteFileAtomically(cert_, renewed, 0640, cert_meta_.uid, cert_meta_.gid), "");
  sdk::Reply undone = Undo("replace_certificate", plan.value["undo"], env_);
  EXPECT_EQ(undone.status, CHAOSRUN_FAILED);
  EXPECT_NE(undone.value["error"].get<std::string>().find("changed by someone else"),
            std::string::npos);
  EXPECT_EQ(Slurp(cert_), renewed);
}

TEST_F(TlsReplaceTest, ApplyRefusesWhenTheFileChangedSincePrepare) {
  sdk::Reply plan = Prepare("replace_certificate", Args("not_yet_valid"), env_);
  ASSERT_EQ(plan.status, CHAOSRUN_OK);
  std::string renewed = IssueLeaf(ca_, "lab.example", {"DNS:lab.example"}).cert_pem;
  ASSERT_EQ(WriteFileAtomically(cert_, renewed, 0640, cert_meta_.uid, cert_meta_.gid), "");
  sdk::Reply applied = Apply("replace_certificate", plan.value, env_);
  EXPECT_EQ(applied.status, CHAOSRUN_FAILED);
  EXPECT_EQ(Slurp(cert_), renewed);
}

TEST_F(TlsReplaceTest, SymlinkIsResolvedAndKept) {
  std::string link = dir_ + "/live.pem";
  ASSERT_EQ(::symlink(cert_.c_str(), link.c_str()), 0);
  json args = Args("self_signed");
  args["path"] = dir_ + "/../" + dir.path().filename().string() + "/live.pem";
  sdk::Reply plan = Prepare("replace_certificate", args, env_);
  ASSERT_EQ(plan.status, CHAOSRUN_OK) << plan.value.dump();
  EXPECT_EQ(plan.value["targets"], json({"file:" + cert_}));
  ASSERT_EQ(Apply("replace_certificate", plan.value, env_).status, CHAOSRUN_OK);
  struct stat st {};
  ASSERT_EQ(::lstat(link.c_str(), &st), 0);
  EXPECT_TRUE(S_ISLNK(st.st_mode));
  EXPECT_EQ(VerifyAgainst(ca_, Slurp(link), ""), X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT);
  ASSERT_EQ(Undo("replace_certificate", plan.value["undo"], env_).status, CHAOSRUN_OK);
  ExpectOriginal();
}

TEST_F(TlsReplaceTest, BadArgumentsNameTheField) {
  auto why = [&](json args) {
    sdk::Reply r = Prepare("replace_certificate", args, env_);
    EXPECT_EQ(r.status, CHAOSRUN_INVALID_ARGUMENT) << args.dump();
    return r.value.value("error", std::string());
  };
  json a = Args("expired");
  a["colour"] = 1;
  EXPECT_NE(why(a).find("unknown argument 'colour'"), std::string::npos);
  a = Args("melted");
  EXPECT_NE(why(a).find("fault: 'melted'"), std::string::npos);
  a = Args("expired");
  a["mode"] = "truncate";
  EXPECT_NE(why(a).find("mode: only for the garbled"), std::string::npos);
  a = Args("expired");
  a["reload"] = {{"signal", "HUP"}};
  EXPECT_NE(why(a).find("reload: a signal reload needs exactly one of pid, pidfile"),
            std::string::npos);
  a = Args("expired");
  a["reload"] = {{"signal", "HUP"}, {"pid", 1}};
  EXPECT_NE(why(a).find("reload/pid"), std::string::npos);
  a = Args("expired");
  a["path"] = "relative.pem";
  EXPECT_NE(why(a).find("path: must be an absolute path"), std::string::npos);
  a = Args("expired");
  a.erase("issuer_key");
  EXPECT_NE(why(a).find("issuer_cert and issuer_key"), std::string::npos);
  EXPECT_EQ(Prepare("replace_key", Args("expired"), env_).status, CHAOSRUN_UNSUPPORTED);
  ExpectOriginal();
}

}  // namespace
}  // namespace chaosrun::drivers::tls::test
