// journal::DrillTimes on journals shaped as the engine writes them (run records, rollbacks with
// the undo records of the faults).
#include "journal/drill.h"

#include <gtest/gtest.h>

namespace chaosrun::journal {
namespace {

Json Action(const std::string& name, const std::string& driver, const std::string& func,
            const std::string& fault, const std::string& end) {
  return Json{{"activity",
               {{"type", "action"},
                {"name", name},
                {"provider", {{"type", "driver"}, {"driver", driver}, {"func", func}}}}},
              {"output", {{"fault", fault}}},
              {"start", end},
              {"status", "succeeded"},
              {"end", end}};
}

Json Measure(const std::string& measure, bool held, const std::string& observed_at) {
  return Json{
      {"activity",
       {{"type", "probe"},
        {"name", measure},
        {"provider",
         {{"type", "driver"},
          {"driver", "telemetry"},
          {"func", "alert_firing"},
          {"arguments", {{"measure", measure}}}}}}},
      {"output", {{"held", held}, {"observed_at", held ? Json(observed_at) : Json(nullptr)}}},
      {"status", "succeeded"}};
}

Json Undo(const std::string& fault, const std::string& end) {
  return Json{{"activity", {{"type", "action"}, {"name", "undo"}}},
              {"status", "succeeded"},
              {"start", end},
              {"end", end},
              {"fault", fault},
              {"reason", "watchdog: maximum duration reached"}};
}

Json Drill() {
  return Json{
      {"run", Json::array({Action("open-sink", "telemetry", "start_notification_sink", "f-sink",
                                  "2026-12-07T02:00:00.000000+00:00"),
                           Action("break", "network", "disable_proxy", "f-1",
                                  "2026-12-07T02:00:01.000000+00:00"),
                           Measure("time_to_detect", true, "2026-12-07T02:00:03.500000+00:00"),
                           Measure("time_to_notify", true, "2026-12-07T02:00:04.250000+00:00"),
                           Measure("time_to_recover", true, "2026-12-07T02:00:12.000000+00:00")})},
      {"rollbacks", Json::array({Undo("f-1", "2026-12-07T02:00:09.000000+00:00"),
                                 Undo("f-sink", "2026-12-07T02:00:13.000000+00:00")})}};
}

TEST(DrillTimes, MeasuresFromTheFaultsApplyAndUndo) {
  Json d = DrillTimes(Drill());
  ASSERT_TRUE(d.is_object()) << d.dump();
  EXPECT_DOUBLE_EQ(d["time_to_detect"].get<double>(), 2.5);
  EXPECT_DOUBLE_EQ(d["time_to_notify"].get<double>(), 3.25);
  EXPECT_DOUBLE_EQ(d["time_to_recover"].get<double>(), 3.0);
  EXPECT_EQ(d["alert_fired_at"], "2026-12-07T02:00:03.500000+00:00");
  EXPECT_EQ(d["notification_received_at"], "2026-12-07T02:00:04.250000+00:00");
  EXPECT_EQ(d["alert_resolved_at"], "2026-12-07T02:00:12.000000+00:00");
  EXPECT_EQ(d["fault"], "f-1");  // not the notification sink
  EXPECT_EQ(d["fault_applied_at"], "2026-12-07T02:00:01.000000+00:00");
  EXPECT_EQ(d["fault_undone_at"], "2026-12-07T02:00:09.000000+00:00");
}

TEST(DrillTimes, AConditionThatNeverHeldIsNull) {
  Json j = Drill();
  j["run"][2] = Measure("time_to_detect", false, "");
  j["run"][3] = Measure("time_to_notify", false, "");
  Json d = DrillTimes(j);
  ASSERT_TRUE(d.is_object());
  EXPECT_TRUE(d["time_to_detect"].is_null());
  EXPECT_TRUE(d["time_to_notify"].is_null());
  EXPECT_TRUE(d["alert_fired_at"].is_null());
  // Nothing was detected, so the alert that never fired did not "recover" either.
  EXPECT_TRUE(d["time_to_recover"].is_null());
  EXPECT_TRUE(d["alert_resolved_at"].is_null());
  // Without a detection probe, a recovery is measured on its own.
  j["run"].erase(2);
  j["run"].erase(2);
  EXPECT_DOUBLE_EQ(DrillTimes(j)["time_to_recover"].get<double>(), 3.0);
}

TEST(DrillTimes, NoRecoveryBeforeTheUndoAndNoFaultNoTime) {
  Json j = Drill();
  // The fault was undone at the end of the run, after the "recovery" was seen.
  j["rollbacks"][0]["end"] = "2026-12-07T02:00:20.000000+00:00";
  EXPECT_TRUE(DrillTimes(j)["time_to_recover"].is_null());
  // A measurement with no fault before it.
  Json k = Drill();
  k["run"].erase(1);
  Json d = DrillTimes(k);
  EXPECT_TRUE(d["time_to_detect"].is_null());
  EXPECT_TRUE(d["time_to_recover"].is_null());
}

TEST(DrillTimes, NotADrillIsNull) {
  EXPECT_TRUE(DrillTimes(Json{{"run", Json::array()}}).is_null());
  EXPECT_TRUE(DrillTimes(Json::object()).is_null());
  EXPECT_TRUE(DrillTimes(Json("text")).is_null());
  Json j = Drill();
  j["run"] = Json::array({j["run"][1]});  // a fault, nothing measured
  EXPECT_TRUE(DrillTimes(j).is_null());
}

TEST(DrillTimes, OddShapesAreIgnored) {
  Json j = Drill();
  j["run"].push_back(42);
  j["run"].push_back(Json{{"activity", "x"}, {"output", Json::array()}});
  j["rollbacks"] = "nope";
  Json d = DrillTimes(j);
  ASSERT_TRUE(d.is_object());
  EXPECT_DOUBLE_EQ(d["time_to_detect"].get<double>(), 2.5);
  EXPECT_TRUE(d["time_to_recover"].is_null());
}

}  // namespace
}  // namespace chaosrun::journal
