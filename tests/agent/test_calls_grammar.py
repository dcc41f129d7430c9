"""The calls' grammar: parsed strictly, and accepted and obeyed by the real llama-server."""

import aiohttp
import pytest

from custom_components.heisenberg.assist_tools.calls import (
    Action,
    MissingDevice,
    Target,
    ToolCall,
    Value,
    ValueKind,
    call_text,
    missing_text,
    parse_calls,
)
from custom_components.heisenberg.assist_tools.grammar import build_grammar
from custom_components.heisenberg.llama_client import CompletionRequest, LlamaServerClient

ON_OFF = (Action("on"), Action("off"))
STATE = Action("state", read_only=True)
PERCENT = Value(ValueKind.NUMBER, 0, 100)
DURATION = Value(ValueKind.DURATION, label=True)
HOME = [
    Target("Kitchen Light", (*ON_OFF, Action("brightness", PERCENT), STATE),
           ("lumière de la cuisine",)),
    Target("Front Door", (Action("lock"), Action("unlock"), STATE), ("porte d'entrée",)),
    Target("Living Room Thermostat",
           (Action("temperature", Value(ValueKind.DECIMAL, 7, 35)), STATE), ("thermostat",)),
    Target("timer", (Action("start", DURATION), Action("cancel", Value(ValueKind.DURATION,
           optional=True, label=True)), Action("status", Value(ValueKind.TEXT, optional=True),
           read_only=True))),
    Target("Shopping List", (Action("add", Value(ValueKind.TEXT)),
           Action("items", read_only=True))),
]  # fmt: skip


def parse_tool_call(text: str, devices: list[Target]) -> ToolCall | None:
    """The first call in the output if it is a valid device call; None otherwise."""
    calls = parse_calls(text, devices)
    first = calls[0] if calls else None
    return first if isinstance(first, ToolCall) else None


@pytest.mark.parametrize(
    ("output", "call"),
    [
        ("[Kitchen Light] on", ToolCall("Kitchen Light", "on")),
        # an alias resolves to its device
        (" [lumière de la cuisine] brightness 40", ToolCall("Kitchen Light", "brightness", 40)),
        ("[thermostat] temperature 21", ToolCall("Living Room Thermostat", "temperature", 21)),
        ("[thermostat] temperature 19.5", ToolCall("Living Room Thermostat", "temperature", 19.5)),
        ("[timer] start 10 minutes", ToolCall("timer", "start", 600)),
        ("[timer] start 1 hours 30 minutes pasta", ToolCall("timer", "start", 5400, "pasta")),
        ("[timer] cancel", ToolCall("timer", "cancel")),
        ("[timer] cancel pasta", ToolCall("timer", "cancel", None, "pasta")),
        ("[timer] status", ToolCall("timer", "status")),
        ("[Shopping List] add oat milk", ToolCall("Shopping List", "add", "oat milk")),
        ("[Shopping List] items", ToolCall("Shopping List", "items")),
        # a quoted part is the item (models write `add item "eggs"`)
        ('[Shopping List] add item "eggs"', ToolCall("Shopping List", "add", "eggs")),
        ("[Shopping List] add « pain de mie »", ToolCall("Shopping List", "add", "pain de mie")),
        # what the grammar forbids is refused here too
        ("[Garage] on", None),
        ("[Front Door] on", None),
        ("[thermostat] temperature 90", None),
        ("[thermostat] temperature 19.55", None),
        ("[timer] start soon", None),
        ("[timer] start", None),
        ("[Shopping List] add", None),
        ("[Shopping List] items milk", None),
        ("[Kitchen Light] on 3", None),
        ("[Kitchen Light] brightness high", None),
        ("[Kitchen Light]", None),
        ("The kitchen light is on.", None),
    ],
)
def test_calls_are_parsed_strictly(output: str, call: ToolCall | None) -> None:
    assert parse_tool_call(output, HOME) == call


def test_several_calls_and_a_missing_device_are_parsed_in_order() -> None:
    output = (
        "[Kitchen Light] off\n"
        "[no device] attic fan\n"
        "[porte d'entrée] lock\n"
        "[Front Door] unlock"  # a fourth: ignored
    )
    assert parse_calls(output, HOME) == [
        ToolCall("Kitchen Light", "off"),
        MissingDevice("attic fan"),
        ToolCall("Front Door", "lock"),
    ]
    assert parse_calls("[no device] ", HOME) == [None]


def test_written_calls_parse_back_to_themselves() -> None:
    for call in (
        ToolCall("Kitchen Light", "brightness", 40, said="lumière de la cuisine"),
        ToolCall("Living Room Thermostat", "temperature", 19.5),
        ToolCall("Shopping List", "add", "eggs"),
    ):
        assert parse_calls(call_text(call), HOME) == [call]
    timer = parse_calls("[timer] start 2 minutes 30 seconds tea", HOME)[0]
    assert isinstance(timer, ToolCall)
    assert parse_calls(call_text(timer), HOME) == [ToolCall("timer", "start", 150, "tea")]
    assert parse_calls(missing_text("sauna"), HOME) == [MissingDevice("sauna")]


