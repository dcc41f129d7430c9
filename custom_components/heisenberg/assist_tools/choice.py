"""Which target a call is really about: the guard before acting (no HA imports).

The model names a target the grammar allows; the request decides whether it may act on it:
- the request (or, for "turn it off again", the turn before) must be about that target
  (`relevance.py`): otherwise nothing is done;
- the request names another device of the same kind in full: that one;
- the request fits several devices of the kind just as well ("turn on the fan"): the one in the
  satellite's area, all of them there ("turn on the light" in a kitchen of two lights, as HA's
  own agent does), or none, and the user is asked which.
"""

from collections.abc import Collection

from .groups import EVERYTHING
from .home_target import Catalog, HomeTarget, Kind
from .relevance import asked_about, group_mentions, mentions
from .request import TurnRequest

# The most devices a question back names ("Which one: A, B, C or D?").
MAX_ASKED = 4


def is_about(home: HomeTarget, request: TurnRequest, context: list[str]) -> bool:
    """Whether the request (or the turn before, `context`) is about this target."""
    if home.kind is Kind.TIMERS:
        return True  # the grammar's only timers; a timer call is about them
    if home.kind is Kind.GROUP:
        return group_mentions(
            home.domains,
            home.place_names,
            request.text,
            context=context,
            satellite_area=request.group_area,
            everything=home.target.name.startswith(EVERYTHING),
            order=request.acts,
        )
    if mentions(home.target, home.domain, request.text, context, home.area_aliases):
        return True
    # What the grammar offered it for: « Il fait combien dehors ? » reads the forecast in a
    # home with no outdoor sensor, though the question says none of its words.
    return home.target.name in asked_about(
        request.text, [home.target], {home.target.name: home.domain}
    )


def satellite_group(home: HomeTarget, catalog: Catalog, request: TurnRequest) -> HomeTarget:
    """For an order from a satellite that does not say "all", the satellite area's group of
    the kind instead of the whole home's the model called ("[all lights] on" for « allume la
    lumière ici » in the kitchen: "[all lights in Kitchen] on"); else `home`."""
    if home.kind is not Kind.GROUP or home.place_names or not request.acts:
        return home
    if not request.group_area:  # a question, "all" said, or no satellite area
        return home
    local = catalog.by_name(f"{home.target.name} in {request.group_area[0]}")
    return local if local is not None and local.kind is Kind.GROUP else home


def which_target(
    home: HomeTarget, catalog: Catalog, request: TurnRequest, acted: Collection[str] = ()
) -> HomeTarget | list[HomeTarget]:
    """The target to act on instead of the entity `home` the model called, or the devices to
    ask the user to choose from. `acted` holds the names this turn's calls already went to (a
    second call on another device of the kind is not sent onto the first)."""
    named = [
        other
        for other in catalog.entities
        if other.domain == home.domain and other.target.name in request.named
    ]
    unacted = [other for other in named if other.match_name not in acted]
    if home not in named and len(unacted) == 1:
        # The request names another of this kind in full, the one no call went to yet ("the
        # kitchen spots and the living room light": a second call on the living room lamp).
        return unacted[0]
    if home.target.name in request.named or not mentions(
        home.target, home.domain, request.text, (), home.area_aliases
    ):
        return home  # named in full, or meant through the turn before ("turn it off")
    fits = [
        other
        for other in catalog.entities
        if other.domain == home.domain
        and mentions(other.target, other.domain, request.text, (), other.area_aliases)
    ]
    if len(fits) < 2:
        return home
    here = [h for h in fits if request.area and h.target.area in request.area]
    if len(here) == 1:
        return here[0]
    if here and (group := _group_of(catalog, here)) is not None:
        return group
    return (here or fits)[:MAX_ASKED]


def _group_of(catalog: Catalog, members: list[HomeTarget]) -> HomeTarget | None:
    """The area group made of exactly these entities, if there is one."""
    wanted = {id(m) for m in members}
    return next(
        (
            g
            for g in catalog.targets
            if g.kind is Kind.GROUP and g.place_names and {id(m) for m in g.members} == wanted
        ),
        None,
    )
