// deploy/kubernetes/*.yaml, checked without a cluster. `kubectl apply --dry-run=client` (and
// `kubectl create --dry-run=client -f`) must ask an API server for its type discovery even with
// --validate=false, so nothing of kubectl can check a file offline (docs/daemon.md, "Fleets").
// Instead: a schema test over the fields these manifests use (known keys per object, so a typo
// is caught; the fields a CronJob, a Job's pod and a DaemonSet need; the security settings; every
// reference between the objects), plus the daemon's own check of the DaemonSet's configuration
// and `chaosrun validate` on every experiment of a ConfigMap.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <spawn.h>
#include <sys/wait.h>
#include <yaml-cpp/yaml.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <set>
#include <sstream>

#include "common/json.h"
#include "support/process_helpers.h"
#include "support/temp_dir.h"

extern char** environ;

namespace chaosrun::deploy_test {
namespace {

namespace fs = std::filesystem;
using Keys = std::set<std::string>;

const std::string kDir = std::string(CHAOSRUN_SOURCE_DIR) + "/deploy/kubernetes";

std::vector<YAML::Node> Documents(const std::string& file) {
  std::vector<YAML::Node> docs;
  for (const auto& d : YAML::LoadAllFromFile(kDir + "/" + file)) {
    if (d.IsDefined() && !d.IsNull()) docs.push_back(d);
  }
  return docs;
}

YAML::Node Find(const std::vector<YAML::Node>& docs, const std::string& kind) {
  for (const auto& d : docs) {
    if (d["kind"].as<std::string>("") == kind) return d;
  }
  return YAML::Node();
}

bool HasName(const std::vector<YAML::Node>& docs, const std::string& kind,
             const std::string& name) {
  for (const auto& d : docs) {
    if (d["kind"].as<std::string>("") == kind && d["metadata"]["name"].as<std::string>("") == name)
      return true;
  }
  return false;
}

std::string ReadAll(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Runs `argv` with stdout and stderr in `log`; its exit code (-1 when it could not start).
int RunTool(std::vector<std::string> argv, const std::string& log) {
  chaosrun::testing::SpawnFiles files;
  files.stdout_path = log;
  files.stderr_to_stdout = true;
  files.mode = 0600;
  return chaosrun::testing::RunWithFiles(argv, files);
}

// `chaosrun validate` on an experiment of a ConfigMap (the installed drivers of this build are
// the ones an image built from it would have), as a file named as in the ConfigMap.
void ExpectValid(const std::string& name, const std::string& text) {
  testing::TempDir tmp;
  std::string path = tmp.Write(name, text);
  std::string log = tmp.path().string() + "/validate.log";
  EXPECT_EQ(RunTool({CHAOSRUN_BINARY, "validate", path}, log), 0)
      << name << ": chaosrun validate:\n"
      << ReadAll(log);
}

// Every key of `node` is one of `known` (a misspelt field is silently dropped by Kubernetes).
void OnlyKnownKeys(const YAML::Node& node, const Keys& known, const std::string& where) {
  ASSERT_TRUE(node.IsMap()) << where << " is not a mapping";
  for (const auto& kv : node) {
    std::string key = kv.first.as<std::string>();
    EXPECT_TRUE(known.count(key)) << where << "/" << key << " is not a field of " << where;
  }
}

const Keys kPodSpecKeys = {"serviceAccountName",
                           "automountServiceAccountToken",
                           "restartPolicy",
                           "terminationGracePeriodSeconds",
                           "securityContext",
                           "initContainers",
                           "containers",
                           "volumes",
                           "hostPID",
                           "hostNetwork",
                           "dnsPolicy"};
const Keys kContainerKeys = {"name",      "image",        "command",
                             "args",      "env",          "securityContext",
                             "resources", "volumeMounts", "livenessProbe"};
const Keys kSecurityKeys = {"allowPrivilegeEscalation", "readOnlyRootFilesystem", "capabilities",
                            "runAsUser", "runAsNonRoot"};

// A pod template's spec: known keys, hardened containers, mounts of declared volumes, and the
// ConfigMaps, claims and service account it names declared in `docs`.
void CheckPodSpec(const YAML::Node& pod, const std::vector<YAML::Node>& docs,
                  const std::string& where) {
  OnlyKnownKeys(pod, kPodSpecKeys, where);
  EXPECT_EQ(pod["securityContext"]["seccompProfile"]["type"].as<std::string>(""), "RuntimeDefault")
      << where;
  EXPECT_FALSE(pod["automountServiceAccountToken"].as<bool>(true)) << where;
  std::string sa = pod["serviceAccountName"].as<std::string>("");
  EXPECT_TRUE(HasName(docs, "ServiceAccount", sa)) << where << ": service account " << sa;
  std::set<std::string> volumes;
  for (const auto& v : pod["volumes"]) {
    volumes.insert(v["name"].as<std::string>());
    if (v["configMap"]) {
      std::string cm = v["configMap"]["name"].as<std::string>("");
      EXPECT_TRUE(HasName(docs, "ConfigMap", cm)) << where << ": ConfigMap " << cm;
    }
    if (v["persistentVolumeClaim"]) {
      std::string claim = v["persistentVolumeClaim"]["claimName"].as<std::string>("");
      EXPECT_TRUE(HasName(docs, "PersistentVolumeClaim", claim)) << where << ": claim " << claim;
    }
  }
  ASSERT_TRUE(pod["containers"].IsSequence() && pod["containers"].size() >= 1) << where;
  for (const char* list : {"initContainers", "containers"}) {
    for (const auto& c : pod[list]) {
      std::string at = where + "/" + list + "/" + c["name"].as<std::string>("?");
      OnlyKnownKeys(c, kContainerKeys, at);
      EXPECT_FALSE(c["image"].as<std::string>("").empty()) << at;
      const YAML::Node sc = c["securityContext"];
      OnlyKnownKeys(sc, kSecurityKeys, at + "/securityContext");
      EXPECT_FALSE(sc["allowPrivilegeEscalation"].as<bool>(true)) << at;
      EXPECT_TRUE(sc["readOnlyRootFilesystem"].as<bool>(false)) << at;
      ASSERT_TRUE(sc["capabilities"]["drop"].IsSequence()) << at;
      EXPECT_EQ(sc["capabilities"]["drop"][0].as<std::string>(""), "ALL") << at;
      for (const char* r : {"requests", "limits"}) {
        EXPECT_TRUE(c["resources"][r]["cpu"] && c["resources"][r]["memory"]) << at << " " << r;
      }
      bool tmp_mounted = false;
      for (const auto& m : c["volumeMounts"]) {
        std::string name = m["name"].as<std::string>("");
        EXPECT_TRUE(volumes.count(name)) << at << ": mount of an undeclared volume " << name;
        EXPECT_EQ(m["mountPath"].as<std::string>("").rfind('/', 0), 0u) << at;
        tmp_mounted |= m["mountPath"].as<std::string>("") == "/tmp";
      }
      EXPECT_TRUE(tmp_mounted) << at << ": a read-only root needs a writable /tmp";
    }
  }
}

TEST(DeployManifests, TheCronJobHasWhatItNeeds) {
  auto docs = Documents("chaosrun-cronjob.yaml");
  for (const auto& d : docs) {
    EXPECT_TRUE(d["apiVersion"] && d["kind"] && d["metadata"]["name"]) << YAML::Dump(d);
    if (d["kind"].as<std::string>() != "Namespace") {
      EXPECT_EQ(d["metadata"]["namespace"].as<std::string>(""), "chaosrun") << YAML::Dump(d);
    }
  }
  YAML::Node cron = Find(docs, "CronJob");
  ASSERT_TRUE(cron.IsDefined());
  EXPECT_EQ(cron["apiVersion"].as<std::string>(), "batch/v1");
  const YAML::Node spec = cron["spec"];
  OnlyKnownKeys(spec,
                {"schedule", "timeZone", "concurrencyPolicy", "startingDeadlineSeconds",
                 "successfulJobsHistoryLimit", "failedJobsHistoryLimit", "jobTemplate", "suspend"},
                "CronJob/spec");
  std::istringstream fields(spec["schedule"].as<std::string>(""));
  EXPECT_EQ(std::distance(std::istream_iterator<std::string>(fields),
                          std::istream_iterator<std::string>()),
            5);
  EXPECT_EQ(spec["concurrencyPolicy"].as<std::string>(""), "Forbid");
  const YAML::Node job = spec["jobTemplate"]["spec"];
  OnlyKnownKeys(job,
                {"backoffLimit", "activeDeadlineSeconds", "ttlSecondsAfterFinished", "template"},
                "jobTemplate/spec");
  EXPECT_EQ(job["backoffLimit"].as<int>(-1), 0);
  const YAML::Node pod = job["template"]["spec"];
  CheckPodSpec(pod, docs, "CronJob/pod");
  EXPECT_EQ(pod["restartPolicy"].as<std::string>(""), "Never");
  EXPECT_TRUE(pod["securityContext"]["runAsNonRoot"].as<bool>(false));
  EXPECT_GT(pod["securityContext"]["runAsUser"].as<int>(0), 0);
  // The init container recovers the ledger the run uses.
  EXPECT_EQ(pod["initContainers"][0]["args"][0].as<std::string>(""), "recover");
  EXPECT_EQ(pod["containers"][0]["args"][0].as<std::string>(""), "run");

  // The experiment in the ConfigMap is the file the run names, and it is JSON with a method.
  YAML::Node cm = Find(docs, "ConfigMap");
  std::string last_arg =
      pod["containers"][0]["args"][pod["containers"][0]["args"].size() - 1].as<std::string>("");
  ASSERT_EQ(last_arg.rfind("/experiments/", 0), 0u) << last_arg;
  std::string text = cm["data"][last_arg.substr(13)].as<std::string>("");
  Json experiment = Json::parse(text, nullptr, false);
  ASSERT_TRUE(experiment.is_object()) << text;
  EXPECT_TRUE(experiment.contains("title") && experiment["method"].is_array());
  for (const auto& kv : cm["data"])
    ExpectValid(kv.first.as<std::string>(), kv.second.as<std::string>());
}

std::string Replaced(std::string s, const std::string& from, const std::string& to) {
  for (size_t at = s.find(from); at != std::string::npos; at = s.find(from, at + to.size())) {
    s.replace(at, from.size(), to);
  }
  return s;
}

TEST(DeployManifests, TheDaemonSetHasWhatItNeedsAndItsConfigurationIsAccepted) {
  auto docs = Documents("chaosrund-daemonset.yaml");
  YAML::Node ds = Find(docs, "DaemonSet");
  ASSERT_TRUE(ds.IsDefined());
  EXPECT_EQ(ds["apiVersion"].as<std::string>(), "apps/v1");
  const YAML::Node labels = ds["spec"]["template"]["metadata"]["labels"];
  for (const auto& kv : ds["spec"]["selector"]["matchLabels"]) {
    EXPECT_EQ(labels[kv.first.as<std::string>()].as<std::string>(""), kv.second.as<std::string>());
  }
  const YAML::Node pod = ds["spec"]["template"]["spec"];
  CheckPodSpec(pod, docs, "DaemonSet/pod");
  // Only the capabilities systemd/chaosrund.service grants.
  std::string unit = ReadAll(std::string(CHAOSRUN_SOURCE_DIR) + "/systemd/chaosrund.service");
  for (const auto& cap : pod["containers"][0]["securityContext"]["capabilities"]["add"]) {
    std::string name = "CAP_" + cap.as<std::string>();
    EXPECT_NE(unit.find(" " + name), std::string::npos) << name << " is not in the unit's set";
  }
  // The configuration and the experiments, as the pod sees them, pass chaosrund --check-config.
  testing::TempDir tmp;
  const std::string root = tmp.path().string();
  fs::create_directories(root + "/etc/chaosrun/experiments");
  std::string token = tmp.Write("etc/chaosrun/token", "deploy-test-token-0123456789\n");
  fs::permissions(token, fs::perms::owner_read | fs::perms::owner_write);
  std::string config;
  for (const auto& d : docs) {
    if (d["kind"].as<std::string>("") != "ConfigMap") continue;
    for (const auto& kv : d["data"]) {
      std::string name = kv.first.as<std::string>();
      std::string text = kv.second.as<std::string>();
      if (name == "chaosrund.yaml") {
        text = Replaced(Replaced(text, "/etc/chaosrun", root + "/etc/chaosrun"),
                        "/var/lib/chaosrund", root + "/state");
        config = tmp.Write("etc/chaosrun/chaosrund.yaml", text);
      } else {
        EXPECT_TRUE(Json::parse(text, nullptr, false).is_object()) << name;
        tmp.Write("etc/chaosrun/experiments/" + name, text);
        ExpectValid(name, text);
      }
    }
  }
  ASSERT_FALSE(config.empty());
  std::string daemon = (fs::path(CHAOSRUN_BINARY).parent_path() / "chaosrund").string();
  std::string log = root + "/check.log";
  EXPECT_EQ(RunTool({daemon, "--check-config", config}, log), 0) << ReadAll(log);
}

}  // namespace
}  // namespace chaosrun::deploy_test
