"""`niw serve`: the releases on http://127.0.0.1:8000/ (the latest one's site at the root).

Serves NIW_PUBLISH_DIR read-only with Python's own HTTP server: `/` redirects to
`/latest/site/index.html`, every release stays at `/<release_id>/`, and a release's files
can be fetched one by one (`niw fetch`). Hidden folders (releases being staged) are not
served. It binds to localhost unless told otherwise; it is a viewer, not a public web server.
"""

from __future__ import annotations

import functools
import sys
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlsplit


class ReleaseHandler(SimpleHTTPRequestHandler):
    def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
        if self.refused():
            return
        super().do_GET()

    def do_HEAD(self) -> None:  # noqa: N802
        if self.refused():
            return
        super().do_HEAD()

    def refused(self) -> bool:
        path = unquote(urlsplit(self.path).path)
        if path in ("", "/"):
            self.send_response(302)
            self.send_header("Location", "/latest/site/index.html")
            self.send_header("Content-Length", "0")
            self.end_headers()
            return True
        if any(part.startswith(".") for part in path.split("/") if part):
            self.send_error(404, "Not found")
            return True
        return False


def make_server(
    publish_dir: Path, host: str = "127.0.0.1", port: int = 8000
) -> ThreadingHTTPServer:
    handler = functools.partial(ReleaseHandler, directory=str(publish_dir))
    return ThreadingHTTPServer((host, port), handler)


def serve(publish_dir: Path, host: str, port: int) -> int:
    if not (publish_dir / "latest").exists():
        print(f"No release under {publish_dir} yet: run `make run` first.", file=sys.stderr)
        return 1
    try:
        server = make_server(publish_dir, host, port)
    except OSError as error:
        print(
            f"Cannot serve on {host}:{port}: {error.strerror or error}. "
            "Choose another port with --port.",
            file=sys.stderr,
        )
        return 1
    print(f"Serving {publish_dir} on http://{host}:{server.server_port}/ (Ctrl-C to stop)")
    print(f"  latest release's site: http://{host}:{server.server_port}/latest/site/index.html")
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0
