/*
 * chaosrun driver ABI — the stable C interface between chaosrun (the host) and a driver plugin
 * (a shared library that injects and undoes one family of faults).
 *
 * Rules (they are what make the ABI stable; a test hashes this file, so any change must be a
 * deliberate version bump, see docs/drivers.md):
 *   - Pure C, <stddef.h>/<stdint.h> only. One exported symbol: CHAOSRUN_DRIVER_ENTRY_NAME.
 *   - Every struct begins with {abi_major, abi_minor, struct_size}. Fields are only ever appended;
 *     a reader uses a field only when struct_size says it is present. A different major version
 *     is refused by both sides.
 *   - Data crosses the boundary as UTF-8 JSON text (NUL-terminated).
 *   - Ownership is in the names: `_borrowed` pointers stay owned by the side that passed them and
 *     are valid only for the duration of the call (or, for the descriptor, until unload);
 *     `_owned` outputs are allocated by the driver and released by the host with the driver's
 *     `free_owned`.
 *   - No C++ exception, longjmp or signal ever crosses the boundary. Calls may come from several
 *     host threads, but never two calls on the same instance at once, unless the descriptor
 *     declares "concurrent_calls": true (the instance is then safe for concurrent calls; a host
 *     that does not know the key serialises, which is always safe).
 *
 * Lifecycle of a fault (an action that changes the world):
 *   prepare(func, args)  -> plan {"targets": [...], "undo": {...}, ...}  NO side effects
 *   host: checks the targets against the blast radius, writes intent + undo to its ledger, fsyncs
 *   apply(func, plan)    -> result JSON
 *   undo(func, undo)     -> result JSON; idempotent, and safe when apply never ran or only
 *                           partly ran. A driver that cannot compute an undo must fail prepare.
 * Probes are a single call: probe(func, args) -> result JSON; they must not change the world.
 */
#ifndef CHAOSRUN_DRIVER_ABI_H_
#define CHAOSRUN_DRIVER_ABI_H_

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define CHAOSRUN_DRIVER_ABI_MAJOR 1
#define CHAOSRUN_DRIVER_ABI_MINOR 0
#define CHAOSRUN_DRIVER_ENTRY_NAME "chaosrun_driver_entry"

/* Result codes of every driver call. On anything but CHAOSRUN_OK the `_owned` output, if set,
 * is a JSON object {"error": "<message for a person>"}. */
typedef enum chaosrun_status {
  CHAOSRUN_OK = 0,
  CHAOSRUN_INVALID_ARGUMENT = 1, /* the arguments or plan are wrong: nothing was changed */
  CHAOSRUN_FAILED = 2,           /* the call ran and failed (the activity fails) */
  CHAOSRUN_CANCELLED = 3,        /* the host asked the call to stop */
  CHAOSRUN_UNSUPPORTED = 4,      /* unknown func, or not possible on this system */
  CHAOSRUN_INTERNAL = 5          /* a bug in the driver */
} chaosrun_status;

typedef enum chaosrun_log_level {
  CHAOSRUN_LOG_DEBUG = 0,
  CHAOSRUN_LOG_INFO = 1,
  CHAOSRUN_LOG_WARNING = 2,
  CHAOSRUN_LOG_ERROR = 3
} chaosrun_log_level;

/* Services the host offers a driver. Owned by the host; valid until the instance is destroyed.
 * Every callback is thread-safe. */
typedef struct chaosrun_host_api {
  uint16_t abi_major;
  uint16_t abi_minor;
  uint32_t struct_size;
  void* host_data_borrowed; /* pass back as the first argument of every callback */
  void (*log)(void* host_data, int32_t level, const char* message_borrowed);
  /* Monotonic time in nanoseconds (the host's injected clock). */
  uint64_t (*monotonic_ns)(void* host_data);
  /* Non-zero once the call identified by `call_id` should stop as soon as it safely can. */
  int32_t (*cancelled)(void* host_data, uint64_t call_id);
} chaosrun_host_api;

/* What a driver exports. Owned by the driver; valid until the library is unloaded. */
typedef struct chaosrun_driver_api {
  uint16_t abi_major;
  uint16_t abi_minor;
  uint32_t struct_size;

  /* JSON: {"name": "process", "version": "1.0.0", "description": "...",
   *        "actions": [{"name": "kill", "description": "...", "arguments": <JSON Schema>}],
   *        "probes":  [{"name": "running", "description": "...", "arguments": <JSON Schema>}]} */
  const char* descriptor_json_borrowed;

  /* Creates an instance bound to `host`; NULL on failure. */
  void* (*create)(const chaosrun_host_api* host_borrowed);
  void (*destroy)(void* instance);

  /* Each call: `call_id` identifies the call for host->cancelled; `func` names the action or
   * probe; on return *out_json_owned is NULL or a string to release with free_owned. */
  int32_t (*probe)(void* instance, uint64_t call_id, const char* func_borrowed,
                   const char* args_json_borrowed, char** out_json_owned);
  int32_t (*prepare)(void* instance, uint64_t call_id, const char* func_borrowed,
                     const char* args_json_borrowed, char** out_plan_json_owned);
  int32_t (*apply)(void* instance, uint64_t call_id, const char* func_borrowed,
                   const char* plan_json_borrowed, char** out_json_owned);
  int32_t (*undo)(void* instance, uint64_t call_id, const char* func_borrowed,
                  const char* undo_json_borrowed, char** out_json_owned);

  void (*free_owned)(char* owned);
} chaosrun_driver_api;

/* The one exported entry point. The host passes its ABI version; the driver returns its API
 * (whose abi_major the host checks) or NULL if it cannot serve that host. */
typedef const chaosrun_driver_api* (*chaosrun_driver_entry_fn)(uint16_t host_abi_major,
                                                               uint16_t host_abi_minor);

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* CHAOSRUN_DRIVER_ABI_H_ */
