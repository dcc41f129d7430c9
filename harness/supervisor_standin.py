"""A STAND-IN for the Home Assistant Supervisor's discovery API, for the image test.

The Supervisor runs only on HA OS / Supervised installs, so it cannot run here. This stand-in
answers `POST /discovery` the way the Supervisor does (supervisor/api/discovery.py): the token
checked, the body `{"service": str, "config": dict}` validated, `{"result": "ok", "data":
{"uuid": ...}}` back; an unknown token gets 401, a bad body 400. It records what it accepted.
"""

import json
import threading
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Self

from launcher.process import free_port


class SupervisorStandIn:
    """Listens on 127.0.0.1:port in a thread; `messages` holds the accepted discoveries."""

    def __init__(self, token: str) -> None:
        self.token = token
        self.port = free_port()
        self.messages: list[dict[str, Any]] = []
        self.refused: list[str] = []
        standin = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:
                return  # quiet

            def _answer(self, status: int, body: dict[str, Any]) -> None:
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_POST(self) -> None:
                given = self.headers.get("Authorization", "").removeprefix("Bearer ")
                given = given or self.headers.get("X-Supervisor-Token", "")
                if self.path != "/discovery":
                    self._answer(404, {"result": "error", "message": "not found"})
                    return
                if given != standin.token:
                    standin.refused.append(f"token {given!r}")
                    self._answer(401, {"result": "error", "message": "Unauthorized"})
                    return
                try:
                    body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                    if not isinstance(body.get("service"), str) or not isinstance(
                        body.get("config"), dict
                    ):
                        raise TypeError("service must be text and config an object")
                except (ValueError, TypeError, KeyError) as err:
                    standin.refused.append(str(err))
                    self._answer(400, {"result": "error", "message": str(err)})
                    return
                standin.messages.append(body)
                self._answer(200, {"result": "ok", "data": {"uuid": uuid.uuid4().hex}})

        self._server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> Self:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()
