#!/usr/bin/env python3
"""The ML lab's model server. Every 0.25 s (and on POST /-/reload) it reads the registry
(serving.json, manifest.json, the served artifact, training_config.json, training_configs/)
and the current dataset (datasets/current.json and its manifest), and reloads what changed.

  POST /predict {"features": {"age", "income_k", "clicks", "country"}}
                -> {"score": x, "model_version": N}
  POST /-/reload  polls at once -> {"model_version": N, "artifact_ok": true|false}

A served artifact whose bytes do not match the manifest's sha256, or that does not parse: the
server keeps serving the last good model (silently, as real servers do) and reports it only in
ml_model_artifact_ok 0; 1 again as soon as the bytes are right.

GET /metrics:
  ml_model_served_version              version of the model actually served (0: none yet)
  ml_registry_latest_version           the manifest's "latest"
  ml_model_age_seconds                 now - the served model's created_at
  ml_model_artifact_ok                 1: the artifact serving.json names is intact, else 0
  ml_model_load_failures_total         bad artifacts seen (each distinct bad content once)
  ml_predictions_total                 predictions answered
  ml_training_config_version           config_version of training_config.json
  ml_training_config_latest_version    highest N of training_configs/v<N>.json
  ml_training_code_info{code_version}  1, with training_config.json's code_version
  ml_dataset_version                   datasets/current.json's version
  ml_dataset_age_seconds               now - that dataset's created_at

Usage: modelserver.py --port P --dir DIR   (DIR: the ML lab's directory)
"""
import argparse
import hashlib
import json
import math
import os
import re
import sys
import threading
import time

import mlcommon

POLL = 0.25


class State:
    def __init__(self, root):
        self.root = root
        self.reg = os.path.join(root, "registry")
        self.lock = threading.Lock()
        self.model = None  # the parsed artifact served
        self.model_sha = None
        self.model_created = 0.0
        self.served_version = 0
        self.latest = 0
        self.artifact_ok = 0
        self.load_failures = 0
        self.last_bad = None
        self.predictions = 0
        self.config_version = 0
        self.config_latest = 0
        self.code_version = None
        self.dataset_version = 0
        self.dataset_created = None

    # The poll: each file on its own; one that cannot be read leaves its values as they were.
    def poll(self):
        with self.lock:
            self._poll_model()
            self._poll_training()
            self._poll_dataset()

    def _poll_model(self):
        try:
            manifest = mlcommon.read_json(os.path.join(self.reg, "manifest.json"))
            self.latest = int(manifest["latest"])
            serving = int(mlcommon.read_json(os.path.join(self.reg, "serving.json"))["version"])
            entry = manifest["models"][str(serving)]
        except (OSError, ValueError, KeyError, TypeError):
            self._bad(("registry", None))
            return
        try:
            with open(os.path.join(self.reg, entry["file"]), "rb") as f:
                data = f.read()
        except (OSError, KeyError, TypeError):
            self._bad((serving, None))
            return
        sha = hashlib.sha256(data).hexdigest()
        if sha != entry.get("sha256"):
            self._bad((serving, sha))
            return
        if sha == self.model_sha:
            self.artifact_ok = 1
            return
        try:
            model = json.loads(data)
            created = float(model["created_at"])
            float(model["bias"])
            if not isinstance(model["weights"]["country"], dict):
                raise TypeError("weights.country")
        except (ValueError, KeyError, TypeError):
            self._bad((serving, sha))
            return
        self.model, self.model_sha, self.served_version = model, sha, serving
        self.model_created = created
        self.artifact_ok = 1

    def _bad(self, what):
        self.artifact_ok = 0
        if what != self.last_bad:
            self.last_bad = what
            self.load_failures += 1

    def _poll_training(self):
        try:
            cfg = mlcommon.read_json(os.path.join(self.reg, "training_config.json"))
            self.config_version = int(cfg["config_version"])
            self.code_version = str(cfg["code_version"])
        except (OSError, ValueError, KeyError, TypeError):
            pass
        try:
            names = os.listdir(os.path.join(self.reg, "training_configs"))
        except OSError:
            return
        versions = [int(m.group(1)) for m in (re.fullmatch(r"v(\d+)\.json", n) for n in names) if m]
        if versions:
            self.config_latest = max(versions)

    def _poll_dataset(self):
        d = os.path.join(self.root, "datasets")
        try:
            version = int(mlcommon.read_json(os.path.join(d, "current.json"))["version"])
            if version == self.dataset_version:
                return
            m = mlcommon.read_json(os.path.join(d, "v%d" % version, "manifest.json"))
            self.dataset_created = float(m["created_at"])
            self.dataset_version = version
        except (OSError, ValueError, KeyError, TypeError):
            pass

    def predict(self, features):
        with self.lock:
            model, version = self.model, self.served_version
            if model is None:
                return None
            self.predictions += 1
        w = model["weights"]
        z = float(model["bias"])
        for name in ("age", "income_k", "clicks"):
            v = features.get(name)
            if isinstance(v, (int, float)) and not isinstance(v, bool):
                z += float(w.get(name, 0.0)) * v
        z += float(w["country"].get(features.get("country"), 0.0))
        z = max(-50.0, min(50.0, z))
        return {"score": round(1.0 / (1.0 + math.exp(-z)), 6), "model_version": version}

    def render(self):
        now = time.time()
        with self.lock:
            g = {
                "ml_model_served_version": self.served_version,
                "ml_registry_latest_version": self.latest,
                "ml_model_artifact_ok": self.artifact_ok,
                "ml_model_load_failures_total": self.load_failures,
                "ml_predictions_total": self.predictions,
                "ml_training_config_version": self.config_version,
                "ml_training_config_latest_version": self.config_latest,
                "ml_dataset_version": self.dataset_version,
            }
            extra = [(k, {}, v) for k, v in g.items()]
            if self.model is not None:
                extra.append(("ml_model_age_seconds", {}, now - self.model_created))
            if self.code_version is not None:
                extra.append(("ml_training_code_info", {"code_version": self.code_version}, 1))
            if self.dataset_created is not None:
                extra.append(("ml_dataset_age_seconds", {}, max(0.0, now - self.dataset_created)))
        return METRICS.render(extra)


