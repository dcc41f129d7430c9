"""What a loaded config entry holds at run time (`entry.runtime_data`)."""

from collections import OrderedDict, deque
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from homeassistant.config_entries import ConfigEntry

from .llama_client import LlamaServerClient
from .prompt_format import PromptFormat
from .server_pool import ServerPool

if TYPE_CHECKING:
    from .server_watch import ServerWatch

# How many recent turns diagnostics show (which server answered each).
RECENT_TURNS = 20


@dataclass(slots=True)
class AgentFigures:
    """The last measured figures of one agent, for diagnostics."""

    last_answer: dict[str, Any] | None = None
    last_warm_up: dict[str, Any] | None = None
    last_error: str | None = None
    # The prefix of the agent's latest warm-up, on whichever server (each server keeps its
    # own record of what it holds: `LlamaServer.warmed_prefixes`).
    warmed_prefix: str | None = field(default=None, repr=False)


@dataclass(frozen=True, slots=True)
class TurnRecord:
    """One turn, for diagnostics: which server answered it, and which failed before."""

    at: str  # ISO time
    agent: str
    server: str | None  # URL of the server that answered; None when none did
    failed_over: tuple[dict[str, str], ...] = ()  # {"url", "reason"} of the servers skipped
    error: str | None = None


@dataclass(slots=True)
class HeisenbergRuntime:
    """The servers shared by every agent (subentry) of a config entry."""

    pool: ServerPool
    figures: dict[str, AgentFigures] = field(default_factory=dict)
    # The model's text of the calls HA ran, by tool call id, for the history (bounded: HA's
    # chat logs expire, this map only forgets the oldest).
    call_texts: OrderedDict[str, str] = field(default_factory=OrderedDict)
    # The language each question was asked in, by conversation and text (bounded like
    # call_texts), so that a prompt shows its own language's thread (history.language_thread).
    turn_languages: OrderedDict[tuple[str, str], str] = field(default_factory=OrderedDict)
    recent_turns: deque[TurnRecord] = field(default_factory=lambda: deque(maxlen=RECENT_TURNS))
    watch: ServerWatch | None = None  # set once the entry is set up (server_watch.py)

    # The main server's view, for what shows one server (diagnostics' summary, tests).
    @property
    def client(self) -> LlamaServerClient:
        return self.pool.primary.client

    @property
    def props(self) -> dict[str, Any]:
        return self.pool.primary.props

    @property
    def detected_format(self) -> PromptFormat | None:
        return self.pool.primary.detected_format

    def remember_call(self, tool_call_id: str, text: str) -> None:
        """Keep the model's text of a call HA ran, for later turns' history."""
        self.call_texts[tool_call_id] = text
        while len(self.call_texts) > 512:
            self.call_texts.popitem(last=False)

    def remember_language(self, conversation_id: str, text: str, language: str) -> None:
        """Keep the language a question was asked in, for later turns' history."""
        key = (conversation_id, text)
        self.turn_languages.pop(key, None)
        self.turn_languages[key] = language
        while len(self.turn_languages) > 512:
            self.turn_languages.popitem(last=False)

    def languages_in(self, conversation_id: str) -> dict[str, str]:
        """The language of each question of one conversation, by its text."""
        return {
            text: language
            for (conversation, text), language in self.turn_languages.items()
            if conversation == conversation_id
        }

    def figures_for(self, subentry_id: str) -> AgentFigures:
        """The figures record of one agent, created on first use."""
        return self.figures.setdefault(subentry_id, AgentFigures())


type HeisenbergConfigEntry = ConfigEntry[HeisenbergRuntime]
