"""Whether this turn's answer will be spoken aloud, or read as text.

The holding phrase ("One moment, please: …") helps a listener who hears nothing while the model
is slow; in a typed conversation it is only clutter at the start of the answer. Both reach the
agent the same way, so the turn's own pipeline run tells them apart. In Home Assistant 2026.10:

- A satellite (and the Assist dialog's microphone) runs an Assist pipeline that ends with
  text-to-speech; text typed in the Assist dialog runs the same pipeline from the intent stage
  to the intent stage (home-assistant/frontend `ha-assist-chat.ts`); `conversation/process`
  (REST, websocket, the `conversation.process` action) runs no pipeline at all.
- A pipeline run records its events as it goes (assist_pipeline's debug record, what Settings →
  Voice assistants → Debug shows). Its `run-start` event carries `tts_output` exactly when the
  run will synthesize the answer (HA made its TTS stream), and its `intent-start` event names
  the conversation.

So the answer is spoken when a run whose intent stage is running for this conversation (an
`intent-start` with its id and no `intent-end` after it) announced `tts_output`. Only the
events' documented shape is read (no import of assist_pipeline, which HA may not have loaded):
anything else, or no such run, is a typed turn.
"""

from collections.abc import Iterable, Mapping
from typing import Any

from homeassistant.core import HomeAssistant

# assist_pipeline's hass.data key (its KEY_ASSIST_PIPELINE) and event types, as strings.
_PIPELINE_DATA = "assist_pipeline"
_RUN_START, _INTENT_START, _INTENT_END = "run-start", "intent-start", "intent-end"


def answer_is_spoken(hass: HomeAssistant, conversation_id: str) -> bool:
    """Whether the pipeline run asking this turn of `conversation_id` will speak the answer."""
    debug = getattr(hass.data.get(_PIPELINE_DATA), "pipeline_debug", None)
    if not isinstance(debug, Mapping):
        return False
    for runs in list(debug.values()):
        if not isinstance(runs, Mapping):
            continue
        for run in reversed(list(runs.values())):  # the newest runs last
            events = list(getattr(run, "events", ()))
            if _asks_now(events, conversation_id):
                return _speaks(events)
    return False


def _asks_now(events: Iterable[Any], conversation_id: str) -> bool:
    """The run's intent stage is running for `conversation_id`."""
    asking = False
    for event in events:
        kind = str(getattr(event, "type", ""))
        if kind == _INTENT_START:
            asking = _data(event).get("conversation_id") == conversation_id
        elif kind == _INTENT_END:
            asking = False
    return asking


def _speaks(events: Iterable[Any]) -> bool:
    return any(
        str(getattr(event, "type", "")) == _RUN_START and bool(_data(event).get("tts_output"))
        for event in events
    )


def _data(event: Any) -> Mapping[str, Any]:
    data = getattr(event, "data", None)
    return data if isinstance(data, Mapping) else {}
