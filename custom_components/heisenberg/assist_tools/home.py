"""What device control adds to a turn: the home's targets, the prompt's device section and
examples, the turn's request record and the grammar of what the model may write.

Built the same way for a conversation turn and for the warm-up, so the warmed prefix is byte
for byte the one a turn uses. Grammars are cached while the home does not change.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from homeassistant.components import conversation
from homeassistant.components.homeassistant.exposed_entities import async_should_expose
from homeassistant.core import Context, HomeAssistant
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import area_registry as ar
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers import llm

from ..const import DOMAIN
from ..personas import persona_language
from ..prompt_format import Turn
from .calls import MAX_CALLS, Target
from .catalog import ASSISTANT, async_catalog
from .choice import is_about
from .grammar import SPEECH_ONLY, build_grammar
from .groups import KINDS_BY_WORD
from .home_target import Catalog, HomeTarget, Kind
from .prompt import devices_note, examples, instructions
from .relevance import mentions
from .request import RequestKind, TurnRequest, analyse
from .selection import select_targets
from .speech import no_control_sentence

# Lists and weather stay in the prompt's prefix even for a large home (they are few).
_LISTED_ANYWAY = frozenset({"todo", "weather"})
# A device section longer than this (about 40 devices with their aliases) is not listed in the
# prompt's stable prefix: each turn shows the devices its request is about instead
# (`selection.py`), so the prompt does not grow with the home.
MAX_LISTED_CHARS = 2600


@dataclass(frozen=True, slots=True)
class HomeView:
    """One turn's view of the home."""

    catalog: Catalog
    instructions: str
    examples: tuple[Turn, ...]
    large: bool = False  # too large to list: each turn shows what it is about

    def targets_for(
        self, request: TurnRequest, recent_text: str = ""
    ) -> tuple[list[HomeTarget], str]:
        """The targets this turn may name, and the note that shows them to the model (only
        for a large home: a small one is listed in the prompt's prefix)."""
        if not self.large:
            return list(self.catalog.targets), ""
        chosen = select_targets(self.catalog, request, recent_text)
        if request.named:
            # The request names what it is about in full: the grammar's first call must be on
            # it, and showing it again would only cost prompt tokens (about 6 a device).
            return chosen, ""
        shown = [
            h.target for h in chosen if h.kind is Kind.ENTITY and h.domain not in _LISTED_ANYWAY
        ]
        return chosen, devices_note(shown, request.language)

    def request(self, text: str, language: str | None, area: tuple[str, ...] = ()) -> TurnRequest:
        """The turn's request record (`request.py`)."""
        groups = [
            (home.target, home.domains, home.place_names)
            for home in self.catalog.targets
            if home.kind is Kind.GROUP
        ]
        devices = [home.target for home in self.catalog.targets if home.kind is Kind.ENTITY]
        return analyse(
            text,
            language,
            targets=devices,
            domains=self.catalog.domains,
            groups=groups,
            area=area,
        )

    def grammar_for(
        self,
        request: TurnRequest,
        chosen: list[HomeTarget] | None = None,
        context: list[str] | None = None,
    ) -> str:
        """What the model may write: calls on the `chosen` targets (all by default); calls only
        for an order or a question about the home, reading calls only for any question, a first
        call on the targets the request names (those with the action its value calls for, "to
        19.5 degrees"), one call unless it may be about several.

        A question that is not about the home ("And in which country?" after "Which city is
        the Colosseum in?") may read only what it, or the turn before (`context`), is about: a
        reading of anything else would only end in "I'm not sure what you're asking about";
        with nothing of the kind the model can only speak."""
        homes = self.catalog.targets if chosen is None else chosen
        if request.kind is RequestKind.QUESTION:
            homes = [h for h in homes if _readable_for(h, request, context or [])]
            if not homes:
                return SPEECH_ONLY
        targets = tuple(h.target for h in homes)
        # A question naming nothing in full reads what it asks about ("il fait combien
        # dehors ?": the outside temperature), rather than anything the model picks.
        first = set(request.named) or set(request.asked) or _only_fitting(homes, request)
        if request.wanted:
            with_value = {t.name for t in targets if {a.name for a in t.actions} & request.wanted}
            first = (first & with_value) or with_value
        return _grammar(
            targets,
            not request.calls_only,
            not request.acts,
            frozenset(first) or None,
            MAX_CALLS if request.several else 1,
            # An order is carried out, never answered with a state ("turn on the lights
            # upstairs" → "[all lights in Upstairs] state"), unless it also asks something.
            acts_only=request.kind is RequestKind.ORDER and not request.asks,
            said_actions=request.said_actions,
        )


