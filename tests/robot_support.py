"""A DingTalk / WeCom robot stand-in: a real HTTP server on 127.0.0.1 in a thread.

It checks DingTalk's ``timestamp`` + ``sign`` against the secret it was given (errcode 310000
when they do not match, as DingTalk answers), can refuse the first N requests (HTTP 500 or an
errcode), and records every accepted message.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit


class RobotServer:
    def __init__(self, secret: str | None = None) -> None:
        self.secret = secret
        self.refuse = 0  # refuse this many requests first
        self.refuse_with: int | dict[str, Any] = 500  # an HTTP status or a JSON answer
        self.delay = 0.0  # seconds to wait before answering (the message is kept regardless)
        self.accepted: list[dict[str, Any]] = []
        self.requests = 0
        self.lock = threading.Lock()
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def do_POST(self) -> None:  # noqa: N802 - http.server's name
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                status, answer = server.handle(self.path, body)
                time.sleep(server.delay)
                data = json.dumps(answer).encode()
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up waiting (a timeout test)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    @property
    def port(self) -> int:
        return int(self.httpd.server_address[1])

    def url(self, path: str = "/robot/send?access_token=abc123") -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def handle(self, path: str, body: bytes) -> tuple[int, dict[str, Any]]:
        with self.lock:
            self.requests += 1
            if self.refuse > 0:
                self.refuse -= 1
                if isinstance(self.refuse_with, int):
                    return self.refuse_with, {"errcode": -1, "errmsg": "busy"}
                return 200, self.refuse_with
            query = parse_qs(urlsplit(path).query)
            if self.secret is not None and not self.signed(query):
                return 200, {"errcode": 310000, "errmsg": "sign not match"}
            self.accepted.append({"path": path, **json.loads(body)})
            return 200, {"errcode": 0, "errmsg": "ok"}

    def signed(self, query: dict[str, list[str]]) -> bool:
        assert self.secret is not None
        try:
            timestamp = int(query["timestamp"][0])
            sign = query["sign"][0]  # parse_qs already URL-decoded it once
        except (KeyError, ValueError):
            return False
        if abs(time.time() * 1000 - timestamp) > 3600_000:
            return False
        expected = base64.b64encode(hmac.new(
            self.secret.encode(), f"{timestamp}\n{self.secret}".encode(), hashlib.sha256
        ).digest()).decode()
        return hmac.compare_digest(sign, expected)

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
