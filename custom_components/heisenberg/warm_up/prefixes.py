"""Warm-up: put each agent's stable prompt prefix into every llama-server's cache at start.

Without it, the first question after a restart pays for loading the model's weights into memory
and for evaluating the whole system prompt and examples. The prefix rendered here is byte for
byte the start of the agent's real prompts (`prompt_format.build_prefix`), so the server's
`cache_prompt` reuses it, and so is today's date at the start of the conversation note. An agent
is warmed in every language it is asked in (`languages.py`: each Assist pipeline's
that uses it, and HA's own), since its instructions, examples and notes are in that language.
With device control the prefix lists the exposed devices, so it is warmed again when they
change, when the pipelines change, and at midnight for the date (`async_rewarm_on_changes`).
Failures are logged, never fatal.
"""

import asyncio
import logging
from collections.abc import Callable
from datetime import datetime
from typing import Any

from homeassistant.components.homeassistant.exposed_entities import async_listen_entity_updates
from homeassistant.config_entries import ConfigSubentry
from homeassistant.const import EVENT_HOMEASSISTANT_STARTED
from homeassistant.core import CoreState, Event, HomeAssistant, callback
from homeassistant.exceptions import TemplateError
from homeassistant.helpers import area_registry as ar
from homeassistant.helpers import entity_registry as er
from homeassistant.helpers import template
from homeassistant.helpers.debounce import Debouncer
from homeassistant.helpers.event import async_track_time_change
from homeassistant.util import dt as dt_util

from ..agent_options import AgentOptions
from ..assist_tools.home import any_exposed, async_api_for_warm_up, home_view
from ..const import DOMAIN
from ..context_issue import is_context_refusal, learn_from_warm_up, warm_up_refused
from ..context_note import conversation_note_start
from ..llama_client import LlamaServerError
from ..prompt_format import build_note_start, build_prefix
from ..runtime import HeisenbergConfigEntry, HeisenbergRuntime
from ..server_pool import LlamaServer
from .languages import agent_languages, async_listen_pipelines
from .slots import async_fill_slots, choose_slots
from .step import async_evaluate

_LOGGER = logging.getLogger(__name__)


def render_instructions(hass: HomeAssistant, instructions: str) -> str:
    """Render a persona's template the way HA's chat log does (no user known yet)."""
    rendered = template.Template(instructions, hass).async_render(
        {"ha_name": hass.config.location_name, "user_name": None, "llm_context": None},
        parse_result=False,
    )
    return str(rendered)


async def async_warm_up_agent(
    hass: HomeAssistant,
    runtime: HeisenbergRuntime,
    server: LlamaServer,
    subentry: ConfigSubentry,
    *,
    slot: int | None = None,
    language: str | None = None,
) -> None:
    """Evaluate one agent's prefix in `language` (HA's own by default) into one server's
    cache, in that server's prompt format (each server may run another model), in slot `slot`
    when given."""
    if server.detected_format is None:
        return  # never answered: warmed by the health probe once it does
    options = AgentOptions.from_data(subentry.data)
    language = language or hass.config.language
    persona = options.persona_for(language, any_exposed(hass))
    fmt = options.resolved_format(server.detected_format)
    figures = runtime.figures_for(subentry.subentry_id)
    try:
        system = render_instructions(hass, persona.instructions)
        examples = persona.examples
        api = await async_api_for_warm_up(hass, options.llm_hass_api, language)
        home = home_view(hass, api.tools if api else None, language)
        if home is not None and home.instructions:
            system = f"{system}\n{home.instructions}"
            examples = (*home.examples, *examples)
        prefix = build_prefix(fmt, system, examples)
        # Through today's date, which opens every conversation's note: a first question then
        # evaluates only the rest of its note and itself (about 40 tokens fewer: 0.7 s on 2
        # cores with the default model).
        warm = build_note_start(fmt, prefix, conversation_note_start(dt_util.now(), language))
        key = warmed_key(subentry.subentry_id, language)
        if warm == server.warmed_prefixes.get(key):
            return
        stats = await async_evaluate(server, warm, max(options.timeout, 60.0), slot)
    except TemplateError as err:
        _LOGGER.warning(
            "Warm-up of %s skipped: its prompt does not render: %s", subentry.title, err
        )
        return
    except LlamaServerError as err:
        if is_context_refusal(err):
            warm_up_refused(hass, server, warm)
        _LOGGER.warning(
            "Warm-up of %s on %s failed (the first answer will be slower): %s",
            subentry.title,
            server.url,
            err,
        )
        figures.last_error = f"warm-up on {server.url}: {err}"
        return
    learn_from_warm_up(hass, server, warm, (stats.prompt_tokens or 0) + (stats.cached_tokens or 0))
    figures.last_warm_up = {**stats.as_dict(), "server": server.url, "language": language}
    if language == hass.config.language:
        figures.warmed_prefix = prefix
    server.warmed_prefixes[key] = warm
    if stats.slot is not None:
        server.slot_prefixes[stats.slot] = warm
    _LOGGER.debug(
        "Warm-up of %s on %s: %s prompt tokens evaluated in %.2f s",
        subentry.title,
        server.url,
        stats.prompt_tokens,
        stats.total_seconds,
    )