# An order that names nothing in full but fits this few devices by their kind and words
# acts on one of them ("passe à la chanson suivante": the one speaker), not on "no device".
MAX_FITTING = 2


def _only_fitting(homes: Iterable[HomeTarget], request: TurnRequest) -> set[str]:
    if request.kind is not RequestKind.ORDER:
        return set()
    fitting = {
        h.target.name
        for h in homes
        if h.kind is Kind.ENTITY and mentions(h.target, h.domain, request.text, (), h.area_aliases)
    }
    return fitting if len(fitting) <= MAX_FITTING else set()


def _readable_for(home: HomeTarget, request: TurnRequest, context: list[str]) -> bool:
    """Whether a question that is not about the home may still read this target: it, or the
    turn before, is about it (the timers: it says "timer" or « minuteur »)."""
    if home.kind is Kind.TIMERS:
        return mentions(home.target, "timer", request.text, context)
    return is_about(home, request, context)


@lru_cache(maxsize=32)
def _grammar(
    targets: tuple[Target, ...],
    allow_speech: bool,
    read_only: bool,
    first: frozenset[str] | None,
    max_calls: int,
    *,
    acts_only: bool,
    said_actions: frozenset[str] = frozenset(),
) -> str:
    return build_grammar(
        list(targets),
        allow_speech,
        read_only,
        first,
        max_calls,
        acts_only=acts_only,
        said_actions=said_actions,
    )


def any_exposed(hass: HomeAssistant) -> bool:
    """Whether any entity is exposed to Assist (else the agent sees and controls nothing)."""
    return any(
        async_should_expose(hass, ASSISTANT, state.entity_id) for state in hass.states.async_all()
    )


def home_view(
    hass: HomeAssistant, tools: list[llm.Tool] | None, language: str | None
) -> HomeView | None:
    """The targets the offered tools can act on (None without an API)."""
    if tools is None:
        return None
    catalog = async_catalog(hass, tools)
    devices = [h.target for h in catalog.targets if h.kind is Kind.ENTITY]
    if not devices:
        # Nothing exposed: no device section (it only distracts a small model from ordinary
        # questions); an order still gets the grammar, whose only call is "no device".
        return HomeView(catalog, "", ())
    others = [h.target for h in catalog.targets if h.kind is Kind.TIMERS]
    groups = [h for h in catalog.targets if h.kind is Kind.GROUP]
    # The kinds of which the home has several (a group of one is the device itself).
    kinds = [
        word
        for word in KINDS_BY_WORD
        if any(g.target.name == f"all {word}" and len(g.members) > 1 for g in groups)
    ]
    places = sorted({g.place_names for g in groups if g.place_names and _is_area(g)})

    def section(large: bool = False) -> str:
        return instructions(
            devices,
            others,
            group_kinds=kinds,
            area_example=places[0][0] if places else "",
            domains=catalog.domains,
            language=language,
            large=large,
        )

    listed = section()
    large = len(listed) > MAX_LISTED_CHARS
    if large:
        listed = section(large=True)
    return HomeView(
        catalog,
        listed,
        examples(
            devices, [*others, *(g.target for g in groups)], catalog.domains, language, large=large
        ),
        large,
    )


def _is_area(group: HomeTarget) -> bool:
    """Whether a group's place is an area (floors are places too, but not listed as areas)."""
    return any(member.target.area == group.place_names[0] for member in group.members)


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


def satellite_area(hass: HomeAssistant, device_id: str | None) -> tuple[str, ...]:
    """The name and other names of the area of the device that heard the request."""
    if device_id is None or (device := dr.async_get(hass).async_get(device_id)) is None:
        return ()
    area_id = dr.async_get_effective_area_id(hass, device)
    area = ar.async_get(hass).async_get_area(area_id) if area_id else None
    return (area.name, *sorted(area.aliases)) if area else ()


def satellite_area_note(area: tuple[str, ...], language: str | None) -> str:
    """Where the request comes from, so "turn on the light" can mean this room's light."""
    if not area:
        return ""
    if persona_language(language) == "fr":
        return f"(La demande vient de la pièce : {area[0]}.)"
    return f"(The request comes from the {area[0]}.)"


def no_control_refusal(hass: HomeAssistant, user_input: conversation.ConversationInput) -> str:
    """For an agent without an HA API: the refusal an order or a question about an exposed
    device gets ('' for anything else, which the model answers)."""
    view = home_view(hass, [], user_input.language)
    if view is None:
        return ""
    request = view.request(user_input.text, user_input.language)
    if request.kind not in (RequestKind.ORDER, RequestKind.HOME_QUESTION):
        return ""
    return no_control_sentence(request.kind is RequestKind.HOME_QUESTION, request.language)
