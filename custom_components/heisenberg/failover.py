"""One completion from the first llama-server of the list that answers.

A server that cannot be reached, times out before its first token, or fails with a 5xx is
skipped within the same turn: the next server of the list gets the request (built again for its
own prompt format), and the failing one's circuit breaker keeps later turns away from it for a
cool-down. This happens only BEFORE the first token: once text has gone to Home Assistant, the
satellite is already speaking it, and another server's answer would repeat or garble the
sentence, so a failure after that point ends the answer with the usual apology.
"""

import asyncio
import contextlib
import dataclasses
import logging
from collections.abc import AsyncGenerator, Callable

from .context_fit import estimate_tokens
from .llama_client import (
    CannotConnect,
    CompletionRequest,
    CompletionStats,
    CompletionStream,
    HttpError,
    LlamaServerError,
    MalformedStream,
    NotLlamaServer,
    ServerLoading,
    ServerTimeout,
)
from .server_pool import LlamaServer, ServerPool

_LOGGER = logging.getLogger(__name__)

# Seconds a server that has a backup behind it may take to its first token before the turn
# goes to the next one. A warmed llama-server starts answering in well under a second here
# (0.4 s for the 1.5B model on 2 CPU cores); ten leaves room for a cold cache and a busy host.
HAND_OVER_AFTER = 10.0

# Builds the request for a server: in its model's prompt format, sized to its slots' context.
type RequestFactory = Callable[[LlamaServer], CompletionRequest]


def is_server_failure(err: LlamaServerError) -> bool:
    """A fault of the server rather than of the request: another server may well answer.

    A 4xx is the request's fault (another server would refuse it too), so it is not one.
    A stream that broke before any text (the process died while evaluating) is one."""
    if isinstance(err, HttpError):
        return err.status >= 500
    return isinstance(
        err, CannotConnect | ServerTimeout | ServerLoading | MalformedStream | NotLlamaServer
    )


@dataclasses.dataclass(frozen=True, slots=True)
class FailedAttempt:
    """A server that failed this turn before its first token."""

    url: str
    reason: str  # the error's kind, e.g. cannot_connect, timeout
    error: str


