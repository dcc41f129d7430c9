"""One spoken request, handed over as HA's Assist pipeline does (assist_pipeline's
`default_pipeline.py`, HA 2026.10): to the agent alone, or to HA's own matcher first ("Prefer
handling commands locally") and to the agent only when the matcher returned nothing.

As in the pipeline: the satellite's `device_id` goes with the text (its area and its timers
reach HA's matcher and the agent's tools); the matcher's state questions (HassGetState) and
media searches are left to an agent that controls devices; a matched request whose handling
failed is answered by HA (the agent is not asked); the chat log carries a delta listener, which
gives the time of the first streamed text.
"""

import time
from dataclasses import dataclass
from typing import Any

from hassil.recognize import RecognizeResult
from homeassistant.components import conversation, media_player
from homeassistant.const import ATTR_SUPPORTED_FEATURES
from homeassistant.core import Context, HomeAssistant
from homeassistant.helpers import chat_session, intent


@dataclass
class Turn:
    answer: str
    local: bool  # answered by HA's own matcher
    continue_conversation: bool  # HA keeps listening: the answer asked something back
    seconds: float  # text → complete answer
    started: float  # time.monotonic() when the text was handed over
    first_text: float | None  # text → first streamed answer text (agent only)


def _left_to_agent(result: RecognizeResult) -> bool:
    """The pipeline's `_async_local_fallback_intent_filter`."""
    return result.intent.name in (
        intent.INTENT_GET_STATE,
        media_player.INTENT_MEDIA_SEARCH_AND_PLAY,
    )


def _speech(response: intent.IntentResponse) -> str:
    return str(response.speech.get("plain", {}).get("speech", ""))


async def async_say(
    hass: HomeAssistant, text: str, language: str, agent_id: str, *,
    device_id: str | None = None, local_first: bool = False,
) -> Turn:  # fmt: skip
    started = time.monotonic()
    first_text: list[float] = []

    def on_delta(_chat_log: Any, delta: dict[str, Any]) -> None:
        if delta.get("content") and not first_text:
            first_text.append(time.monotonic() - started)

    with chat_session.async_get_chat_session(hass) as session:
        user_input = conversation.ConversationInput(
            text=text, context=Context(), conversation_id=session.conversation_id,
            device_id=device_id, satellite_id=None, language=language, agent_id=agent_id,
        )  # fmt: skip
        with conversation.async_get_chat_log(
            hass, session, user_input, chat_log_delta_listener=on_delta
        ) as chat_log:
            response = None
            if local_first:
                state = hass.states.get(agent_id)
                features = state.attributes.get(ATTR_SUPPORTED_FEATURES, 0) if state else 0
                controls = bool(features & conversation.ConversationEntityFeature.CONTROL)
                response = await conversation.async_handle_intents(
                    hass, user_input, chat_log,
                    intent_filter=_left_to_agent if controls else None,
                )  # fmt: skip
            if response is not None:
                chat_log.async_add_assistant_content_without_tools(
                    conversation.AssistantContent(
                        agent_id=conversation.HOME_ASSISTANT_AGENT, content=_speech(response)
                    )
                )
                await hass.async_block_till_done()
                seconds = time.monotonic() - started
                return Turn(_speech(response), True, False, seconds, started, None)
            result = await conversation.async_converse(
                hass, text, session.conversation_id, user_input.context, language=language,
                agent_id=agent_id, device_id=device_id,
            )  # fmt: skip
    seconds = time.monotonic() - started
    await hass.async_block_till_done()
    return Turn(
        _speech(result.response), False, result.continue_conversation, seconds, started,
        first_text[0] if first_text else None,
    )  # fmt: skip
