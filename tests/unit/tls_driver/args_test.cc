// The descriptor's schemas are closed and the driver's own argument checks agree with them.
#include "tls/args.h"

#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <functional>

#include "tls/actions.h"
#include "tls/descriptor.h"

namespace chaosrun::drivers::tls::test {
namespace {

using nlohmann::json;

// Every object schema in `schema` (recursively) refuses unknown keys.
void ExpectClosed(const json& schema, const std::string& where) {
  if (schema.is_object()) {
    if (schema.value("type", "") == "object") {
      EXPECT_EQ(schema.value("additionalProperties", true), false) << where;
    }
    for (auto it = schema.begin(); it != schema.end(); ++it) {
      ExpectClosed(it.value(), where + "/" + it.key());
    }
  } else if (schema.is_array()) {
    for (size_t i = 0; i < schema.size(); ++i)
      ExpectClosed(schema[i], where + "/" + std::to_string(i));
  }
}

TEST(TlsDescriptor, NamesAndClosedSchemas) {
  json d = json::parse(DescriptorJson());
  EXPECT_EQ(d["name"], "tls");
  ASSERT_EQ(d["actions"].size(), 1u);
  EXPECT_EQ(d["actions"][0]["name"], "replace_certificate");
  EXPECT_GT(d["actions"][0]["undo_timeout"].get<double>(), kMaxReloadTimeoutSeconds);
  ASSERT_EQ(d["probes"].size(), 1u);
  EXPECT_EQ(d["probes"][0]["name"], "tls_certificate");
  ExpectClosed(d["actions"][0]["arguments"], "replace_certificate");
  ExpectClosed(d["probes"][0]["arguments"], "tls_certificate");
  json faults = d["actions"][0]["arguments"]["properties"]["fault"]["enum"];
  EXPECT_EQ(faults, json({"expired", "not_yet_valid", "wrong_host", "self_signed", "untrusted_ca",
                          "garbled"}));
}

TEST(TlsArgs, ReloadForms) {
  ReloadSpec r;
  EXPECT_EQ(ParseReload(json{{"command", {"nginx", "-s", "reload"}}, {"timeout", 5}}, &r), "");
  EXPECT_EQ(r.kind, ReloadSpec::Kind::kCommand);
  EXPECT_EQ(r.timeout_seconds, 5);
  EXPECT_EQ(ParseReload(json{{"signal", "SIGHUP"}, {"pid", 42}}, &r), "");
  EXPECT_EQ(r.kind, ReloadSpec::Kind::kPid);
  EXPECT_EQ(r.signal, SIGHUP);
  EXPECT_EQ(ParseReload(json{{"signal", "USR1"}, {"pidfile", "/run/x.pid"}}, &r), "");
  EXPECT_EQ(r.kind, ReloadSpec::Kind::kPidfile);
  EXPECT_EQ(r.signal, SIGUSR1);
  ReloadSpec back;
  EXPECT_EQ(ParseReload(r.ToJson(), &back), "");
  EXPECT_EQ(back.pidfile, "/run/x.pid");
  EXPECT_EQ(ParseReload(json(), &r), "");
  EXPECT_EQ(r.kind, ReloadSpec::Kind::kNone);
  EXPECT_NE(ParseReload(json{{"command", json::array()}}, &r), "");
  EXPECT_NE(ParseReload(json{{"command", {"x"}}, {"timeout", 0}}, &r), "");
  EXPECT_NE(ParseReload(json{{"signal", "NOPE"}, {"pid", 42}}, &r), "");
  EXPECT_NE(ParseReload(json{{"signal", "HUP"}, {"pid", 42}, {"pidfile", "/x"}}, &r), "");
  EXPECT_NE(ParseReload(json{{"signal", "HUP"}, {"pidfile", "relative"}}, &r).find("pidfile"),
            std::string::npos);
  EXPECT_NE(ParseReload(json{{"command", {"x"}}, {"pid", 3}}, &r).find("unknown argument 'pid'"),
            std::string::npos);
}

TEST(TlsArgs, ProbeArguments) {
  ProbeSpec p;
  EXPECT_EQ(ParseProbeArgs(json{{"host", "127.0.0.1"}, {"port", 443}}, &p), "");
  EXPECT_EQ(p.sni, "127.0.0.1");
  EXPECT_EQ(p.timeout_seconds, 5);
  EXPECT_NE(ParseProbeArgs(json{{"host", "h"}}, &p).find("port"), std::string::npos);
  EXPECT_NE(ParseProbeArgs(json{{"host", "h"}, {"port", 70000}}, &p).find("port"),
            std::string::npos);
  EXPECT_NE(ParseProbeArgs(json{{"host", "h"}, {"port", 1}, {"ca", "/x"}}, &p).find("'ca'"),
            std::string::npos);
  EXPECT_NE(ParseProbeArgs(json{{"host", "h"}, {"port", 1}, {"timeout", 1000}}, &p).find("timeout"),
            std::string::npos);
  Env env;
  EXPECT_EQ(Probe("tls_certificate", json{{"host", "h"}}, env).status, CHAOSRUN_INVALID_ARGUMENT);
  EXPECT_EQ(Probe("tls_expiry", json::object(), env).status, CHAOSRUN_UNSUPPORTED);
}

TEST(TlsArgs, ProbeOfAClosedPortFailsWithTheReason) {
  Env env;
  // A socket of ours bound to a loopback port but not listening: connects are refused at once.
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof(a);
  ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof(a)), 0);
  ASSERT_EQ(::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len), 0);
  sdk::Reply r =
      Probe("tls_certificate", json{{"host", "127.0.0.1"}, {"port", ntohs(a.sin_port)}}, env);
  ::close(fd);
  EXPECT_EQ(r.status, CHAOSRUN_FAILED);
  EXPECT_NE(r.value["error"].get<std::string>().find("cannot connect"), std::string::npos)
      << r.value.dump();
}

}  // namespace
}  // namespace chaosrun::drivers::tls::test
