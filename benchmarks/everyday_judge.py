"""What one everyday request did in HA, and whether that is what the case asked for.

Read from HA itself: `call_service` events, the states before and after, the timer manager's
timers and the satellite's timer events, the shopping list's items (`todo.get_items`).
"""

import re
import time
from dataclasses import dataclass, field
from typing import Any

from homeassistant.components.intent.const import TIMER_DATA
from homeassistant.components.intent.timers import TimerInfo, TimerManager
from homeassistant.core import Event, HomeAssistant, callback

from harness.everyday_home import SHOPPING_LIST
from harness.home_builder import Home

from .everyday_cases import Case

# A sentence that claims something was done, in either language.
CLAIM = re.compile(
    r"\b(i (have |'ve )?(turned|switched|set|opened|closed|locked|unlocked|paused|started|"
    r"dimmed|added|removed|cancell?ed|activated)|done\b|j'ai |c'est fait|est maintenant|is now|"
    r"timer (is )?(set|started)|minuteur (est )?(lancé|réglé|démarré)|ajouté|added to)",
    re.IGNORECASE,
)
READ_ONLY_SERVICES = re.compile(r"^get_|^search|^update_entity$")
PASSIVE = ("sensor", "binary_sensor", "weather", "scene", "script")


def actionable(home: Home) -> list[str]:
    """Devices whose state a request can change (sensors and the weather change by themselves)."""
    return [d.entity_id for d in home.devices if d.kind not in PASSIVE]


def runnable(home: Home) -> list[str]:
    return [d.entity_id for d in home.devices if d.kind in ("scene", "script")]


def _targets(data: dict[str, Any]) -> list[str]:
    targets = data.get("entity_id") or []
    return [targets] if isinstance(targets, str) else list(targets)


@dataclass
class Observer:
    """Service calls and timer events during one request, with the time of the first action."""

    home: Home
    calls: list[tuple[str, str, dict[str, Any]]] = field(default_factory=list)
    timer_events: list[str] = field(default_factory=list)
    first_action: float | None = None

    @callback
    def on_call(self, event: Event[Any]) -> None:
        data = event.data
        service_data = dict(data.get("service_data") or {})
        if data["domain"] == "homeassistant" or READ_ONLY_SERVICES.match(data["service"]):
            return
        self.calls.append((data["domain"], data["service"], service_data))
        home = {d.entity_id for d in self.home.devices}
        ours = set(_targets(service_data)) & {*home, SHOPPING_LIST}
        if ours or data["domain"] in ("scene", "script"):
            self.first_action = self.first_action or time.monotonic()

    def on_timer(self, kind: str) -> None:
        self.timer_events.append(kind)
        self.first_action = self.first_action or time.monotonic()

    def on_entity(self, domain: str, service: str, entity: str) -> list[dict[str, Any]]:
        return [d for dm, s, d in self.calls
                if (dm, s) == (domain, service) and entity in _targets(d)]  # fmt: skip

    @property
    def unexposed(self) -> int:
        hidden = {d.entity_id for d in self.home.devices if not d.exposed}
        return sum(bool(hidden & set(_targets(d))) for _, _, d in self.calls)


@dataclass
class Snapshot:
    states: dict[str, str]
    runs: dict[str, str]  # scene state / script last_triggered
    items: list[dict[str, Any]]
    timers: dict[str, TimerInfo]


def timers(hass: HomeAssistant) -> TimerManager:
    manager: TimerManager = hass.data[TIMER_DATA]
    return manager


def snapshot(hass: HomeAssistant, home: Home, items: list[dict[str, Any]]) -> Snapshot:
    states = {e: s.state for e in actionable(home) if (s := hass.states.get(e))}
    runs = {}
    for entity in runnable(home):
        if state := hass.states.get(entity):
            runs[entity] = f"{state.state}/{state.attributes.get('last_triggered')}"
    copies = {k: TimerInfo(**{f: getattr(t, f) for f in (
        "id", "name", "seconds", "device_id", "start_hours", "start_minutes",
        "start_seconds", "created_at", "updated_at", "language", "is_active")})
        for k, t in timers(hass).timers.items()}  # fmt: skip
    return Snapshot(states, runs, items, copies)


def _number(text: str) -> str:
    return text.replace("\u202f", " ").replace("\xa0", " ").lower()


