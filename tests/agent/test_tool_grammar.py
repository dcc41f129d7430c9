"""The device-call grammar: parsed strictly, and accepted and obeyed by the real llama-server."""

import aiohttp
import pytest

from custom_components.heisenberg.llama_client import CompletionRequest, LlamaServerClient
from custom_components.heisenberg.tool_grammar import (
    Action,
    Device,
    ToolCall,
    build_grammar,
    parse_tool_call,
)

ON_OFF = (Action("turn_on"), Action("turn_off"))
HOME = [
    Device("Kitchen Light", (*ON_OFF, Action("set_brightness", (0, 100))), ("lumière de la cuisine",)),
    Device("Front Door", (Action("lock"), Action("unlock")), ("porte d'entrée",)),
    Device("Living Room Thermostat", (Action("set_temperature", (7, 35)),), ("thermostat",)),
]  # fmt: skip


@pytest.mark.parametrize(
    ("output", "call"),
    [
        ('<call>{"device": "Kitchen Light", "action": "turn_on"}</call>',
         ToolCall("Kitchen Light", "turn_on")),
        # an alias resolves to its device
        (' <call>{"device": "lumière de la cuisine", "action": "set_brightness", "value": 40}</call>',
         ToolCall("Kitchen Light", "set_brightness", 40)),
        ('<call>{"device": "thermostat", "action": "set_temperature", "value": 21}</call>',
         ToolCall("Living Room Thermostat", "set_temperature", 21)),
        # what the grammar forbids is refused here too
        ('<call>{"device": "Garage", "action": "turn_on"}</call>', None),
        ('<call>{"device": "Front Door", "action": "turn_on"}</call>', None),
        ('<call>{"device": "thermostat", "action": "set_temperature", "value": 90}</call>', None),
        ('<call>{"device": "Kitchen Light", "action": "turn_on", "value": 3}</call>', None),
        ('<call>{"device": "Kitchen Light", "action": "set_brightness", "value": true}</call>', None),
        ("<call>{not json}</call>", None),
        ("The kitchen light is on.", None),
    ],
)  # fmt: skip
def test_calls_are_parsed_strictly(output: str, call: ToolCall | None) -> None:
    assert parse_tool_call(output, HOME) == call


def test_the_grammar_is_deterministic_and_lists_every_name() -> None:
    grammar = build_grammar(HOME)
    assert grammar == build_grammar(list(reversed(HOME)))
    for device in HOME:
        for name in device.spoken_names:
            assert name in grammar
    assert "call" not in build_grammar([]).split("\n")[0]


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
        "<|im_start|>system\nYou control a home. To act, write "
        '<call>{"device": NAME, "action": ACTION}</call>. '
        "Devices: Kitchen Light (turn_on, turn_off, set_brightness 0-100), "
        "Front Door (lock, unlock), Living Room Thermostat (set_temperature 7-35).<|im_end|>\n"
        # One example exchange, as the agent's prompt will carry (small models need it).
        "<|im_start|>user\nSwitch off the kitchen light.<|im_end|>\n<|im_start|>assistant\n"
        '<call>{"device": "Kitchen Light", "action": "turn_off"}</call><|im_end|>\n'
        f"<|im_start|>user\n{request}<|im_end|>\n<|im_start|>assistant\n"
    )


@pytest.mark.parametrize(
    ("request_text", "device", "action"),
    [
        ("Turn on the kitchen light.", "Kitchen Light", "turn_on"),
        ("Lock the front door.", "Front Door", "lock"),
        ("Set the thermostat to 21 degrees.", "Living Room Thermostat", "set_temperature"),
    ],
)
async def test_the_real_server_obeys_the_grammar(
    llama_url: str, request_text: str, device: str, action: str
) -> None:
    output = await complete(llama_url, chatml(request_text), build_grammar(HOME))
    call = parse_tool_call(output, HOME)
    assert call is not None, output  # whatever the model chose, it is a valid call or speech
    assert (call.device, call.action) == (device, action), output
