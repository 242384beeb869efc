#include "common/redact.h"

#include <gtest/gtest.h>

namespace chaosrun {
namespace {

const std::string kSecret = "s3cr3t pass/word+x?";

TEST(Redactor, RedactsTheValueInsideText) {
  Redactor r;
  r.Add(kSecret);
  EXPECT_EQ(r.Redact("token=" + kSecret + "; again " + kSecret), "token=***; again ***");
  EXPECT_EQ(r.Redact("nothing here"), "nothing here");
}

// Expected forms computed with Python's base64 and urllib.parse, not with our encoder.
TEST(Redactor, RedactsBase64AndUrlEncodedForms) {
  Redactor r;
  r.Add(kSecret);
  EXPECT_EQ(r.Redact("b64 czNjcjN0IHBhc3Mvd29yZCt4Pw== end"), "b64 *** end");
  EXPECT_EQ(r.Redact("nopad czNjcjN0IHBhc3Mvd29yZCt4Pw end"), "nopad *** end");
  EXPECT_EQ(r.Redact("GET /?q=s3cr3t%20pass%2Fword%2Bx%3F"), "GET /?q=***");
  EXPECT_EQ(r.Redact("GET /?q=s3cr3t+pass%2Fword%2Bx%3F&x=1"), "GET /?q=***&x=1");
  Redactor u;
  u.Add("ab>?xyz");  // base64 "YWI+P3h5eg==" holds a '+': the URL-safe form differs
  EXPECT_EQ(u.Redact("YWI-P3h5eg== YWI-P3h5eg YWI+P3h5eg"), "*** *** ***");
}

TEST(Redactor, RedactsBasicAuthCredentials) {
  Redactor r;
  r.Add(kSecret);
  r.AddBasicAuth("alice", kSecret);
  EXPECT_EQ(r.Redact("Authorization: Basic YWxpY2U6czNjcjN0IHBhc3Mvd29yZCt4Pw=="),
            "Authorization: Basic ***");
  Json echoed = {{"headers", {{"Authorization", "Basic YWxpY2U6czNjcjN0IHBhc3Mvd29yZCt4Pw=="}}}};
  EXPECT_EQ(r.RedactJson(echoed)["headers"]["Authorization"], "Basic ***");
}

TEST(Redactor, NumbersStayNumbersUnlessTheyAreTheSecret) {
  Redactor r;
  r.AddJson(Json::parse(R"({"pin": 4242, "code": "1234"})"));
  Json doc = Json::parse(R"({"duration": 0.12345, "status": 200, "pin": 4242, "count": 42424,
                             "code": 1234, "ts": "2026-12-06T12:34:42.424242", "ratio": 1234.5})");
  Json out = r.RedactJson(doc);
  EXPECT_EQ(out["duration"], Json(0.12345));  // holds "1234", still a number
  EXPECT_EQ(out["status"], Json(200));
  EXPECT_EQ(out["count"], Json(42424));  // holds "4242", still a number
  EXPECT_EQ(out["ratio"], Json(1234.5));
  EXPECT_EQ(out["pin"], Json("***"));   // exactly the secret
  EXPECT_EQ(out["code"], Json("***"));  // the number 1234 equals the secret "1234"
  EXPECT_EQ(out["ts"], Json("2026-12-06T12:34:42.***42"));  // strings: found anywhere
}

TEST(Redactor, ShortSecretsOnlyAsWholeValues) {
  Redactor r;
  r.Add("1");
  r.AddJson(Json(42));
  r.Add("abc");
  Json doc = Json::parse(R"({"a": "1", "b": 1, "c": 42, "d": "42", "e": "abc",
                             "start": "2026-12-01T11:42:01.421000", "status": 1.5,
                             "output": "abcdef 42 1", "n": [1, 2, 142]})");
  Json out = r.RedactJson(doc);
  EXPECT_EQ(out["a"], Json("***"));
  EXPECT_EQ(out["b"], Json("***"));
  EXPECT_EQ(out["c"], Json("***"));
  EXPECT_EQ(out["d"], Json("***"));
  EXPECT_EQ(out["e"], Json("***"));
  EXPECT_EQ(out["start"], doc["start"]);
  EXPECT_EQ(out["status"], Json(1.5));
  EXPECT_EQ(out["output"], doc["output"]);  // the documented trade-off: not found inside text
  EXPECT_EQ(out["n"], Json::parse(R"(["***", 2, 142])"));
  EXPECT_EQ(r.Redact("took 1 s, status 42, abcd"), "took 1 s, status 42, abcd");
  EXPECT_EQ(r.Redact("42"), "***");  // a whole message
  // Derived forms of a short secret are short-secret forms too: base64("abc") is "YWJj".
  EXPECT_EQ(r.Redact("YWJjZA=="), "YWJjZA==");
  EXPECT_EQ(r.RedactJson(Json("YWJj")), Json("***"));
}

TEST(Redactor, NestedJsonKeysAndValues) {
  Redactor r;
  r.AddJson(Json::parse(R"({"db": {"password": "hunter22", "port": 5432, "ok": true}})"));
  Json doc = Json::parse(R"({"run": [{"output": {"stdout": "pw=hunter22\n",
                                                 "nested": [["x", "hunter22"]]}}],
                             "hunter22-key": {"v": 5432}, "flag": true, "none": null})");
  Json out = r.RedactJson(doc);
  EXPECT_EQ(out["run"][0]["output"]["stdout"], "pw=***\n");
  EXPECT_EQ(out["run"][0]["output"]["nested"][0][1], "***");
  EXPECT_TRUE(out.contains("***-key"));
  EXPECT_EQ(out["***-key"]["v"], "***");
  EXPECT_EQ(out["flag"], Json(true));  // booleans are never secrets
  EXPECT_TRUE(out["none"].is_null());
}

TEST(Redactor, LongestFormFirstAndClear) {
  Redactor r;
  r.Add("abcd");
  r.Add("abcdefgh");
  EXPECT_EQ(r.Redact("abcdefgh abcd"), "*** ***");
  EXPECT_FALSE(r.empty());
  r.Clear();
  EXPECT_TRUE(r.empty());
  EXPECT_EQ(r.Redact("abcdefgh"), "abcdefgh");
  r.Add("");
  EXPECT_TRUE(r.empty());
}

}  // namespace
}  // namespace chaosrun
