"""`columnist serve`: a local preview of the built site on 127.0.0.1 only."""

from __future__ import annotations

import functools
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from columnist.progress import console


def serve_folder(folder: Path, port: int = 8000) -> None:
    handler = functools.partial(SimpleHTTPRequestHandler, directory=str(folder))
    with ThreadingHTTPServer(("127.0.0.1", port), handler) as server:
        console.print(
            f"Serving {folder} at http://127.0.0.1:{server.server_address[1]}/ (Ctrl-C to stop)",
            highlight=False,
        )
        try:
            server.serve_forever()
        except KeyboardInterrupt:
            console.print("stopped")
