"""Carry out the model's calls through HA's chat log, and say what really happened.

Calls are handed to HA as `tool_calls` deltas of `llm.ToolInput`: HA runs its own tools (the same
ones every Assist agent uses) and appends their results to the chat log. The spoken answer is
then built from those results, so a failed or refused call can never be confirmed. States are
read from HA's live state of the very entities; lists and timers through HA's reading tools.
"""

import logging
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field, replace
from typing import Any

from homeassistant.components import conversation, todo
from homeassistant.core import HomeAssistant
from homeassistant.helpers import llm

from .calls import Call, MissingDevice, ToolCall, call_text
from .choice import is_about, satellite_group, which_target
from .groups import group_phrase
from .home_target import Catalog, HomeTarget, Kind
from .list_items import closest_item
from .readings import (
    group_sentence,
    list_sentence,
    member_state,
    state_sentence,
    timers_sentence,
)
from .relevance import device_phrase, said_by_user
from .request import TurnRequest
from .speech import (
    Outcome,
    action_sentence,
    duration_words,
    failure_reason,
    how_long_sentence,
    missing_sentence,
    no_timers_sentence,
    not_understood,
    spoken_name,
    unclear_question,
    which_one_sentence,
)
from .verbs import STATE, Verb
from .words import name_in, says_a_number

_LOGGER = logging.getLogger(__name__)

# Timer actions whose length the user must have said.
_NEEDS_LENGTH = frozenset({"start", "add", "remove"})
# A sentence made once HA's results are in: given the results by tool call id.
type Later = Callable[[dict[str, llm.ToolResult]], str]


