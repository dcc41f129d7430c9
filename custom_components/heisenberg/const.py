"""Constants of the Heisenberg integration: option keys and the defaults users start from."""

from typing import Final

from homeassistant.const import CONF_LLM_HASS_API
from homeassistant.helpers import llm

DOMAIN: Final = "heisenberg"

CONF_URL: Final = "url"
CONF_PERSONA: Final = "persona"
CONF_CUSTOM_PROMPT: Final = "custom_prompt"
CONF_PROMPT_FORMAT: Final = "prompt_format"
CONF_TEMPERATURE: Final = "temperature"
CONF_TOP_P: Final = "top_p"
CONF_TOP_K: Final = "top_k"
CONF_MIN_P: Final = "min_p"
CONF_MAX_TOKENS: Final = "max_tokens"
CONF_REPEAT_PENALTY: Final = "repeat_penalty"
CONF_TIMEOUT: Final = "timeout"
CONF_MAX_HISTORY_TURNS: Final = "max_history_turns"

DEFAULT_URL: Final = "http://localhost:8080"
DEFAULT_AGENT_NAME: Final = "Heisenberg"
DEFAULT_PERSONA: Final = "default"
DEFAULT_PROMPT_FORMAT: Final = "auto"
DEFAULT_TEMPERATURE: Final = 0.7
DEFAULT_TOP_P: Final = 0.9
DEFAULT_TOP_K: Final = 40
# Min-p drops words far less likely than the best one. Measured with benchmarks/answer_quality.py
# (temperature 0.7): 0.2 gave fewer wrong facts than llama-server's own 0.05, mostly in French.
DEFAULT_MIN_P: Final = 0.2
DEFAULT_MAX_TOKENS: Final = 512
DEFAULT_REPEAT_PENALTY: Final = 1.1
DEFAULT_TIMEOUT: Final = 30
DEFAULT_MAX_HISTORY_TURNS: Final = 5

# HA's Assist API (device control) for new agents; an agent saved before the setting existed
# has no key, and keeps working without device access.
DEFAULT_LLM_HASS_API: Final = [llm.LLM_API_ASSIST]

DEFAULT_AGENT_OPTIONS: Final[dict[str, str | int | float | list[str]]] = {
    CONF_LLM_HASS_API: DEFAULT_LLM_HASS_API,
    CONF_PERSONA: DEFAULT_PERSONA,
    CONF_PROMPT_FORMAT: DEFAULT_PROMPT_FORMAT,
    CONF_TEMPERATURE: DEFAULT_TEMPERATURE,
    CONF_TOP_P: DEFAULT_TOP_P,
    CONF_TOP_K: DEFAULT_TOP_K,
    CONF_MIN_P: DEFAULT_MIN_P,
    CONF_MAX_TOKENS: DEFAULT_MAX_TOKENS,
    CONF_REPEAT_PENALTY: DEFAULT_REPEAT_PENALTY,
    CONF_TIMEOUT: DEFAULT_TIMEOUT,
    CONF_MAX_HISTORY_TURNS: DEFAULT_MAX_HISTORY_TURNS,
}

# A Voice PE satellite can wedge when streamed text pauses for 5 s or more mid-answer
# (esphome/home-assistant-voice-pe#612): once text has started, a longer silence from the
# server ends the answer instead of leaving the satellite hanging.
MID_ANSWER_STALL_SECONDS: Final = 4.0

# Timeout of the short control requests (/health, /props, /tokenize).
CONTROL_REQUEST_TIMEOUT: Final = 10.0
