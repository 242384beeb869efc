// HaltWatch: notices the kill switch (<state-dir>/halt, see fault_manager.h) within milliseconds,
// in every phase of a run. One thread waits on inotify for the halt file to be created, moved in
// or rewritten in the state directory; while the directory cannot be watched (it does not exist
// yet, or inotify is unavailable) it looks every 50 ms instead. The handler runs on that thread,
// once, as soon as the file exists (also when it already exists at construction).
#pragma once

#include <functional>
#include <string>
#include <thread>

namespace chaosrun::faults {

class HaltWatch {
 public:
  using Handler = std::function<void(const std::string& reason)>;
  HaltWatch(std::string state_dir, Handler on_halt);
  ~HaltWatch();  // stops and joins the thread
  HaltWatch(const HaltWatch&) = delete;
  HaltWatch& operator=(const HaltWatch&) = delete;

 private:
  void Loop();
  bool Watch();  // adds the inotify watch on the state directory; false when it cannot

  std::string state_dir_;
  Handler on_halt_;
  int inotify_fd_ = -1;
  int watch_ = -1;
  int stop_fd_ = -1;
  std::thread thread_;
};

}  // namespace chaosrun::faults
