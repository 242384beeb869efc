// The concurrent test driver (concurrent_driver.cc) without "concurrent_calls": the host
// serialises its calls, so its undo waits for a probe in progress.
#define CONCURRENT_DRIVER_NAME "serial"
#define CONCURRENT_DRIVER_FLAG ""
#include "concurrent_driver.cc"
