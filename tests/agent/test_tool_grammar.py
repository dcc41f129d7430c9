"""The device-call grammar: parsed strictly, and accepted and obeyed by the real llama-server."""

import aiohttp
import pytest

from custom_components.heisenberg.llama_client import CompletionRequest, LlamaServerClient
from custom_components.heisenberg.tool_grammar import (
    Action,
    Device,
    MissingDevice,
    ToolCall,
    build_grammar,
    call_text,
    missing_text,
    parse_calls,
)

ON_OFF = (Action("on"), Action("off"))
HOME = [
    Device("Kitchen Light", (*ON_OFF, Action("brightness", (0, 100))), ("lumière de la cuisine",)),
    Device("Front Door", (Action("lock"), Action("unlock")), ("porte d'entrée",)),
    Device("Living Room Thermostat", (Action("temperature", (7, 35)),), ("thermostat",)),
]  # fmt: skip


def parse_tool_call(text: str, devices: list[Device]) -> ToolCall | None:
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
        # what the grammar forbids is refused here too
        ("[Garage] on", None),
        ("[Front Door] on", None),
        ("[thermostat] temperature 90", None),
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
    call = ToolCall("Kitchen Light", "brightness", 40, said="lumière de la cuisine")
    assert parse_calls(call_text(call), HOME) == [call]
    assert parse_calls(missing_text("sauna"), HOME) == [MissingDevice("sauna")]


def test_the_grammar_is_deterministic_and_lists_every_name() -> None:
    grammar = build_grammar(HOME)
    assert grammar == build_grammar(list(reversed(HOME)))
    for device in HOME:
        for name in device.spoken_names:
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
        "Front Door (lock, unlock), Living Room Thermostat (temperature 7-35).<|im_end|>\n"
        # One example exchange, as the agent's prompt will carry (small models need it).
        "<|im_start|>user\nSwitch off the kitchen light.<|im_end|>\n<|im_start|>assistant\n"
        "[Kitchen Light] off<|im_end|>\n"
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
    assert (call.device, call.action) == (device, action), output


async def test_the_real_server_takes_every_grammar_shape(llama_url: str) -> None:
    """Calls only, state only, a first device, one call: each parses on the real server."""
    shapes = [
        build_grammar(HOME, allow_speech=False, max_calls=1),
        build_grammar(HOME, False, frozenset({"lock"}), frozenset({"Front Door"}), 3),
    ]
    for grammar in shapes:
        output = await complete(llama_url, chatml("Lock the front door."), grammar)
        assert parse_calls(output, HOME) == [ToolCall("Front Door", "lock")], output
