// Guards the driver ABI against accidental change: include/chaosrun/driver_abi.h is hashed and
// compared with the hash recorded below for the ABI version it declares. Any edit of the header,
// even a comment, fails this test until someone decides what the edit means for drivers:
//   - appended a field at the END of a struct, added an enum value or a #define: bump
//     CHAOSRUN_DRIVER_ABI_MINOR (old drivers keep working; struct_size tells the new field apart);
//   - anything else (reordered, removed or retyped fields, changed meaning): bump
//     CHAOSRUN_DRIVER_ABI_MAJOR (the host then refuses every driver built for the old major);
//   - comment-only edit: no bump needed, but still update the hash here.
// Then record the new (major, minor, hash) in kRecorded and document the change in
// docs/drivers.md.
#include <gtest/gtest.h>

#include <cinttypes>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "chaosrun/driver_abi.h"

namespace chaosrun::abi_test {
namespace {

struct RecordedAbi {
  int major;
  int minor;
  uint64_t fnv1a64;  // of driver_abi.h, carriage returns ignored
};

// The current ABI. Update together with the header (see the comment at the top).
constexpr RecordedAbi kRecorded = {1, 0, 0xb1f9558176f57154ULL};

// FNV-1a, 64 bits: tiny, dependency-free, and plenty to notice an edit (this is not about
// malice). '\r' is skipped so that a checkout with CRLF line ends hashes the same.
uint64_t Fnv1a64(const std::string& bytes) {
  uint64_t h = 0xcbf29ce484222325ULL;
  for (unsigned char c : bytes) {
    if (c == '\r') continue;
    h ^= c;
    h *= 0x100000001b3ULL;
  }
  return h;
}

std::string Hex(uint64_t v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "0x%016" PRIx64, v);
  return buf;
}

TEST(AbiHeader, HashMatchesTheRecordedVersion) {
  const auto path = std::filesystem::path(CHAOSRUN_SOURCE_DIR) / "include/chaosrun/driver_abi.h";
  std::ifstream in(path, std::ios::binary);
  ASSERT_TRUE(in) << "cannot read " << path;
  std::ostringstream text;
  text << in.rdbuf();
  const uint64_t hash = Fnv1a64(text.str());

  EXPECT_EQ(Hex(hash), Hex(kRecorded.fnv1a64))
      << "the ABI header changed: " << path.string()
      << "\nIf deliberate, bump CHAOSRUN_DRIVER_ABI_MINOR (append-only change: a field added at "
         "the end of a struct, a new enum value) or CHAOSRUN_DRIVER_ABI_MAJOR (breaking), then "
         "update kRecorded in "
      << __FILE__ << " to {major, minor, " << Hex(hash)
      << "} and describe the change in docs/drivers.md.";
}

TEST(AbiHeader, VersionMacrosMatchTheRecordedHash) {
  // A header edit without a version bump fails the hash test; a version bump without a new
  // hash (or a hash update without the bump) fails here.
  EXPECT_EQ(CHAOSRUN_DRIVER_ABI_MAJOR, kRecorded.major)
      << "CHAOSRUN_DRIVER_ABI_MAJOR changed: record the new version and hash in " << __FILE__;
  EXPECT_EQ(CHAOSRUN_DRIVER_ABI_MINOR, kRecorded.minor)
      << "CHAOSRUN_DRIVER_ABI_MINOR changed: record the new version and hash in " << __FILE__;
}

TEST(AbiHeader, HashFunctionIsFnv1a64) {
  // Published FNV-1a 64 test vectors, so the recorded constant stays reproducible elsewhere.
  EXPECT_EQ(Fnv1a64(""), 0xcbf29ce484222325ULL);
  EXPECT_EQ(Fnv1a64("a"), 0xaf63dc4c8601ec8cULL);
  EXPECT_EQ(Fnv1a64("foobar"), 0x85944171f73967e8ULL);
  EXPECT_EQ(Fnv1a64("a\r\nb"), Fnv1a64("a\nb"));
}

TEST(AbiHeader, StructsBeginWithTheVersionHeader) {
  // The first three fields are what lets either side read a struct of another minor version.
  EXPECT_EQ(offsetof(chaosrun_driver_api, abi_major), 0u);
  EXPECT_EQ(offsetof(chaosrun_driver_api, abi_minor), 2u);
  EXPECT_EQ(offsetof(chaosrun_driver_api, struct_size), 4u);
  EXPECT_EQ(offsetof(chaosrun_host_api, abi_major), 0u);
  EXPECT_EQ(offsetof(chaosrun_host_api, abi_minor), 2u);
  EXPECT_EQ(offsetof(chaosrun_host_api, struct_size), 4u);
  EXPECT_STREQ(CHAOSRUN_DRIVER_ENTRY_NAME, "chaosrun_driver_entry");
}

}  // namespace
}  // namespace chaosrun::abi_test