def warmed_key(subentry_id: str, language: str) -> str:
    """How `LlamaServer.warmed_prefixes` names one agent's prefix in one language."""
    return f"{subentry_id}/{language}"


async def async_warm_up_server(
    hass: HomeAssistant, entry: HeisenbergConfigEntry, server: LlamaServer
) -> None:
    """Warm every agent of the entry on one server in each of its languages, each prefix in a
    slot of its own as far as they go (`slots.choose_slots`: a warm one stays where it
    is), then fill the server's other slots with copies of them.

    Two languages on two slots: one in each, no copy. llama-server puts a question in the
    idle slot whose cache matches it best, and a slot picked for another prefix first saves
    what it held to its prompt cache in RAM and takes back the best match from there; so a
    prefix pushed out of its slot (more prefixes than slots, or two questions in one language
    at once) comes back from RAM rather than being evaluated again
    (benchmarks/language_slots.py, docs/conversation-speed.md)."""
    registry = er.async_get(hass)
    prefixes = [
        (subentry, language)
        for subentry in entry.subentries.values()
        if subentry.subentry_type == "conversation"
        for language in agent_languages(
            hass, registry.async_get_entity_id("conversation", DOMAIN, subentry.subentry_id)
        )
    ]
    slots = choose_slots(
        server, [warmed_key(subentry.subentry_id, language) for subentry, language in prefixes]
    )
    async with server.warming:
        for (subentry, language), slot in zip(prefixes, slots, strict=True):
            await async_warm_up_agent(
                hass, entry.runtime_data, server, subentry, slot=slot, language=language
            )
    # Outside the lock: questions go on meanwhile (into the slots already warm).
    await async_fill_slots(server, sorted({slot for slot in slots if slot is not None}))


async def async_warm_up_all(hass: HomeAssistant, entry: HeisenbergConfigEntry) -> None:
    """Warm every agent on every server that answers, side by side (they are other machines,
    and a GPU box should not wait for the CPU server's slower warm-up)."""
    servers = entry.runtime_data.pool.answering()
    await asyncio.gather(*(async_warm_up_server(hass, entry, server) for server in servers))


# Registry edits come in bursts (renaming several entities, HA's start): warm once after them.
REWARM_COOLDOWN_SECONDS = 5.0


def async_rewarm_on_changes(hass: HomeAssistant, warm_all: Callable[[], Any]) -> Callable[[], None]:
    """Warm the agents again when what they are told may have changed: the home's exposure,
    names, aliases, areas, HA's start (entities of later integrations appear then), the Assist
    pipelines (their languages), and the date at midnight (HA's time zone). Returns the
    function that stops listening. Unchanged prefixes are not sent again."""
    debouncer = Debouncer(
        hass,
        _LOGGER,
        cooldown=REWARM_COOLDOWN_SECONDS,
        immediate=False,
        function=warm_all,
        background=True,
    )

    @callback
    def changed(_event_or_time: Event[Any] | datetime | None = None) -> None:
        debouncer.async_schedule_call()

    stops = [
        async_listen_entity_updates(hass, "conversation", changed),
        hass.bus.async_listen(er.EVENT_ENTITY_REGISTRY_UPDATED, changed),
        hass.bus.async_listen(ar.EVENT_AREA_REGISTRY_UPDATED, changed),
        async_track_time_change(hass, changed, hour=0, minute=0, second=0),
        async_listen_pipelines(hass, changed),
    ]
    if hass.state is not CoreState.running:
        stops.append(hass.bus.async_listen_once(EVENT_HOMEASSISTANT_STARTED, changed))

    def stop() -> None:
        for unsubscribe in stops:
            unsubscribe()
        debouncer.async_cancel()

    return stop
