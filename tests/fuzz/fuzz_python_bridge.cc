// libFuzzer target: the host side of the python bridge (src/providers/python_bridge.h): how
// chaosrun reads the bridge's response lines (replies by id, events, lines that are not JSON
// objects, members of the wrong type). A real process over the real FIFOs: the system's Python
// runs tests/fuzz/echo_bridge.py, which answers every request with the input's own lines (the
// last one as the reply, its id set). Without Python every call fails and the target does
// nothing. Every call ends (ok, raised or failed; never a time-out, since the stand-in always
// answers at once) and never throws; a reply's traceback holds only its strings.
// A response the host cannot attribute (an id that is not a call's number) condemns the bridge;
// the target then starts its successor before returning, so every input ends with the bridge
// idle. Otherwise the condemned bridge's threads are still being torn down (the child killed and
// reaped) while libFuzzer's leak check stops the process, and LSan has reported the argv of a
// spawn then in flight as a leak.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "common/cancel.h"
#include "providers/python_bridge.h"

namespace providers = chaosrun::providers;
using chaosrun::Json;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static providers::PythonBridge* bridge = [] {
    providers::PythonSettings settings;
    settings.bridge_script = CHAOSRUN_FUZZ_ECHO_BRIDGE;
    auto* b = new providers::PythonBridge(settings);
    b->SetInterruptHandler([](bool, const std::string&) {});
    return b;
  }();
  static chaosrun::CancelSource never;
  const std::string raw(reinterpret_cast<const char*>(data), size);
  const providers::BridgeReply reply =
      bridge->Call(Json{{"op", "echo"}, {"raw", raw}}, never.token(), std::chrono::seconds(8));
  if (reply.end == providers::BridgeReply::End::kTimedOut) std::abort();
  if (reply.end == providers::BridgeReply::End::kOk) (void)reply.result.dump();
  if (bridge->pid() < 0) (void)bridge->Start(never.token());  // fails only without Python
  return 0;
}
