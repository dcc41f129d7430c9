"""The calls the model writes, one per line, and their strict parser (no HA imports).

A call names a target in brackets, then one of that target's actions and what the action takes:

    [Kitchen Light] on
    [Bedroom Lamp] brightness 40
    [Thermostat] temperature 19.5
    [all lights in Kitchen] off
    [timer] start 10 minutes pasta
    [Shopping List] add milk
    [no device] attic fan

Target first, then what it can do: that is what made small models pick valid actions (a free-form
JSON call was right 3 times in 32), and a call is short on purpose: every token is a forward pass
of the model (about 0.2 s on a 2-core machine). The grammar (`grammar.py`) only lets the model
write calls that exist; the parser refuses anything else, so a server that ignored the grammar
cannot make the agent act on the wrong target.
"""

import re
from dataclasses import dataclass, field
from enum import StrEnum

# Not "unknown": a model reads "[unknown] outside temperature" as a value it does not know.
UNKNOWN = "no device"
MAX_CALLS = 3
# A user's words inside a call (a to-do item, a timer's name): no bracket, markup or line break.
MAX_TEXT_CHARS = 48


class ValueKind(StrEnum):
    """What an action takes after its word."""

    NUMBER = "number"  # a whole number in a range: brightness 40
    DECIMAL = "decimal"  # a number with at most one decimal, in a range: temperature 19.5
    DURATION = "duration"  # 10 minutes, 1 hours 30 minutes
    TEXT = "text"  # the user's words: add milk
    WORD = "word"  # one of a few words: volume up


@dataclass(frozen=True, slots=True)
class Value:
    """What follows an action's word; `label` adds optional words after it (a timer's name)."""

    kind: ValueKind
    low: int = 0
    high: int = 100
    words: tuple[str, ...] = ()
    optional: bool = False
    label: bool = False

    def describe(self) -> str:
        """How the prompt shows it: "0-100", "7-35", "minutes", "up|down", "text"."""
        if self.kind in (ValueKind.NUMBER, ValueKind.DECIMAL):
            return f"{self.low}-{self.high}"
        if self.kind is ValueKind.DURATION:
            return "duration"
        if self.kind is ValueKind.WORD:
            return "|".join(self.words)
        return "item"


@dataclass(frozen=True, slots=True)
class Action:
    """Something a target can do, or read (`read_only`), and what it takes."""

    name: str
    value: Value | None = None
    read_only: bool = False

    def describe(self) -> str:
        """How the prompt lists it: "brightness 0-100", "start duration", "add item"; an
        optional value is left out (a model copies what it sees: "status text")."""
        if self.value is None or self.value.optional:
            return self.name
        return f"{self.name} {self.value.describe()}"


@dataclass(frozen=True, slots=True)
class Target:
    """What a call may name: a device, a group of devices, the timers. `name` is canonical;
    `aliases` are other names a call may use; `area` is shown beside it in the prompt."""

    name: str
    actions: tuple[Action, ...]
    aliases: tuple[str, ...] = field(default_factory=tuple)
    area: str | None = None

    @property
    def spoken_names(self) -> tuple[str, ...]:
        """The name and aliases, each once, in a stable order."""
        return tuple(dict.fromkeys((self.name, *self.aliases)))

    def action(self, name: str) -> Action | None:
        """The target's action called `name`, if it has one."""
        return next((action for action in self.actions if action.name == name), None)


@dataclass(frozen=True, slots=True)
class ToolCall:
    """A parsed call: which target (its canonical name), the action, its value (a number, a
    duration in seconds, or words), the words after it, and the name the model used."""

    target: str
    action: str
    value: float | str | None = None
    label: str = ""
    said: str = field(default="", compare=False)
    written: str = field(default="", compare=False)  # the value and label as written


@dataclass(frozen=True, slots=True)
class MissingDevice:
    """The model's way of saying the user named a device the home does not expose."""

    said: str


type Call = ToolCall | MissingDevice


def sorted_targets[T: Target](targets: list[T]) -> list[T]:
    """The targets in the one order used everywhere (grammar, prompt), so both stay cacheable."""
    return sorted(targets, key=lambda t: (t.name.casefold(), t.name))


