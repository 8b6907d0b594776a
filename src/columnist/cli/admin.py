"""`columnist admin`: the review desk in a browser, on 127.0.0.1."""

from __future__ import annotations

from typing import Annotated

import typer

from columnist.cli import ConfigOpt, say

app = typer.Typer()


@app.command()
def admin(
    config: ConfigOpt = None,
    port: Annotated[int | None, typer.Option(help="Port (default: [admin] port, 8001).")] = None,
) -> None:
    """Serve the review desk on http://127.0.0.1:PORT/ (another address only when
    `[admin] bind` says so)."""
    from columnist import config as config_mod
    from columnist.admin.app import serve

    settings = config_mod.load(config)
    bind, port = settings.admin.bind, port or settings.admin.port
    say(f"admin on http://{bind}:{port}/ (Ctrl-C stops it)")
    serve(settings, bind, port)
