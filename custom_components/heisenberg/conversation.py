"""The Heisenberg conversation agent: one entity per conversation subentry."""

import dataclasses
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
from .answer_stream import AnswerStream
from .const import DOMAIN, MID_ANSWER_STALL_SECONDS
from .context_note import conversation_note, turn_note
from .device_context import (
    DeviceContext,
    any_exposed,
    device_context,
    no_control_refusal,
    satellite_area_note,
)
from .device_turn import DeviceTurn
from .failover import FailoverStream
from .history import history_window
from .llama_client import CompletionRequest
from .personas import PersonaText
from .prompt_format import PromptFormat, PromptParts, Turn, build_prompt
from .runtime import HeisenbergConfigEntry, TurnRecord
from .spoken_answer import budget_for
from .system_prompt import split_system_prompt
from .tool_grammar import parse_calls
from .voice_turn import answer_is_spoken

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


@dataclasses.dataclass(frozen=True, slots=True)
class _TurnPlan:
    """What one turn sends the model, decided once for the prompt and the request."""

    home: DeviceContext | None  # the devices the agent may act on (None without an API)
    history: Sequence[Turn]
    # The prompt's parts: each server gets them in its own model's format.
    parts: PromptParts
    grammar: str | None  # what the model may write: speech, calls, or either
    calls_only: bool  # an order or a question about a device: answered with calls


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
        # The file name of the (main) server's model is what a user recognizes.
        model = entry.runtime_data.pool.model_name()
        self._attr_device_info = dr.DeviceInfo(
            identifiers={(DOMAIN, subentry.subentry_id)},
            name=subentry.title,
            manufacturer="llama.cpp",
            model=model or None,
            entry_type=dr.DeviceEntryType.SERVICE,
        )
        if AgentOptions.from_data(subentry.data).llm_hass_api:
            self._attr_supported_features = conversation.ConversationEntityFeature.CONTROL

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
        persona = options.persona_for(user_input.language, any_exposed(self.hass))
        try:
            await self._provide_llm_data(options, persona, user_input, chat_log)
        except conversation.ConverseError as err:
            return err.as_conversation_result()
        if refusal := self._refusal_without_api(user_input, chat_log):
            # An order or a question about a device, with no way to act or read states: an
            # honest answer at once, never a model's invented confirmation.
            await self._say(chat_log, refusal)
            return conversation.async_get_result_from_chat_log(user_input, chat_log)
        plan = self._plan_turn(options, persona, user_input, chat_log)
        answer = await self._answer(options, plan, user_input, chat_log)
        if answer.error is not None:
            return self._failed_turn(user_input, chat_log, answer)
        self._record_answer(answer)
        if plan.home is not None and answer.call_output:
            await self._act(plan.home, answer.call_output, plan.history, user_input, chat_log)
        return conversation.async_get_result_from_chat_log(user_input, chat_log)

    async def _provide_llm_data(
        self,
        options: AgentOptions,
        persona: PersonaText,
        user_input: conversation.ConversationInput,
        chat_log: conversation.ChatLog,
    ) -> None:
        """Let HA render the persona and the offered API into the chat log (its first message
        and `chat_log.llm_api`); raises ConverseError when it cannot."""
        await chat_log.async_provide_llm_data(
            user_input.as_llm_context(DOMAIN),
            list(options.llm_hass_api) or None,
            persona.instructions,
            user_input.extra_system_prompt,
        )

    def _refusal_without_api(
        self, user_input: conversation.ConversationInput, chat_log: conversation.ChatLog
    ) -> str:
        """Without an API: the refusal an order or a question about a device gets ('' when the
        agent has an API, or for anything else, which the model answers)."""
        if chat_log.llm_api is not None:
            return ""
        return no_control_refusal(self.hass, user_input)

    def _plan_turn(
        self,
        options: AgentOptions,
        persona: PersonaText,
        user_input: conversation.ConversationInput,
        chat_log: conversation.ChatLog,
    ) -> _TurnPlan:
        """The home, the history and the prompt of this turn, and how the model may answer."""
        home = device_context(self.hass, chat_log.llm_api, user_input.language)
        history = history_window(
            chat_log.content[1:-1], options.max_history_turns, self.entry.runtime_data.call_texts
        )
        # How the model may answer (speech or calls), decided once for the prompt and request.
        grammar, calls_only = home.grammar_for(user_input.text) if home else (None, False)
        parts = self._prompt_parts(
            persona,
            home=home,
            calls_only=calls_only,
            history=history,
            user_input=user_input,
            chat_log=chat_log,
        )
        return _TurnPlan(home, history, parts, grammar, calls_only)

    async def _act(
        self,
        home: DeviceContext,
        call_output: str,
        history: Sequence[Turn],
        user_input: conversation.ConversationInput,
        chat_log: conversation.ChatLog,
    ) -> None:
        """Carry out the model's calls through HA, then say what really happened."""
        _LOGGER.debug("%s: the model's calls: %r", self.entity_id, call_output)
        context = [history[-1].user, history[-1].assistant] if history else []
        turn = DeviceTurn(home.catalog, user_input.text, context, user_input.language)
        turn.plan(self.hass, parse_calls(call_output, home.catalog.model_devices))
        sentence = await turn.async_run(chat_log, self.entity_id)
        for tool_call_id, text in turn.call_texts().items():
            self.entry.runtime_data.remember_call(tool_call_id, text)
        await self._say(chat_log, sentence)

    def _prompt_parts(
        self,
        persona: PersonaText,
        *,
        home: DeviceContext | None,
        calls_only: bool,
        history: Sequence[Turn],
        user_input: conversation.ConversationInput,
        chat_log: conversation.ChatLog,
    ) -> PromptParts:
        """The raw prompt's parts: stable instructions and examples, the conversation's note
        and history, the turn's note, the question."""
        first = chat_log.content[0]
        rendered = first.content if isinstance(first, conversation.SystemContent) else ""
        api_prompt = chat_log.llm_api.api_prompt if chat_log.llm_api else ""
        system, extra = split_system_prompt(rendered, api_prompt)
        examples: Sequence[Turn] = persona.examples
        if home is not None and home.instructions:
            system = f"{system}\n{home.instructions}"
            # The device examples first: the last example before the conversation is speech.
            examples = (*home.examples, *persona.examples)
        now = dt_util.now()
        area = (
            satellite_area_note(self.hass, user_input.device_id, user_input.language)
            if home is not None
            else ""
        )
        return PromptParts(
            system=system,
            examples=examples,
            history=history,
            # The same all conversation long (before the history: see prompt_format).
            conversation_note=conversation_note(now, user_input.language, area, extra),
            # An order or a question about a device is answered with calls: no clock.
            context_note="" if calls_only else turn_note(now, user_input.text, user_input.language),
            user_message=user_input.text,
        )

    async def _answer(
        self,
        options: AgentOptions,
        plan: _TurnPlan,
        user_input: conversation.ConversationInput,
        chat_log: conversation.ChatLog,
    ) -> AnswerStream:
        """Stream the model's answer into the chat log (HA speaks it as it comes), from the
        first server of the list that answers (`failover.py`)."""
        if plan.calls_only:
            # Which device and action: the model's best guess, not a sample of its guesses.
            options = dataclasses.replace(options, temperature=0.0)

        def request_for(detected: PromptFormat) -> CompletionRequest:
            fmt = options.resolved_format(detected)
            return options.completion_request(fmt, build_prompt(fmt, plan.parts), plan.grammar)

        stream = FailoverStream(
            self.entry.runtime_data.pool,
            request_for,
            first_token_timeout=options.timeout,
            stall_timeout=min(options.timeout, MID_ANSWER_STALL_SECONDS),
        )
        answer = AnswerStream(
            stream,
            user_input.language,
            budget_for(user_input.text),
            bool(options.llm_hass_api),
            spoken=answer_is_spoken(self.hass, chat_log.conversation_id),
        )
        async for _content in chat_log.async_add_delta_content_stream(
            self.entity_id, answer.deltas()
        ):
            pass
        return answer

    async def _say(self, chat_log: conversation.ChatLog, sentence: str) -> None:
        """Speak a sentence the agent built (after acting, or a refusal), as one assistant
        message."""

        async def deltas() -> AsyncIterator[conversation.AssistantContentDeltaDict]:
            yield {"role": "assistant", "content": sentence}

        async for _content in chat_log.async_add_delta_content_stream(self.entity_id, deltas()):
            pass

    def _record_answer(self, answer: AnswerStream) -> None:
        stats = answer.stats
        server = answer.stream.server
        figures = self.entry.runtime_data.figures_for(self.subentry.subentry_id)
        figures.last_answer = {**stats.as_dict(), "server": server.url if server else None}
        self._record_turn(answer)
        _LOGGER.debug(
            "%s answered from %s: first token after %.2f s, %s tokens at %.1f tokens/s, "
            "%s cached%s",
            self.entity_id,
            server.url if server else None,
            stats.time_to_first_token or 0.0,
            stats.generated_tokens,
            stats.tokens_per_second or 0.0,
            stats.cached_tokens,
            " (ended where a spoken answer should)" if answer.cut else "",
        )

    def _record_failure(self, answer: AnswerStream) -> None:
        figures = self.entry.runtime_data.figures_for(self.subentry.subentry_id)
        figures.last_error = f"{type(answer.error).__name__}: {answer.error}"
        self._record_turn(answer)
        _LOGGER.error("%s could not answer: %s", self.entity_id, answer.error)

    def _record_turn(self, answer: AnswerStream) -> None:
        """Which server answered (or was answering when it failed), for diagnostics."""
        stream = answer.stream
        self.entry.runtime_data.recent_turns.append(
            TurnRecord(
                at=dt_util.utcnow().isoformat(timespec="seconds"),
                agent=self.subentry.title,
                server=stream.server.url if stream.server else None,
                failed_over=tuple({"url": f.url, "reason": f.reason} for f in stream.failed),
                error=f"{type(answer.error).__name__}: {answer.error}" if answer.error else None,
            )
        )

    def _failed_turn(
        self,
        user_input: conversation.ConversationInput,
        chat_log: conversation.ChatLog,
        answer: AnswerStream,
    ) -> conversation.ConversationResult:
        """Record the failure, speak the apology and leave no half-turn in the conversation's
        history."""
        self._record_failure(answer)
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
