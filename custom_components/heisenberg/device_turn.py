"""Carry out the model's calls through HA's chat log, and say what really happened.

Calls are handed to HA as `tool_calls` deltas of `llm.ToolInput`: HA runs its own intent tools
(the same ones every Assist agent uses) and appends their results to the chat log. The spoken
answer is then built from those results (`device_speech.py`), so a failed or refused call can
never be confirmed. State questions are answered from HA's live state of that very entity.
"""

import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

from homeassistant.components import conversation
from homeassistant.core import HomeAssistant
from homeassistant.helpers import llm

from .device_catalog import STATE_ACTION, DeviceCatalog, HomeDevice
from .device_relevance import device_phrase, mentions
from .device_speech import (
    Outcome,
    action_sentence,
    failure_reason,
    missing_sentence,
    not_understood,
    spoken_name,
    state_sentence,
)
from .tool_grammar import Call, MissingDevice, ToolCall, call_text

_LOGGER = logging.getLogger(__name__)


@dataclass(slots=True)
class DeviceTurn:
    """One request's calls: what to send HA, and the sentences of the answer, in order."""

    catalog: DeviceCatalog
    user_text: str
    context_texts: list[str]
    language: str | None
    sentences: list[str | ToolCall] = field(default_factory=list)
    tool_inputs: dict[int, llm.ToolInput] = field(default_factory=dict)
    acted: int = 0  # calls HA confirmed

    def plan(self, hass: HomeAssistant, calls: list[Call | None]) -> None:
        """Turn each call into a tool input, a state report, or an honest refusal."""
        for call in calls:
            if isinstance(call, MissingDevice):
                self.sentences.append(missing_sentence(call.said, self.language))
                continue
            home = self.catalog.by_name(call.device) if call is not None else None
            if call is None or home is None:
                self.sentences.append(not_understood(self.language))
                continue
            if not mentions(
                home.device, home.domain, self.user_text, self.context_texts, home.area_aliases
            ):
                _LOGGER.debug("%r does not mention %s: nothing done", self.user_text, call.device)
                phrase = device_phrase(self.user_text)
                self.sentences.append(
                    missing_sentence(phrase, self.language)
                    if phrase
                    else not_understood(self.language)
                )
                continue
            if call.action == STATE_ACTION:
                self.sentences.append(self._state(hass, home, call))
                continue
            tool_input = self._tool_input(home, call)
            if tool_input is None:
                self.sentences.append(not_understood(self.language))
                continue
            self.tool_inputs[len(self.sentences)] = tool_input
            self.sentences.append(call)

    async def async_run(self, chat_log: conversation.ChatLog, agent_id: str) -> str:
        """Run the planned tool calls through the chat log; the answer to speak."""
        results: dict[str, llm.ToolResult] = {}
        if self.tool_inputs:
            inputs = list(self.tool_inputs.values())

            async def deltas() -> AsyncIterator[conversation.AssistantContentDeltaDict]:
                yield {"role": "assistant", "tool_calls": inputs}

            async for content in chat_log.async_add_delta_content_stream(agent_id, deltas()):
                if isinstance(content, conversation.ToolResultContent):
                    results[content.tool_call_id] = content.result
        spoken: list[str] = []
        for index, sentence in enumerate(self.sentences):
            if isinstance(sentence, str):
                spoken.append(sentence)
                continue
            result = results.get(self.tool_inputs[index].id)
            error = _failure(result)
            self.acted += error is None
            outcome = Outcome(
                sentence.action,
                self._name(sentence),
                sentence.value,
                None if error is None else failure_reason(error, self.language),
            )
            spoken.append(action_sentence(outcome, self.language))
        # A call cut short (the token limit) parses to nothing: say so rather than nothing.
        return " ".join(dict.fromkeys(spoken)) or not_understood(self.language)

    def call_texts(self) -> dict[str, str]:
        """The model's text of each call handed to HA, by tool call id (for the history)."""
        texts: dict[str, str] = {}
        for index, tool_input in self.tool_inputs.items():
            call = self.sentences[index]
            if isinstance(call, ToolCall):
                texts[tool_input.id] = call_text(call)
        return texts

    def _name(self, call: ToolCall) -> str:
        """The device as the user said it: the name the model used, or another of its names
        found in the request (a French request answered in the English name sounds wrong)."""
        home = self.catalog.by_name(call.device)
        names = [call.said or call.device, *(home.device.spoken_names if home else ())]
        for name in names:
            said = spoken_name(name, self.user_text)
            if said != name or name.casefold() in self.user_text.casefold():
                return said
        return call.said or call.device

    def _state(self, hass: HomeAssistant, home: HomeDevice, call: ToolCall) -> str:
        state = hass.states.get(home.entity_id)
        if state is None:
            return state_sentence(self._name(call), "unavailable", {}, self.language)
        return state_sentence(self._name(call), state.state, state.attributes, self.language)

    def _tool_input(self, home: HomeDevice, call: ToolCall) -> llm.ToolInput | None:
        spec = home.spec(call.action)
        if spec is None:
            return None
        args: dict[str, Any] = {"name": home.match_name, "domain": [home.domain]}
        if home.match_area:
            args["area"] = home.match_area
        if spec.value_arg is not None:
            args[spec.value_arg] = call.value
        return llm.ToolInput(tool_name=spec.tool, tool_args=args)


def _failure(result: llm.ToolResult | None) -> str | None:
    """None when HA reports the action done on every target; the reason otherwise."""
    if result is None:
        return "Home Assistant did not run the action"
    data: dict[str, Any] = dict(result.data)
    if result.error or "error" in data:
        return str(data.get("error_text") or data.get("error") or "")
    if data.get("response_type") != "action_done":
        return str(data.get("speech", {}).get("plain", {}).get("speech") or "")
    outcome = data.get("data") or {}
    failed = outcome.get("failed") or []
    if failed or not outcome.get("success"):
        names = ", ".join(str(target.get("name")) for target in failed)
        return f"it failed for {names}" if names else "nothing was changed"
    return None
