#!/usr/bin/env python3
"""Creates the ML lab's registry and pipeline archive (scripts/lab.sh up --ml), under DIR:

  registry/models/v1.json v2.json v3.json  model artifacts (JSON; v3 a few KiB)
  registry/manifest.json                   {"latest": 3, "models": {"N": {"file", "sha256",
                                           "created_at"}}}
  registry/serving.json                    {"version": 3}: what the model server serves
  registry/training_configs/v1..v3.json    training configs; training_config.json == v3.json
  pipeline/versions/v1.json v2.json        pipeline code versions (v1: the old extraction,
                                           which never extracts "country")
  pipeline/deploy.json                     == versions/v2.json
  datasets/                                empty: the pipeline publishes into it

Deterministic (seeded random) apart from the created_at times. Not a service: no metrics.
Usage: init.py DIR
"""
import hashlib
import json
import os
import random
import sys
import time

COUNTRIES = ["DE", "FR", "US", "GB", "ES", "IT", "NL", "PL", "SE", "JP"]
FEATURES = ["age", "income_k", "clicks", "country"]


def dump(path, value):
    data = (json.dumps(value, indent=1, sort_keys=True) + "\n").encode()
    with open(path, "wb") as f:
        f.write(data)
    return data


def model(version, created_at):
    rng = random.Random(1400 + version)
    w = lambda: round(rng.uniform(-0.05, 0.05), 6)  # noqa: E731
    m = {
        "version": version,
        "created_at": created_at,
        "features": FEATURES,
        "weights": {"age": w(), "income_k": w(), "clicks": w(),
                    "country": {c: w() for c in COUNTRIES}},
        "bias": w(),
        "training_config_version": version,
    }
    if version == 3:  # the newest model also carries its calibration table (a few KiB)
        m["calibration"] = [[round(i / 100.0, 2), round(rng.random(), 6)] for i in range(101)]
    return m


def training_config(version):
    return {
        "config_version": version,
        "code_version": "train-%d.0.0" % version,
        "hyperparameters": {"learning_rate": round(0.1 / version, 4), "epochs": 10 * version,
                            "l2": 0.001 * version, "batch_size": 64 * version},
    }


def pipeline_version(version):
    features = ["age", "income_k", "clicks"] + (["country"] if version >= 2 else [])
    return {"code_version": version, "features": features}


def main():
    root = sys.argv[1]
    reg = os.path.join(root, "registry")
    for d in ("registry/models", "registry/training_configs", "pipeline/versions", "datasets"):
        os.makedirs(os.path.join(root, d), exist_ok=True)
    now = int(time.time())
    models = {}
    for v in (1, 2, 3):
        created = now - (4 - v) * 86400
        data = dump(os.path.join(reg, "models", "v%d.json" % v), model(v, created))
        models[str(v)] = {"file": "models/v%d.json" % v, "sha256": hashlib.sha256(data).hexdigest(),
                          "created_at": created}
        dump(os.path.join(reg, "training_configs", "v%d.json" % v), training_config(v))
    dump(os.path.join(reg, "manifest.json"), {"latest": 3, "models": models})
    dump(os.path.join(reg, "serving.json"), {"version": 3})
    dump(os.path.join(reg, "training_config.json"), training_config(3))
    for v in (1, 2):
        dump(os.path.join(root, "pipeline", "versions", "v%d.json" % v), pipeline_version(v))
    dump(os.path.join(root, "pipeline", "deploy.json"), pipeline_version(2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