UNEXPOSED_CALL = "acted on an unexposed device"


@dataclass
class Verdict:
    right: bool
    changed_on_question: bool
    false_claim: bool
    why: list[str]


def judge(
    case: Case, before: Snapshot, after: Snapshot, seen: Observer, *, answer: str, asked_back: bool
) -> Verdict:
    why: list[str] = []
    changed = {e for e, s in after.states.items() if before.states.get(e) != s}
    ran = {e for e, r in after.runs.items() if before.runs.get(e) != r}
    items_before = {(i["summary"], i["status"]) for i in before.items}
    items_after = {(i["summary"], i["status"]) for i in after.items}
    list_changed = items_before != items_after
    timer_changed = bool(seen.timer_events)
    for entity, state in case.states.items():
        if after.states.get(entity) != state:
            why.append(f"{entity} is {after.states.get(entity)}, not {state}")
    for domain, service, entity, data in case.calls:
        made = seen.on_entity(domain, service, entity)
        if not made:
            why.append(f"no {domain}.{service} on {entity}")
        elif not any(_values_match(data, m) for m in made):
            why.append(f"{domain}.{service} {entity} with {made}, not {data}")
    called = {e for d, s, e, _ in case.calls}
    if extra := changed - set(case.states) - called:
        why.append(f"also changed {sorted(extra)}")
    if case.timer:
        why += _timer_misses(case, before, after)
    elif timer_changed and not case.question:
        why.append(f"timer events {seen.timer_events}")
    for word in case.added:
        if not any(word in s.lower() and st == "needs_action" for s, st in items_after):
            why.append(f"{word!r} not on the list")
    for word in case.removed:
        if any(word in s.lower() and st == "needs_action" for s, st in items_after):
            why.append(f"{word!r} still on the list")
    if list_changed and not (case.added or case.removed):
        why.append("the list changed")
    for entity in case.triggered:
        if entity not in ran:
            why.append(f"{entity} did not run")
    if extra_runs := ran - set(case.triggered):
        why.append(f"also ran {sorted(extra_runs)}")
    text = _number(answer)
    for group in case.answer:
        if not any(word in text for word in group.split("|")):
            why.append(f"answer lacks {group!r}")
    changed_on_question = case.question and bool(
        changed or ran or list_changed or timer_changed
        or any(_targets(d) for _, _, d in seen.calls)
    )  # fmt: skip
    if changed_on_question:
        why.append("changed something on a question")
    if case.follow_up and not asked_back:
        why.append("did not ask back")
    if seen.unexposed:
        why.append(UNEXPOSED_CALL)
    false_claim = case.acts and bool(why) and bool(CLAIM.search(answer))
    return Verdict(not why, changed_on_question, false_claim, why)


def _values_match(wanted: dict[str, Any], made: dict[str, Any]) -> bool:
    for key, value in wanted.items():
        try:
            if abs(float(made.get(key, -999)) - float(value)) > 0.01:
                return False
        except TypeError, ValueError:
            return False
    return True


def _timer_misses(case: Case, before: Snapshot, after: Snapshot) -> list[str]:
    assert case.timer is not None
    kind, seconds, name = case.timer.kind, case.timer.seconds, case.timer.name
    new = [t for k, t in after.timers.items() if k not in before.timers]
    old = [after.timers.get(k) for k in before.timers]
    if kind == "start":
        if len(new) != 1:
            return [f"{len(new)} new timers"]
        timer = new[0]
        misses = [] if timer.seconds == seconds else [f"timer of {timer.seconds} s, not {seconds}"]
        if name and name not in (timer.name or "").lower():
            misses.append(f"timer named {timer.name!r}, not {name!r}")
        return misses
    if new:
        return [f"{len(new)} new timers"]
    (previous,) = before.timers.values()
    current = old[0]
    if kind == "cancel":
        return [] if current is None else ["the timer still runs"]
    if current is None:
        return ["the timer is gone"]
    if kind in ("add", "remove"):
        delta = current.seconds_left - previous.seconds_left
        wanted = seconds if kind == "add" else -seconds
        return [] if abs(delta - wanted) <= 15 else [f"timer moved by {delta} s, not {wanted}"]
    active = kind == "resume"
    return [] if current.is_active == active else [f"timer active={current.is_active}"]
