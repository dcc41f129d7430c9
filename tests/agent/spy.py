"""A spy on the real client: records each prompt and when each generation ended.

It does not replace anything: requests still go to the real llama-server.
"""

import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import pytest

from custom_components.heisenberg.llama_client import (
    CompletionRequest,
    CompletionStats,
    CompletionStream,
    LlamaServerClient,
)


@dataclass
class _TimedStream:
    inner: CompletionStream
    spy: PromptSpy

    @property
    def stats(self) -> CompletionStats:
        return self.inner.stats

    def __aiter__(self) -> AsyncIterator[str]:
        return self._pieces()

    async def _pieces(self) -> AsyncIterator[str]:
        inner = aiter(self.inner)
        try:
            async for piece in inner:
                yield piece
            self.spy.generation_ended.append(time.monotonic())
        finally:
            await inner.aclose()


@dataclass
class PromptSpy:
    """What the agent sent, in order."""

    requests: list[CompletionRequest] = field(default_factory=list)
    generation_ended: list[float] = field(default_factory=list)

    @property
    def prompts(self) -> list[str]:
        return [request.prompt for request in self.requests]


def install_prompt_spy(monkeypatch: pytest.MonkeyPatch) -> PromptSpy:
    """Record every completion the agent asks of the server."""
    spy = PromptSpy()
    real = LlamaServerClient.stream_completion

    def recording(self: LlamaServerClient, request: CompletionRequest, **kwargs: Any) -> Any:
        spy.requests.append(request)
        return _TimedStream(real(self, request, **kwargs), spy)

    monkeypatch.setattr(LlamaServerClient, "stream_completion", recording)
    return spy