class FailoverStream:
    """Iterate for text pieces, like `CompletionStream`; then `server` says who answered."""

    def __init__(
        self,
        pool: ServerPool,
        request_for: RequestFactory,
        *,
        first_token_timeout: float,
        stall_timeout: float,
    ) -> None:
        self._pool = pool
        self._request_for = request_for
        self._first_token_timeout = first_token_timeout
        self._stall_timeout = stall_timeout
        self._current: CompletionStream | None = None
        self.server: LlamaServer | None = None  # the server that answered
        self.prompt_chars = 0  # the length of the last prompt sent
        self.failed: list[FailedAttempt] = []  # the servers tried before it, in order
        # Sent to a server whose slots were all busy with our other answers: it waits for one.
        self.waits_for_slot = False

    @property
    def stats(self) -> CompletionStats:
        """The answering server's figures (those of the last one tried when none answered)."""
        return self._current.stats if self._current is not None else CompletionStats()

    def __aiter__(self) -> AsyncGenerator[str]:
        return self._pieces()

    async def _pieces(self) -> AsyncGenerator[str]:
        error: LlamaServerError = CannotConnect("no llama-server of the list has answered yet")
        servers = self._pool.turn_order()
        for index, server in enumerate(servers):
            # A server with another behind it gets less than the whole wait: a hung GPU host
            # must not keep the user 30 s from the backup that would answer in one.
            last = index == len(servers) - 1
            timeout = self._first_token_timeout
            self.waits_for_slot = server.saturated
            with server.answering():
                opened = await self._open(
                    server, timeout if last else min(timeout, HAND_OVER_AFTER), cold_too=last
                )
                if isinstance(opened, LlamaServerError):
                    error = opened
                    continue
                # Closed with this generator, so that its request is closed at once too.
                async with contextlib.aclosing(self._relay(server, *opened)) as relay:
                    async for piece in relay:
                        yield piece
                return
        raise error

    async def _relay(
        self, server: LlamaServer, pieces: AsyncGenerator[str], first: str | None
    ) -> AsyncGenerator[str]:
        """The answering server's pieces, from its first one on."""
        self.server = server
        if self.failed:
            _LOGGER.info("llama-server at %s answered instead", server.url)
        try:
            if first is not None:
                yield first
                async for piece in pieces:
                    yield piece
        except LlamaServerError as err:
            # Too late for another server (the answer is being spoken), but the next turn
            # should not wait on one that just stalled or broke off.
            if is_server_failure(err):
                server.breaker.record_failure(str(err))
            raise
        finally:
            await pieces.aclose()  # ending early closes the request: generation stops

    async def _open(
        self, server: LlamaServer, first_token_timeout: float, *, cold_too: bool = False
    ) -> tuple[AsyncGenerator[str], str | None] | LlamaServerError:
        """Send the request to `server` and wait for its first piece (None: it said nothing).
        A server failure is returned (and recorded), for the caller to try the next server;
        any other error is raised. With `cold_too` (no server behind it), a prompt whose
        prefix is not warm yet (a question during the warm-up) gets the time to evaluate it on
        top of the wait: it is not a hung server, and no other would answer sooner."""
        assert server.detected_format is not None  # turn_order() offers only known servers
        request = self._request_for(server)
        await self._wait_for_warm_up(server, request.prompt)
        if cold_too:
            first_token_timeout += cold_prefix_seconds(server, request.prompt)
        self.prompt_chars = len(request.prompt)
        while True:
            if server.grammar_rejected and request.grammar is not None:
                request = dataclasses.replace(request, grammar=None)
            self._current = server.client.stream_completion(
                request,
                first_token_timeout=first_token_timeout,
                stall_timeout=self._stall_timeout,
            )
            pieces: AsyncGenerator[str] = aiter(self._current)
            try:
                first = await anext(pieces, None)
            except LlamaServerError as err:
                await pieces.aclose()
                if _grammar_refused(err, request):
                    # An older or differently built server: the agent still works with it,
                    # less reliably. Asked again at once: nothing was spoken yet.
                    _LOGGER.warning(
                        "llama-server at %s rejected the device grammar (%s); asking it "
                        "without from now on",
                        server.url,
                        err,
                    )
                    server.grammar_rejected = True
                    continue
                if not is_server_failure(err):
                    raise
                self._record_failure(server, err)
                return err
            server.breaker.record_success()
            return pieces, first

    async def _wait_for_warm_up(self, server: LlamaServer, prompt: str) -> None:
        """The warm-up may be evaluating this very prefix on this server: reuse it rather
        than race it; a conversation's next opening being warmed is awaited. A question in
        another language (or of another agent) goes at once, and the warm-up gives way to it
        (`warm_up/step.py`)."""
        if (opening := server.opening_warm) is not None and not opening.done():
            # A few tokens (a turn's opening): done before this question could be placed in
            # the slot it is meant for, which is busy with it meanwhile.
            with contextlib.suppress(TimeoutError, asyncio.CancelledError):
                async with asyncio.timeout(self._first_token_timeout):
                    await asyncio.shield(opening)
        warming = server.warming_prompt
        if warming is None or not shares_prefix(prompt, warming):
            return
        if any(prompt.startswith(warm) for warm in server.warmed_prefixes.values()):
            return  # its own prefix is warm already (another language is being warmed)
        server.waiting_for_warm_up += 1
        try:
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(self._first_token_timeout):
                    await server.warm_step_done.wait()
        finally:
            server.waiting_for_warm_up -= 1

    def _record_failure(self, server: LlamaServer, err: LlamaServerError) -> None:
        server.breaker.record_failure(str(err))
        self.failed.append(FailedAttempt(server.url, err.reason, str(err)))
        _LOGGER.warning(
            "llama-server at %s failed before answering (%s); skipping it for %.0f s",
            server.url,
            err,
            server.breaker.current_cool_down,
        )


# The most a cold prefix adds to the first-token wait (a 2,000-token prompt at 19 a second).
MAX_COLD_SECONDS = 120.0


def cold_prefix_seconds(server: LlamaServer, prompt: str) -> float:
    """How long the server may take to evaluate `prompt` from scratch while its warm-up is
    under way and no prefix warmed on it starts it yet; 0 otherwise. From the rate its
    warm-ups ran at: only a server that has finished one is known to be alive and how fast (a
    server hung since its start must still be left after the first-token wait)."""
    if (
        not server.warming.locked()
        or not server.prompt_rate
        or any(prompt.startswith(warm) for warm in server.warmed_prefixes.values())
    ):
        return 0.0
    tokens = estimate_tokens(prompt, server.chars_per_token)
    return min(MAX_COLD_SECONDS, tokens / server.prompt_rate)


def shares_prefix(prompt: str, warming: str) -> bool:
    """Whether `prompt` starts with most of the prompt being warmed: the same agent and
    language (its date note may already differ after midnight, or its history follow)."""
    return prompt.startswith(warming[: len(warming) // 2])


def _grammar_refused(err: LlamaServerError, request: CompletionRequest) -> bool:
    return isinstance(err, HttpError) and err.status == 400 and request.grammar is not None
