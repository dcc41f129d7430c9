"""The HA-independent llama-server client, against the real server and the FAKE fault server."""

import aiohttp
import pytest

from custom_components.heisenberg.llama_client import (
    CannotConnect,
    CompletionRequest,
    HttpError,
    InvalidUrl,
    LlamaServerClient,
    MalformedStream,
    ServerTimeout,
    normalize_url,
)
from custom_components.heisenberg.prompt_format import PromptFormat, stop_sequences
from custom_components.heisenberg.sse import SseData, SseError, SseProtocolError, parse_sse_line
from launcher.process import free_port

from .fault_server import Fault, FaultServer


def test_normalize_url() -> None:
    assert str(normalize_url(" http://Example.local:8080/ ")) == "http://example.local:8080"
    assert str(normalize_url("https://host/llama/")) == "https://host/llama"
    # host:port, as people type it, is http
    assert str(normalize_url("127.0.0.1:18090")) == "http://127.0.0.1:18090"
    assert str(normalize_url("gpu-box.local:8080/llama/")) == "http://gpu-box.local:8080/llama"
    for bad in ("", "ftp://h", "http://:80", "http://h:70000", "127.0.0.1:notaport"):
        with pytest.raises(InvalidUrl):
            normalize_url(bad)


def test_sse_lines() -> None:
    assert parse_sse_line(b'data: {"content": "hi"}\n') == SseData({"content": "hi"})
    assert parse_sse_line(b'error: {"message": "x"}\r\n') == SseError({"message": "x"})
    assert parse_sse_line(b"\n") is None
    assert parse_sse_line(b": keep-alive\n") is None
    for bad in (b"data: {oops\n", b"garbage\n", b"data: [1]\n", b"weird: {}\n", b"\xff\n"):
        with pytest.raises(SseProtocolError):
            parse_sse_line(bad)


async def test_real_server_streams_a_completion(llama_url: str) -> None:
    async with aiohttp.ClientSession() as session:
        client = LlamaServerClient(session, llama_url)
        await client.health()
        props = await client.props()
        assert props["default_generation_settings"]["n_ctx"] > 0
        assert len(await client.tokenize("Hello world")) >= 2
        prompt = "System: Be brief.\nUser: What is the capital of Italy?\nAssistant:"
        request = CompletionRequest(prompt, stop_sequences(PromptFormat.PLAIN), max_tokens=24)
        stream = client.stream_completion(request, first_token_timeout=30, stall_timeout=5)
        pieces = [piece async for piece in stream]
    assert len(pieces) >= 2
    assert "\nUser:" not in "".join(pieces)
    assert stream.stats.generated_tokens and stream.stats.generated_tokens <= 24
    assert stream.stats.time_to_first_token is not None
    assert stream.stats.prompt_tokens is not None


async def test_faults_are_typed(fault_server: FaultServer) -> None:
    request = CompletionRequest("x", [], max_tokens=4)
    async with aiohttp.ClientSession() as session:
        client = LlamaServerClient(session, fault_server.url)
        expected = {
            Fault.HTTP_500: HttpError,
            Fault.STALL_BEFORE_FIRST_TOKEN: ServerTimeout,
            Fault.STALL_MID_ANSWER: ServerTimeout,
            Fault.BROKEN_SSE: MalformedStream,
            Fault.TRUNCATED: MalformedStream,
        }
        for fault, error in expected.items():
            fault_server.fault = fault
            stream = client.stream_completion(request, first_token_timeout=1, stall_timeout=0.5)
            with pytest.raises(error):
                _ = [piece async for piece in stream]
        down = LlamaServerClient(session, f"http://127.0.0.1:{free_port()}")
        with pytest.raises(CannotConnect):
            await down.health()
        stream = down.stream_completion(request, first_token_timeout=1, stall_timeout=1)
        with pytest.raises(CannotConnect):
            _ = [piece async for piece in stream]


def gbnf_literal(text: str) -> str:
    """A grammar whose only sentence is `text`."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return f'root ::= "{escaped}"'


async def test_the_llama_server_in_use_has_what_the_agent_relies_on(llama_url: str) -> None:
    """Whichever binary bootstrap found (the system's, Debian's prebuilt, or built from source)."""
    async with aiohttp.ClientSession() as session:
        client = LlamaServerClient(session, llama_url)
        props = await client.props()
        assert props["default_generation_settings"]["n_ctx"] > 0 and props["total_slots"] >= 2
        # Special tokens of the prompt text are parsed as such (format detection, ChatML).
        assert len(await client.tokenize("<|im_start|>")) == 1
        prompt = "<|im_start|>user\nSay something.<|im_end|>\n<|im_start|>assistant\n"
        # A grammar constrains a streamed answer (device control, forced answers in tests).
        forced = CompletionRequest(
            prompt, ["<|im_end|>"], max_tokens=32, temperature=0.0,
            grammar=gbnf_literal('Exactly "this", nothing else.'),
        )  # fmt: skip
        stream = client.stream_completion(forced, first_token_timeout=30, stall_timeout=5)
        pieces = [piece async for piece in stream]
        assert len(pieces) >= 2 and "".join(pieces) == 'Exactly "this", nothing else.'
        # cache_prompt: the same prompt again is served from the slot's cache.
        again = client.stream_completion(forced, first_token_timeout=30, stall_timeout=5)
        _ = [piece async for piece in again]
        assert again.stats.cached_tokens and again.stats.cached_tokens >= 10
        # A grammar the server cannot parse is an HTTP 400, not a crash.
        broken = CompletionRequest(prompt, [], max_tokens=4, grammar="root ::= (")
        with pytest.raises(HttpError, match="400"):
            _ = [
                p
                async for p in client.stream_completion(
                    broken, first_token_timeout=30, stall_timeout=5
                )
            ]
        await client.health()
