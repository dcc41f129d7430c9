"""The Heisenberg conversation agent: one entity per conversation subentry."""

import logging
from collections.abc import AsyncIterator, Sequence
from typing import Literal, override

from homeassistant.components import conversation
from homeassistant.config_entries import ConfigSubentry
from homeassistant.const import MATCH_ALL
from homeassistant.core import HomeAssistant
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers import intent
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback
from homeassistant.util import dt as dt_util

from .agent_options import AgentOptions
from .const import DOMAIN, MID_ANSWER_STALL_SECONDS
from .context_note import date_time_note
from .history import history_window
from .llama_client import CompletionStats, CompletionStream, LlamaServerError
from .prompt_format import PromptFormat, PromptParts, Turn, build_prompt
from .runtime import HeisenbergConfigEntry
from .speech import apology
from .spoken_answer import Budget, SpokenAnswer, budget_for
from .system_prompt import split_system_prompt

_LOGGER = logging.getLogger(__name__)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: HeisenbergConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add one agent per conversation subentry."""
    for subentry in entry.subentries.values():
        if subentry.subentry_type != "conversation":
            continue
        async_add_entities(
            [HeisenbergConversationEntity(entry, subentry)],
            config_subentry_id=subentry.subentry_id,
        )


class EmptyAnswer(LlamaServerError):
    """The model stopped without saying anything."""

    reason = "empty_answer"


class HeisenbergConversationEntity(conversation.ConversationEntity):
    """A voice assistant answering with a local llama-server."""

    _attr_has_entity_name = True
    _attr_name = None
    # HA's Assist pipeline starts text-to-speech while the answer is still being written.
    _attr_supports_streaming = True

    def __init__(self, entry: HeisenbergConfigEntry, subentry: ConfigSubentry) -> None:
        self.entry = entry
        self.subentry = subentry
        self._attr_unique_id = subentry.subentry_id
        # llama-server reports the model's full path: the file name is what a user recognizes.
        model = str(entry.runtime_data.props.get("model_alias") or "").rsplit("/", 1)[-1]
        self._attr_device_info = dr.DeviceInfo(
            identifiers={(DOMAIN, subentry.subentry_id)},
            name=subentry.title,
            manufacturer="llama.cpp",
            model=model or None,
            entry_type=dr.DeviceEntryType.SERVICE,
        )

    @property
    @override
    def supported_languages(self) -> list[str] | Literal["*"]:
        return MATCH_ALL

    @override
    async def _async_handle_message(
        self,
        user_input: conversation.ConversationInput,
        chat_log: conversation.ChatLog,
    ) -> conversation.ConversationResult:
        options = AgentOptions.from_data(self.subentry.data)
        persona = options.persona_for(user_input.language)
        try:
            await chat_log.async_provide_llm_data(
                user_input.as_llm_context(DOMAIN),
                None,
                persona.instructions,
                user_input.extra_system_prompt,
            )
        except conversation.ConverseError as err:
            return err.as_conversation_result()

        prompt = self._build_prompt(options, persona.examples, user_input, chat_log)
        answer = await self._stream_answer(options, prompt, user_input, chat_log)
        if answer.error is None:
            self._record_answer(answer)
            return conversation.async_get_result_from_chat_log(user_input, chat_log)
        self._record_failure(answer)
        return self._failed_turn(user_input, chat_log, answer)

    def _build_prompt(
        self,
        options: AgentOptions,
        examples: Sequence[Turn],
        user_input: conversation.ConversationInput,
        chat_log: conversation.ChatLog,
    ) -> tuple[PromptFormat, str]:
        """The raw prompt: stable instructions and examples, history, context note, question."""
        first = chat_log.content[0]
        rendered = first.content if isinstance(first, conversation.SystemContent) else ""
        system, extra = split_system_prompt(rendered)
        note = " ".join(
            part for part in (date_time_note(dt_util.now(), user_input.language), extra) if part
        )
        # content[-1] is this turn's user message; everything between is earlier turns.
        history = history_window(chat_log.content[1:-1], options.max_history_turns)
        fmt = options.resolved_format(self.entry.runtime_data.detected_format)
        parts = PromptParts(
            system=system,
            examples=examples,
            history=history,
            context_note=note,
            user_message=user_input.text,
        )
        return fmt, build_prompt(fmt, parts)

    async def _stream_answer(
        self,
        options: AgentOptions,
        prompt: tuple[PromptFormat, str],
        user_input: conversation.ConversationInput,
        chat_log: conversation.ChatLog,
    ) -> _AnswerStream:
        """Stream the model's answer into the chat log (HA speaks it as it comes)."""
        fmt, text = prompt
        stream = self.entry.runtime_data.client.stream_completion(
            options.completion_request(fmt, text),
            first_token_timeout=options.timeout,
            stall_timeout=min(options.timeout, MID_ANSWER_STALL_SECONDS),
        )
        answer = _AnswerStream(stream, user_input.language, budget_for(user_input.text))
        async for _content in chat_log.async_add_delta_content_stream(
            self.entity_id, answer.deltas()
        ):
            pass
        return answer

    def _record_answer(self, answer: _AnswerStream) -> None:
        stats = answer.stats
        figures = self.entry.runtime_data.figures_for(self.subentry.subentry_id)
        figures.last_answer = stats.as_dict()
        _LOGGER.debug(
            "%s answered: first token after %.2f s, %s tokens at %.1f tokens/s, %s cached%s",
            self.entity_id,
            stats.time_to_first_token or 0.0,
            stats.generated_tokens,
            stats.tokens_per_second or 0.0,
            stats.cached_tokens,
            " (ended where a spoken answer should)" if answer.cut else "",
        )

    def _record_failure(self, answer: _AnswerStream) -> None:
        figures = self.entry.runtime_data.figures_for(self.subentry.subentry_id)
        figures.last_error = f"{type(answer.error).__name__}: {answer.error}"
        _LOGGER.error("%s could not answer: %s", self.entity_id, answer.error)

    def _failed_turn(
        self,
        user_input: conversation.ConversationInput,
        chat_log: conversation.ChatLog,
        answer: _AnswerStream,
    ) -> conversation.ConversationResult:
        """Speak the apology and leave no half-turn in the conversation's history."""
        last = chat_log.content[-1]
        if isinstance(last, conversation.AssistantContent) and last.agent_id == self.entity_id:
            # The partial answer (with the apology appended) was already spoken; it must not
            # become history. With the user message last, HA does not store this turn at all.
            chat_log.content.pop()
        response = intent.IntentResponse(language=user_input.language)
        response.async_set_error(intent.IntentResponseErrorCode.UNKNOWN, answer.spoken_text)
        return conversation.ConversationResult(
            response=response, conversation_id=chat_log.conversation_id
        )


class _AnswerStream:
    """Turns llama-server's text pieces into chat-log deltas, ending where a spoken answer
    should (`SpokenAnswer`); a failure becomes an apology."""

    def __init__(self, stream: CompletionStream, language: str | None, budget: Budget) -> None:
        self._stream = stream
        self._language = language
        self._spoken = SpokenAnswer(budget)
        self.error: LlamaServerError | None = None
        self.spoken_text = ""
        self.cut = False  # ended by SpokenAnswer before the model stopped

    @property
    def stats(self) -> CompletionStats:
        """The server's figures for this answer."""
        return self._stream.stats

    async def deltas(self) -> AsyncIterator[conversation.AssistantContentDeltaDict]:
        pieces = aiter(self._stream)
        try:
            async for raw_piece in pieces:
                for delta in self._say(self._spoken.feed(raw_piece)):
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
            self.spoken_text = f"{self.spoken_text} … {sorry}"
            yield {"content": f" … {sorry}"}
        finally:
            # Ending early closes the connection, so llama-server stops generating at once.
            await pieces.aclose()

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
