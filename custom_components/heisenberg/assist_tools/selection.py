"""Which targets a request is about, when the home is too large to show them all (no HA imports).

A home of 300 exposed entities does not fit a small model's prompt: listing them all is 4,000
tokens to evaluate and a grammar of look-alikes. The prompt's stable prefix then keeps only the
rules, the areas and the examples, and each turn carries the few targets its request is about:
- the devices whose names, area or the other language's words for them the request says
  (accents, plurals and French/English rooms folded: `words.py`), best matches first;
- devices of the kind the request names ("the fan") in the satellite's own area;
- the devices the turn before acted on ("turn it off again");
- the groups whose kind and place it names, the timers, the lists and the weather (few).
A request that matches nothing gets no device at all: the model can then only say "[no device]",
which the agent answers with an honest "I can't find …", never a guess among 300 names.
"""

from dataclasses import dataclass

from .home_target import Catalog, HomeTarget, Kind
from .relevance import group_mentions
from .request import TurnRequest
from .words import ALL_PLACES, kind_stems, stems, with_places

# Devices the request names no better than by their kind ("the light" in a large home) are
# not all shown: at most this many, those in the satellite's area first. Each costs about six
# prompt tokens a turn (a tenth of a second with the default model on 2 cores).
MAX_DEVICES = 6
# Look-alikes shown beside the devices a request names in full (the grammar's first call must
# be on a named one; the others are for a second call the request may also ask for).
MAX_BESIDE_NAMED = 2
# Always small and often asked for by a word the request does not share with their names.
_ALWAYS = frozenset({"todo", "weather", "timer"})


@dataclass(frozen=True, slots=True)
class _Score:
    named: bool  # every word of one of its names was said
    shared: int  # words of its names and area the request says
    kind: bool  # the request says its kind ("fan", « lumière »)
    here: bool  # in the satellite's area
    recent: bool  # the turn before was about it

    @property
    def relevant(self) -> bool:
        return self.named or self.shared > 0 or self.recent or self.kind

    @property
    def by_name(self) -> bool:
        return self.named or self.shared > 0 or self.recent

    def key(self) -> tuple[int, ...]:
        return (self.named, self.recent, self.shared, self.kind, self.here)


def select_targets(
    catalog: Catalog, request: TurnRequest, recent_text: str = ""
) -> list[HomeTarget]:
    """The targets to show and allow this turn, most relevant first; `recent_text` is the turn
    before (its request and calls)."""
    said = with_places(stems([request.text]))
    recent = with_places(stems([recent_text])) if recent_text else set()
    here = with_places(stems(request.area))
    scored: list[tuple[_Score, HomeTarget]] = []
    chosen: list[HomeTarget] = []
    for home in catalog.targets:
        if home.kind is Kind.TIMERS or home.domain in _ALWAYS:
            chosen.append(home)
        elif home.kind is Kind.GROUP:
            if _group_asked(home, request):
                chosen.append(home)
        else:
            score = _score(home, request, said, recent, here)
            if score.relevant:
                scored.append((score, home))
    scored.sort(key=lambda pair: pair[0].key(), reverse=True)
    devices = [home for score, home in scored if score.by_name]
    # By their kind alone ("the fan"): those in the satellite's area, else all of that kind
    # (the agent then asks which one).
    by_kind = [home for score, home in scored if not score.by_name]
    here_only = [home for score, home in scored if not score.by_name and score.here]
    by_kind = here_only or by_kind
    limit = MAX_DEVICES
    if request.named:
        limit = min(MAX_DEVICES, len(request.named) + MAX_BESIDE_NAMED)
    shown = devices[:limit]
    return [*shown, *by_kind[: max(0, limit - len(shown))], *chosen]


def _score(
    home: HomeTarget, request: TurnRequest, said: set[str], recent: set[str], here: set[str]
) -> _Score:
    kinds = kind_stems(home.domain)
    own = with_places(
        stems([*home.target.spoken_names, home.target.area or "", *home.area_aliases])
    )
    distinct = own - kinds
    place = with_places(stems([home.target.area or "", *home.area_aliases]))
    # A request that names another place is not about this one's "light" ("the kitchen light"
    # is no bedroom light): only its distinguishing words count then.
    other_place = bool(said & ALL_PLACES - place)
    return _Score(
        named=home.target.name in request.named,
        shared=len(said & distinct),
        kind=bool(said & kinds) and not other_place,
        # The satellite's own area, by its name (another "hall" upstairs is another room).
        here=bool(home.target.area)
        and home.target.area in request.area
        and not (said & ALL_PLACES - here),
        recent=bool(recent & distinct),
    )


def _group_asked(group: HomeTarget, request: TurnRequest) -> bool:
    return group.target.name in request.named or group_mentions(
        group.domains,
        group.place_names,
        request.text,
        satellite_area=request.group_area,
        everything=group.target.name.startswith("everything"),
    )
