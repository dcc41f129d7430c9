"""Warm-up: put each agent's stable prompt prefix into llama-server's cache at start.

Without it, the first question after a restart pays for loading the model's weights into memory
and for evaluating the whole system prompt and examples. The prefix rendered here is byte for
byte the start of the agent's real prompts (`prompt_format.build_prefix`), so the server's
`cache_prompt` reuses it. Failures are logged, never fatal.
"""

import logging

from homeassistant.config_entries import ConfigSubentry
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import TemplateError
from homeassistant.helpers import template

from .agent_options import AgentOptions
from .llama_client import LlamaServerError
from .prompt_format import build_prefix
from .runtime import HeisenbergRuntime

_LOGGER = logging.getLogger(__name__)


def render_instructions(hass: HomeAssistant, instructions: str) -> str:
    """Render a persona's template the way HA's chat log does (no user known yet)."""
    rendered = template.Template(instructions, hass).async_render(
        {"ha_name": hass.config.location_name, "user_name": None, "llm_context": None},
        parse_result=False,
    )
    return str(rendered)


async def async_warm_up_agent(
    hass: HomeAssistant, runtime: HeisenbergRuntime, subentry: ConfigSubentry
) -> None:
    """Evaluate one agent's prefix (in HA's configured language) into the server's cache."""
    options = AgentOptions.from_data(subentry.data)
    persona = options.persona_for(hass.config.language)
    fmt = options.resolved_format(runtime.detected_format)
    figures = runtime.figures_for(subentry.subentry_id)
    try:
        system = render_instructions(hass, persona.instructions)
        prefix = build_prefix(fmt, system, persona.examples)
        stats = await runtime.client.warm_up(prefix, timeout=max(options.timeout, 60.0))
    except TemplateError as err:
        _LOGGER.warning(
            "Warm-up of %s skipped: its prompt does not render: %s", subentry.title, err
        )
        return
    except LlamaServerError as err:
        _LOGGER.warning(
            "Warm-up of %s failed (the first answer will be slower): %s", subentry.title, err
        )
        figures.last_error = f"warm-up: {err}"
        return
    figures.last_warm_up = stats.as_dict()
    _LOGGER.debug(
        "Warm-up of %s: %s prompt tokens evaluated in %.2f s",
        subentry.title,
        stats.prompt_tokens,
        stats.total_seconds,
    )
