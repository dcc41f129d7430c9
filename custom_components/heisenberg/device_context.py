"""What device control adds to a prompt: the home's devices, examples and the call grammar.

Built the same way for a conversation turn and for the warm-up, so the warmed prefix is byte
for byte the one a turn uses. The grammar is cached while the exposed devices do not change.
"""

from dataclasses import dataclass
from functools import lru_cache

from homeassistant.components import conversation
from homeassistant.components.homeassistant.exposed_entities import async_should_expose
from homeassistant.core import Context, HomeAssistant
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import area_registry as ar
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers import llm

from .const import DOMAIN
from .device_catalog import ASSISTANT, STATE_ACTION, DeviceCatalog, async_device_catalog
from .device_prompt import device_examples, device_instructions
from .device_relevance import (
    Request,
    asked_about,
    asks_for_several,
    named_devices,
    request_kind,
)
from .device_speech import no_control_sentence
from .personas import persona_language
from .prompt_format import Turn
from .tool_grammar import MAX_CALLS, Device, build_grammar


@dataclass(frozen=True, slots=True)
class DeviceContext:
    """One turn's view of the home."""

    catalog: DeviceCatalog
    instructions: str
    examples: tuple[Turn, ...]

    def grammar_for(self, request: str) -> tuple[str, bool]:
        """(grammar, calls only): calls only for an order, state calls only for a question
        about a named device, speech or calls otherwise; a device named in full comes first."""
        devices = tuple(self.catalog.model_devices)
        kind = request_kind(request, devices, self.catalog.domains)
        named = named_devices(request, devices)
        if kind == Request.QUESTION and not named:
            named = asked_about(request, devices, self.catalog.domains)
        # One call unless the request may be about several devices: a small model that
        # continues the pattern must not add calls nobody asked for.
        calls = MAX_CALLS if asks_for_several(request) else 1
        if kind == Request.FREE:
            return _grammar(devices, True, False, named or None, calls), False
        return _grammar(devices, False, kind == Request.QUESTION, named or None, calls), True


@lru_cache(maxsize=32)
def _grammar(
    devices: tuple[Device, ...],
    allow_speech: bool,
    state_only: bool = False,
    first: frozenset[str] | None = None,
    max_calls: int = MAX_CALLS,
) -> str:
    only = frozenset({STATE_ACTION}) if state_only else None
    return build_grammar(list(devices), allow_speech, only, first, max_calls)


def any_exposed(hass: HomeAssistant) -> bool:
    """Whether any entity is exposed to Assist (else the agent sees and controls nothing)."""
    return any(
        async_should_expose(hass, ASSISTANT, state.entity_id) for state in hass.states.async_all()
    )


def device_context(
    hass: HomeAssistant, api: llm.APIInstance | None, language: str | None
) -> DeviceContext | None:
    """The devices the offered API can act on (None without an API)."""
    if api is None:
        return None
    catalog = async_device_catalog(hass, {tool.name for tool in api.tools})
    devices = catalog.model_devices
    if not devices:
        # Nothing exposed: no device section (it only distracts a small model from ordinary
        # questions); an order still gets the grammar, whose only call is "no device".
        return DeviceContext(catalog, "", ())
    return DeviceContext(
        catalog,
        device_instructions(devices, language),
        device_examples(devices, language),
    )


async def async_api_for_warm_up(
    hass: HomeAssistant, api_ids: tuple[str, ...], language: str | None
) -> llm.APIInstance | None:
    """The API instance a turn would get, to warm the same prefix (None when unavailable)."""
    if not api_ids:
        return None
    context = llm.LLMContext(
        platform=DOMAIN,
        context=Context(),
        language=language,
        assistant="conversation",
        device_id=None,
    )
    try:
        return await llm.async_get_api(hass, list(api_ids), context)
    except HomeAssistantError:
        return None


def satellite_area_note(hass: HomeAssistant, device_id: str | None, language: str | None) -> str:
    """Where the request comes from, so "turn on the light" can mean this room's light."""
    if device_id is None or (device := dr.async_get(hass).async_get(device_id)) is None:
        return ""
    area_id = dr.async_get_effective_area_id(hass, device)
    area = ar.async_get(hass).async_get_area(area_id) if area_id else None
    if area is None:
        return ""
    if persona_language(language) == "fr":
        return f"(La demande vient de la pièce : {area.name}.)"
    return f"(The request comes from the {area.name}.)"


def no_control_refusal(hass: HomeAssistant, user_input: conversation.ConversationInput) -> str:
    """For an agent without an HA API: the refusal an order or a question about an exposed
    device gets ('' for anything else, which the model answers)."""
    found = async_device_catalog(hass, set())
    kind = request_kind(user_input.text, found.model_devices, found.domains)
    if kind == Request.FREE:
        return ""
    return no_control_sentence(kind == Request.QUESTION, user_input.language)
