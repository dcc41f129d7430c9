"""The languages an agent is asked in: each Assist pipeline's that uses it, and HA's own.

A bilingual home has an English and a French pipeline (a satellite with two wake words runs
either), while Home Assistant itself has one language. Every language the agent will hear gets
its prefix warmed (`prefixes.py`); a cold one costs the first question in it the whole prefix
(592 prompt tokens, 13.6 s to the first word, measured on 2 cores with the default model).

The language a pipeline hands the agent is HA's own rule (assist_pipeline's
`recognize_intent`): its conversation language, or, when that is "*" (what HA's pipeline form
sets for an agent that speaks every language, like this one), its STT language, else its TTS
language, else its language. The pipelines are read from assist_pipeline's store by its
documented shape (no import of assist_pipeline, which HA may not have loaded): none when it is
not there.
"""

from collections.abc import Callable, Coroutine
from typing import Any

from homeassistant.const import EVENT_COMPONENT_LOADED, MATCH_ALL
from homeassistant.core import Event, HomeAssistant, callback

from ..personas import persona_language

_PIPELINES = "assist_pipeline"  # its domain and hass.data key


def agent_languages(hass: HomeAssistant, agent_entity_id: str | None) -> list[str]:
    """The languages of the pipelines whose agent is `agent_entity_id` (the preferred pipeline
    first), then HA's own (typed conversations default to it): one per language the agent
    writes its prompt in (en-US and en-GB are one)."""
    store = _store(hass)
    pipelines = list(store.async_items()) if store is not None else []
    preferred = _preferred(store) if pipelines else None
    pipelines.sort(key=lambda pipeline: getattr(pipeline, "id", None) != preferred)
    languages = [
        _pipeline_language(pipeline)
        for pipeline in pipelines
        if agent_entity_id is not None
        and getattr(pipeline, "conversation_engine", None) == agent_entity_id
    ]
    chosen: dict[str, str] = {}
    for language in [*languages, hass.config.language]:
        if language:
            chosen.setdefault(persona_language(language), language)
    return list(chosen.values())


def _preferred(store: Any) -> str | None:
    try:
        preferred = store.async_get_preferred_item()
    except AttributeError:  # a store that has not loaded its preferred pipeline yet
        return None
    return preferred if isinstance(preferred, str) else None


def _pipeline_language(pipeline: Any) -> str | None:
    language = getattr(pipeline, "conversation_language", None)
    if not language or language == MATCH_ALL:
        for name in ("stt_language", "tts_language", "language"):
            if language := getattr(pipeline, name, None):
                break
    return language if isinstance(language, str) else None


def _store(hass: HomeAssistant) -> Any:
    store = getattr(hass.data.get(_PIPELINES), "pipeline_store", None)
    has_api = all(
        callable(getattr(store, name, None))
        for name in ("async_items", "async_get_preferred_item", "async_add_listener")
    )
    return store if has_api else None


def async_listen_pipelines(hass: HomeAssistant, changed: Callable[[], None]) -> Callable[[], None]:
    """Call `changed` whenever a pipeline is created, edited or deleted, and when
    assist_pipeline itself is loaded after us. Returns the function that stops listening."""
    stops: list[Callable[[], None]] = []

    async def on_change(*_args: Any) -> None:
        changed()

    def listen_store() -> None:
        if (store := _store(hass)) is not None:
            listener: Callable[..., Coroutine[Any, Any, None]] = on_change
            stops.append(store.async_add_listener(listener))

    @callback
    def on_loaded(event: Event[Any]) -> None:
        if event.data.get("component") == _PIPELINES:
            listen_store()
            changed()

    if _store(hass) is not None:
        listen_store()
    else:
        stops.append(hass.bus.async_listen(EVENT_COMPONENT_LOADED, on_loaded))

    def stop() -> None:
        for unsubscribe in stops:
            unsubscribe()

    return stop
