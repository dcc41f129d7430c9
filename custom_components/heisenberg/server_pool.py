"""The llama-servers of one entry, in the user's order: the main one, then the backups.

A GPU box first and the local CPU server as the fallback is the typical list. Each server keeps
what is true of that server alone: its props and identity, the prompt format of the model it
runs (two servers may run different models), which agents' prefixes sit in its cache, whether it
rejected the device grammar, and its circuit breaker. No Home Assistant imports.
"""

import asyncio
import contextlib
import hashlib
import json
import logging
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

import aiohttp

from .breaker import CircuitBreaker, new_breaker
from .format_detection import detect_prompt_format
from .llama_client import LlamaServerClient, LlamaServerError
from .prompt_format import PromptFormat

_LOGGER = logging.getLogger(__name__)


def server_identity(props: dict[str, Any]) -> str:
    """What tells one llama-server process from another (model, build, per-process marker)."""
    keys = ("model_path", "build_info", "total_slots", "media_marker")
    text = json.dumps({key: props.get(key) for key in keys}, sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()


@dataclass(eq=False, slots=True)
class LlamaServer:
    """One server of the list and what the agent knows of it."""

    client: LlamaServerClient
    index: int  # 0: the main server; 1…: the backups, in the order they are tried
    breaker: CircuitBreaker = field(default_factory=new_breaker)
    props: dict[str, Any] = field(default_factory=dict)
    # None until the server has answered once: a turn cannot build a prompt for it before.
    detected_format: PromptFormat | None = None
    identity: str | None = None
    # An older or differently built server may refuse GBNF grammars; others of the list may not.
    grammar_rejected: bool = False
    # The prefix of each agent (subentry id) last put in this server's cache.
    warmed_prefixes: dict[str, str] = field(default_factory=dict, repr=False)
    # The prefix the warm-up last put in each slot (slot id -> prefix).
    slot_prefixes: dict[int, str] = field(default_factory=dict, repr=False)
    # It keeps no slot files (no --slot-save-path): slots are warmed by evaluating instead.
    copy_slots_unsupported: bool = False
    # Held while this server's prefixes are warmed (one warm-up at a time).
    warming: asyncio.Lock = field(default_factory=asyncio.Lock, repr=False)
    # The prompt the warm-up is evaluating now, and the event set when it is done: a question
    # that starts with it waits for it rather than evaluate it again beside it (two
    # evaluations on two cores stall both); any other question goes at once.
    warming_prompt: str | None = field(default=None, repr=False)
    warm_step_done: asyncio.Event = field(default_factory=asyncio.Event, repr=False)
    # Set while no answer of ours is in flight: the warm-up's next prefix waits for it, so a
    # question asked during a long warm-up gets the CPU.
    quiet: asyncio.Event = field(default_factory=asyncio.Event, repr=False)
    # Of the answers in flight, those waiting for the prefix being warmed (`warm_up/step.py`
    # gives way to the others only).
    waiting_for_warm_up: int = 0
    # The next turn's opening of a conversation being evaluated (`warm_up/next_turn.py`): a
    # few tokens that a question waits for rather than be sent to another slot meanwhile.
    opening_warm: asyncio.Task[None] | None = field(default=None, repr=False)
    # Prompt tokens a second its last warm-up was evaluated at (None: none yet).
    prompt_rate: float | None = None
    # When its health probe first failed (None while it answers), for the repair issue.
    down_since: float | None = None
    # Answers the agent is getting from it now. With as many as it has slots, a new question
    # waits in llama-server's queue until one of them ends (several satellites at once).
    in_flight: int = 0
    # Characters per token of its model, as it counted the warm-up's prefix (None: not yet).
    chars_per_token: float | None = None

    @property
    def context_tokens(self) -> int | None:
        """The context of one of its slots, in tokens (llama-server's `n_ctx` per slot)."""
        settings = self.props.get("default_generation_settings") or {}
        value = settings.get("n_ctx")
        return int(value) if isinstance(value, int) and value > 0 else None

    @property
    def slots(self) -> int:
        """How many answers it writes at once (llama-server's --parallel)."""
        return max(1, int(self.props.get("total_slots") or 1))

    @property
    def saturated(self) -> bool:
        """Every slot is taken by an answer of ours: a new request will wait for one."""
        return self.in_flight >= self.slots

    @contextlib.contextmanager
    def answering(self) -> Iterator[None]:
        """Counts one answer in flight for as long as it lasts."""
        self.in_flight += 1
        self.quiet.clear()
        try:
            yield
        finally:
            self.in_flight -= 1
            if self.in_flight == 0:
                self.quiet.set()

    def __post_init__(self) -> None:
        self.quiet.set()

    @property
    def url(self) -> str:
        return str(self.client.url)

    @property
    def role(self) -> str:
        return "main" if self.index == 0 else f"backup {self.index}"

    @property
    def model(self) -> str:
        """The model's file name (llama-server reports its full path)."""
        return str(self.props.get("model_alias") or "").rsplit("/", 1)[-1]

    async def async_check(self) -> bool:
        """Health and props (raises `LlamaServerError`); detects the prompt format whenever the
        process is new. True when it is: a first contact, a restart or another model, whose
        cache holds none of our prefixes."""
        await self.client.health()
        props = await self.client.props()
        identity = server_identity(props)
        if identity == self.identity:
            self.props = props
            return False
        detected = await detect_prompt_format(self.client, props)
        self.props, self.identity, self.detected_format = props, identity, detected
        self.warmed_prefixes.clear()
        self.slot_prefixes.clear()
        self.copy_slots_unsupported = False
        _LOGGER.debug("llama-server at %s: prompt format detected as %s", self.url, detected)
        return True

    def mark_down(self, error: LlamaServerError) -> None:
        """A probe (or the setup check) got no answer: skip it for a cool-down."""
        self.breaker.record_failure(str(error))
        if self.down_since is None:
            self.down_since = time.monotonic()

    def as_diagnostics(self) -> dict[str, Any]:
        settings = self.props.get("default_generation_settings") or {}
        return {
            "url": self.url,
            "role": self.role,
            "breaker": self.breaker.as_dict(),
            "answering": self.down_since is None and self.detected_format is not None,
            "model": self.model or None,
            "n_ctx": settings.get("n_ctx"),
            "detected_prompt_format": str(self.detected_format) if self.detected_format else None,
            "grammar_rejected": self.grammar_rejected,
            "warmed_agents": len(self.warmed_prefixes),
            "warmed_slots": sorted(self.slot_prefixes),
            "slots": self.slots,
            "answers_in_flight": self.in_flight,
        }


class ServerPool:
    """The servers of an entry, and the order a turn tries them in."""

    def __init__(
        self, session: aiohttp.ClientSession, urls: Sequence[str], *, control_timeout: float
    ) -> None:
        if not urls:
            raise ValueError("a pool needs at least one server")
        self.servers = tuple(
            LlamaServer(LlamaServerClient(session, url, control_timeout=control_timeout), index)
            for index, url in enumerate(urls)
        )

    @property
    def primary(self) -> LlamaServer:
        return self.servers[0]

    def turn_order(self) -> list[LlamaServer]:
        """The servers a turn tries, in order: those whose breaker is closed, in the user's
        order; then, as a last resort, those in a cool-down (a try costs less than an apology
        without one, and with a single server this is exactly the old behaviour). A server
        that never answered is left out: its prompt format is unknown."""
        known = [server for server in self.servers if server.detected_format is not None]
        return sorted(known, key=lambda server: not server.breaker.allows_turns)

    def answering(self) -> list[LlamaServer]:
        """The servers turns use now (for the warm-up)."""
        return [s for s in self.servers if s.detected_format is not None and s.breaker.allows_turns]

    def model_name(self) -> str:
        """The model of the first server that reported one (for the agent's device)."""
        return next((server.model for server in self.servers if server.model), "")

    async def async_check_all(self) -> dict[int, LlamaServerError]:
        """Check every server at once (setup); the errors by server index. A server that does
        not answer starts in its breaker's cool-down; the health probe lets it in later."""
        results = await asyncio.gather(
            *(server.async_check() for server in self.servers), return_exceptions=True
        )
        errors: dict[int, LlamaServerError] = {}
        for server, result in zip(self.servers, results, strict=True):
            if isinstance(result, LlamaServerError):
                server.mark_down(result)
                errors[server.index] = result
            elif isinstance(result, BaseException):
                raise result
        return errors
