"""Which item of a to-do list the user means (no HA imports).

HA completes or removes an item only by its exact text (casefolded): "enlève les tomates"
finds nothing on a list holding "Tomatoes", nor "remove the eggs" one holding "eggs (6)". The
item the user said is matched against the list's open items by their words (accents, articles
and plurals folded, French and English sharing a stem: « tomates » / "tomatoes"); one clear
match is used, anything else is left as said (HA then says it is not on the list).
"""

from collections.abc import Iterable

from .words import singular, stem, word_set, words

# Words that are not the item: articles, quantities' fillers ("some", « des »).
_NOT_THE_ITEM = word_set("the a an some my of les des la le l de du d un une mes quelques")


def _item_words(text: str) -> list[str]:
    return [w for w in words(text) if w not in _NOT_THE_ITEM and not w.isdigit()]


def closest_item(said: str, items: Iterable[str]) -> str | None:
    """The one item of `items` that `said` names, or None (none, or several as well)."""
    wanted = _item_words(said)
    if not wanted:
        return None
    best: list[str] = []
    best_score = 0
    for item in items:
        have = _item_words(item)
        if not have:
            continue
        if [singular(w) for w in have] == [singular(w) for w in wanted]:
            score = 3  # the same words, up to plurals and accents
        elif {stem(w) for w in have} == {stem(w) for w in wanted}:
            score = 2  # the same stems ("tomates", "tomatoes")
        elif {stem(w) for w in wanted} <= {stem(w) for w in have}:
            score = 1  # the item says more ("eggs (6)", "lait d'avoine" for « lait »?)
        else:
            continue
        if score > best_score:
            best, best_score = [item], score
        elif score == best_score:
            best.append(item)
    return best[0] if len(best) == 1 else None
