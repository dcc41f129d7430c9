"""Constants of the Heisenberg integration: option keys, what the server step starts from,
and timeouts. An agent's settings have their defaults in one place: `agent_options.AgentOptions`.
"""

from typing import Final

DOMAIN: Final = "heisenberg"

CONF_URL: Final = "url"
# Other llama-servers, tried in this order when the main one (CONF_URL) cannot answer.
CONF_BACKUP_URLS: Final = "backup_urls"
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

# A Voice PE satellite can wedge when streamed text pauses for 5 s or more mid-answer
# (esphome/home-assistant-voice-pe#612): once text has started, a longer silence from the
# server ends the answer instead of leaving the satellite hanging.
MID_ANSWER_STALL_SECONDS: Final = 4.0

# A server that has said nothing after this long gets a holding phrase spoken, so the user
# knows they were heard; the answer (or, at the agent's timeout, the apology) follows it.
HOLD_AFTER_SECONDS: Final = 3.0
# Sooner when the question waits for a slot behind other satellites' answers (it will wait for
# at least one whole answer); not at once, as a slot may be about to come free.
BUSY_HOLD_AFTER_SECONDS: Final = 0.75

# Timeout of the short control requests (/health, /props, /tokenize).
CONTROL_REQUEST_TIMEOUT: Final = 10.0
