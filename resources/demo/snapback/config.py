"""Settings of a backup run, read from a JSON file."""

import json
from dataclasses import dataclass


@dataclass
class Settings:
    source: str
    target: str = "backups/"
    keep: int = 7


def load(path):
    """Reads the settings; a missing source or a keep below 1 is an error naming the file."""
    with open(path, encoding="utf-8") as f:
        raw = json.load(f)
    if "source" not in raw:
        raise ValueError(f"{path}: 'source' is required (the folder to back up)")
    keep = int(raw.get("keep", 7))
    if keep < 1:
        raise ValueError(f"{path}: 'keep' must be at least 1, not {keep}")
    return Settings(source=raw["source"], target=raw.get("target", "backups/"), keep=keep)
