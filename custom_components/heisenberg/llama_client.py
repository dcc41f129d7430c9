"""Asyncio client for llama.cpp's `llama-server` (no Home Assistant imports).

Only what the agent needs: health, props, tokenize, a streaming raw-prompt `/completion`, and
the warm-up (`/completion` not streamed, generating nothing).
Every failure is one of the typed `LlamaServerError`s below, so the config flow and the agent
map them to translated messages in one place.
"""

import asyncio
import time
from collections.abc import AsyncGenerator, AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import aiohttp
from yarl import URL

from .sse import SseData, SseProtocolError, parse_sse_line


class LlamaServerError(Exception):
    """Base of every error this client raises."""

    reason = "server_error"


class InvalidUrl(LlamaServerError):
    """The URL cannot point to a llama-server (not http(s), no host)."""

    reason = "invalid_url"


class CannotConnect(LlamaServerError):
    """Nothing answers at the URL (refused, DNS failure, reset)."""

    reason = "cannot_connect"


class ServerTimeout(LlamaServerError):
    """The server accepted the request but stopped answering."""

    reason = "timeout"


class ServerLoading(LlamaServerError):
    """The server is up but still loading its model (HTTP 503)."""

    reason = "loading"


class HttpError(LlamaServerError):
    """The server answered with an HTTP error status."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(f"HTTP {status}: {message}")
        self.status = status


class NotLlamaServer(LlamaServerError):
    """Something answers at the URL, but it is not a llama-server."""

    reason = "not_llama_server"


class MalformedStream(LlamaServerError):
    """The completion stream broke off or was not valid server-sent events."""


def normalize_url(raw: str) -> URL:
    """Validate a user-given server URL; return it without query, fragment or trailing slash.

    A path is kept (a llama-server behind a reverse proxy at /llama is a real case). People type
    `host:port`: with no scheme at all, http is meant.
    """
    text = raw.strip()
    if text and "://" not in text:
        text = f"http://{text}"
    try:
        url = URL(text)
    except (ValueError, TypeError) as err:
        raise InvalidUrl(f"not a URL: {raw!r}") from err
    if url.scheme not in ("http", "https") or not url.host:
        raise InvalidUrl(f"expected http(s)://host[:port], got {raw!r}")
    try:
        port = url.port
    except ValueError as err:
        raise InvalidUrl(f"invalid port in {raw!r}") from err
    try:
        return URL.build(scheme=url.scheme, host=url.host, port=port, path=url.path.rstrip("/"))
    except ValueError as err:  # e.g. a host with spaces, which URL() alone lets through
        raise InvalidUrl(f"not a valid host in {raw!r}") from err


@dataclass(frozen=True, slots=True)
class CompletionRequest:
    """Sampling settings of one raw-prompt completion."""

    prompt: str
    stop: list[str]
    temperature: float = 0.7
    top_p: float = 0.9
    top_k: int = 40
    min_p: float = 0.05
    repeat_penalty: float = 1.1
    max_tokens: int = 512
    cache_prompt: bool = True
    # A GBNF grammar the output must follow (llama-server's `grammar`), or None.
    grammar: str | None = None

    def as_json(self, *, stream: bool) -> dict[str, Any]:
        """The `/completion` request body."""
        body: dict[str, Any] = {
            "prompt": self.prompt,
            "stop": self.stop,
            "temperature": self.temperature,
            "top_p": self.top_p,
            "top_k": self.top_k,
            "min_p": self.min_p,
            "repeat_penalty": self.repeat_penalty,
            "n_predict": self.max_tokens,
            "cache_prompt": self.cache_prompt,
            "stream": stream,
        }
        if self.grammar is not None:
            body["grammar"] = self.grammar
        return body


@dataclass(slots=True)
class CompletionStats:
    """What one completion cost: filled in while the stream runs."""

    time_to_first_token: float | None = None
    total_seconds: float = 0.0
    prompt_tokens: int | None = None
    cached_tokens: int | None = None
    generated_tokens: int | None = None
    tokens_per_second: float | None = None
    stop_reason: str | None = None
    slot: int | None = None  # the server's slot that evaluated it (warm-up)

    def as_dict(self) -> dict[str, Any]:
        """For diagnostics and logs."""
        return {name: getattr(self, name) for name in self.__slots__}


@dataclass(slots=True)
class CompletionStream:
    """A streaming completion: iterate for text pieces, then read `stats`."""

    client: LlamaServerClient
    request: CompletionRequest
    first_token_timeout: float
    stall_timeout: float
    stats: CompletionStats = field(default_factory=CompletionStats)

    def __aiter__(self) -> AsyncGenerator[str]:
        return self._pieces()

    async def _pieces(self) -> AsyncGenerator[str]:
        started = time.monotonic()
        body = self.request.as_json(stream=True)
        async with self.client.post_raw("/completion", body, self.first_token_timeout) as resp:
            # The headers may come only when evaluation starts: what is left of the
            # first-token budget applies to the first line.
            try:
                async for piece in self._read_events(resp, started):
                    yield piece
            except BaseException:
                # Cancelled, stalled or broken: close the socket so llama-server notices
                # the disconnect and stops generating for nobody.
                resp.close()
                raise
        self.stats.total_seconds = time.monotonic() - started

    async def _read_events(
        self, resp: aiohttp.ClientResponse, started: float
    ) -> AsyncIterator[str]:
        timeout = max(0.5, self.first_token_timeout - (time.monotonic() - started))
        while True:
            try:
                async with asyncio.timeout(timeout):
                    raw = await resp.content.readline()
            except TimeoutError as err:
                raise ServerTimeout(f"no data from llama-server for {timeout:.0f} s") from err
            except aiohttp.ClientError as err:
                raise MalformedStream(f"stream interrupted: {err}") from err
            if not raw:
                raise MalformedStream("stream ended before the completion finished")
            try:
                event = parse_sse_line(raw)
            except SseProtocolError as err:
                raise MalformedStream(str(err)) from err
            if event is None:
                continue
            if not isinstance(event, SseData):
                message = event.payload.get("error", event.payload)
                raise HttpError(500, f"server error mid-stream: {message}")
            payload = event.payload
            if "error" in payload and "content" not in payload:
                raise HttpError(500, f"server error mid-stream: {payload['error']}")
            content = payload.get("content", "")
            if not isinstance(content, str):
                raise MalformedStream("event content is not text")
            if content:
                if self.stats.time_to_first_token is None:
                    self.stats.time_to_first_token = time.monotonic() - started
                    timeout = self.stall_timeout
                yield content
            if payload.get("stop") is True:
                record_final_payload(self.stats, payload)
                return


def record_final_payload(stats: CompletionStats, payload: dict[str, Any]) -> None:
    """Copy the server's own figures from the last event of a completion."""
    timings = payload.get("timings") or {}
    stats.prompt_tokens = timings.get("prompt_n")
    stats.generated_tokens = timings.get("predicted_n")
    stats.tokens_per_second = timings.get("predicted_per_second")
    stats.cached_tokens = timings.get("cache_n", payload.get("tokens_cached"))
    stats.stop_reason = payload.get("stop_type")


