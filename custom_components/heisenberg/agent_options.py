"""An agent's settings (one conversation subentry): each one's default, read and stored.

Every default is spelled once, on `AgentOptions`: reading a subentry falls back to it, and what
a new agent is saved with (`DEFAULT_AGENT_OPTIONS`) is written from it.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final

from homeassistant.const import CONF_LLM_HASS_API
from homeassistant.helpers import llm

from .const import (
    CONF_CUSTOM_PROMPT,
    CONF_MAX_HISTORY_TURNS,
    CONF_MAX_TOKENS,
    CONF_MIN_P,
    CONF_PERSONA,
    CONF_PROMPT_FORMAT,
    CONF_REPEAT_PENALTY,
    CONF_TEMPERATURE,
    CONF_TIMEOUT,
    CONF_TOP_K,
    CONF_TOP_P,
)
from .llama_client import CompletionRequest
from .personas import Persona, PersonaText, persona_text
from .prompt_format import PromptFormat, stop_sequences

# A setting's value as a subentry stores it (JSON).
type StoredValue = str | int | float | list[str]


@dataclass(frozen=True, slots=True)
class AgentOptions:
    """Typed view of a subentry's data; each field's default is the setting's default."""

    persona: str = Persona.DEFAULT.value
    custom_prompt: str = ""
    prompt_format: PromptFormat = PromptFormat.AUTO
    temperature: float = 0.7
    top_p: float = 0.9
    top_k: int = 40
    # Min-p drops words far less likely than the best one. Measured with
    # benchmarks/answer_quality.py (temperature 0.7): 0.2 gave fewer wrong facts than
    # llama-server's own 0.05, mostly in French.
    min_p: float = 0.2
    max_tokens: int = 512
    repeat_penalty: float = 1.1
    # Seconds, stored as a whole number like the agent form stores it.
    timeout: float = 30
    max_history_turns: int = 5
    # HA LLM API ids (device control); empty: the agent can act on nothing, and says so. That
    # is how an agent saved before the setting existed (no key) behaves; a new agent is saved
    # with Assist (`DEFAULT_AGENT_OPTIONS`).
    llm_hass_api: tuple[str, ...] = ()

    @classmethod
    def from_data(cls, data: Mapping[str, Any]) -> AgentOptions:
        """Read subentry data; missing or unknown values fall back to the defaults."""
        default = cls()
        try:
            prompt_format = PromptFormat(data.get(CONF_PROMPT_FORMAT, default.prompt_format))
        except ValueError:
            prompt_format = default.prompt_format
        return cls(
            persona=str(data.get(CONF_PERSONA, default.persona)),
            custom_prompt=str(data.get(CONF_CUSTOM_PROMPT) or default.custom_prompt),
            prompt_format=prompt_format,
            temperature=float(data.get(CONF_TEMPERATURE, default.temperature)),
            top_p=float(data.get(CONF_TOP_P, default.top_p)),
            top_k=int(data.get(CONF_TOP_K, default.top_k)),
            min_p=float(data.get(CONF_MIN_P, default.min_p)),
            max_tokens=int(data.get(CONF_MAX_TOKENS, default.max_tokens)),
            repeat_penalty=float(data.get(CONF_REPEAT_PENALTY, default.repeat_penalty)),
            timeout=float(data.get(CONF_TIMEOUT, default.timeout)),
            max_history_turns=int(data.get(CONF_MAX_HISTORY_TURNS, default.max_history_turns)),
            llm_hass_api=_api_ids(data.get(CONF_LLM_HASS_API)),
        )

    def as_data(self) -> dict[str, StoredValue]:
        """The settings as a subentry stores them; the custom prompt only when there is one
        (it is the Custom persona's own text, with nothing to default to)."""
        data: dict[str, StoredValue] = {
            CONF_LLM_HASS_API: list(self.llm_hass_api),
            CONF_PERSONA: self.persona,
            CONF_PROMPT_FORMAT: self.prompt_format.value,
            CONF_TEMPERATURE: self.temperature,
            CONF_TOP_P: self.top_p,
            CONF_TOP_K: self.top_k,
            CONF_MIN_P: self.min_p,
            CONF_MAX_TOKENS: self.max_tokens,
            CONF_REPEAT_PENALTY: self.repeat_penalty,
            CONF_TIMEOUT: self.timeout,
            CONF_MAX_HISTORY_TURNS: self.max_history_turns,
        }
        if self.custom_prompt:
            data[CONF_CUSTOM_PROMPT] = self.custom_prompt
        return data

    def resolved_format(self, detected: PromptFormat) -> PromptFormat:
        """The format to use: the user's choice, or what detection found for `auto`."""
        return detected if self.prompt_format is PromptFormat.AUTO else self.prompt_format

    def persona_for(self, language: str | None, sees_devices: bool = True) -> PersonaText:
        """The persona's instructions and examples for a conversation language; told it cannot
        see the home without an API, or when nothing is exposed (`sees_devices` False)."""
        return persona_text(
            self.persona,
            language,
            self.custom_prompt,
            can_control=bool(self.llm_hass_api) and sees_devices,
        )

    def completion_request(
        self, fmt: PromptFormat, prompt: str, grammar: str | None = None
    ) -> CompletionRequest:
        """The llama-server request for a prompt built in `fmt`."""
        return CompletionRequest(
            grammar=grammar,
            prompt=prompt,
            stop=stop_sequences(fmt),
            temperature=self.temperature,
            top_p=self.top_p,
            top_k=self.top_k,
            min_p=self.min_p,
            repeat_penalty=self.repeat_penalty,
            max_tokens=self.max_tokens,
        )


def _api_ids(value: Any) -> tuple[str, ...]:
    """The stored API setting: a list of ids (core's shape), a single id, or nothing."""
    if not value:
        return ()
    if isinstance(value, str):
        return (value,)
    return tuple(str(item) for item in value)


# What a new agent is saved with: every default, and HA's Assist API so that it controls the
# exposed devices.
DEFAULT_AGENT_OPTIONS: Final[dict[str, StoredValue]] = AgentOptions(
    llm_hass_api=(llm.LLM_API_ASSIST,)
).as_data()