@dataclass(slots=True)
class ToolTurn:
    """One request's calls: what to send HA, and the sentences of the answer, in order."""

    catalog: Catalog
    request: TurnRequest
    context_texts: list[str]
    sentences: list[str | Later] = field(default_factory=list)
    tool_inputs: list[llm.ToolInput] = field(default_factory=list)
    call_texts_by_id: dict[str, str] = field(default_factory=dict)

    @property
    def lang(self) -> str:
        return self.request.language

    def plan(self, hass: HomeAssistant, calls: list[Call | None]) -> None:
        """Turn each call into tool inputs, a reading, or an honest refusal."""
        for call in calls:
            self._plan_one(hass, call)

    def _missing(self, said: str) -> str:
        """The honest answer to "[no device] …": the name as the user said it. A model forced
        into calls sometimes writes its own sentence there ("Mount Everest is in Asia"): that
        is never quoted back as a device name; the request's own words are, or for a question
        that named nothing, that the agent is not sure what it is about."""
        if said_by_user(said, self.request.text):
            return missing_sentence(said, self.lang)
        phrase = device_phrase(self.request.text) if self.request.acts else ""
        if phrase:
            return missing_sentence(phrase, self.lang)
        return unclear_question(self.lang) if not self.request.acts else not_understood(self.lang)

    def _plan_one(self, hass: HomeAssistant, call: Call | None) -> None:
        if isinstance(call, MissingDevice):
            self.sentences.append(self._missing(call.said))
            return
        home = self.catalog.by_name(call.target) if call is not None else None
        if call is None or home is None:
            self.sentences.append(not_understood(self.lang))
            return
        verb = home.verbs.get(call.action)
        read_only = call.action == STATE or (verb is not None and verb.read_only)
        if not self.request.acts and not read_only:
            _LOGGER.debug("%r is a question: %s not done", self.request.text, call_text(call))
            self.sentences.append(not_understood(self.lang))
            return
        if (local := satellite_group(home, self.catalog, self.request)) is not home:
            home, call = local, replace(call, target=local.target.name, said="")
        if not is_about(home, self.request, self.context_texts):
            _LOGGER.debug("%r is not about %s: nothing done", self.request.text, call.target)
            phrase = device_phrase(self.request.text) if self.request.acts else ""
            if not self.request.acts:
                self.sentences.append(unclear_question(self.lang))
            else:
                self.sentences.append(
                    missing_sentence(phrase, self.lang) if phrase else not_understood(self.lang)
                )
            return
        if home.kind is Kind.ENTITY:
            acted = {str(t.tool_args.get("name")) for t in self.tool_inputs}
            choice = which_target(home, self.catalog, self.request, acted)
            if isinstance(choice, list):  # several fit as well: the user is asked which
                names = [name_in(h.target.spoken_names, self.lang) for h in choice]
                self.sentences.append(which_one_sentence(names, self.lang))
                return
            if choice is not home:
                home, call = choice, replace(call, target=choice.target.name, said="")
        if home.domain == "todo" and call.action in _BY_ITEM and isinstance(call.value, str):
            call = replace(call, value=_list_item(hass, home, call.value, call.action))
        if home.kind is Kind.TIMERS:
            self._timer(call, home)
        elif call.action == STATE:
            self.sentences.append(self._state(hass, home))
        elif home.kind is Kind.GROUP:
            self._group(call, home)
        else:
            self._entity(call, home)

    def _add(self, tool: str, args: dict[str, Any], call: ToolCall | None = None) -> str:
        """Queue one tool input; its id."""
        tool_input = llm.ToolInput(tool_name=tool, tool_args=args)
        self.tool_inputs.append(tool_input)
        if call is not None:
            self.call_texts_by_id[tool_input.id] = call_text(call)
        return tool_input.id

    def _tool(self, verb: Verb) -> str | None:
        """The full name of the tool that performs `verb` this turn (None: not offered)."""
        return self.catalog.tools.get(verb.tool)

    def _entity(self, call: ToolCall, home: HomeTarget) -> None:
        verb = home.verbs.get(call.action)
        tool = self._tool(verb) if verb else None
        if verb is None or tool is None:
            self.sentences.append(not_understood(self.lang))
            return
        ident = self._add(tool, entity_args(home, verb, call.value), call)
        if verb.read_only:  # a list's items
            name = self._name(call, home)
            self.sentences.append(lambda results: _items(results.get(ident), name, self.lang))
            return
        outcome = Outcome(call.action, self._name(call, home), call.value)
        targeted = home.domain != "todo"  # HA lists the devices it acted on, not list items
        self.sentences.append(
            lambda results: _outcome(outcome, [results.get(ident)], self.lang, targeted=targeted)
        )

    def _group(self, call: ToolCall, home: HomeTarget) -> None:
        ids = []
        for member in home.members:
            verb = member.verbs.get(call.action)
            tool = self._tool(verb) if verb else None
            if verb is not None and tool is not None:
                ids.append(self._add(tool, entity_args(member, verb, call.value)))
        if ids:
            self.call_texts_by_id[ids[0]] = call_text(call)
        name = group_phrase(self.request.text, home, self.lang)
        outcome = Outcome(call.action, name, call.value)
        self.sentences.append(
            lambda results: _outcome(outcome, [results.get(i) for i in ids], self.lang)
        )

    def _timer(self, call: ToolCall, home: HomeTarget) -> None:
        verb = home.verbs.get(call.action)
        if call.action in _NEEDS_LENGTH and not says_a_number(self.request.text):
            # "Set a timer": any length the model wrote would be a guess.
            self.sentences.append(how_long_sentence(self.lang))
            return
        tool = self._tool(verb) if verb else None
        if verb is None or tool is None:
            self.sentences.append(no_timers_sentence(self.lang))
            return
        ident = self._add(tool, timer_args(call), call)
        if verb.read_only:
            self.sentences.append(lambda results: _timers(results.get(ident), self.lang))
            return
        action = "cancel all" if home.target.name != "timer" else call.action
        label = call.label or (call.value if isinstance(call.value, str) else "")
        outcome = Outcome(action, "", call.value if isinstance(call.value, int) else None,
                          timer=True, label=label)  # fmt: skip
        seconds = call.value if isinstance(call.value, int) else None
        self.sentences.append(
            lambda results: _outcome(
                outcome, [results.get(ident)], self.lang, seconds, targeted=False
            )
        )

    def _state(self, hass: HomeAssistant, home: HomeTarget) -> str:
        if home.kind is Kind.GROUP:
            members = []
            for member in home.members:
                state = hass.states.get(member.entity_id or "")
                name = name_in(member.target.spoken_names, self.lang)
                said = state.state if state else "unavailable"
                members.append((name, member_state(member.domain, member.device_class, said)))
            return group_sentence(members, self.request.text, self.lang)
        state = hass.states.get(home.entity_id or "")
        name = self._name(ToolCall(home.target.name, STATE), home)
        if state is None:
            return state_sentence(name, "unavailable", {}, self.lang)
        return state_sentence(name, state.state, state.attributes, self.lang)

    def _name(self, call: ToolCall, home: HomeTarget) -> str:
        """The target as the user said it: the name the model used, or another of its names
        found in the request (a French request answered in the English name sounds wrong)."""
        names = [call.said or call.target, *home.target.spoken_names]
        for name in names:
            said = spoken_name(name, self.request.text)
            if said != name or name.casefold() in self.request.text.casefold():
                return said
        # Not said as such ("the heating" for "Thermostat"): its name in the answer's language.
        name = name_in(home.target.spoken_names, self.lang)
        return f"the {name}" if self.lang == "en" else name

    async def async_run(self, chat_log: conversation.ChatLog, agent_id: str) -> str:
        """Run the planned tool calls through the chat log; the answer to speak."""
        results: dict[str, llm.ToolResult] = {}
        if self.tool_inputs:
            inputs = list(self.tool_inputs)

            async def deltas() -> AsyncIterator[conversation.AssistantContentDeltaDict]:
                yield {"role": "assistant", "tool_calls": inputs}

            async for content in chat_log.async_add_delta_content_stream(agent_id, deltas()):
                if isinstance(content, conversation.ToolResultContent):
                    results[content.tool_call_id] = content.result
        spoken = [s if isinstance(s, str) else s(results) for s in self.sentences]
        # A call cut short (the token limit) parses to nothing: say so rather than nothing.
        return " ".join(dict.fromkeys(spoken)) or not_understood(self.lang)


