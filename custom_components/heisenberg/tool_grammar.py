"""Device calls a small model can only get right: a GBNF grammar and its parser (no HA imports).

llama-server's `/completion` takes a GBNF `grammar`, also when streaming. The grammar built here
lets the model either speak, or write up to three calls, one per line, each naming one of the
exposed devices (every name and alias its own alternative), then an action and value valid
for that very device:

    [Kitchen Light] on
    [Bedroom Lamp] brightness 40

or naming a device the home does not have, which the agent answers with "I can't find …":

    [no device] attic fan

Entity-first calls (the device, then what it can do) were what made a 270M base model pick valid
actions in a prototype; a free-form JSON call was right 3 times in 32. The explicit "no device"
call gives a model a valid way out: without it, a grammar forces a command about an unknown
device onto some exposed one. The call is short on purpose: every token is a forward pass of
the model (about 0.2 s on a 2-core machine), and "[Kitchen Light] on" is 6 tokens where the
same call in JSON is 20. Speech may not start with `[`, `<`, `{`, a backtick or a backslash, so
a model that wants to act can only act validly.
"""

import re
from dataclasses import dataclass, field

# Not "unknown": a model reads "[unknown] outside temperature" as a value it does not know.
UNKNOWN = "no device"
MAX_CALLS = 3


@dataclass(frozen=True, slots=True)
class Action:
    """Something a device can do; `value_range` for actions that take a whole number."""

    name: str
    value_range: tuple[int, int] | None = None


@dataclass(frozen=True, slots=True)
class Device:
    """An exposed device as the model sees it: how it may be called and what it can do."""

    name: str
    actions: tuple[Action, ...]
    aliases: tuple[str, ...] = field(default_factory=tuple)
    area: str | None = None

    @property
    def spoken_names(self) -> tuple[str, ...]:
        """The name and aliases, each once, in a stable order."""
        return tuple(dict.fromkeys((self.name, *self.aliases)))

    def action(self, name: str) -> Action | None:
        """The device's action called `name`, if it has one."""
        return next((action for action in self.actions if action.name == name), None)


@dataclass(frozen=True, slots=True)
class ToolCall:
    """A parsed call: which device (its canonical name), the name the model used, the action
    and its value."""

    device: str
    action: str
    value: int | None = None
    said: str = field(default="", compare=False)


@dataclass(frozen=True, slots=True)
class MissingDevice:
    """The model's way of saying the user named a device the home does not expose."""

    said: str


type Call = ToolCall | MissingDevice


def _number_rule(low: int, high: int) -> str:
    """Whole numbers from `low` to `high` (0..100 style ranges), as GBNF alternatives."""
    return " | ".join(f'"{n}"' for n in range(low, high + 1))


def sorted_devices(devices: list[Device]) -> list[Device]:
    """The devices in the one order used everywhere (grammar, prompt), so both stay cacheable."""
    return sorted(devices, key=lambda d: (d.name.casefold(), d.name))


def _text_literal(text: str) -> str:
    """A GBNF literal for `text` as it is (a device name inside the brackets)."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def build_grammar(
    devices: list[Device],
    allow_speech: bool = True,
    only_actions: frozenset[str] | None = None,
    first: frozenset[str] | None = None,
    max_calls: int = MAX_CALLS,
) -> str:
    """The grammar: optional space, then either speech or one to three valid calls.

    Only calls when `allow_speech` is False; only these actions when `only_actions` is given;
    a first call on one of the devices named `first` when it is given (the request names them
    in full: a model must not call them missing, nor pick a look-alike); at most `max_calls`.
    """
    rules: dict[str, str] = {}
    device_alternatives: list[str] = []
    first_alternatives: list[str] = []
    for index, device in enumerate(sorted_devices(devices)):
        action_alternatives: list[str] = []
        for action in device.actions:
            if only_actions is not None and action.name not in only_actions:
                continue
            text = _text_literal(action.name)
            if action.value_range is None:
                action_alternatives.append(text)
                continue
            rule = f"value-{action.value_range[0]}-{action.value_range[1]}"
            rules[rule] = _number_rule(*action.value_range)
            action_alternatives.append(f'{text} " " {rule}')
        if not action_alternatives:
            continue
        rules[f"actions-{index}"] = " | ".join(f"({a})" for a in action_alternatives)
        names = " | ".join(_text_literal(name) for name in device.spoken_names)
        device_alternatives.append(f'({names}) "] " actions-{index}')
        if first is not None and device.name in first:
            first_alternatives.append(device_alternatives[-1])
    more = f' ("\\n" call){{0,{max_calls - 1}}}' if max_calls > 1 else ""
    lines = [
        'root ::= " "? (calls | say)' if allow_speech else 'root ::= " "? calls',
        # Speech: anything that does not open a call, a JSON object, markup or a code block.
        "say ::= [^[<{`\\\\ \\n] [^\\x00]*",
        f"calls ::= call{more}",
        'call ::= "[" (known | unknown)',
        # A name the user said: no bracket, markup or line break.
        f'unknown ::= "{UNKNOWN}] " [^\\[\\]<>{{}}\\n]{{1,48}}',
    ]
    if device_alternatives:
        lines.append("known ::= " + " | ".join(f"({d})" for d in device_alternatives))
    else:
        lines[3] = 'call ::= "[" unknown'
    if first_alternatives:
        lines[2] = f"calls ::= first{more}"
        lines.append('first ::= "[" (' + " | ".join(f"({d})" for d in first_alternatives) + ")")
    lines += [f"{name} ::= {body}" for name, body in rules.items()]
    return "\n".join(lines) + "\n"


_CALL = re.compile(r"^\s*\[([^\[\]\n]+)\] *([^\n]*)$", re.MULTILINE)


def starts_with_call(text: str) -> bool:
    """Whether model output opens with a call (speech never starts with `[` under the grammar)."""
    return text.lstrip().startswith("[")


def parse_calls(text: str, devices: list[Device]) -> list[Call | None]:
    """Every call in the model's output, in order (at most MAX_CALLS); None for an invalid one.

    A call naming no exposed device, an action that device lacks, or a value out of its range
    is None: the grammar makes them impossible, and a server that ignored the grammar must not
    make the agent act on the wrong device.
    """
    return [_parse_one(name, rest, devices) for name, rest in _CALL.findall(text)[:MAX_CALLS]]


def _parse_one(said: str, rest: str, devices: list[Device]) -> Call | None:
    said, rest = said.strip(), rest.strip()
    if said == UNKNOWN:
        return MissingDevice(rest) if rest else None
    action_name, _, value_text = rest.partition(" ")
    for device in devices:
        if said not in device.spoken_names:
            continue
        action = device.action(action_name)
        if action is None:
            return None
        if action.value_range is None:
            return ToolCall(device.name, action.name, said=said) if not value_text else None
        low, high = action.value_range
        if value_text.isdigit() and low <= int(value_text) <= high:
            return ToolCall(device.name, action.name, int(value_text), said=said)
        return None
    return None


def call_text(call: ToolCall) -> str:
    """A call as the model writes it (for history and examples)."""
    value = "" if call.value is None else f" {call.value}"
    return f"[{call.said or call.device}] {call.action}{value}"


def missing_text(said: str) -> str:
    """An "unknown device" call as the model writes it."""
    return f"[{UNKNOWN}] {said}"