class LlamaServerClient:
    """One llama-server, reached over HTTP with a shared aiohttp session."""

    def __init__(
        self, session: aiohttp.ClientSession, url: str | URL, *, control_timeout: float = 10.0
    ) -> None:
        self._session = session
        self.url = normalize_url(str(url))
        self._control_timeout = control_timeout

    def post_raw(
        self, path: str, body: dict[str, Any], first_byte_timeout: float
    ) -> _ResponseContext:
        """POST and hand back the response for streaming, errors already mapped."""
        return _ResponseContext(self, path, body, first_byte_timeout)

    async def _get_json(self, path: str) -> Any:
        return await self._request_json("GET", path, None)

    async def send(
        self, method: str, path: str, body: dict[str, Any] | None, timeout: aiohttp.ClientTimeout
    ) -> aiohttp.ClientResponse:
        """Send a request; retried once when a pooled keep-alive connection was stale.

        llama-server closes idle keep-alive connections; the first request on such a pooled
        connection fails with "Server disconnected" before the server saw it, so one retry
        on a fresh connection is safe.
        """
        path, _, query = path.partition("?")
        url = self.url.joinpath(path.lstrip("/"))
        if query:
            url = url.with_query(query)
        try:
            return await self._session.request(method, url, json=body, timeout=timeout)
        except aiohttp.ServerDisconnectedError:
            return await self._session.request(method, url, json=body, timeout=timeout)

    async def _request_json(self, method: str, path: str, body: dict[str, Any] | None) -> Any:
        timeout = aiohttp.ClientTimeout(total=self._control_timeout)
        try:
            async with await self.send(method, path, body, timeout) as resp:
                await raise_for_status(resp)
                try:
                    return await resp.json(content_type=None)
                except ValueError as err:
                    raise NotLlamaServer(f"{path} did not answer JSON") from err
        except TimeoutError as err:
            raise ServerTimeout(f"{path} timed out after {self._control_timeout:.0f} s") from err
        except aiohttp.ClientError as err:
            raise CannotConnect(f"{self.url}: {err}") from err

    async def health(self) -> None:
        """Raise unless the server is up with its model loaded."""
        data = await self._get_json("/health")
        if not isinstance(data, dict) or data.get("status") not in ("ok", "no slot available"):
            raise NotLlamaServer("/health did not answer like llama-server")

    async def props(self) -> dict[str, Any]:
        """Server properties: model path, context size, chat template, default settings."""
        data = await self._get_json("/props")
        if not isinstance(data, dict) or "default_generation_settings" not in data:
            raise NotLlamaServer("/props did not answer like llama-server")
        return data

    async def tokenize(self, text: str) -> list[int]:
        """The model's token ids for `text`, special tokens parsed as the prompt would be."""
        data = await self._request_json(
            "POST", "/tokenize", {"content": text, "add_special": False, "parse_special": True}
        )
        tokens = data.get("tokens") if isinstance(data, dict) else None
        if not isinstance(tokens, list):
            raise NotLlamaServer("/tokenize did not answer like llama-server")
        return [t if isinstance(t, int) else t.get("id", -1) for t in tokens]

    def stream_completion(
        self, request: CompletionRequest, *, first_token_timeout: float, stall_timeout: float
    ) -> CompletionStream:
        """Stream a raw-prompt completion; iterate the result for text pieces."""
        return CompletionStream(self, request, first_token_timeout, stall_timeout)

    async def warm_up(
        self, prompt: str, timeout: float, slot: int | None = None
    ) -> CompletionStats:
        """Evaluate `prompt` into the server's KV cache, generating (almost) nothing; into
        slot `slot` when given (llama-server waits for it to be free), else where the server
        puts it. `stats.slot` says which slot took it."""
        request = CompletionRequest(prompt=prompt, stop=[], max_tokens=0, temperature=0.0)
        body = request.as_json(stream=False)
        if slot is not None:
            body["id_slot"] = slot
        stats = CompletionStats()
        started = time.monotonic()
        async with self.post_raw("/completion", body, timeout) as resp:
            try:
                async with asyncio.timeout(timeout):
                    data = await resp.json(content_type=None)
            except TimeoutError as err:
                raise ServerTimeout("warm-up timed out") from err
            except (ValueError, aiohttp.ClientError) as err:
                raise MalformedStream(f"warm-up answer unreadable: {err}") from err
        if not isinstance(data, dict):
            raise MalformedStream("warm-up answer is not a JSON object")
        record_final_payload(stats, data)
        stats.total_seconds = time.monotonic() - started
        if isinstance(data.get("id_slot"), int):
            stats.slot = data["id_slot"]
        return stats

    async def slot_file(self, slot: int, action: str, filename: str, timeout: float = 60.0) -> bool:
        """Save a slot's cache to a file or restore one into it (`action`: "save" or
        "restore"; a busy slot is waited for); False when the server keeps no slot files."""
        path, body = f"/slots/{slot}?action={action}", {"filename": filename}
        try:
            async with self.post_raw(path, body, timeout) as resp:
                await resp.read()
        except HttpError as err:
            if err.status in (400, 501):  # "not supported" / no --slot-save-path
                return False
            raise
        except NotLlamaServer:  # an older build without /slots
            return False
        return True


