// The host's loader against broken and unusual driver libraries, compiled on the fly: every bad
// file gives an error naming it, nothing crashes, and good drivers next to bad ones still load.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include "abi_test_util.h"
#include "common/cancel.h"
#include "fake_drivers.h"
#include "plugin/driver.h"
#include "plugin/registry.h"
#include "support/temp_dir.h"

namespace chaosrun::abi_test {
namespace {

namespace fs = std::filesystem;
using plugin::Driver;
using plugin::Registry;

std::string Name(const char* name) { return std::string("#define NAME \"") + name + "\"\n"; }

// Every kind of bad library, the fragment its error must contain.
struct BadCase {
  const char* file;
  std::string source;  // "" for files written directly (not compiled)
  const char* error;
};

std::vector<BadCase> BadCases() {
  return {
      {"no_entry", RawDriver(Name("no_entry") + "#define NO_ENTRY\n"),
       "no chaosrun_driver_entry symbol"},
      {"entry_null", RawDriver(Name("entry_null") + "#define ENTRY_RETURNS_NULL\n"),
       "refused to serve this host"},
      {"major2", RawDriver(Name("major2") + "#define ABI_MAJOR 2\n"),
       "speaks driver ABI 2.x; this chaosrun speaks 1.x"},
      {"truncated",
       RawDriver(Name("truncated") + "#define STRUCT_SIZE offsetof(chaosrun_driver_api, undo)\n"),
       "truncated API struct"},
      {"null_probe", RawDriver(Name("null_probe") + "#define NULL_PROBE\n"),
       "leaves a required function pointer empty"},
      {"descriptor_not_json", RawDriver("#define DESCRIPTOR \"{name: example\"\n"),
       "malformed descriptor: the descriptor is not valid JSON"},
      {"descriptor_no_name", RawDriver("#define DESCRIPTOR \"{\\\"version\\\": \\\"1.0\\\"}\"\n"),
       "malformed descriptor: the descriptor needs a non-empty string name"},
      {"descriptor_null", RawDriver("#define DESCRIPTOR nullptr\n"), "has no descriptor"},
      {"create_fails", RawDriver(Name("create_fails") + "#define CREATE_FAILS\n"),
       "could not create an instance"},
      {"duplicate", RawDriver(Name("good")), "a driver named 'good' is already loaded from"},
  };
}

void ExpectOneErrorFor(const std::vector<std::string>& errors, const fs::path& file,
                       const std::string& fragment) {
  std::string all;
  for (const auto& e : errors) all += "  " + e + "\n";
  auto n = std::count_if(errors.begin(), errors.end(), [&](const std::string& e) {
    return e.find("driver " + file.string() + ":") != std::string::npos;
  });
  EXPECT_EQ(n, 1) << "expected exactly one error naming " << file << "; errors:\n" << all;
  bool found = std::any_of(errors.begin(), errors.end(), [&](const std::string& e) {
    return e.find(file.string()) != std::string::npos && e.find(fragment) != std::string::npos;
  });
  EXPECT_TRUE(found) << "no error for " << file << " containing \"" << fragment << "\"; errors:\n"
                     << all;
}

TEST(Loader, LoadDirectoryReportsEveryBadLibraryAndKeepsTheGoodOnes) {
  testing::TempDir tmp;
  const fs::path dir = tmp.path();
  std::map<std::string, std::string> sources = {
      {"good", RawDriver(Name("good"))},
      {"newer_minor", RawDriver(Name("newer_minor") + "#define STRUCT_SIZE sizeof(Extended)\n")},
      {"zz_bad_output", RawDriver(Name("bad_output") + "#define OUTPUT \"{\\\"open\\\": [\"\n")},
  };
  for (const auto& c : BadCases()) sources[c.file] = c.source;
  ASSERT_EQ(CompileDrivers(dir, sources), "");
  // The duplicate must come after "good" in name order (the registry sorts).
  fs::rename(dir / "duplicate.so", dir / "zz_duplicate.so");
  // Files that are not shared libraries at all.
  std::ofstream(dir / "x.so") << "this is not an ELF file\n";
  std::ofstream(dir / "empty.so").flush();
  // Ignored: not ending in .so, or not a regular file.
  std::ofstream(dir / "README.txt") << "not a driver\n";
  fs::create_directory(dir / "subdir.so");

  Registry registry;
  registry.LoadDirectory(dir.string(), /*must_exist=*/true);

  std::vector<std::string> loaded;
  for (Driver* d : registry.drivers()) loaded.push_back(d->descriptor().name);
  std::sort(loaded.begin(), loaded.end());
  EXPECT_EQ(loaded, (std::vector<std::string>{"bad_output", "good", "newer_minor"}));

  const auto& errors = registry.errors();
  for (const auto& c : BadCases()) {
    SCOPED_TRACE(c.file);
    std::string file = std::string(c.file) == "duplicate" ? "zz_duplicate" : c.file;
    ExpectOneErrorFor(errors, dir / (file + ".so"), c.error);
  }
  ExpectOneErrorFor(errors, dir / "x.so", "cannot be loaded");
  ExpectOneErrorFor(errors, dir / "empty.so", "cannot be loaded");
  EXPECT_EQ(errors.size(), BadCases().size() + 2);
  for (const auto& e : errors) {
    EXPECT_EQ(e.find("README.txt"), std::string::npos) << e;
    EXPECT_EQ(e.find("subdir.so"), std::string::npos) << e;
  }

  // The good drivers work, also after their bad neighbours were refused.
  CancelToken never;
  auto r = registry.Find("good")->Probe("anything", Json::object(), never);
  EXPECT_EQ(r.status, CHAOSRUN_OK);
  EXPECT_EQ(r.value, Json::parse(R"({"ok": true})"));
  r = registry.Find("newer_minor")->Prepare("x", Json::object(), never);
  EXPECT_EQ(r.status, CHAOSRUN_OK);

  // Output that is not JSON is the driver's bug: an internal error, not a crash.
  r = registry.Find("bad_output")->Apply("anything", Json::object(), never);
  EXPECT_EQ(r.status, CHAOSRUN_INTERNAL);
  EXPECT_EQ(r.error(), "driver bad_output returned malformed JSON");
}

TEST(Loader, AMissingDirectoryIsAnErrorOnlyWhenItMustExist) {
  testing::TempDir tmp;
  std::string missing = (tmp.path() / "nope").string();
  Registry lenient;
  lenient.LoadDirectory(missing);
  EXPECT_TRUE(lenient.errors().empty());
  Registry strict;
  strict.LoadDirectory(missing, /*must_exist=*/true);
  ASSERT_EQ(strict.errors().size(), 1u);
  EXPECT_NE(strict.errors()[0].find(missing), std::string::npos);
}

TEST(Loader, RefusesAnotherMajorVersionAndAcceptsALargerStructOfTheSameMajor) {
  testing::TempDir tmp;
  ASSERT_EQ(CompileDrivers(
                tmp.path(),
                {{"major0", RawDriver(Name("major0") + "#define ABI_MAJOR 0\n")},
                 {"major2", RawDriver(Name("major2") + "#define ABI_MAJOR 2\n")},
                 {"newer", RawDriver(Name("newer") + "#define STRUCT_SIZE sizeof(Extended)\n")}}),
            "");
  for (const char* f : {"major0.so", "major2.so"}) {
    auto d = Driver::Load((tmp.path() / f).string());
    ASSERT_FALSE(d.has_value()) << f;
    EXPECT_EQ(d.error().code(), Code::kInvalidArgument);
    EXPECT_NE(d.error().message().find((tmp.path() / f).string()), std::string::npos);
    EXPECT_NE(d.error().message().find("speaks driver ABI"), std::string::npos)
        << d.error().message();
  }
  auto d = Driver::Load((tmp.path() / "newer.so").string());
  ASSERT_TRUE(d.has_value()) << d.error().message();
  EXPECT_EQ((*d)->descriptor().name, "newer");
  EXPECT_EQ((*d)->Undo("f", Json::object(), CancelToken()).status, CHAOSRUN_OK);
}

TEST(Loader, AnOutOfRangeStatusBecomesInternal) {
  testing::TempDir tmp;
  ASSERT_EQ(CompileDrivers(tmp.path(), {{"odd", RawDriver(Name("odd") + "#define STATUS 42\n")},
                                        {"neg", RawDriver(Name("neg") + "#define STATUS -1\n")}}),
            "");
  for (const char* f : {"odd.so", "neg.so"}) {
    auto d = Driver::Load((tmp.path() / f).string());
    ASSERT_TRUE(d.has_value()) << d.error().message();
    auto r = (*d)->Probe("p", Json::object(), CancelToken());
    EXPECT_EQ(r.status, CHAOSRUN_INTERNAL) << f;
    EXPECT_EQ(r.value, Json::parse(R"({"ok": true})")) << f;
  }
}

}  // namespace
}  // namespace chaosrun::abi_test
