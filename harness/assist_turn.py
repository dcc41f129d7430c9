"""One spoken request, as HA's Assist pipeline hands it over: to the agent alone, or to HA's own
matcher first ("Prefer handling commands locally") and to the agent only when it did not match.

Both paths carry the satellite's `device_id`, as the pipeline does, so the satellite's area and
its timers reach HA's matcher and the agent's Assist tools.
"""

import time
from dataclasses import dataclass

from homeassistant.components import conversation
from homeassistant.core import Context, HomeAssistant
from homeassistant.helpers import chat_session, intent


@dataclass
class Turn:
    answer: str
    local: bool  # answered by HA's own matcher
    continue_conversation: bool  # HA keeps listening: the answer asked something back
    seconds: float  # text → complete answer
    started: float  # time.monotonic() when the text was handed over


def _speech(response: intent.IntentResponse) -> str:
    return str(response.speech.get("plain", {}).get("speech", ""))


async def async_say(
    hass: HomeAssistant, text: str, language: str, agent_id: str, *,
    device_id: str | None = None, local_first: bool = False,
) -> Turn:  # fmt: skip
    started = time.monotonic()
    if local_first:
        user_input = conversation.ConversationInput(
            text=text, context=Context(), conversation_id=None, device_id=device_id,
            satellite_id=None, language=language, agent_id=conversation.HOME_ASSISTANT_AGENT,
        )  # fmt: skip
        with (
            chat_session.async_get_chat_session(hass) as session,
            conversation.async_get_chat_log(hass, session, user_input) as chat_log,
        ):
            response = await conversation.async_handle_intents(hass, user_input, chat_log)
        if response is not None and response.response_type is not intent.IntentResponseType.ERROR:
            await hass.async_block_till_done()
            return Turn(_speech(response), True, False, time.monotonic() - started, started)
    result = await conversation.async_converse(
        hass, text, None, Context(), language=language, agent_id=agent_id, device_id=device_id
    )
    seconds = time.monotonic() - started
    await hass.async_block_till_done()
    return Turn(_speech(result.response), False, result.continue_conversation, seconds, started)