async def raise_for_status(resp: aiohttp.ClientResponse) -> None:
    """Map an HTTP error status to a typed error carrying the server's own message."""
    if resp.status < 400:
        return
    try:
        text = (await resp.text())[:300]
    except aiohttp.ClientError:
        text = ""
    if resp.status == 503:
        raise ServerLoading(f"llama-server is loading its model ({text})")
    if resp.status == 404:
        raise NotLlamaServer(f"{resp.url.path} not found: this is not a llama-server")
    raise HttpError(resp.status, text or resp.reason or "")


class _ResponseContext:
    """`async with client.post_raw(...) as resp`: connects, maps errors, always releases."""

    def __init__(
        self, client: LlamaServerClient, path: str, body: dict[str, Any], timeout: float
    ) -> None:
        self._client = client
        self._path = path
        self._body = body
        self._timeout = timeout
        self._resp: aiohttp.ClientResponse | None = None

    async def __aenter__(self) -> aiohttp.ClientResponse:
        client = self._client
        # No total timeout: a long answer is fine. Connecting and waiting for the headers
        # (llama-server sends them when it starts evaluating) are bounded.
        timeout = aiohttp.ClientTimeout(
            total=None, connect=self._timeout, sock_connect=self._timeout
        )
        try:
            async with asyncio.timeout(self._timeout):
                self._resp = await client.send("POST", self._path, self._body, timeout)
        except TimeoutError as err:
            raise ServerTimeout(f"no answer from llama-server in {self._timeout:.0f} s") from err
        except aiohttp.ClientError as err:
            raise CannotConnect(f"{client.url}: {err}") from err
        try:
            await raise_for_status(self._resp)
        except BaseException:
            self._resp.release()
            raise
        return self._resp

    async def __aexit__(self, *exc: object) -> None:
        if self._resp is not None:
            self._resp.release()
