"""FAKE llama-server for fault injection only.

A real llama-server cannot be made to answer 500, stall mid-answer or send a broken event
stream on demand; this small aiohttp app can. It answers /health, /props and /tokenize like
llama-server so that the integration sets up, and its /completion misbehaves as told. It
announces itself as fake in every response (`Server: FAKE-llama-server (fault injection)`).
"""

import asyncio
import json
from dataclasses import dataclass, field
from enum import StrEnum

from aiohttp import web

from launcher.process import free_port


class Fault(StrEnum):
    """How /completion misbehaves."""

    NONE = "none"  # a short valid stream
    HTTP_500 = "http_500"
    STALL_BEFORE_FIRST_TOKEN = "stall_before_first_token"
    SLOW_FIRST_TOKEN = "slow_first_token"  # the valid stream, after `first_token_delay` s
    STALL_MID_ANSWER = "stall_mid_answer"
    BROKEN_SSE = "broken_sse"
    TRUNCATED = "truncated"
    ENDLESS = "endless"  # keeps streaming until the client goes away
    # HTTP 400 for a request with a GBNF grammar (a server that cannot parse it), else NONE.
    REJECT_GRAMMAR = "reject_grammar"


@dataclass
class FaultServer:
    """The fake; `fault` can be changed between requests."""

    fault: Fault = Fault.NONE
    first_token_delay: float = 0.0  # for Fault.SLOW_FIRST_TOKEN
    port: int = field(default_factory=free_port)
    requests: list[dict[str, object]] = field(default_factory=list)
    client_disconnected: asyncio.Event = field(default_factory=asyncio.Event)
    _runner: web.AppRunner | None = None
    _stopping: asyncio.Event = field(default_factory=asyncio.Event)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    async def start(self) -> None:
        app = web.Application()
        app.router.add_get("/health", self._health)
        app.router.add_get("/props", self._props)
        app.router.add_post("/tokenize", self._tokenize)
        app.router.add_post("/completion", self._completion)
        # handler_cancellation: a client that hangs up cancels its handler, as in llama-server.
        self._runner = web.AppRunner(app, handle_signals=False, handler_cancellation=True)
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", self.port).start()

    async def stop(self) -> None:
        self._stopping.set()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    @staticmethod
    def _headers() -> dict[str, str]:
        return {"Server": "FAKE-llama-server (fault injection)"}

    async def _health(self, _request: web.Request) -> web.Response:
        return web.json_response({"status": "ok"}, headers=self._headers())

    async def _props(self, _request: web.Request) -> web.Response:
        body = {"default_generation_settings": {"n_ctx": 2048}, "model_path": "FAKE.gguf"}
        return web.json_response(body, headers=self._headers())

    async def _tokenize(self, request: web.Request) -> web.Response:
        text = (await request.json())["content"]
        return web.json_response({"tokens": list(range(len(text)))}, headers=self._headers())

    async def _completion(self, request: web.Request) -> web.StreamResponse:
        body = await request.json()
        self.requests.append(body)
        if self.fault is Fault.HTTP_500:
            return web.json_response(
                {"error": {"code": 500, "message": "injected failure"}}, status=500
            )
        if self.fault is Fault.REJECT_GRAMMAR and "grammar" in body:
            return web.json_response(
                {"error": {"code": 400, "message": "failed to parse grammar"}}, status=400
            )
        if not body.get("stream"):
            return web.json_response({"content": "", "stop": True, "timings": {"prompt_n": 3}})
        resp = web.StreamResponse(headers={**self._headers(), "Content-Type": "text/event-stream"})
        await resp.prepare(request)
        try:
            await self._stream(resp)
        except ConnectionResetError, asyncio.CancelledError:
            self.client_disconnected.set()
            raise
        return resp

    async def _stream(self, resp: web.StreamResponse) -> None:
        async def send(payload: dict[str, object]) -> None:
            await resp.write(f"data: {json.dumps(payload)}\n\n".encode())

        if self.fault is Fault.STALL_BEFORE_FIRST_TOKEN:
            await self._stopping.wait()
            return
        if self.fault is Fault.SLOW_FIRST_TOKEN:
            await asyncio.sleep(self.first_token_delay)
        await send({"content": "Hello", "stop": False})
        await send({"content": " there", "stop": False})
        match self.fault:
            case Fault.STALL_MID_ANSWER:
                await self._stopping.wait()
            case Fault.BROKEN_SSE:
                await resp.write(b"data: {not json\n\n")
            case Fault.TRUNCATED:
                return
            case Fault.ENDLESS:
                while True:
                    await send({"content": " and", "stop": False})
                    await asyncio.sleep(0.02)
            case _:
                await send({"content": ".", "stop": False})
                await send(
                    {"content": "", "stop": True, "timings": {"prompt_n": 9, "predicted_n": 3}}
                )
