// Does the running kernel have a qdisc kind (sch_netem, sch_tbf, ...)? Answered without touching
// any real interface, in this order:
//   1. /sys/module/sch_<kind> exists (loaded, or built in with parameters);
//   2. /lib/modules/<release>/modules.builtin lists sch_<kind>.ko (built in);
//   3. /lib/modules/<release>/kernel/net/sched/sch_<kind>.ko[.xz|.zst|.gz] exists (loadable: tc
//      makes the kernel load it);
//   4. otherwise: `unshare --net tc qdisc add dev lo root <kind> ...` — a throwaway network
//      namespace that disappears with the command; "unknown" in its answer means no.
#pragma once

#include <string>

#include "network/env.h"

namespace chaosrun::drivers::network {

struct QdiscSupport {
  bool known = false;      // false: could not tell (`how` says why)
  bool supported = false;  // meaningful when known
  std::string how;         // how it was decided, or why not
};

QdiscSupport DetectQdisc(const std::string& kind, const Env& env);

// The files-only part (steps 1-3) for `release`; known=false when they do not decide.
QdiscSupport DetectQdiscFromFiles(const std::string& kind, const std::string& release,
                                  const Env& env);

}  // namespace chaosrun::drivers::network