def test_a_question_s_grammar_has_no_acting_call() -> None:
    grammar = build_grammar(HOME, read_only=True)
    assert '"state"' in grammar and '"items"' in grammar and '"status"' in grammar
    for acting in ('"on"', '"off"', '"brightness"', '"lock"', '"start"', '"add"', '"cancel"'):
        assert acting not in grammar, acting


def test_the_grammar_is_deterministic_and_lists_every_name() -> None:
    grammar = build_grammar(HOME)
    assert grammar == build_grammar(list(reversed(HOME)))
    for target in HOME:
        for name in target.spoken_names:
            assert name in grammar
    # With nothing exposed, a call can only say the device is unknown.
    empty = build_grammar([])
    assert "unknown" in empty
    assert "\nknown ::=" not in empty
    # Calls only: no speech rule is reachable from the root.
    assert build_grammar(HOME, allow_speech=False).startswith('root ::= " "? calls\n')


async def complete(url: str, prompt: str, grammar: str) -> str:
    async with aiohttp.ClientSession() as session:
        client = LlamaServerClient(session, url)
        request = CompletionRequest(
            prompt, ["<|im_end|>"], max_tokens=48, temperature=0.0, grammar=grammar
        )
        stream = client.stream_completion(request, first_token_timeout=60, stall_timeout=10)
        return "".join([piece async for piece in stream])


def chatml(request: str) -> str:
    return (
        "<|im_start|>system\nYou control a home. To act, answer [device name] action. "
        "Devices: Kitchen Light (on, off, brightness 0-100), "
        "Front Door (lock, unlock), Living Room Thermostat (temperature 7-35), "
        "timer (start duration), Shopping List (add item, items).<|im_end|>\n"
        # Example exchanges, as the agent's prompt will carry (small models need them).
        "<|im_start|>user\nSwitch off the kitchen light.<|im_end|>\n<|im_start|>assistant\n"
        "[Kitchen Light] off<|im_end|>\n"
        "<|im_start|>user\nSet a timer for two hours.<|im_end|>\n<|im_start|>assistant\n"
        "[timer] start 2 hours<|im_end|>\n"
        "<|im_start|>user\nAdd eggs to the shopping list.<|im_end|>\n<|im_start|>assistant\n"
        "[Shopping List] add eggs<|im_end|>\n"
        f"<|im_start|>user\n{request}<|im_end|>\n<|im_start|>assistant\n"
    )


@pytest.mark.parametrize(
    ("request_text", "device", "action"),
    [
        ("Turn on the kitchen light.", "Kitchen Light", "on"),
        ("Lock the front door.", "Front Door", "lock"),
        ("Set the thermostat to 21 degrees.", "Living Room Thermostat", "temperature"),
    ],
)
async def test_the_real_server_obeys_the_grammar(
    llama_url: str, request_text: str, device: str, action: str
) -> None:
    output = await complete(llama_url, chatml(request_text), build_grammar(HOME))
    call = parse_tool_call(output, HOME)
    assert call is not None, output  # whatever the model chose, it is a valid call or speech
    assert (call.target, call.action) == (device, action), output


async def test_the_real_server_takes_every_grammar_shape(llama_url: str) -> None:
    """Calls only, state only, a first device, one call: each parses on the real server."""
    shapes = [
        build_grammar(HOME, allow_speech=False, max_calls=1),
        build_grammar(HOME, False, False, frozenset({"Front Door"}), 3),
    ]
    for grammar in shapes:
        output = await complete(llama_url, chatml("Lock the front door."), grammar)
        assert parse_calls(output, HOME) == [ToolCall("Front Door", "lock")], output


@pytest.mark.parametrize(
    ("request_text", "expected"),
    [
        ("Set a timer for five minutes.", ToolCall("timer", "start", 300)),
        ("Set the thermostat to 19.5 degrees.", ToolCall("Living Room Thermostat", "temperature", 19.5)),
        ("Add bread to the shopping list.", ToolCall("Shopping List", "add", "bread")),
    ],
)  # fmt: skip
async def test_the_real_server_writes_durations_decimals_and_words(
    llama_url: str, request_text: str, expected: ToolCall
) -> None:
    grammar = build_grammar(HOME, allow_speech=False, max_calls=1)
    output = await complete(llama_url, chatml(request_text), grammar)
    assert parse_calls(output, HOME) == [expected], output


async def test_under_a_question_s_grammar_the_real_server_cannot_act(llama_url: str) -> None:
    """Even asked to act, a question's grammar gives the model only reading calls or words."""
    grammar = build_grammar(HOME, allow_speech=False, read_only=True, max_calls=1)
    output = await complete(llama_url, chatml("Turn on the kitchen light."), grammar)
    (call,) = parse_calls(output, HOME)
    assert call is not None, output
    assert isinstance(call, MissingDevice) or call.action in ("state", "items", "status"), output
