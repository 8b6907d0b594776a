"""The record of what the last build wrote: output path -> fingerprint of its inputs.

It lives in the output folder so that the folder carries its own build state; files the
manifest does not list (a CNAME, a hand-made page) are never touched or deleted.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

MANIFEST_NAME = ".columnist-manifest.json"
_VERSION = 1


def is_safe_relative(path: str) -> bool:
    """True for a plain relative path inside the output folder (no '..', no root)."""
    if not path or path[0] == "/" or "\\" in path or "\x00" in path or path == MANIFEST_NAME:
        return False
    return all(part not in ("", ".", "..") for part in path.split("/"))


def load_manifest(output: Path) -> dict[str, str]:
    """Entries of the previous build; an unreadable or foreign manifest counts as empty."""
    try:
        data = json.loads((output / MANIFEST_NAME).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    if not isinstance(data, dict) or data.get("version") != _VERSION:
        return {}
    files = data.get("files")
    if not isinstance(files, dict):
        return {}
    return {
        k: v
        for k, v in files.items()
        if isinstance(v, str) and isinstance(k, str) and is_safe_relative(k)
    }


def save_manifest(output: Path, files: dict[str, str]) -> None:
    data = {"version": _VERSION, "generator": "columnist", "files": dict(sorted(files.items()))}
    target = output / MANIFEST_NAME
    tmp = output / f".{MANIFEST_NAME}.{os.getpid()}.tmp"
    tmp.write_text(json.dumps(data, indent=0, ensure_ascii=False), encoding="utf-8")
    os.replace(tmp, target)
