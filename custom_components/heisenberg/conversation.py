"""The Heisenberg conversation agent: one entity per conversation subentry."""

import logging
from collections.abc import AsyncIterator
from typing import Literal, override

from homeassistant.components import conversation
from homeassistant.config_entries import ConfigSubentry
from homeassistant.const import MATCH_ALL
from homeassistant.core import HomeAssistant
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers import intent
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .agent_options import AgentOptions
from .const import DOMAIN, MID_ANSWER_STALL_SECONDS
from .history import history_window
from .llama_client import CompletionStream, LlamaServerError
from .prompt_format import PromptParts, build_prompt
from .runtime import HeisenbergConfigEntry
from .speech import apology
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
        model = str(entry.runtime_data.props.get("model_alias") or "")
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
        runtime = self.entry.runtime_data
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

        first = chat_log.content[0]
        rendered = first.content if isinstance(first, conversation.SystemContent) else ""
        system, context_note = split_system_prompt(rendered)
        # content[-1] is this turn's user message; everything between is earlier turns.
        history = history_window(chat_log.content[1:-1], options.max_history_turns)
        fmt = options.resolved_format(runtime.detected_format)
        prompt = build_prompt(
            fmt,
            PromptParts(
                system=system,
                examples=persona.examples,
                history=history,
                context_note=context_note,
                user_message=user_input.text,
            ),
        )
        stream = runtime.client.stream_completion(
            options.completion_request(fmt, prompt),
            first_token_timeout=options.timeout,
            stall_timeout=min(options.timeout, MID_ANSWER_STALL_SECONDS),
        )
        answer = _AnswerStream(stream, user_input.language)
        async for _content in chat_log.async_add_delta_content_stream(
            self.entity_id, answer.deltas()
        ):
            pass

        figures = runtime.figures_for(self.subentry.subentry_id)
        if answer.error is None:
            figures.last_answer = stream.stats.as_dict()
            _LOGGER.debug(
                "%s answered: first token after %.2f s, %s tokens at %.1f tokens/s, %s cached",
                self.entity_id,
                stream.stats.time_to_first_token or 0.0,
                stream.stats.generated_tokens,
                stream.stats.tokens_per_second or 0.0,
                stream.stats.cached_tokens,
            )
            return conversation.async_get_result_from_chat_log(user_input, chat_log)

        figures.last_error = f"{type(answer.error).__name__}: {answer.error}"
        _LOGGER.error("%s could not answer: %s", self.entity_id, answer.error)
        return self._failed_turn(user_input, chat_log, answer)

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
    """Turns llama-server's text pieces into chat-log deltas; a failure becomes an apology."""

    def __init__(self, stream: CompletionStream, language: str | None) -> None:
        self._stream = stream
        self._language = language
        self.error: LlamaServerError | None = None
        self.spoken_text = ""

    async def deltas(self) -> AsyncIterator[conversation.AssistantContentDeltaDict]:
        started = False
        try:
            async for raw_piece in self._stream:
                piece = raw_piece
                if not started:
                    piece = raw_piece.lstrip()  # the model's answer often starts with a space
                    if not piece:
                        continue
                    started = True
                    yield {"role": "assistant"}
                self.spoken_text += piece
                yield {"content": piece}
            if not started:
                raise EmptyAnswer("the model returned no text")
        except LlamaServerError as err:
            self.error = err
            sorry = apology(err.reason, self._language)
            if started:
                # Already speaking: finish the sentence with the apology rather than stop
                # in the middle of a word and leave the satellite waiting.
                sorry = f" … {sorry}"
            self.spoken_text = (self.spoken_text + sorry).strip()
            if not started:
                return
            yield {"content": sorry}
