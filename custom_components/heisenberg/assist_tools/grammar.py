"""A GBNF grammar of the calls that exist this turn (no HA imports).

llama-server's `/completion` takes a GBNF `grammar`, also when streaming. The grammar lets the
model either speak, or write one to three calls (`calls.py`), each naming one of the targets
(every name and alias its own alternative), then an action and value valid for that very target,
or "[no device]" and the name the user said: without that way out, a grammar forces a command
about a device the home does not have onto some exposed one. Speech may not start with `[`, `<`,
`{`, a backtick or a backslash, so a model that wants to act can only act validly.

A turn's grammar can be narrower than the home: only read actions for a question (a question
never acts), only calls for an order (speaking instead would be a false claim), a first call on
the targets the request names in full, at most one call unless it may be about several.
"""

from .calls import MAX_CALLS, MAX_TEXT_CHARS, UNKNOWN, Target, Value, ValueKind, sorted_targets

# A user's words: no bracket, markup, comma (several items are several calls) or line break.
_TEXT = f"[^\\[\\]<>{{}},\\n]{{1,{MAX_TEXT_CHARS}}}"
_DURATION = (
    '[1-9] [0-9]? [0-9]? " " ("seconds" | "second" | "minutes" | "minute" | "hours" | "hour")'
)


def _literal(text: str) -> str:
    """A GBNF literal for `text` as it is (a name inside the brackets)."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _numbers(low: int, high: int) -> str:
    return " | ".join(f'"{n}"' for n in range(low, high + 1))


class _Rules:
    """The grammar's named rules, each value shape written once."""

    def __init__(self) -> None:
        self.rules: dict[str, str] = {}

    def value(self, spec: Value) -> str:
        """A rule for `spec`, with its optional words after it; the rule's name."""
        name = self._shape(spec)
        if not spec.label:
            return name
        self.rules.setdefault("text", _TEXT)
        labelled = f"{name}-label"
        body = f'{name} (" " text)?'
        # An optional value may be left out and the words said alone: "cancel pasta".
        self.rules[labelled] = f"({body}) | text" if spec.optional else body
        return labelled

    def _shape(self, spec: Value) -> str:
        if spec.kind is ValueKind.NUMBER:
            name = f"number-{spec.low}-{spec.high}"
            self.rules[name] = _numbers(spec.low, spec.high)
        elif spec.kind is ValueKind.DECIMAL:
            name = f"decimal-{spec.low}-{spec.high}"
            whole = _numbers(spec.low, spec.high - 1) if spec.high > spec.low else '"0"'
            self.rules[name] = f'(({whole}) ("." [0-9])?) | "{spec.high}"'
        elif spec.kind is ValueKind.DURATION:
            name = "duration"
            self.rules[name] = 'part (" " part){0,2}'
            self.rules["part"] = _DURATION
        elif spec.kind is ValueKind.WORD:
            name = "word-" + "-".join(spec.words)
            self.rules[name] = " | ".join(_literal(w) for w in spec.words)
        else:
            name = "text"
            self.rules[name] = _TEXT
        return name


def build_grammar(
    targets: list[Target],
    allow_speech: bool = True,
    read_only: bool = False,
    first: frozenset[str] | None = None,
    max_calls: int = MAX_CALLS,
    *,
    acts_only: bool = False,
    said_actions: frozenset[str] = frozenset(),
) -> str:
    """The grammar: optional space, then either speech or one to `max_calls` valid calls.

    Only calls when `allow_speech` is False; only read actions when `read_only`, none when
    `acts_only`; of a target that has actions the request names (`said_actions`: "skip" is
    next), only those; a first call
    on one of the targets named `first` when it is given (the request names them in full: a
    model must not call them missing, nor pick a look-alike).
    """
    rules = _Rules()
    alternatives: list[str] = []
    first_alternatives: list[str] = []
    for index, target in enumerate(sorted_targets(targets)):
        actions: list[str] = []
        held_to = said_actions & {a.name for a in target.actions}
        for action in target.actions:
            if (read_only and not action.read_only) or (acts_only and action.read_only):
                continue
            if held_to and action.name not in held_to:
                continue
            word = _literal(action.name)
            if action.value is None:
                actions.append(word)
            elif action.value.optional:
                actions.append(f'{word} (" " {rules.value(action.value)})?')
            else:
                actions.append(f'{word} " " {rules.value(action.value)}')
        if not actions:
            continue
        rules.rules[f"actions-{index}"] = " | ".join(f"({a})" for a in actions)
        names = " | ".join(_literal(name) for name in target.spoken_names)
        alternatives.append(f'({names}) "] " actions-{index}')
        if first is not None and target.name in first:
            first_alternatives.append(alternatives[-1])
    more = f' ("\\n" call){{0,{max_calls - 1}}}' if max_calls > 1 else ""
    lines = [
        'root ::= " "? (calls | say)' if allow_speech else 'root ::= " "? calls',
        # Speech: anything that does not open a call, a JSON object, markup or a code block.
        "say ::= [^[<{`\\\\ \\n] [^\\x00]*",
        f"calls ::= {'first' if first_alternatives else 'call'}{more}",
        'call ::= "[" (known | unknown)' if alternatives else 'call ::= "[" unknown',
        # A name the user said: no bracket, markup or line break.
        f'unknown ::= "{UNKNOWN}] " {_TEXT}',
    ]
    if alternatives:
        lines.append("known ::= " + " | ".join(f"({a})" for a in alternatives))
    if first_alternatives:
        lines.append('first ::= "[" (' + " | ".join(f"({a})" for a in first_alternatives) + ")")
    lines += [f"{name} ::= {body}" for name, body in rules.rules.items()]
    return "\n".join(lines) + "\n"


# Speech alone: no call, JSON object, markup or code block (a question about nothing of the home).
SPEECH_ONLY = 'root ::= " "? say\nsay ::= [^[<{`\\\\ \\n] [^\\x00]*\n'


def starts_with_call(text: str) -> bool:
    """Whether model output opens with a call (speech never starts with `[` under the grammar)."""
    return text.lstrip().startswith("[")
