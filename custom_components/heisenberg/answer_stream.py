"""One streamed answer, between llama-server and HA's chat log.

The model's text pieces become chat-log deltas (HA speaks them as they come), ending where a
spoken answer should (`SpokenAnswer`). Calls are held back, never spoken: the agent acts on them
(`assist_tools/execute.py`). A failure becomes a spoken apology, and is kept for the agent to record.
"""

import asyncio
import contextlib
from collections.abc import AsyncIterator

from homeassistant.components import conversation

from .apologies import apology, holding_phrase
from .assist_tools.grammar import starts_with_call
from .const import BUSY_HOLD_AFTER_SECONDS, HOLD_AFTER_SECONDS
from .failover import FailoverStream
from .llama_client import CompletionStats, LlamaServerError
from .spoken_answer import Budget, SpokenAnswer


class EmptyAnswer(LlamaServerError):
    """The model stopped without saying anything."""

    reason = "empty_answer"


class AnswerStream:
    """Turns llama-server's text pieces into chat-log deltas, ending where a spoken answer
    should (`SpokenAnswer`); a failure becomes an apology."""

    def __init__(
        self,
        stream: FailoverStream,
        language: str | None,
        budget: Budget,
        may_call: bool,
        *,
        spoken: bool,
    ) -> None:
        self.stream = stream  # also says which server answered
        self._language = language
        # Spoken aloud (a voice turn): a slow answer is announced by the holding phrase. A
        # typed answer waits in silence: the phrase would only clutter its text.
        self._spoken_aloud = spoken
        self._spoken = SpokenAnswer(budget)
        self._may_call = may_call
        self.error: LlamaServerError | None = None
        self.spoken_text = ""
        self.call_output = ""  # the model's calls, when it answered with calls
        self.cut = False  # ended by SpokenAnswer before the model stopped

    @property
    def stats(self) -> CompletionStats:
        """The server's figures for this answer."""
        return self.stream.stats

    async def deltas(self) -> AsyncIterator[conversation.AssistantContentDeltaDict]:
        pieces = aiter(self.stream)
        lead = ""  # held until its first visible character says: speech or calls
        first = asyncio.ensure_future(anext(pieces, None))
        try:
            if self._spoken_aloud and not await self._first_piece_within(first):
                phrase = holding_phrase(self._language, waits_for_slot=self.stream.waits_for_slot)
                for delta in self._say(f"{phrase} "):
                    yield delta
            if (first_piece := await first) is None:
                raise EmptyAnswer("the model returned no text")
            async for raw_piece in _chain(first_piece, pieces):
                text = raw_piece
                if self._may_call and not lead.strip():
                    lead += raw_piece
                    if not lead.strip():
                        continue
                    if starts_with_call(lead):
                        # Calls are never spoken: the agent acts, then says what happened.
                        self.call_output = lead + "".join([piece async for piece in pieces])
                        return
                    text = lead
                for delta in self._say(self._spoken.feed(text)):
                    yield delta
                if self._spoken.done:
                    self.cut = True
                    break
            else:
                for delta in self._say(self._spoken.finish()):
                    yield delta
            if not self.spoken_text:
                raise EmptyAnswer("the model returned no text")
        except LlamaServerError as err:
            self.error = err
            sorry = apology(err.reason, self._language)
            if not self.spoken_text:
                self.spoken_text = sorry
                return
            # Already speaking: finish the sentence with the apology rather than stop in the
            # middle of a word and leave the satellite waiting.
            joint = "… " if self.spoken_text[-1].isspace() else " … "
            self.spoken_text += f"{joint}{sorry}"
            yield {"content": f"{joint}{sorry}"}
        finally:
            if not first.done():  # the listener went away while the server was still silent
                first.cancel()
                with contextlib.suppress(asyncio.CancelledError, LlamaServerError):
                    await first
            # Ending early closes the connection, so llama-server stops generating at once.
            await pieces.aclose()

    async def _first_piece_within(self, first: asyncio.Future[str | None]) -> bool:
        """Whether the server's first piece came before the holding phrase is due: after
        `HOLD_AFTER_SECONDS` of silence, or `BUSY_HOLD_AFTER_SECONDS` when the question waits
        for a slot (it will wait for a whole answer: say so rather than leave the user in
        silence). Not a wait_for: cancelling the read would end the stream; it goes on after."""
        early = min(BUSY_HOLD_AFTER_SECONDS, HOLD_AFTER_SECONDS)
        if (await asyncio.wait({first}, timeout=early))[0]:
            return True
        if self.stream.waits_for_slot:
            return False
        return bool((await asyncio.wait({first}, timeout=HOLD_AFTER_SECONDS - early))[0])

    def _say(self, text: str) -> list[conversation.AssistantContentDeltaDict]:
        """The deltas for `text` (the role opens the message before its first text)."""
        if not text:
            return []
        deltas: list[conversation.AssistantContentDeltaDict] = []
        if not self.spoken_text:
            deltas.append({"role": "assistant"})
        self.spoken_text += text
        deltas.append({"content": text})
        return deltas


async def _chain(first: str, rest: AsyncIterator[str]) -> AsyncIterator[str]:
    yield first
    async for piece in rest:
        yield piece
