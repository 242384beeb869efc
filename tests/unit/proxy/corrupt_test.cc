// The corrupt toxic's arithmetic (toxic_math.h) and the per-toxic seed: injected generators, no
// sockets.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "proxy/engine.h"
#include "proxy/toxic_math.h"
#include "proxy/toxic_params.h"

namespace chaosrun::proxy {
namespace {

std::string Garble(std::string text, int64_t ppm, uint64_t seed, size_t* changed = nullptr) {
  Rng rng(seed);
  CorruptCursor cursor;
  size_t n = CorruptBytes(std::span<char>(text.data(), text.size()), ppm, cursor, rng);
  if (changed) *changed = n;
  return text;
}

size_t Differences(const std::string& a, const std::string& b) {
  size_t d = 0;
  for (size_t i = 0; i < a.size() && i < b.size(); ++i) d += a[i] != b[i];
  return d;
}

TEST(CorruptTest, ZeroRateChangesNothingAndDrawsNothing) {
  std::string text(1000, 'a');
  Rng rng(5), untouched(5);
  CorruptCursor cursor;
  EXPECT_EQ(CorruptBytes(std::span<char>(text.data(), text.size()), 0, cursor, rng), 0u);
  EXPECT_EQ(text, std::string(1000, 'a'));
  EXPECT_EQ(rng(), untouched());
  EXPECT_EQ(CorruptGap(0, rng), UINT64_MAX);
}

TEST(CorruptTest, FullRateChangesEveryByte) {
  std::string text(4096, '\0');
  for (size_t i = 0; i < text.size(); ++i) text[i] = static_cast<char>(i);
  size_t changed = 0;
  std::string out = Garble(text, 1'000'000, 9, &changed);
  EXPECT_EQ(changed, text.size());
  EXPECT_EQ(Differences(text, out), text.size());  // XOR with a non-zero value: always differs
}

TEST(CorruptTest, RateIsRespectedOverManyBytes) {
  // 1 % of 1,000,000 bytes: 10,000 expected; the standard deviation is ~100.
  std::string text(1'000'000, 'x');
  size_t changed = 0;
  std::string out = Garble(text, 10'000, 42, &changed);
  EXPECT_EQ(Differences(text, out), changed);
  EXPECT_GT(changed, 9'400u);
  EXPECT_LT(changed, 10'600u);
}

TEST(CorruptTest, SameSeedSamePositionsWhateverTheChunking) {
  std::string text(20'000, 'q');
  std::string whole = Garble(text, 5'000, 77);
  // The same stream cut into uneven pieces, one cursor and generator across them.
  std::string pieces = text;
  Rng rng(77);
  CorruptCursor cursor;
  size_t at = 0;
  for (size_t len : {1u, 7u, 300u, 4096u, 13u, 9000u}) {
    (void)CorruptBytes(std::span<char>(pieces.data() + at, len), 5'000, cursor, rng);
    at += len;
  }
  (void)CorruptBytes(std::span<char>(pieces.data() + at, pieces.size() - at), 5'000, cursor, rng);
  EXPECT_EQ(whole, pieces);
  EXPECT_NE(whole, Garble(text, 5'000, 78));
}

TEST(CorruptTest, PieceGoesThroughOnlyApplyingCorruptToxics) {
  ToxicRuntime corrupt;
  corrupt.params.type = ToxicType::kCorrupt;
  corrupt.params.corrupt_rate = 1'000'000;
  corrupt.applies = true;
  ToxicRuntime skipped = corrupt;
  skipped.applies = false;  // lost its toxicity roll
  ToxicRuntime latency;
  latency.params.type = ToxicType::kLatency;
  latency.applies = true;
  std::vector<ToxicRuntime> toxics{skipped, latency};
  std::string piece(64, 'z');
  EXPECT_EQ(CorruptPiece(toxics, std::span<char>(piece.data(), piece.size())), 0u);
  EXPECT_EQ(piece, std::string(64, 'z'));
  toxics.push_back(corrupt);
  EXPECT_EQ(CorruptPiece(toxics, std::span<char>(piece.data(), piece.size())), 64u);
  EXPECT_EQ(Differences(piece, std::string(64, 'z')), 64u);
}

TEST(CorruptTest, AttributesParseAndBound) {
  auto p = ParseAttributes(ToxicType::kCorrupt, Json{{"rate", 2500}});
  ASSERT_TRUE(p.has_value());
  EXPECT_EQ(p->corrupt_rate, 2500);
  EXPECT_EQ(AttributesToJson(*p), (Json{{"rate", 2500}}));
  auto by_default = ParseAttributes(ToxicType::kCorrupt, Json::object());
  ASSERT_TRUE(by_default.has_value());
  EXPECT_EQ(by_default->corrupt_rate, 10'000);
  auto too_much = ParseAttributes(ToxicType::kCorrupt, Json{{"rate", 1'000'001}});
  ASSERT_FALSE(too_much.has_value());
  EXPECT_EQ(too_much.error().message(), "attributes.rate: must be at most 1000000");
  EXPECT_FALSE(ParseAttributes(ToxicType::kCorrupt, Json{{"latency", 1}}).has_value());
}

TEST(ToxicSeedTest, SeedParsesPrintsAndIsChecked) {
  auto t = ToxicFromJson(Json{{"type", "corrupt"}, {"seed", 12345}});
  ASSERT_TRUE(t.has_value());
  ASSERT_TRUE(t->seed.has_value());
  EXPECT_EQ(*t->seed, 12345u);
  EXPECT_EQ(ToxicToJson(*t)["seed"], 12345);
  EXPECT_EQ(ToxicToJson(*t)["name"], "corrupt_downstream");
  auto none = ToxicFromJson(Json{{"type", "latency"}});
  ASSERT_TRUE(none.has_value());
  EXPECT_FALSE(ToxicToJson(*none).contains("seed"));  // Toxiproxy's shape unchanged
  auto bad = ToxicFromJson(Json{{"type", "latency"}, {"seed", -1}});
  ASSERT_FALSE(bad.has_value());
  EXPECT_EQ(bad.error().message(), "seed: must be a non-negative integer");
  EXPECT_FALSE(ToxicFromJson(Json{{"type", "latency"}, {"seed", "7"}}).has_value());
}

TEST(ToxicSeedTest, MixSeedIsStableAndSpreads) {
  EXPECT_EQ(MixSeed(1, 0), MixSeed(1, 0));
  EXPECT_NE(MixSeed(1, 0), MixSeed(1, 1));
  EXPECT_NE(MixSeed(1, 0), MixSeed(2, 0));
}

}  // namespace
}  // namespace chaosrun::proxy
