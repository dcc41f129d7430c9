"""What a loaded config entry holds at run time (`entry.runtime_data`)."""

import asyncio
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from homeassistant.config_entries import ConfigEntry

from .llama_client import LlamaServerClient
from .prompt_format import PromptFormat

if TYPE_CHECKING:
    from .server_watch import ServerWatch


@dataclass(slots=True)
class AgentFigures:
    """The last measured figures of one agent, for diagnostics."""

    last_answer: dict[str, Any] | None = None
    last_warm_up: dict[str, Any] | None = None
    last_error: str | None = None
    # The prefix last put in the server's cache, so an unchanged home is not warmed again.
    warmed_prefix: str | None = field(default=None, repr=False)


@dataclass(slots=True)
class HeisenbergRuntime:
    """The server connection shared by every agent (subentry) of a config entry."""

    client: LlamaServerClient
    props: dict[str, Any]
    detected_format: PromptFormat
    figures: dict[str, AgentFigures] = field(default_factory=dict)
    # The model's text of the calls HA ran, by tool call id, for the history (bounded: HA's
    # chat logs expire, this map only forgets the oldest).
    call_texts: OrderedDict[str, str] = field(default_factory=OrderedDict)
    grammar_rejected: bool = False
    # Held while prefixes are warmed: a question waits for it rather than evaluate the same
    # prefix again beside it (two evaluations on two cores stall both).
    warming: asyncio.Lock = field(default_factory=asyncio.Lock)
    watch: ServerWatch | None = None  # set once the entry is set up (server_watch.py)

    def remember_call(self, tool_call_id: str, text: str) -> None:
        """Keep the model's text of a call HA ran, for later turns' history."""
        self.call_texts[tool_call_id] = text
        while len(self.call_texts) > 512:
            self.call_texts.popitem(last=False)

    def figures_for(self, subentry_id: str) -> AgentFigures:
        """The figures record of one agent, created on first use."""
        return self.figures.setdefault(subentry_id, AgentFigures())


type HeisenbergConfigEntry = ConfigEntry[HeisenbergRuntime]
