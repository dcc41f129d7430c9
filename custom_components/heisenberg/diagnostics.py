"""Diagnostics download: the servers (main and backups, with their breakers), the agents'
settings and last timings, and which server answered each of the last turns."""

from dataclasses import asdict
from typing import Any

from homeassistant.components.diagnostics import async_redact_data
from homeassistant.core import HomeAssistant

from .const import CONF_CUSTOM_PROMPT
from .runtime import HeisenbergConfigEntry

# Prompts can hold names and household details; the chat template can be long and says nothing
# about the user's setup that the model path does not.
TO_REDACT = {CONF_CUSTOM_PROMPT, "prompt", "system_prompt"}
_PROPS_KEPT = ("model_path", "model_alias", "total_slots", "build_info", "modalities")


async def async_get_config_entry_diagnostics(
    hass: HomeAssistant, entry: HeisenbergConfigEntry
) -> dict[str, Any]:
    """Return diagnostics for a config entry."""
    runtime = entry.runtime_data
    props = runtime.props
    settings = props.get("default_generation_settings") or {}
    return {
        # The main server, as before backups existed.
        "url": str(runtime.client.url),
        "server": {
            **{key: props[key] for key in _PROPS_KEPT if key in props},
            "n_ctx": settings.get("n_ctx"),
            "has_chat_template": bool(props.get("chat_template")),
        },
        "detected_prompt_format": str(runtime.detected_format),
        # Every server in the order turns try them, each with its breaker.
        "servers": [server.as_diagnostics() for server in runtime.pool.servers],
        # Oldest first: which server answered each turn, and which failed before it.
        "recent_turns": [
            {**asdict(turn), "failed_over": list(turn.failed_over)} for turn in runtime.recent_turns
        ],
        "agents": {
            subentry.subentry_id: {
                "title": subentry.title,
                "options": async_redact_data(dict(subentry.data), TO_REDACT),
                "figures": {
                    key: value
                    for key, value in asdict(runtime.figures_for(subentry.subentry_id)).items()
                    if key != "warmed_prefix"  # the whole prompt prefix: long, and no figure
                },
            }
            for subentry in entry.subentries.values()
        },
    }
