#include "subst/register_secrets.h"

#include <gtest/gtest.h>

#include <map>

namespace chaosrun::subst {
namespace {

EnvLookup EnvOf(std::map<std::string, std::string> vars) {
  return [vars = std::move(vars)](const std::string& key) -> std::optional<std::string> {
    auto it = vars.find(key);
    if (it == vars.end()) return std::nullopt;
    return it->second;
  };
}

const char* kDocument = R"({
  "secrets": {
    "db": {"password": "inline-db-pass", "pin": 9876, "nested": {"deep": "deep-value"}},
    "api": {"token": {"type": "env", "key": "API_TOKEN"},
            "missing": {"type": "env", "key": "NOT_SET"},
            "vaulted": {"type": "vault", "path": "secret/x"}},
    "loose": "top-level-value"
  }
})";

TEST(RegisterDocumentSecrets, InlineEnvNestedAndTopLevelValues) {
  Redactor r;
  RegisterDocumentSecrets(Json::parse(kDocument), Overrides{},
                          EnvOf({{"API_TOKEN", "token-from-env"}}), r);
  EXPECT_EQ(r.Redact("inline-db-pass deep-value top-level-value token-from-env 9876"),
            "*** *** *** *** ***");
  // The declaration's own words are not secrets.
  EXPECT_EQ(r.Redact("env API_TOKEN NOT_SET vault secret/x"),
            "env API_TOKEN NOT_SET vault secret/x");
}

TEST(RegisterDocumentSecrets, ScopesAVarFileReplacesAndTheVarFileValues) {
  Overrides ovr;
  ovr.secrets["db"] = Json::parse(R"({"password": "from-var-file"})");
  ovr.secrets["extra"] = Json::parse(R"({"key": {"type": "env", "key": "EXTRA"}})");
  Redactor r;
  RegisterDocumentSecrets(Json::parse(kDocument), ovr, EnvOf({{"EXTRA", "extra-env-value"}}), r);
  EXPECT_EQ(r.Redact("inline-db-pass from-var-file extra-env-value"), "*** *** ***");
}

TEST(RegisterDocumentSecrets, NoSecretsBlockOrNotAMapping) {
  Redactor r;
  RegisterDocumentSecrets(Json::parse(R"({"title": "t"})"), Overrides{}, EnvOf({}), r);
  RegisterDocumentSecrets(Json::parse(R"({"secrets": ["x-secret"]})"), Overrides{}, EnvOf({}), r);
  RegisterDocumentSecrets(Json::parse(R"([1, 2])"), Overrides{}, nullptr, r);
  EXPECT_TRUE(r.empty());
}

TEST(RegisterUrlCredentials, BasicAuthOfSubstitutedUrls) {
  Json doc = Json::parse(R"({
    "method": [{"type": "probe", "name": "p", "provider": {"type": "http",
                "url": "http://alice:${pw}@127.0.0.1:8080/x?a=1"}}],
    "rollbacks": [{"provider": {"type": "http", "url": "http://bob:p%40ss%3Aword@host/"}}],
    "other": {"type": "http", "url": "http://nouser.example/"},
    "process": {"type": "process", "path": "http://carol:notthis@x/"}
  })");
  Scope scope(Json::object(), Json::parse(R"({"s": {"pw": "s3cr3t pass"}})"));
  Redactor r;
  RegisterUrlCredentials(doc, scope, r);
  // base64("alice:s3cr3t pass") and base64("bob:p@ss:word"), from Python.
  EXPECT_EQ(r.Redact("Basic YWxpY2U6czNjcjN0IHBhc3M="), "Basic ***");
  EXPECT_EQ(r.Redact("Basic Ym9iOnBAc3M6d29yZA=="), "Basic ***");
  EXPECT_EQ(r.Redact("p@ss:word"), "***");  // a password written in a url is a credential
  EXPECT_EQ(r.Redact("notthis"), "notthis");
}

}  // namespace
}  // namespace chaosrun::subst
