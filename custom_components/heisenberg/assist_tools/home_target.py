"""A target of the home, and what HA needs to act on it (no HA imports).

The model names targets (`calls.Target`); the agent keeps, for each, the entity (or a group's
members) and for each action the tool that performs it (`verbs.Verb`).
"""

from dataclasses import dataclass, field
from enum import StrEnum

from .calls import Target
from .verbs import Verb


class Kind(StrEnum):
    ENTITY = "entity"
    GROUP = "group"
    TIMERS = "timers"


@dataclass(frozen=True, slots=True, eq=False)
class HomeTarget:
    """A target, and what HA needs to act on it: its entity (or a group's members), and for
    each action the tool that performs it."""

    target: Target
    kind: Kind
    domain: str  # the entity's domain; a group's first; "timer"
    verbs: dict[str, Verb] = field(default_factory=dict)
    entity_id: str | None = None
    # The name HA's intent matcher knows the entity by (its first alias), and its area when
    # that name is shared with another entity.
    match_name: str = ""
    match_area: str | None = None
    area_aliases: tuple[str, ...] = ()  # other names of its area (« salon » for Living Room)
    members: tuple[HomeTarget, ...] = ()  # a group's entities
    place_names: tuple[str, ...] = ()  # a group's area or floor, with its aliases
    domains: tuple[str, ...] = ()  # a group's domains
    device_class: str | None = None  # an entity's (a binary sensor's "on" is "open" for a door)


@dataclass(frozen=True, slots=True)
class Catalog:
    """Every target the model may name, sorted by name, and the tools offered this turn."""

    targets: tuple[HomeTarget, ...]
    tools: dict[str, str] = field(default_factory=dict)  # short name -> the tool's full name

    @property
    def model_targets(self) -> list[Target]:
        return [home.target for home in self.targets]

    @property
    def entities(self) -> list[HomeTarget]:
        return [home for home in self.targets if home.kind is Kind.ENTITY]

    @property
    def domains(self) -> dict[str, str]:
        """Each target's HA domain, by its name."""
        return {home.target.name: home.domain for home in self.targets}

    def by_name(self, name: str) -> HomeTarget | None:
        return next((home for home in self.targets if home.target.name == name), None)
