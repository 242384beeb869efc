// The descriptor: every action with a strict JSON Schema of its arguments (checked by the host in
// `chaosrun validate` and before every call), in the order `chaosrun drivers` lists them.
#include "actions.h"

namespace chaosrun_ml {

namespace {

constexpr const char* kDescriptor = R"json({
  "name": "ml",
  "version": "1.0.0",
  "description": "Faults of an ML system: an older model served, a corrupt model artifact, a stale training config, old pipeline code, a frozen dataset pipeline, schema drift in the data (a json_rewrite toxic on the fault proxy), an overloaded telemetry collector. Every file fault keeps the original bytes in its undo and restores them checked by SHA-256.",
  "concurrent_calls": true,
  "actions": [
    {
      "name": "stale_model",
      "description": "The updated model is never pushed: rewrites <registry>/serving.json to an older version of the registry's manifest.json. Target file:<registry>/serving.json; undo restores serving.json byte for byte (checked by SHA-256), then POSTs reload_url.",
      "arguments": {
        "type": "object",
        "properties": {
          "registry": {"type": "string", "minLength": 1, "description": "the model registry directory (manifest.json, serving.json, models/)"},
          "version": {"type": "integer", "minimum": 1, "description": "the older version to serve (default: manifest latest - 1); it must be in manifest.json with its artifact present"},
          "reload_url": {"type": "string", "pattern": "^https?://", "description": "POSTed after the change and after the undo, e.g. the model server's http://HOST:PORT/-/reload"}
        },
        "required": ["registry"],
        "additionalProperties": false
      }
    },
    {
      "name": "corrupt_model",
      "description": "A corrupted model artifact: the file is truncated or garbled (a seeded window of a quarter of its bytes, each changed). Target file:<artifact>; undo restores the original bytes (checked by SHA-256), refusing to overwrite a file someone else changed since.",
      "arguments": {
        "type": "object",
        "properties": {
          "artifact": {"type": "string", "minLength": 1, "description": "the model artifact file (at most 1 MiB)"},
          "mode": {"type": "string", "enum": ["truncate", "garble"], "default": "garble", "description": "truncate: keep only the first keep_bytes; garble: change a window of bytes"},
          "keep_bytes": {"type": "integer", "minimum": 0, "description": "truncate: bytes kept (default: half of the file)"},
          "seed": {"type": "integer", "minimum": 0, "description": "garble: seed of the window and the bytes (default: random, reported in the plan)"},
          "reload_url": {"type": "string", "pattern": "^https?://", "description": "POSTed after the change and after the undo"}
        },
        "required": ["artifact"],
        "if": {"required": ["keep_bytes"]},
        "then": {"required": ["mode"], "properties": {"mode": {"const": "truncate"}}},
        "additionalProperties": false
      }
    },
    {
      "name": "stale_training_config",
      "description": "Stale hyperparameters / old training code: <registry>/training_config.json <- <registry>/training_configs/v<version>.json (byte for byte). Target file:<registry>/training_config.json; undo restores it (checked by SHA-256).",
      "arguments": {
        "type": "object",
        "properties": {
          "registry": {"type": "string", "minLength": 1, "description": "the model registry directory (training_config.json, training_configs/)"},
          "version": {"type": "integer", "minimum": 1, "description": "the archived config to deploy (default: the current config_version - 1)"},
          "reload_url": {"type": "string", "pattern": "^https?://", "description": "POSTed after the change and after the undo"}
        },
        "required": ["registry"],
        "additionalProperties": false
      }
    },
    {
      "name": "stale_pipeline",
      "description": "Incorrect feature extraction (old pipeline code): <pipeline>/deploy.json <- <pipeline>/versions/v<version>.json (byte for byte). Target file:<pipeline>/deploy.json; undo restores it (checked by SHA-256).",
      "arguments": {
        "type": "object",
        "properties": {
          "pipeline": {"type": "string", "minLength": 1, "description": "the pipeline directory (deploy.json, versions/)"},
          "version": {"type": "integer", "minimum": 1, "description": "the archived pipeline version to deploy (default: the current code_version - 1)"}
        },
        "required": ["pipeline"],
        "additionalProperties": false
      }
    },
    {
      "name": "freeze_dataset",
      "description": "A stale dataset: SIGSTOPs the pipeline process (by pid or pidfile, optionally checked against expect_cmdline). Target process:<comm>/<pid>; undo SIGCONTs it, only if it is the same process (pid and start time); a process that is gone is a successful no-op.",
      "arguments": {
        "type": "object",
        "properties": {
          "pid": {"type": "integer", "minimum": 2, "maximum": 4194304, "description": "the pipeline's process id"},
          "pidfile": {"type": "string", "minLength": 1, "description": "a regular file (at most 64 bytes) holding the pipeline's process id, read at prepare"},
          "expect_cmdline": {"type": "string", "minLength": 1, "description": "a substring the process's command line (/proc/<pid>/cmdline, NULs read as spaces) must contain, e.g. pipeline.py: a stale pidfile whose pid was reused then freezes nothing"}
        },
        "oneOf": [{"required": ["pid"]}, {"required": ["pidfile"]}],
        "additionalProperties": false
      }
    },
    {
      "name": "schema_drift",
      "description": "The data format changes: adds a json_rewrite toxic (drop, rename, scale or retype fields of the JSON records) to a proxy of the fault proxy through its HTTP API. Target proxy:<api host:port>/<proxy>; undo deletes the toxic (already gone is fine).",
      "arguments": {
        "type": "object",
        "properties": {
          "proxy_api": {"type": "string", "pattern": "^http://", "default": "http://127.0.0.1:8474", "description": "the proxy API, Toxiproxy-compatible (chaosrun proxy serve)"},
          "api_token_file": {"type": "string", "minLength": 1, "description": "a private file (owner only, chmod 600) holding the proxy API's bearer token; read at prepare, apply and undo; the plan keeps the path, never the token"},
          "proxy": {"type": "string", "minLength": 1, "maxLength": 128, "pattern": "^[A-Za-z0-9_.-]+$", "description": "the proxy's name, e.g. datasource"},
          "operations": {
            "type": "array", "minItems": 1, "maxItems": 64,
            "description": "the rewrites, in order: {op: drop|rename|scale|retype, field, to (rename), factor (scale), type (retype)}",
            "items": {
              "type": "object",
              "required": ["op", "field"],
              "oneOf": [
                {"properties": {"op": {"const": "drop", "description": "remove the field"}, "field": {"type": "string", "minLength": 1, "description": "a key of the record, or a JSON pointer inside it (starting with /)"}}, "required": ["op", "field"], "additionalProperties": false},
                {"properties": {"op": {"const": "rename", "description": "rename the field"}, "field": {"type": "string", "minLength": 1, "description": "a key of the record, or a JSON pointer inside it (starting with /)"}, "to": {"type": "string", "minLength": 1, "description": "the new key"}}, "required": ["op", "field", "to"], "additionalProperties": false},
                {"properties": {"op": {"const": "scale", "description": "multiply a number"}, "field": {"type": "string", "minLength": 1, "description": "a key of the record, or a JSON pointer inside it (starting with /)"}, "factor": {"type": "number", "description": "the number the value is multiplied by"}}, "required": ["op", "field", "factor"], "additionalProperties": false},
                {"properties": {"op": {"const": "retype", "description": "change the JSON type of the value"}, "field": {"type": "string", "minLength": 1, "description": "a key of the record, or a JSON pointer inside it (starting with /)"}, "type": {"type": "string", "enum": ["string", "number", "integer", "boolean", "null"], "description": "the new JSON type of the value"}}, "required": ["op", "field", "type"], "additionalProperties": false}
              ]
            }
          },
          "records": {"type": "string", "pattern": "^(/.*)?$", "default": "", "description": "JSON pointer to the records in the body: \"\" = the body (an array: each object element; an object: one record)"},
          "max_body_bytes": {"type": "integer", "minimum": 1, "maximum": 67108864, "default": 1048576, "description": "larger bodies pass unchanged"},
          "stream": {"type": "string", "enum": ["upstream", "downstream"], "default": "downstream", "description": "downstream rewrites responses, upstream requests"},
          "toxic_name": {"type": "string", "minLength": 1, "maxLength": 128, "pattern": "^[A-Za-z0-9_.-]+$", "default": "chaosrun_ml_schema_drift", "description": "the toxic's name (refused if the proxy already has one of that name)"}
        },
        "required": ["proxy", "operations"],
        "additionalProperties": false
      }
    },
    {
      "name": "overload_telemetry",
      "description": "An overloaded telemetry server: a load generator process POSTs JSON arrays of events to the collector at the given rate until its duration ends, then exits by itself. Target endpoint:<host>:<port>; undo stops the generator (a generator that already ended is a no-op).",
      "arguments": {
        "type": "object",
        "properties": {
          "url": {"type": "string", "pattern": "^http://", "description": "the collector's endpoint, http://HOST:PORT/PATH (e.g. .../events)"},
          "rate": {"type": "number", "exclusiveMinimum": 0, "maximum": 100000, "description": "events per second"},
          "duration": {"type": "number", "exclusiveMinimum": 0, "maximum": 600, "description": "seconds the generator runs before it exits by itself"},
          "batch": {"type": "integer", "minimum": 1, "maximum": 10000, "default": 100, "description": "events per request (one JSON array)"},
          "event": {"type": "object", "default": {"kind": "synthetic"}, "description": "the event sent, batch times per request"}
        },
        "required": ["url", "rate", "duration"],
        "additionalProperties": false
      }
    }
  ]
})json";

}  // namespace

const char* Descriptor() { return kDescriptor; }

}  // namespace chaosrun_ml
