"""An agent's settings (one conversation subentry), read with their defaults."""

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from homeassistant.const import CONF_LLM_HASS_API

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
    DEFAULT_MAX_HISTORY_TURNS,
    DEFAULT_MAX_TOKENS,
    DEFAULT_MIN_P,
    DEFAULT_PERSONA,
    DEFAULT_PROMPT_FORMAT,
    DEFAULT_REPEAT_PENALTY,
    DEFAULT_TEMPERATURE,
    DEFAULT_TIMEOUT,
    DEFAULT_TOP_K,
    DEFAULT_TOP_P,
)
from .llama_client import CompletionRequest
from .personas import PersonaText, persona_text
from .prompt_format import PromptFormat, stop_sequences


@dataclass(frozen=True, slots=True)
class AgentOptions:
    """Typed view of a subentry's data."""

    persona: str = DEFAULT_PERSONA
    custom_prompt: str = ""
    prompt_format: PromptFormat = PromptFormat.AUTO
    temperature: float = DEFAULT_TEMPERATURE
    top_p: float = DEFAULT_TOP_P
    top_k: int = DEFAULT_TOP_K
    min_p: float = DEFAULT_MIN_P
    max_tokens: int = DEFAULT_MAX_TOKENS
    repeat_penalty: float = DEFAULT_REPEAT_PENALTY
    timeout: float = DEFAULT_TIMEOUT
    max_history_turns: int = DEFAULT_MAX_HISTORY_TURNS
    # HA LLM API ids (device control); empty: the agent can act on nothing, and says so.
    llm_hass_api: tuple[str, ...] = ()

    @classmethod
    def from_data(cls, data: Mapping[str, Any]) -> AgentOptions:
        """Read subentry data; missing or unknown values fall back to the defaults."""
        try:
            prompt_format = PromptFormat(data.get(CONF_PROMPT_FORMAT, DEFAULT_PROMPT_FORMAT))
        except ValueError:
            prompt_format = PromptFormat.AUTO
        return cls(
            persona=str(data.get(CONF_PERSONA, DEFAULT_PERSONA)),
            custom_prompt=str(data.get(CONF_CUSTOM_PROMPT) or ""),
            prompt_format=prompt_format,
            temperature=float(data.get(CONF_TEMPERATURE, DEFAULT_TEMPERATURE)),
            top_p=float(data.get(CONF_TOP_P, DEFAULT_TOP_P)),
            top_k=int(data.get(CONF_TOP_K, DEFAULT_TOP_K)),
            min_p=float(data.get(CONF_MIN_P, DEFAULT_MIN_P)),
            max_tokens=int(data.get(CONF_MAX_TOKENS, DEFAULT_MAX_TOKENS)),
            repeat_penalty=float(data.get(CONF_REPEAT_PENALTY, DEFAULT_REPEAT_PENALTY)),
            timeout=float(data.get(CONF_TIMEOUT, DEFAULT_TIMEOUT)),
            max_history_turns=int(data.get(CONF_MAX_HISTORY_TURNS, DEFAULT_MAX_HISTORY_TURNS)),
            llm_hass_api=_api_ids(data.get(CONF_LLM_HASS_API)),
        )

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
