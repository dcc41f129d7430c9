"""One record of the turn's request, made once and passed down (no HA imports).

What the request is (an order, a question about the home, another question, anything else),
which targets it names, which actions its values call for ("to 19.5 DEGREES" is a temperature,
whatever else it names), whether it may be about several targets, its language and the
satellite's area. The prompt, the grammar, the guard before acting and the spoken answer all
read this record, instead of each analysing the text again.
"""

import re
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from ..personas import persona_language
from .calls import Target
from .groups import EVERYTHING
from .relevance import asked_about, group_mentions, named_targets
from .words import (
    ACTION_PATTERNS,
    ADDRESSEE,
    ALL_WORDS,
    CLAUSES,
    COMMAND_VERBS,
    KIND_WORDS,
    POLITE,
    QUESTION_WORDS,
    VALUE_WORDS,
    says_a_number,
    singular,
    stem,
    word_set,
    words,
)


class RequestKind(StrEnum):
    """What a request is, for choosing how the model may answer it."""

    ORDER = "order"  # only calls are honest: speaking instead would be a false claim
    HOME_QUESTION = "home question"  # about the home: only reading calls are honest
    QUESTION = "question"  # any other question: speech, or reading calls; never an act
    FREE = "free"  # anything else ("I'm cold"): speech or calls


# Words of a state, which make a question one about the home ("is anything OPEN?").
_STATE_WORDS = word_set(
    "on off open opened closed locked unlocked running playing paused left "
    "ouvert ouverte ouverts ouvertes ferme fermee fermes fermees verrouille verrouillee "
    "deverrouille allume allumee allumes allumees eteint eteinte eteints eteintes reste"
)
# After these, "on" is a preposition ("ON WHICH continent", "on the table"), not a state.
_NOT_A_STATE_AFTER_ON = word_set(
    "which what whose the a an this that these those my your his her its our their top"
)


def says_a_state(text: str, language: str) -> bool:
    """Whether `text` names a state ("is anything ON?", « c'est allumé ? »). In French "on"
    is the pronoun (« quelle langue parle-t-on ? »); in English "on which continent" is a
    preposition."""
    said = words(text)
    for index, word in enumerate(said):
        if word not in _STATE_WORDS:
            continue
        if word == "on":
            following = said[index + 1] if index + 1 < len(said) else ""
            if persona_language(language) == "fr" or following in _NOT_A_STATE_AFTER_ON:
                continue
        return True
    return False


@dataclass(frozen=True, slots=True)
class TurnRequest:
    """The user's request, analysed once."""

    text: str
    language: str  # the answer's language: "en" or "fr"
    kind: RequestKind
    named: frozenset[str]  # targets it names in full (a group by its kind and place)
    wanted: frozenset[str]  # actions its values call for ("temperature")
    several: bool  # it may be about more than one target
    area: tuple[str, ...] = ()  # the satellite's area and its other names
    # The targets a question asks about by what they measure and one of their own words
    # ("how warm is it OUTSIDE": the outside temperature), for a question naming none in full.
    asked: frozenset[str] = frozenset()
    asks: bool = False  # one of its clauses is a question ("… and tell me the temperature")
    # Actions its words name ("skip the song": next), which a device that has them is held to.
    said_actions: frozenset[str] = frozenset()
    # The area a group named by its kind alone means ("turn on the lights"): the satellite's
    # for an order, none (the whole home) for a question or "all".
    group_area: tuple[str, ...] = ()

    @property
    def acts(self) -> bool:
        """Whether this request may change anything (a question never does)."""
        return self.kind in (RequestKind.ORDER, RequestKind.FREE)

    @property
    def calls_only(self) -> bool:
        """Whether the only honest answer is calls (an order; a question about the home)."""
        return self.kind in (RequestKind.ORDER, RequestKind.HOME_QUESTION)


def analyse(
    text: str,
    language: str | None,
    *,
    targets: Iterable[Target],
    domains: dict[str, str],
    groups: Iterable[tuple[Target, tuple[str, ...], tuple[str, ...]]] = (),
    area: tuple[str, ...] = (),
) -> TurnRequest:
    """The record of `text`: `targets` are the home's devices (`domains`: each one's HA domain,
    by name), `groups` each group's target, domains and place names."""
    targets = list(targets)
    named = set(named_targets(text, targets))
    # "Turn on the lights" from the kitchen means the kitchen's (as HA's own agent does);
    # "which lights are on?" and "turn off ALL the lights" mean the whole home's.
    ordered = any(_is_order(clause) for clause in re.split(r"[,.;:!?]", text))
    whole_home = (not ordered and is_question(text)) or bool(set(words(text)) & ALL_WORDS)
    group_area = () if whole_home else area
    for group, group_domains, place in groups:
        everything = group.name.startswith(EVERYTHING)
        if everything and not (ordered or says_a_state(text, language or "")):
            # "And in a whole day?" says "whole" of no device: everything is an order's
            # ("turn everything off") or a state's ("is everything locked?").
            continue
        if _asks_for_all(text) and group_mentions(
            group_domains, place, text, satellite_area=group_area, everything=everything
        ):
            named.add(group.name)
    if group_area:
        # The satellite's area group wins over the whole home's of the same kind.
        named -= {name for name in named if f"{name} in {group_area[0]}" in named}
    kind = _kind(text, targets, domains, bool(named), language or "")
    asked = asked_about(text, targets, domains) if kind is RequestKind.HOME_QUESTION else set()
    return TurnRequest(
        text=text,
        language=persona_language(language),
        kind=kind,
        named=frozenset(named),
        wanted=wanted_actions(text),
        several=asks_for_several(text),
        area=area,
        group_area=group_area,
        asked=frozenset(asked),
        asks=any(is_question(clause) for clause in CLAUSES.split(text) if clause),
        said_actions=said_actions(text) if kind is RequestKind.ORDER else frozenset(),
    )


