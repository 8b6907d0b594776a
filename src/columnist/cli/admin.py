"""`columnist admin`: the review desk in a browser, on 127.0.0.1."""

from __future__ import annotations

from typing import Annotated

import typer

from columnist.cli import ConfigOpt, say

app = typer.Typer()


@app.command()
def admin(
    config: ConfigOpt = None,
    port: Annotated[int, typer.Option(help="Port on 127.0.0.1.")] = 8001,
) -> None:
    """Serve the review desk (log in, the queue, publish, reject) on http://127.0.0.1:PORT/."""
    from columnist import config as config_mod
    from columnist.admin.app import serve

    settings = config_mod.load(config)
    say(f"admin on http://127.0.0.1:{port}/ (Ctrl-C stops it)")
    serve(settings, port)