METRICS = mlcommon.Metrics()
for _name, _kind, _help in [
    ("ml_model_served_version", "gauge", "Version of the model served (0: none yet)."),
    ("ml_registry_latest_version", "gauge", "The registry manifest's latest version."),
    ("ml_model_age_seconds", "gauge", "Seconds since the served model was created."),
    ("ml_model_artifact_ok", "gauge", "1: the artifact serving.json names matches the manifest."),
    ("ml_model_load_failures_total", "counter", "Bad artifacts seen."),
    ("ml_predictions_total", "counter", "Predictions answered."),
    ("ml_training_config_version", "gauge", "config_version of the deployed training config."),
    ("ml_training_config_latest_version", "gauge", "Newest training config in the archive."),
    ("ml_training_code_info", "gauge", "The deployed training code version (value 1)."),
    ("ml_dataset_version", "gauge", "The current dataset version."),
    ("ml_dataset_age_seconds", "gauge", "Seconds since the current dataset was published."),
]:
    METRICS.declare(_name, _kind, _help)
STATE = None


class Handler(mlcommon.Handler):
    def do_GET(self):  # noqa: N802 (http.server's name)
        if self.path.split("?")[0] == "/metrics":
            self.reply_metrics(STATE.render())
        else:
            self.reply(404, {"error": "not found"})

    def do_POST(self):  # noqa: N802
        path = self.path.split("?")[0]
        if path == "/-/reload":
            self.read_json()  # any body is ignored
            STATE.poll()
            self.reply(200, {"model_version": STATE.served_version,
                             "artifact_ok": bool(STATE.artifact_ok)})
            return
        if path != "/predict":
            self.reply(404, {"error": "not found"})
            return
        body = self.read_json()
        if body is None:
            return
        if not isinstance(body, dict) or not isinstance(body.get("features"), dict):
            self.reply(400, {"error": "/features: an object is required"})
            return
        result = STATE.predict(body["features"])
        if result is None:
            self.reply(503, {"error": "no model loaded"})
        else:
            self.reply(200, result)


def poller(stop):
    while not stop.is_set():
        STATE.poll()
        stop.wait(POLL)


def main():
    global STATE
    p = argparse.ArgumentParser()
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--dir", required=True)
    a = p.parse_args()
    STATE = State(a.dir)
    STATE.poll()
    stop = threading.Event()
    t = threading.Thread(target=poller, args=(stop,), daemon=True)
    t.start()
    mlcommon.serve(a.port, Handler, stop)
    t.join(timeout=2)
    return 0


if __name__ == "__main__":
    sys.exit(main())
