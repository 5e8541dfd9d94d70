"""Helpers the fault tests share: a one-line error check, and a local HTTP server standing in for a mirror."""

from __future__ import annotations

import base64
import http.server
import re
import sys
import threading
from pathlib import Path

from imgclf.core.errors import cli_entry


def the_error(output: str) -> str:
    """The one `error:` line of a command's output; there must be exactly one, and no traceback."""
    errors = [line for line in output.splitlines() if line.startswith("error:")]
    assert len(errors) == 1 and "Traceback" not in output, output
    return errors[0]


def one_line(capsys, func, *args, match: str, **kwargs) -> str:
    """Run func as a command would; it must fail with exactly one `error:` line (no traceback) matching `match`."""
    rc = cli_entry(func)(*args, **kwargs)
    err = capsys.readouterr().err
    line = the_error(err)
    assert rc == 2, err
    assert err.rstrip().splitlines()[-1] == line, err  # nothing after it: the message is one line
    assert re.search(match, line), line
    print(f"\nLINE: {line}", file=sys.__stdout__)
    return line


class Server:
    """A local HTTP mirror: serves files from `root`, or answers every request with an HTML error page."""

    def __init__(self, root: Path | None, html: bool = False, auth: str | None = None):
        hits = self.hits = []

        class Handler(http.server.BaseHTTPRequestHandler):
            def log_message(self, *a):
                pass

            def do_GET(self):
                hits.append(self.path)
                if auth and self.headers.get("Authorization") != "Basic " + base64.b64encode(auth.encode()).decode():
                    return self._send(401, b"<html>login required</html>", "text/html")
                path = (root / self.path.lstrip("/")) if root else None
                if html:
                    return self._send(200, b"<!DOCTYPE html><html><body>Service unavailable</body></html>", "text/html")
                if path is None or not path.is_file():
                    return self._send(404, b"<html>404 Not Found</html>", "text/html")
                self._send(200, path.read_bytes(), "application/octet-stream")

            def _send(self, code, body, ctype):
                self.send_response(code)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.httpd.server_port}/"

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


def load_folder(root, image_size, color_mode: str, bad_files: str, labels_csv: str = "", scratch=None, **more):
    """imgclf.data.folder.load on a folder with these settings (the rest the defaults), unvalidated, so that a
    test can give what the params schema would refuse and see what the folder reader says."""
    from imgclf.data import folder
    from imgclf.params import DataParams

    data = DataParams.model_construct(
        dataset="folder",
        folder=str(root),
        image_size=list(image_size),
        color_mode=color_mode,
        bad_files=bad_files,
        labels_csv=labels_csv,
        **more,
    )
    return folder.load(data, 0, scratch)
