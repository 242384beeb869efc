// The proxy_api tests' `chaosrun proxy serve` child (tests/integration/proxy_api/serve_process.cc),
// compiled into this executable too, so both folders start the server one way. It uses
// CHAOSRUN_BINARY, which tests/CMakeLists.txt defines for the files that name it.
#include "integration/proxy_api/serve_process.cc"
