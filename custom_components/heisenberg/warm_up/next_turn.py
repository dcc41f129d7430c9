"""The opening of a conversation's next turn, evaluated while the user listens to the answer.

A turn whose conversation is in the cache still evaluates the end of the previous answer's
message, the new question's opening, the question and the answer's opening: about 15 tokens,
1.5 s on one core of a small machine, all before the first word. The first part of that is known
as soon as the answer is: with it evaluated in the slot that holds the conversation, the next
question pays only for its own words and the answer's opening (`build_next_opening`).

It is a few tokens (one batch): a question asked meanwhile waits for it (`failover.py`) rather
than land in another slot while this one is busy. Nothing is done while a prefix is being
warmed or an answer is being written: those need the CPU more, and the next turn evaluates
the opening itself if it was not warmed.
"""

import logging

from homeassistant.config_entries import ConfigEntry
from homeassistant.core import HomeAssistant

from ..agent_options import AgentOptions
from ..context_fit import fit_prompt
from ..llama_client import LlamaServerError
from ..prompt_format import PromptParts, build_next_opening
from ..server_pool import LlamaServer

_LOGGER = logging.getLogger(__name__)


def warm_next_turn(
    hass: HomeAssistant,
    entry: ConfigEntry,
    server: LlamaServer | None,
    options: AgentOptions,
    parts: PromptParts,
) -> None:
    """Start evaluating the opening of the turn `parts` describe (its history, no turn note)
    into the cache of `server`, the one that just answered, unless it is busy. A task of the
    entry's: cancelled if it unloads."""
    if server is None or server.detected_format is None:
        return
    if server.warming.locked() or server.in_flight or server.opening_warm is not None:
        return
    fmt = options.resolved_format(server.detected_format)
    fit = fit_prompt(fmt, parts, server.context_tokens, server.chars_per_token)
    opening = build_next_opening(fmt, fit.parts)
    server.opening_warm = entry.async_create_background_task(
        hass, _evaluate(server, opening, options.timeout), "heisenberg: next turn's opening"
    )


async def _evaluate(server: LlamaServer, opening: str, timeout: float) -> None:
    try:
        stats = await server.client.warm_up(opening, timeout)
        _LOGGER.debug(
            "next turn's opening evaluated in slot %s: %s tokens in %.2f s",
            stats.slot,
            stats.prompt_tokens,
            stats.total_seconds,
        )
    except (LlamaServerError, TimeoutError) as err:  # the next turn evaluates it instead
        _LOGGER.debug("next turn's opening not evaluated: %s", err)
    finally:
        server.opening_warm = None
