"""Copy a file from a local path or download it from a URL, with a progress bar; a mirror's password is sent as
HTTP Basic authentication and never printed. What the source did wrong is a SourceError, so the caller can try the
next source; a full disk of ours is not the source's fault and passes through."""

from __future__ import annotations

import base64
import errno
import http.client
import shutil
import sys
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path


class SourceError(Exception):
    """This source cannot give the file (unreachable, an error status, not the file)."""


def redact(url: str) -> str:
    """The URL with any password replaced by ***: safe to print."""
    parts = urllib.parse.urlsplit(url)
    if parts.password is None:
        return url
    return urllib.parse.urlunsplit(parts._replace(netloc=f"{parts.username}:***@{parts.netloc.rpartition('@')[2]}"))


def scrub(text: str, url: str) -> str:
    """An error text with the URL's password (which some errors quote) replaced by ***."""
    password = urllib.parse.urlsplit(url).password
    return text.replace(password, "***") if password else text


def _request(url: str) -> urllib.request.Request:
    """Credentials in the URL become a Basic authorization header (urllib does not take them from the URL)."""
    parts = urllib.parse.urlsplit(url)
    if parts.username is None:
        return urllib.request.Request(url)
    bare = urllib.parse.urlunsplit(parts._replace(netloc=parts.netloc.rpartition("@")[2]))
    login = f"{urllib.parse.unquote(parts.username)}:{urllib.parse.unquote(parts.password or '')}"
    return urllib.request.Request(bare, headers={"Authorization": "Basic " + base64.b64encode(login.encode()).decode()})


def _download(url: str, dest: Path, name: str) -> None:
    from tqdm import tqdm

    with urllib.request.urlopen(_request(url), timeout=30) as resp:
        if resp.headers.get_content_type() == "text/html":
            raise SourceError("answered with a web page (HTML), not the file")
        total = int(resp.headers.get("Content-Length") or 0) or None
        bar = tqdm(
            total=total,
            unit="B",
            unit_scale=True,
            unit_divisor=1024,
            desc=f"  {name}",
            file=sys.stderr,
            mininterval=0.5,
        )
        with open(dest, "wb") as out, bar:
            first = True
            while chunk := resp.read(1 << 20):
                if first and chunk.lstrip()[:15].lower().startswith((b"<!doctype html", b"<html")):
                    raise SourceError("answered with a web page (HTML), not the file")
                first = False
                out.write(chunk)
                bar.update(len(chunk))


def copy_from(source: str, dest: Path, name: str) -> None:
    """Copy a local path or download a URL into dest; what the source did wrong is a SourceError."""
    try:
        if "://" in source:
            _download(source, dest, name)
        else:
            shutil.copyfile(source, dest)
    except urllib.error.HTTPError as exc:
        raise SourceError(f"answered {exc.code} {exc.reason}") from None
    except urllib.error.URLError as exc:
        raise SourceError(f"cannot reach it ({exc.reason})") from None
    except (http.client.HTTPException, ValueError) as exc:
        raise SourceError(f"failed ({type(exc).__name__}: {exc})") from None
    except OSError as exc:
        if exc.errno in (errno.ENOSPC, errno.EDQUOT):
            raise  # our disk, not the source: atomic_path reports it
        raise SourceError(f"failed ({exc})") from None
