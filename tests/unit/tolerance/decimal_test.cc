#include "tolerance/decimal.h"

#include <gtest/gtest.h>

namespace chaosrun::tolerance {
namespace {

std::string Parse(const char* text) {
  auto d = Decimal::FromString(text);
  return d ? d->ToString() : "<invalid>";
}

TEST(Decimal, ParsesPythonDecimalStrings) {
  EXPECT_EQ(Parse("42"), "42");
  EXPECT_EQ(Parse(" \t42\n"), "42");
  EXPECT_EQ(Parse("-0.50"), "-0.5");
  EXPECT_EQ(Parse("+1."), "1");
  EXPECT_EQ(Parse(".25"), "0.25");
  EXPECT_EQ(Parse("1e3"), "1000");
  EXPECT_EQ(Parse("1.5E-3"), "0.0015");
  EXPECT_EQ(Parse("1_000_000"), "1000000");
  EXPECT_EQ(Parse("0000"), "0");
  EXPECT_EQ(Parse("inf"), "Infinity");
  EXPECT_EQ(Parse("-Infinity"), "-Infinity");
  EXPECT_EQ(Parse("NaN"), "NaN");
  EXPECT_EQ(Parse("snan12"), "NaN");
  EXPECT_EQ(Parse("1e999999999999999999999"), "1E1000000000000000");
  for (const char* bad : {"", " ", ".", "e5", "1e", "1_", "_1", "1__0", "1.2.3", "--1", "0x10",
                          "1 2", "nan!", "infinit", "1e+", "٣"}) {
    EXPECT_EQ(Parse(bad), "<invalid>") << bad;
  }
}

TEST(Decimal, DoublesAreExact) {
  EXPECT_EQ(Decimal::FromDouble(0.3).ToString(),
            "0.299999999999999988897769753748434595763683319091796875");
  EXPECT_EQ(Decimal::FromDouble(0.1).ToString(),
            "0.1000000000000000055511151231257827021181583404541015625");
  EXPECT_EQ(Decimal::FromDouble(2.5).ToString(), "2.5");
  EXPECT_EQ(Decimal::FromDouble(-8.0).ToString(), "-8");
  EXPECT_EQ(Decimal::FromDouble(0.0).ToString(), "0");
  EXPECT_EQ(Decimal::FromDouble(1e22).ToString(), "10000000000000000000000");
  Decimal big = Decimal::FromDouble(1e300);  // exact, no rounding
  EXPECT_EQ(big.digits,
            "1000000000000000052504760255204420248704468581108159154915854115511802457988908195"
            "7863713750804478640437044438328838781769425232353604305756447921847867069828483872"
            "0092657580373783023379478809005936895323497079994508111903896764088007465274278014"
            "249457925878882005684283811566947219638686545940054016");
  EXPECT_EQ(static_cast<int64_t>(big.digits.size()) + big.exponent, 301);
  EXPECT_EQ(Decimal::FromDouble(5e-324).digits.size(), 751u);  // smallest subnormal
}

TEST(Decimal, ComparesExactly) {
  auto cmp = [](const Decimal& a, const Decimal& b) { return Compare(a, b); };
  auto d = [](const char* t) { return *Decimal::FromString(t); };
  EXPECT_EQ(cmp(d("0.3"), Decimal::FromDouble(0.3)), std::partial_ordering::greater);
  EXPECT_EQ(cmp(d("1"), d("1.000")), std::partial_ordering::equivalent);
  EXPECT_EQ(cmp(d("-0"), d("0")), std::partial_ordering::equivalent);
  EXPECT_EQ(cmp(d("-2"), d("-10")), std::partial_ordering::greater);
  EXPECT_EQ(cmp(d("0.12"), d("0.123")), std::partial_ordering::less);
  EXPECT_EQ(cmp(d("99"), d("1e2")), std::partial_ordering::less);
  EXPECT_EQ(cmp(d("-inf"), d("-1e999")), std::partial_ordering::less);
  EXPECT_EQ(cmp(d("inf"), d("Infinity")), std::partial_ordering::equivalent);
  EXPECT_EQ(cmp(d("nan"), d("1")), std::nullopt);
  EXPECT_EQ(cmp(Decimal::FromUnsigned(18446744073709551615ull, false), d("18446744073709551615")),
            std::partial_ordering::equivalent);
  EXPECT_EQ(cmp(*Decimal::FromJson(Json(INT64_MIN)), d("-9223372036854775808")),
            std::partial_ordering::equivalent);
  EXPECT_EQ(cmp(*Decimal::FromJson(Json(true)), d("1")), std::partial_ordering::equivalent);
  EXPECT_FALSE(Decimal::FromJson(Json("1")).has_value());
}

}  // namespace
}  // namespace chaosrun::tolerance
