"""What a loaded config entry holds at run time (`entry.runtime_data`)."""

from dataclasses import dataclass, field
from typing import Any

from homeassistant.config_entries import ConfigEntry

from .llama_client import LlamaServerClient
from .prompt_format import PromptFormat


@dataclass(slots=True)
class AgentFigures:
    """The last measured figures of one agent, for diagnostics."""

    last_answer: dict[str, Any] | None = None
    last_warm_up: dict[str, Any] | None = None
    last_error: str | None = None


@dataclass(slots=True)
class HeisenbergRuntime:
    """The server connection shared by every agent (subentry) of a config entry."""

    client: LlamaServerClient
    props: dict[str, Any]
    detected_format: PromptFormat
    figures: dict[str, AgentFigures] = field(default_factory=dict)

    def figures_for(self, subentry_id: str) -> AgentFigures:
        """The figures record of one agent, created on first use."""
        return self.figures.setdefault(subentry_id, AgentFigures())


type HeisenbergConfigEntry = ConfigEntry[HeisenbergRuntime]
