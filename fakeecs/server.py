"""A thin HTTP layer: ECS to `wire`, `/_fakeecs/` to the control API, all else to moto.

One endpoint serves a whole DAG: S3, CloudWatch Logs, SSM, IAM, STS and the rest
are answered by moto's own server application on the same port.
"""

from __future__ import annotations

import contextlib
import json
import logging
import re
import socket
import threading
from collections.abc import Callable, Iterable
from typing import Any

from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server

from fakeecs import agent_endpoint, awslogs, cloudformation, moto_backend, task_metadata, wire
from fakeecs.control import PREFIX, handle_control
from fakeecs.engine import Engine

log = logging.getLogger("fakeecs")
_REGION = re.compile(r"Credential=[^/]+/\d{8}/([a-z0-9-]+)/")
DEFAULT_REGION = "us-east-1"

StartResponse = Callable[..., Any]


def region_of(environ: dict[str, Any]) -> str:
    """The region a SigV4-signed request was signed for (ECS ARNs carry it)."""
    match = _REGION.search(environ.get("HTTP_AUTHORIZATION", ""))
    return match.group(1) if match else DEFAULT_REGION


#: An oversized body is still read (and dropped) up to this size, so that the client, which
#: sends it all before reading, gets the refusal instead of a broken pipe; beyond it the
#: connection is closed unread, as web servers do.
DRAIN_LIMIT_BYTES = 64 * 1024 * 1024
_CHUNK_BYTES = 64 * 1024


def _read_body(environ: dict[str, Any]) -> bytes:
    try:
        length = int(environ.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    stream = environ["wsgi.input"]
    if length > wire.MAX_BODY_BYTES:
        _drain(stream, min(length, DRAIN_LIMIT_BYTES))
        # one byte over the limit: wire refuses it by size without parsing or holding it all
        return b" " * (wire.MAX_BODY_BYTES + 1)
    return stream.read(length) if length else b""


def _drain(stream: Any, length: int) -> None:
    """Read and drop `length` bytes in chunks (memory stays flat whatever the size)."""
    left = length
    while left > 0:
        chunk = stream.read(min(_CHUNK_BYTES, left))
        if not chunk:
            return
        left -= len(chunk)


class App:
    """The WSGI application behind `fakeecs serve` and `FakeECS`."""

    def __init__(self, engine: Engine, control_token: str | None = None) -> None:
        self.engine = engine
        self.control_token = control_token
        self._moto: Any = None
        self._moto_lock = threading.Lock()
        engine.listeners.append(awslogs.listener(engine))

    def moto(self) -> Any:
        with self._moto_lock:
            if self._moto is None:
                self._moto = moto_backend.server_app()
            return self._moto

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        if path.startswith(PREFIX):
            return self._control(environ, start_response, path)
        if path.startswith(task_metadata.PREFIX) and environ.get("REQUEST_METHOD") == "GET":
            source = self.engine.runtime
            status, payload = task_metadata.answer(
                self.engine, source if hasattr(source, "container_at") else None, path
            )
            return _json(start_response, status, payload)
        if agent_endpoint.matches(path):
            source = self.engine.runtime
            status, payload = agent_endpoint.answer(
                self.engine,
                source if hasattr(source, "container_at") else None,
                environ.get("REQUEST_METHOD", "GET"),
                path,
                _read_body(environ),
            )
            return _json(start_response, status, payload)
        target = environ.get("HTTP_X_AMZ_TARGET", "")
        if target.startswith(wire.TARGET_PREFIX.split(".")[0]):
            return self._ecs(environ, start_response, target)
        backend = moto_backend.service_app(self.moto(), environ)
        if backend.service == "cloudformation":
            # fakeecs's ECS types in moto's CloudFormation: only once a stack call comes, as
            # importing moto's CloudFormation (with its EC2 and Auto Scaling) takes over a second
            cloudformation.install()
        with cloudformation.bound(self.engine):  # a stack's ECS resources are this engine's
            return backend(environ, start_response)

    def _control(
        self, environ: dict[str, Any], start_response: StartResponse, path: str
    ) -> Iterable[bytes]:
        if self.control_token and environ.get("HTTP_X_FAKEECS_TOKEN") != self.control_token:
            status, payload = (
                403,
                {
                    "error": "Forbidden",
                    "message": "this fakeecs requires a control token: send header X-Fakeecs-Token",
                },
            )
        else:
            status, payload = handle_control(
                self.engine, environ.get("REQUEST_METHOD", "GET"), path, _read_body(environ)
            )
        return _json(start_response, status, payload)

    def _ecs(
        self, environ: dict[str, Any], start_response: StartResponse, target: str
    ) -> Iterable[bytes]:
        answer = wire.handle(self.engine, target, _read_body(environ), region_of(environ))
        if answer.drop_connection:
            _drop(environ)
            raise ConnectionResetError("lose-response fault: answer deliberately not sent")
        headers = [
            ("Content-Type", wire.CONTENT_TYPE),
            ("Content-Length", str(len(answer.body))),
            ("x-amzn-RequestId", f"fakeecs-{len(self.engine.calls):012d}"),
            *answer.headers.items(),
        ]
        start_response(f"{answer.status} {'OK' if answer.status == 200 else 'Error'}", headers)
        return [answer.body]


def _json(start_response: StartResponse, status: int, payload: Any) -> Iterable[bytes]:
    body = json.dumps(payload).encode()
    start_response(
        f"{status} {'OK' if status == 200 else 'Error'}",
        [("Content-Type", "application/json"), ("Content-Length", str(len(body)))],
    )
    return [body]


def _drop(environ: dict[str, Any]) -> None:
    """Close the client's connection without an answer (the change is already committed)."""
    sock = environ.get("werkzeug.socket")
    if sock is None:
        return
    with contextlib.suppress(OSError):
        sock.shutdown(socket.SHUT_RDWR)


class QuietHandler(WSGIRequestHandler):
    """No access log line per request: the calls log (`/_fakeecs/calls`) is the record."""

    protocol_version = "HTTP/1.1"  # keep-alive: botocore reuses connections

    def log_request(self, *args: Any, **kwargs: Any) -> None:
        pass


#: How often the serving loop looks for a stop request: `stop()` returns within this
#: (socketserver's default, 0.5 s, made every in-process fake cost half a second to stop).
STOP_POLL_SECONDS = 0.02


class Server:
    """A threaded HTTP server for an App, runnable in a background thread."""

    def __init__(self, app: App, host: str = "127.0.0.1", port: int = 0) -> None:
        self.app = app
        self.httpd: BaseWSGIServer = make_server(
            host, port, app, threaded=True, request_handler=QuietHandler
        )
        self.httpd.daemon_threads = True
        self.host = host
        self.port = self.httpd.server_port
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        host = self.host if ":" not in self.host else f"[{self.host}]"
        return f"http://{host}:{self.port}"

    def start(self) -> None:
        self._thread = threading.Thread(target=self.serve_forever, daemon=True, name="fakeecs")
        self._thread.start()

    def serve_forever(self) -> None:
        self.httpd.serve_forever(poll_interval=STOP_POLL_SECONDS)

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
        if self._thread is not None:
            self._thread.join(timeout=10)
