"""Helpers the web tests share: a demo store with test fixtures, and a real `credgraph serve`.

The server runs as a separate process (exactly what a user starts) on a free loopback port that it
picks itself (``--port 0``) and reports on stderr.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from dataclasses import dataclass
from pathlib import Path

SANDBOX = "https://sandbox.credentialengineregistry.org/resources/"
RIVERBEND = SANDBOX + "ce-f123fccb-f64a-530a-a209-8842069fb6cd"
MICRO_ITS = SANDBOX + "ce-d9d345a0-00ea-5cec-aaff-69c80e1f2bcc"
TOPIC_NDC = "https://w3id.org/credgraph/id/topic/non-degree-credentials"
HUB_SIZE = 120


def ctid(slug: str) -> str:
    return "ce-" + str(uuid.uuid5(uuid.NAMESPACE_URL, "https://w3id.org/credgraph/tests/" + slug))


XSS_CTID = ctid("xss-credential")
XSS = SANDBOX + XSS_CTID
HUB_CTID = ctid("hub-organization")
HUB = SANDBOX + HUB_CTID
XSS_NAME = "<script>alert(1)</script>"


def fixtures_turtle() -> str:
    """A hostile credential (script in its name, javascript: link) and a hub with many neighbours."""
    lines = ["@prefix ceterms: <https://purl.org/ctdl/terms/> .",
             f"<{XSS}> a ceterms:Certificate ; ceterms:ctid \"{XSS_CTID}\" ;",
             '  ceterms:name "<script>alert(1)</script>"@en ;',
             '  ceterms:description "Test <img src=x onerror=alert(2)> credential & friends"@en ;',
             "  ceterms:subjectWebpage <javascript:alert(3)> ;",
             f"  ceterms:offeredBy <{RIVERBEND}> .",
             f"<{HUB}> a ceterms:CredentialOrganization ; ceterms:ctid \"{HUB_CTID}\" ;",
             '  ceterms:name "Hub Test Organization"@en .']
    for i in range(HUB_SIZE):
        c = ctid(f"hub-credential-{i}")
        lines.append(f'<{SANDBOX}{c}> a ceterms:Certificate ; ceterms:ctid "{c}" ; '
                     f'ceterms:name "Hub credential {i:03d}"@en ; ceterms:offeredBy <{HUB}> .')
    return "\n".join(lines) + "\n"


def build_demo_store(path: Path) -> Path:
    """The `credgraph demo` store (ontology/ and data/) plus the test fixtures, closed again."""
    from credgraph.demo import build
    from credgraph.load import load
    from credgraph.store import open_store

    store = open_store(path)
    for report in build(store):
        assert not report.errors(), report.errors()
    extra = path.parent / "web-fixtures.ttl"
    extra.write_text(fixtures_turtle(), encoding="utf-8")
    assert not load(store, [extra]).errors()
    store.close()
    del store
    return path


def copy_store(source: Path, target: Path) -> Path:
    shutil.copytree(source, target)
    return target


@dataclass
class Response:
    status: int
    headers: dict
    body: bytes

    @property
    def text(self) -> str:
        return self.body.decode("utf-8")

    def header(self, name: str) -> str | None:
        return self.headers.get(name.lower())


class Server:
    """`credgraph serve` in a child process; stopped with :meth:`stop` (SIGTERM, then SIGKILL)."""

    def __init__(self, store: Path | str, *args: str, log: Path | None = None, env: dict | None = None):
        self.log = log or Path(store).parent / f"serve-{uuid.uuid4().hex[:8]}.log"
        self.log_file = open(self.log, "wb")
        command = [sys.executable, "-m", "credgraph", "serve", "--store", str(store), "--port", "0", *args]
        self.process = subprocess.Popen(command, stdout=self.log_file, stderr=subprocess.STDOUT,
                                        stdin=subprocess.DEVNULL, env={**os.environ, **(env or {})})
        self.url = self._wait_for_url()

    def _wait_for_url(self, timeout: float = 60) -> str:
        deadline = time.monotonic() + timeout
        url = None
        while time.monotonic() < deadline:
            text = self.log.read_text(errors="replace")
            match = re.search(r"at (http://127\.0\.0\.1:\d+/)", text)
            if match:
                url = match.group(1)
            if url and "Application startup complete" in text:
                return url.rstrip("/")
            if self.process.poll() is not None:
                raise RuntimeError(f"credgraph serve exited ({self.process.returncode}):\n{text}")
            time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"credgraph serve did not start in {timeout} s:\n{self.log.read_text(errors='replace')}")

    def request(self, method: str, path: str, *, data: bytes | None = None, headers: dict | None = None,
                timeout: float = 60) -> Response:
        req = urllib.request.Request(self.url + path, data=data, method=method, headers=headers or {})
        try:
            with urllib.request.urlopen(req, timeout=timeout) as r:
                return Response(r.status, {k.lower(): v for k, v in r.headers.items()}, r.read())
        except urllib.error.HTTPError as e:
            return Response(e.code, {k.lower(): v for k, v in e.headers.items()}, e.read())

    def get(self, path: str, **headers) -> Response:
        return self.request("GET", path, headers=_headers(headers))

    def query(self, query: str, accept: str = "application/sparql-results+json", method: str = "POST",
              **params) -> Response:
        fields = {"query": query, **params}
        if method == "GET":
            return self.request("GET", "/sparql?" + urllib.parse.urlencode(fields), headers={"Accept": accept})
        return self.request("POST", "/sparql", data=urllib.parse.urlencode(fields).encode(),
                            headers={"Accept": accept, "Content-Type": "application/x-www-form-urlencoded"})

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=5)
        self.log_file.close()


def _headers(given: dict) -> dict:
    return {k.replace("_", "-"): v for k, v in given.items()}
