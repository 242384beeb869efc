// Seeded choice: counts, percent rounding, determinism, and golden values that pin the
// algorithm (mt19937_64's sequence is fixed by the standard, so these hold everywhere).
#include "process/choose.h"

#include <gtest/gtest.h>

#include <set>

namespace chaosrun::drivers::process {
namespace {

TEST(HowManyTest, AllWithoutCountOrPercent) {
  EXPECT_EQ(HowMany(0, std::nullopt, std::nullopt), 0u);
  EXPECT_EQ(HowMany(5, std::nullopt, std::nullopt), 5u);
}

TEST(HowManyTest, CountIsCappedByMatches) {
  EXPECT_EQ(HowMany(5, 2, std::nullopt), 2u);
  EXPECT_EQ(HowMany(5, 9, std::nullopt), 5u);
  EXPECT_EQ(HowMany(0, 3, std::nullopt), 0u);
}

TEST(HowManyTest, PercentRoundsUpAtLeastOne) {
  EXPECT_EQ(HowMany(10, std::nullopt, 30.0), 3u);  // exact: not rounded up to 4
  EXPECT_EQ(HowMany(10, std::nullopt, 31.0), 4u);
  EXPECT_EQ(HowMany(3, std::nullopt, 33.3), 1u);
  EXPECT_EQ(HowMany(3, std::nullopt, 0.001), 1u);  // at least one
  EXPECT_EQ(HowMany(7, std::nullopt, 50.0), 4u);   // 3.5 -> 4
  EXPECT_EQ(HowMany(7, std::nullopt, 100.0), 7u);
  EXPECT_EQ(HowMany(100, std::nullopt, 7.0), 7u);
  EXPECT_EQ(HowMany(1, std::nullopt, 1.0), 1u);
}

TEST(ChooseTest, SameSeedSameChoice) {
  for (uint64_t seed : {0ull, 1ull, 99ull, 0xffffffffffffffffull}) {
    EXPECT_EQ(ChooseIndices(50, 7, seed), ChooseIndices(50, 7, seed)) << seed;
  }
}

TEST(ChooseTest, GoldenValues) {
  EXPECT_EQ(ChooseIndices(10, 3, 0), (std::vector<size_t>{3, 4, 6}));
  EXPECT_EQ(ChooseIndices(10, 3, 7), (std::vector<size_t>{5, 7, 8}));
  EXPECT_EQ(ChooseIndices(10, 3, 42), (std::vector<size_t>{0, 4, 6}));
  EXPECT_EQ(ChooseIndices(10, 3, 123456789), (std::vector<size_t>{0, 3, 9}));
  std::mt19937_64 rng(42);
  EXPECT_EQ(UniformBelow(1000, rng), 406u);
}

TEST(ChooseTest, DistinctSortedInRange) {
  for (uint64_t seed = 0; seed < 200; ++seed) {
    auto v = ChooseIndices(13, 5, seed);
    ASSERT_EQ(v.size(), 5u);
    EXPECT_TRUE(std::is_sorted(v.begin(), v.end()));
    EXPECT_EQ(std::set<size_t>(v.begin(), v.end()).size(), 5u);
    EXPECT_LT(v.back(), 13u);
  }
}

TEST(ChooseTest, EveryIndexCanBeChosen) {
  std::set<size_t> seen;
  for (uint64_t seed = 0; seed < 200; ++seed) {
    for (size_t i : ChooseIndices(8, 1, seed)) seen.insert(i);
  }
  EXPECT_EQ(seen.size(), 8u);
}

TEST(ChooseTest, TakingAllOrNone) {
  EXPECT_EQ(ChooseIndices(4, 4, 1), (std::vector<size_t>{0, 1, 2, 3}));
  EXPECT_EQ(ChooseIndices(4, 10, 1), (std::vector<size_t>{0, 1, 2, 3}));
  EXPECT_TRUE(ChooseIndices(4, 0, 1).empty());
  EXPECT_TRUE(ChooseIndices(0, 0, 1).empty());
}

TEST(ChooseTest, UniformBelowStaysInRange) {
  std::mt19937_64 rng(5);
  for (uint64_t bound : {1ull, 2ull, 3ull, 1000ull, 0x8000000000000001ull}) {
    for (int i = 0; i < 100; ++i) EXPECT_LT(UniformBelow(bound, rng), bound);
  }
}

TEST(ChooseTest, NewSeedFitsInADouble) {
  for (int i = 0; i < 20; ++i) EXPECT_LT(NewSeed(), uint64_t{1} << 53);
}

}  // namespace
}  // namespace chaosrun::drivers::process
