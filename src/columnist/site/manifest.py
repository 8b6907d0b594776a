"""The record of what the last build wrote: output path -> fingerprint of its inputs.

It lives in the output folder so that the folder carries its own build state; files the
manifest does not list (a CNAME, a hand-made page) are never touched or deleted.
Besides single files it holds groups: a folder whose files are made together and only
together (a search shard: thousands of files from one run of Pagefind), recorded as
one fingerprint and the list of file names, so that a build handles a kept group at
the cost of one entry instead of one per file.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

MANIFEST_NAME = ".columnist-manifest.json"
_VERSION = 2  # 1: files only


class Group(NamedTuple):
    key: str  # fingerprint of everything the group's files are made from
    names: list[str]  # its files, relative to its folder


@dataclass(slots=True)
class Manifest:
    files: dict[str, str] = field(default_factory=dict)  # path -> fingerprint
    groups: dict[str, Group] = field(default_factory=dict)  # "folder/" -> group

    def group_paths(self, folder: str) -> list[str]:
        group = self.groups.get(folder)
        return [folder + name for name in group.names] if group else []


# "/"-separated names, none of them empty, "." or "..", without backslash or NUL.
_SAFE_PART = r"(?!\.\.?(?:/|$))[^/\\\x00]+"
_SAFE_RELATIVE = re.compile(rf"{_SAFE_PART}(?:/{_SAFE_PART})*")


def is_safe_relative(path: str) -> bool:
    """True for a plain relative path inside the output folder (no '..', no root)."""
    return path != MANIFEST_NAME and _SAFE_RELATIVE.fullmatch(path) is not None


def load_manifest(output: Path) -> Manifest:
    """What the previous build wrote; an unreadable or foreign manifest counts as empty.

    Paths that could reach outside the output folder are dropped (group file names are
    checked where they are deleted, the only place they are used as paths).
    """
    try:
        data = json.loads((output / MANIFEST_NAME).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return Manifest()
    if not isinstance(data, dict) or data.get("version") not in (1, _VERSION):
        return Manifest()
    files = data.get("files")
    if not isinstance(files, dict):
        return Manifest()
    if not _all_safe(files):  # the usual case is checked in a few scans of all paths
        files = {
            k: v
            for k, v in files.items()
            if isinstance(v, str) and isinstance(k, str) and is_safe_relative(k)
        }
    return Manifest(files, _groups(data.get("groups")))


def _groups(data: object) -> dict[str, Group]:
    groups: dict[str, Group] = {}
    if not isinstance(data, dict):
        return groups
    for folder, group in data.items():
        if not (isinstance(folder, str) and folder.endswith("/")):
            continue
        if not is_safe_relative(folder[:-1]) or not isinstance(group, dict):
            continue
        key, names = group.get("key"), group.get("files")
        if isinstance(key, str) and isinstance(names, list):
            groups[folder] = Group(key, [n for n in names if isinstance(n, str)])
    return groups


def _all_safe(files: dict) -> bool:
    """True if every key is a safe relative path and every value a string, checked with a
    few scans of all keys at once (per key, a 20,000-file manifest took 25 ms).

    With the keys joined by NUL and every "/" made a NUL too, each path segment sits
    between two NULs: an empty, "." or ".." segment (or key) shows as a NUL pair.
    """
    if not files or MANIFEST_NAME in files:
        return not files
    if not all(type(k) is str and type(v) is str for k, v in files.items()):
        return False
    joined = "\x00".join(files)
    if "\\" in joined or joined.count("\x00") != len(files) - 1:  # a NUL inside a key
        return False
    segments = "\x00" + joined.replace("/", "\x00") + "\x00"
    return not any(bad in segments for bad in ("\x00\x00", "\x00.\x00", "\x00..\x00"))


def save_manifest(output: Path, manifest: Manifest) -> None:
    # In page order (deterministic); sorting 20,000 paths cost more than writing them.
    data = {
        "version": _VERSION,
        "generator": "columnist",
        "files": manifest.files,
        "groups": {f: {"key": g.key, "files": g.names} for f, g in manifest.groups.items()},
    }
    target = output / MANIFEST_NAME
    tmp = output / f".{MANIFEST_NAME}.{os.getpid()}.tmp"
    # No indent: json's C encoder only runs without one (10,000 pages: 5 ms instead of 40).
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, target)