def entity_args(home: HomeTarget, verb: Verb, value: float | str | None) -> dict[str, Any]:
    """A tool's arguments for one entity: its name (and area when the name is shared), its
    domain, the value in the verb's slot, and the verb's fixed arguments."""
    args: dict[str, Any] = {verb.name_slot: home.match_name}
    if verb.with_domain:
        args["domain"] = [home.domain]
    if home.match_area:
        args["area"] = home.match_area
    if verb.slot is not None and value is not None:
        args[verb.slot] = value
    args.update(verb.fixed)
    return args


def timer_args(call: ToolCall) -> dict[str, Any]:
    """A timer tool's arguments: the duration as hours, minutes and seconds (HA's slots: the
    length to set or add, or "start_…" to say which timer), and its name."""
    args: dict[str, Any] = {}
    prefix = "" if call.action in ("start", "add", "remove") else "start_"
    if isinstance(call.value, int):
        hours, rest = divmod(call.value, 3600)
        minutes, seconds = divmod(rest, 60)
        for unit, count in (("hours", hours), ("minutes", minutes), ("seconds", seconds)):
            if count:
                args[f"{prefix}{unit}"] = count
    label = call.label or (call.value if isinstance(call.value, str) else "")
    if label:
        args["name"] = label
    return args


def _failure(result: llm.ToolResult | None, targeted: bool) -> str | None:
    """None when HA reports the action done (on every target, for an action on devices); the
    reason otherwise."""
    if result is None:
        return "Home Assistant did not run the action"
    data: dict[str, Any] = dict(result.data)
    if result.error or "error" in data:
        return str(data.get("error_text") or data.get("error") or "")
    if data.get("response_type") != "action_done":
        return str(data.get("speech", {}).get("plain", {}).get("speech") or "")
    outcome = data.get("data") or {}
    failed = outcome.get("failed") or []
    if failed or (targeted and not outcome.get("success")):
        names = ", ".join(str(target.get("name")) for target in failed)
        return f"it failed for {names}" if names else "nothing was changed"
    return None


def _outcome(
    outcome: Outcome,
    results: list[llm.ToolResult | None],
    lang: str,
    seconds: int | None = None,
    *,
    targeted: bool = True,
) -> str:
    errors = [error for result in results if (error := _failure(result, targeted)) is not None]
    if not results:
        errors = ["nothing was changed"]
    value = duration_words(seconds, lang) if seconds is not None else outcome.value
    error = failure_reason(errors[0], lang) if errors else None
    said = Outcome(outcome.action, outcome.name, value, error, outcome.timer, outcome.label)
    return action_sentence(said, lang)


# List actions HA performs on an item it finds by its exact text.
_BY_ITEM = frozenset({"done", "remove"})


def _list_item(hass: HomeAssistant, home: HomeTarget, said: str, action: str) -> str:
    """The list's own text for the item the user said ("tomates" → "Tomatoes"), as HA needs
    it; `said` when the list has no clear match (HA then says it is not there)."""
    entity = hass.data[todo.DATA_COMPONENT].get_entity(home.entity_id or "")
    items = getattr(entity, "todo_items", None) or ()
    open_only = action == "done"  # a done item cannot be completed again; it can be removed
    found = closest_item(
        said,
        [
            item.summary
            for item in items
            if item.summary and (not open_only or item.status == todo.TodoItemStatus.NEEDS_ACTION)
        ],
    )
    return found or said


def _items(result: llm.ToolResult | None, name: str, lang: str) -> str:
    if result is None or result.error:
        return failure_reason(str(result.data.get("error")) if result else None, lang)
    return list_sentence(name, _dicts(result.data.get("items")), lang)


def _timers(result: llm.ToolResult | None, lang: str) -> str:
    if result is None or result.error:
        return failure_reason(str(result.data.get("error")) if result else None, lang)
    slots = result.data.get("speech_slots")
    return timers_sentence(_dicts(slots.get("timers") if isinstance(slots, dict) else None), lang)


def _dicts(value: object) -> list[dict[str, Any]]:
    """The objects of a JSON list in a tool's result (nothing else)."""
    return [item for item in value if isinstance(item, dict)] if isinstance(value, list) else []