_CALL = re.compile(r"^\s*\[([^\[\]\n]+)\] *([^\n]*)$", re.MULTILINE)
_UNITS = {"second": 1, "seconds": 1, "minute": 60, "minutes": 60, "hour": 3600, "hours": 3600}
_DURATION = re.compile(r"^((?:\d{1,3} (?:seconds?|minutes?|hours?)(?: |$))+)(.*)$")


def parse_calls(text: str, targets: list[Target]) -> list[Call | None]:
    """Every call in the model's output, in order (at most MAX_CALLS); None for an invalid one:
    a call naming no target, an action that target lacks, or a value out of its range."""
    return [_parse_one(name, rest, targets) for name, rest in _CALL.findall(text)[:MAX_CALLS]]


def _parse_one(said: str, rest: str, targets: list[Target]) -> Call | None:
    said, rest = said.strip(), rest.strip()
    if said == UNKNOWN:
        return MissingDevice(rest) if rest else None
    target = next((t for t in targets if said in t.spoken_names), None)
    if target is None:
        return None
    # The longest action name that opens the rest ("volume" before "volume up" is no issue:
    # actions are single words, but a value may start with a word too).
    word, _, argument = rest.partition(" ")
    action = target.action(word)
    if action is None:
        return None
    if action.value is None:
        return ToolCall(target.name, action.name, said=said) if not argument else None
    parsed = _parse_value(action.value, argument)
    if parsed is None:
        return None
    value, label = parsed
    return ToolCall(target.name, action.name, value, label, said=said, written=argument.strip())


_QUOTED = re.compile(r'["\u201c\u00ab]\s*([^"\u201d\u00bb]+?)\s*["\u201d\u00bb]')


def _parse_value(spec: Value, text: str) -> tuple[float | str | None, str] | None:
    """(value, label) when `text` is a valid value for `spec` (and its optional label)."""
    text = text.strip()
    if not text:
        return (None, "") if spec.optional else None
    if spec.kind is ValueKind.TEXT:
        # A quoted part is the item: models write `done item "eggs"` for `done eggs`.
        if quoted := _QUOTED.search(text):
            text = quoted.group(1).strip()
        return (
            (text, "")
            if text and len(text) <= MAX_TEXT_CHARS and not set(text) & set("[]<>{},")
            else None
        )
    head, _, tail = text.partition(" ")
    if spec.kind is ValueKind.DURATION:
        match = _DURATION.match(text)
        if match is None:
            return (None, text) if spec.optional and spec.label else None
        parts = match.group(1).split()
        seconds = sum(
            int(n) * _UNITS[unit] for n, unit in zip(parts[::2], parts[1::2], strict=True)
        )
        head_value: float | str = seconds
        tail = match.group(2).strip()
    elif spec.kind is ValueKind.WORD:
        if head not in spec.words:
            return (None, text) if spec.optional and spec.label else None
        head_value = head
    else:
        number = _number(head, spec)
        if number is None:
            return (None, text) if spec.optional and spec.label else None
        head_value = number
    if tail and not spec.label:
        return None
    if len(tail) > MAX_TEXT_CHARS:
        return None
    return head_value, tail


def _number(text: str, spec: Value) -> float | None:
    pattern = r"\d{1,3}" if spec.kind is ValueKind.NUMBER else r"\d{1,3}(?:\.\d)?"
    if not re.fullmatch(pattern, text):
        return None
    number = float(text)
    if not spec.low <= number <= spec.high:
        return None
    return int(number) if number.is_integer() else number


def call_text(call: ToolCall) -> str:
    """A call as the model writes it (for history and examples)."""
    written = call.written
    if not written:
        value = call.value
        number = isinstance(value, int | float) and not isinstance(value, bool)
        written = " ".join(
            p for p in (f"{value:g}" if number else str(value or ""), call.label) if p
        )
    return f"[{call.said or call.target}] {call.action}{' ' if written else ''}{written}"


def duration_text(seconds: int) -> str:
    """A duration as a call writes it: 90 → "1 minutes 30 seconds"."""
    parts = []
    for unit, size in (("hours", 3600), ("minutes", 60), ("seconds", 1)):
        if seconds >= size:
            parts.append(f"{seconds // size} {unit}")
            seconds %= size
    return " ".join(parts) or "0 seconds"


def missing_text(said: str) -> str:
    """An "unknown device" call as the model writes it."""
    return f"[{UNKNOWN}] {said}"
