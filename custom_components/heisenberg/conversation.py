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
from .assist_tools.calls import parse_calls
from .assist_tools.execute import ToolTurn
from .assist_tools.home import (
    HomeView,
    any_exposed,
    home_view,
    no_control_refusal,
    satellite_area,
    satellite_area_note,
)
from .assist_tools.request import TurnRequest
from .const import DOMAIN, MID_ANSWER_STALL_SECONDS
from .context_fit import fit_prompt
from .context_issue import context_refused, is_context_refusal
from .context_note import conversation_note, turn_note
from .failover import FailoverStream
from .history import history_window
from .llama_client import CompletionRequest
from .personas import PersonaText
from .prompt_format import PromptParts, Turn, build_prompt
from .runtime import HeisenbergConfigEntry, TurnRecord
from .server_pool import LlamaServer
from .spoken_answer import budget_for
from .system_prompt import split_system_prompt
from .voice_turn import answer_is_spoken
from .warm_up.next_turn import warm_next_turn

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

    home: HomeView | None  # the targets the agent may act on (None without an API)
    request: TurnRequest | None  # the request, analysed once (None without an API)
    history: Sequence[Turn]
    # The prompt's parts: each server gets them in its own model's format.
    parts: PromptParts
    grammar: str | None  # what the model may write: speech, calls, or either
    calls_only: bool  # an order or a question about a device: answered with calls
    devices_note: str = ""  # the devices shown for this request (a home too large to list)


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
        if plan.home is not None and plan.request is not None and answer.call_output:
            await self._act(plan.home, plan.request, answer.call_output, plan.history, chat_log)
        self._warm_next_turn(options, plan, user_input, chat_log, answer.stream.server)
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
        """The home, the request, the history and the prompt of this turn, and how the model
        may answer."""
        api = chat_log.llm_api
        home = home_view(self.hass, api.tools if api else None, user_input.language)
        area = satellite_area(self.hass, user_input.device_id) if home else ()
        request = home.request(user_input.text, user_input.language, area) if home else None
        runtime = self.entry.runtime_data
        history = self._history(options, chat_log.content[1:-1], user_input, chat_log)
        runtime.remember_language(chat_log.conversation_id, user_input.text, user_input.language)
        # What the model may name and how it may answer (speech or calls), decided once for
        # the prompt and the request.
        recent = f"{history[-1].user}\n{history[-1].assistant}" if history else ""
        chosen, devices_note = home.targets_for(request, recent) if home and request else ([], "")
        context = [history[-1].user, history[-1].assistant] if history else []
        grammar = home.grammar_for(request, chosen, context) if home and request else None
        calls_only = request.calls_only if request else False
        parts = self._prompt_parts(
            persona,
            home=home,
            calls_only=calls_only,
            area=area,
            devices_note=devices_note,
            history=history,
            user_input=user_input,
            chat_log=chat_log,
        )
        return _TurnPlan(home, request, history, parts, grammar, calls_only, devices_note)

    def _history(
        self,
        options: AgentOptions,
        content: Sequence[conversation.Content],
        user_input: conversation.ConversationInput,
        chat_log: conversation.ChatLog,
    ) -> list[Turn]:
        """The exchanges of `content` a prompt in this turn's language shows."""
        runtime = self.entry.runtime_data
        return history_window(
            content,
            options.max_history_turns,
            runtime.call_texts,
            language=user_input.language,
            turn_languages=runtime.languages_in(chat_log.conversation_id),
        )

    def _warm_next_turn(
        self,
        options: AgentOptions,
        plan: _TurnPlan,
        user_input: conversation.ConversationInput,
        chat_log: conversation.ChatLog,
        server: LlamaServer | None,
    ) -> None:
        """Evaluate the next turn's opening (in this language) while this answer is heard."""
        history = self._history(options, chat_log.content[1:], user_input, chat_log)
        next_parts = dataclasses.replace(plan.parts, history=history, context_note="")
        warm_next_turn(self.hass, self.entry, server, options, next_parts)

    async def _act(
        self,
        home: HomeView,
        request: TurnRequest,
        call_output: str,
        history: Sequence[Turn],
        chat_log: conversation.ChatLog,
    ) -> None:
        """Carry out the model's calls through HA, then say what really happened."""
        _LOGGER.debug("%s: the model's calls: %r", self.entity_id, call_output)
        context = [history[-1].user, history[-1].assistant] if history else []
        turn = ToolTurn(home.catalog, request, context)
        turn.plan(self.hass, parse_calls(call_output, home.catalog.model_targets))
        sentence = await turn.async_run(chat_log, self.entity_id)
        for tool_call_id, text in turn.call_texts_by_id.items():
            self.entry.runtime_data.remember_call(tool_call_id, text)
        await self._say(chat_log, sentence)

    def _prompt_parts(
        self,
        persona: PersonaText,
        *,
        home: HomeView | None,
        calls_only: bool,
        area: tuple[str, ...],
        devices_note: str,
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
        area_note = satellite_area_note(area, user_input.language) if home is not None else ""
        # An order or a question about a device is answered with calls: no clock. A large
        # home's devices note belongs to this turn's request.
        turn = "" if calls_only else turn_note(now, user_input.text, user_input.language)
        return PromptParts(
            system=system,
            examples=examples,
            history=history,
            # The same all conversation long (before the history: see prompt_format).
            conversation_note=conversation_note(now, user_input.language, area_note, extra),
            context_note=" ".join(note for note in (turn, devices_note) if note),
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

        def request_for(server: LlamaServer) -> CompletionRequest:
            assert server.detected_format is not None  # only servers that answered are tried
            fmt = options.resolved_format(server.detected_format)
            fit = fit_prompt(
                fmt, plan.parts, server.context_tokens, server.chars_per_token, plan.devices_note
            )
            if len(fit.parts.history) < len(plan.parts.history) or not fit.fits:
                _LOGGER.debug(
                    "%s: prompt sized for %s's %s-token slots: %d of %d exchanges kept%s",
                    self.entity_id,
                    server.url,
                    server.context_tokens,
                    len(fit.parts.history),
                    len(plan.parts.history),
                    "" if fit.fits else ", still too long",
                )
            return options.completion_request(fmt, build_prompt(fmt, fit.parts), plan.grammar)

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
        server = answer.stream.server
        if server is not None and answer.error is not None and is_context_refusal(answer.error):
            context_refused(self.hass, server, answer.stream.prompt_chars)
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
