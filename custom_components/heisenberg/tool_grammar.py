"""Device calls a small model can only get right: a GBNF grammar and its parser (no HA imports).

The first building block of device control (the agent does not use it yet). llama-server's
`/completion` takes a GBNF `grammar`, also when streaming. The grammar built here lets the model
either speak, or write one call whose device is one of the exposed devices (every name and alias
its own alternative) and whose action and value are valid for that very device:

    <call>{"device": "Kitchen Light", "action": "set_brightness", "value": 50}</call>

Entity-first calls (the device, then what it can do) were what made a 270M base model pick valid
actions in a prototype (there with a <tool_call> marker); a free-form JSON call was right 3 times in 32.
Speech may not start with `<`, `{`, `[`, a backtick or a backslash, so a model that wants to act can only act validly.
"""

import json
import re
from dataclasses import dataclass, field

# Not "<tool_call>": Qwen models have it as a special token, which llama-server leaves out of
# the streamed text.
CALL_OPEN, CALL_CLOSE = "<call>", "</call>"


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

    @property
    def spoken_names(self) -> tuple[str, ...]:
        """The name and aliases, each once, in a stable order."""
        return tuple(dict.fromkeys((self.name, *self.aliases)))


@dataclass(frozen=True, slots=True)
class ToolCall:
    """A parsed call: which device (by its canonical name), which action, which value."""

    device: str
    action: str
    value: int | None = None


def _literal(text: str) -> str:
    """A GBNF string literal for `text` (JSON-quoted inside, so the model writes valid JSON)."""
    quoted = json.dumps(text, ensure_ascii=False)
    return '"' + quoted.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _number_rule(low: int, high: int) -> str:
    """Whole numbers from `low` to `high` (0..100 style ranges), as GBNF alternatives."""
    return " | ".join(f'"{n}"' for n in range(low, high + 1))


def build_grammar(devices: list[Device]) -> str:
    """The grammar: optional space, then either speech or one valid call."""
    rules: dict[str, str] = {}
    device_alternatives: list[str] = []
    for index, device in enumerate(sorted(devices, key=lambda d: d.name.casefold())):
        action_alternatives: list[str] = []
        for action in device.actions:
            text = _literal(action.name)
            if action.value_range is None:
                action_alternatives.append(text)
                continue
            rule = f"value-{action.value_range[0]}-{action.value_range[1]}"
            rules[rule] = _number_rule(*action.value_range)
            action_alternatives.append(f'{text} ", \\"value\\": " {rule}')
        rules[f"actions-{index}"] = " | ".join(f"({a})" for a in action_alternatives)
        names = " | ".join(_literal(name) for name in device.spoken_names)
        device_alternatives.append(f'({names}) ", \\"action\\": " actions-{index}')
    lines = [
        'root ::= " "? (call | say)',
        # Speech: anything that does not open a call, a JSON object, a list or a code block.
        "say ::= [^<{[`\\\\ \\n] [^\\x00]*",
    ]
    if device_alternatives:
        lines.append(f'call ::= "{CALL_OPEN}" "{{\\"device\\": " device "}}" "{CALL_CLOSE}"')
        lines.append("device ::= " + " | ".join(f"({d})" for d in device_alternatives))
    else:
        lines[0] = 'root ::= " "? say'
    lines += [f"{name} ::= {body}" for name, body in rules.items()]
    return "\n".join(lines) + "\n"


_CALL = re.compile(re.escape(CALL_OPEN) + r"(\{.*?\})" + re.escape(CALL_CLOSE), re.DOTALL)


def parse_tool_call(text: str, devices: list[Device]) -> ToolCall | None:
    """The call in the model's output, with an alias resolved to its device; None otherwise.

    A call naming no exposed device, an action that device lacks, or a value out of its range
    is None too: the grammar makes them impossible, and a server that ignored the grammar must
    not make the agent act on the wrong device.
    """
    match = _CALL.search(text)
    if match is None:
        return None
    try:
        payload = json.loads(match.group(1))
    except ValueError:
        return None
    if not isinstance(payload, dict):
        return None
    said, action_name = payload.get("device"), payload.get("action")
    for device in devices:
        if said not in device.spoken_names:
            continue
        for action in device.actions:
            if action.name != action_name:
                continue
            value = payload.get("value")
            if action.value_range is None:
                return ToolCall(device.name, action.name) if value is None else None
            low, high = action.value_range
            if isinstance(value, int) and not isinstance(value, bool) and low <= value <= high:
                return ToolCall(device.name, action.name, value)
            return None
    return None
