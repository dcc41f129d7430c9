"""A repair issue when a server's slots are too small for an agent's prompt.

The warm-up is where it shows: it sends the agent's whole stable prefix, and llama-server either
counts it (the agent then knows how many characters its tokens take, for sizing every later
prompt: `context_fit.py`) or refuses it for its length. A prefix that leaves no room for a
conversation is not a question of a turn: the user is told once, in HA's repairs, with the fix
(a larger `--ctx-size`, or fewer `--parallel` slots: llama-server divides one among the other).
"""

import logging

from homeassistant.core import HomeAssistant
from homeassistant.helpers import issue_registry as ir

from .const import DOMAIN
from .context_fit import ANSWER_RESERVE, CONVERSATION_RESERVE, prefix_fits, tokens_for_chars
from .llama_client import HttpError, LlamaServerError
from .server_pool import LlamaServer

_LOGGER = logging.getLogger(__name__)


def issue_id(server: LlamaServer) -> str:
    return f"context_too_small_{server.index}"


def learn_from_warm_up(
    hass: HomeAssistant, server: LlamaServer, warmed: str, tokens: int | None
) -> None:
    """Record how many characters the server's model puts in a token (from a prefix it just
    counted), and raise or clear the repair issue depending on whether that prefix fits."""
    if not tokens:
        return
    server.chars_per_token = len(warmed) / tokens
    _update(hass, server, tokens)


def is_context_refusal(err: LlamaServerError) -> bool:
    """llama-server refusing a prompt longer than its slot's context."""
    return isinstance(err, HttpError) and "context size" in str(err)


def warm_up_refused(hass: HomeAssistant, server: LlamaServer, warmed: str) -> None:
    """The server refused the prefix itself: raise the issue with the estimated size."""
    context_refused(hass, server, len(warmed))


def context_refused(hass: HomeAssistant, server: LlamaServer, prompt_chars: int) -> None:
    """The server refused a prompt of `prompt_chars` characters for its length."""
    tokens = tokens_for_chars(prompt_chars, server.chars_per_token)
    _update(hass, server, max(tokens - CONVERSATION_RESERVE, 1), refused=True)


def _update(hass: HomeAssistant, server: LlamaServer, tokens: int, refused: bool = False) -> None:
    slot = server.context_tokens
    if not refused and prefix_fits(tokens, slot):
        ir.async_delete_issue(hass, DOMAIN, issue_id(server))
        return
    needed = tokens + CONVERSATION_RESERVE + ANSWER_RESERVE
    _LOGGER.error(
        "llama-server at %s has %s-token slots; the agent's prompt needs about %d (a "
        "%d-token prefix and room for a conversation). Start it with a larger --ctx-size "
        "(the whole context is shared by its --parallel slots) or fewer slots",
        server.url,
        slot,
        needed,
        tokens,
    )
    ir.async_create_issue(
        hass,
        DOMAIN,
        issue_id(server),
        is_fixable=False,
        severity=ir.IssueSeverity.ERROR,
        translation_key="context_too_small",
        translation_placeholders={
            "url": server.url,
            "slot": str(slot or "?"),
            "needed": str(needed),
        },
    )