# Verbs of lists that are also arithmetic: "add 10 to that" is a sum, "add milk" a list's.
_SUM_VERBS = word_set("add ajoute ajouter enleve enlever retire retirer subtract remove")


def _kind(
    text: str, targets: list[Target], domains: dict[str, str], named: bool, language: str
) -> RequestKind:
    home_kinds = {stem(w) for d in set(domains.values()) for w in KIND_WORDS.get(d, ())}
    said = {stem(w) for w in words(text)}
    # Whole words (and their plurals) for telling a question about the home: a stem is too
    # short there ("country" is no "countdown", « compter » no « compte à rebours »).
    kind_words = {singular(w) for d in set(domains.values()) for w in KIND_WORDS.get(d, ())}
    said_words = {singular(w) for w in words(text)}
    if any(_is_order(clause) for clause in re.split(r"[,.;:!?]", text)):
        # "Add 10 to that." after "what is 7 times 8?": a sum on the answer, about nothing of
        # the home (a list is named by its kind word or its name).
        opening = [w for w in words(text) if w not in POLITE]
        if (
            opening
            and opening[0] in _SUM_VERBS
            and says_a_number(text)
            and not named
            and not said & home_kinds
        ):
            return RequestKind.FREE
        return RequestKind.ORDER
    if is_question(text):
        about_home = (
            named
            or bool(asked_about(text, targets, domains))
            or bool(said_words & kind_words)
            or says_a_state(text, language)
        )
        return RequestKind.HOME_QUESTION if about_home else RequestKind.QUESTION
    return RequestKind.ORDER if named else RequestKind.FREE


def is_question(text: str) -> bool:
    """A question, or a request to be told something ("tell me …", « dis-moi … »)."""
    said = words(text)
    while said and said[0] in POLITE and said[0] not in ADDRESSEE:
        said = said[1:]
    if text.rstrip().endswith("?"):
        return True
    return bool(said) and (
        said[0] in QUESTION_WORDS
        or (said[0] in ADDRESSEE and len(said) > 1 and said[1] in QUESTION_WORDS)
    )


def _is_order(clause: str) -> bool:
    """A clause that opens with an order ("set …", "please set …", « allume … »), or asks for
    one ("could you set …", « peux-tu allumer … »); "can you tell me if it is open" is none."""
    said = words(clause)
    while said and said[0] in POLITE and said[0] not in ADDRESSEE:
        said = said[1:]
    if said and said[0] in COMMAND_VERBS:
        return True
    for index, word in enumerate(said):
        if word in ADDRESSEE:
            rest = [w for w in said[index + 1 :] if w not in POLITE]
            if rest and _command_verb(rest[0]):
                return True
    return False


def _command_verb(word: str) -> bool:
    """An order's verb, also as "would you mind openING / closING / settING"."""
    if word in COMMAND_VERBS:
        return True
    if not word.endswith("ing"):
        return False
    base = word[:-3]
    return base in COMMAND_VERBS or f"{base}e" in COMMAND_VERBS or base[:-1] in COMMAND_VERBS


_KIND_STEMS = frozenset(stem(w) for group in KIND_WORDS.values() for w in group)


def _asks_for_all(text: str) -> bool:
    """A request about a kind as a whole: "all the lights", "the lights" (a kind in the
    plural), « les lumières », « tout »."""
    said = words(text)
    return bool(set(said) & ALL_WORDS) or any(
        w.endswith(("s", "x")) and len(w) > 3 and stem(w) in _KIND_STEMS for w in said
    )


def asks_for_several(text: str) -> bool:
    """Whether a request may be about more than one target ("… and the coffee maker")."""
    return len(CLAUSES.split(text)) > 1 or bool(set(words(text)) & ALL_WORDS)


_NUMBER = re.compile(r"\d")


def said_actions(text: str) -> frozenset[str]:
    """The actions the request's own words name ("skip", « suivante »: next; "mute")."""
    plain = " ".join(words(text))
    return frozenset(
        action
        for action, pattern in ACTION_PATTERNS.items()
        if re.search(rf"\b(?:{pattern})\b", plain)
    )


def wanted_actions(text: str) -> frozenset[str]:
    """The actions the request's value calls for: "to 19.5 degrees" is a temperature, "to 40
    percent" a brightness, position, speed or volume; nothing without a number."""
    if not _NUMBER.search(text):
        return frozenset()
    said = set(words(text)) | ({"percent"} if "%" in text else set())
    if "°" in text:
        said.add("degrees")
    return frozenset(action for action, found in VALUE_WORDS.items() if said & set(found))
