from typing import Any, Dict, List

Configuration = Dict[str, Any]
Secrets = Dict[str, Dict[str, Any]]
Settings = Dict[str, Any]
Experiment = Dict[str, Any]
Probe = Dict[str, Any]
Run = Dict[str, Any]
Activity = Dict[str, Any]
Journal = Dict[str, Any]
