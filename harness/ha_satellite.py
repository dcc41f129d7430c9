"""A Wyoming satellite added to Home Assistant as a user adds one, and what HA did with it.

HA's own `wyoming` integration, through its config flow against the satellite's host and
port: HA describes it, creates its device and entities (the assist satellite, its pipeline
selector...) and connects to it. Each pipeline run the satellite starts is seen through the
satellite entity's own pipeline-event hook, timed with `time.monotonic()`.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from homeassistant.components.assist_pipeline import PipelineEvent, PipelineEventType
from homeassistant.components.assist_satellite.const import DATA_COMPONENT
from homeassistant.config_entries import SOURCE_USER
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.helpers import entity_registry as er


@dataclass
class SatelliteRun:
    """One pipeline run of the satellite: its events and when each came."""

    events: list[tuple[float, PipelineEvent]] = field(default_factory=list)

    def first(self, kind: PipelineEventType) -> tuple[float, dict[str, Any]] | None:
        """(time, data) of the first event of this type."""
        for at, event in self.events:
            if event.type is kind:
                return at, event.data or {}
        return None

    @property
    def ended(self) -> bool:
        return self.first(PipelineEventType.RUN_END) is not None

    @property
    def transcript(self) -> str | None:
        found = self.first(PipelineEventType.STT_END)
        return None if found is None else found[1]["stt_output"]["text"]

    @property
    def answer(self) -> str | None:
        found = self.first(PipelineEventType.INTENT_END)
        if found is None:
            return None
        return found[1]["intent_output"]["response"]["speech"]["plain"]["speech"]

    @property
    def first_text_at(self) -> float | None:
        """When the first piece of answer text came (a holding phrase counts: it is heard)."""
        for at, event in self.events:
            delta = (event.data or {}).get("chat_log_delta") or {}
            if event.type is PipelineEventType.INTENT_PROGRESS and delta.get("content"):
                return at
        return None

    @property
    def spoken(self) -> str:
        """What the answer audio says: the text the agent streamed (a holding phrase
        included), or the answer when nothing was streamed."""
        pieces = [
            (e.data or {}).get("chat_log_delta", {}).get("content") or ""
            for _, e in self.events
            if e.type is PipelineEventType.INTENT_PROGRESS
        ]
        return "".join(pieces).strip() or (self.answer or "")

    @property
    def errors(self) -> list[dict[str, Any]]:
        return [e.data or {} for _, e in self.events if e.type is PipelineEventType.ERROR]


@dataclass
class SatelliteInHA:
    """The satellite's config entry and entities, and its pipeline runs so far."""

    entry_id: str
    satellite_entity: str
    pipeline_select: str
    runs: list[SatelliteRun] = field(default_factory=list)

    def record(self, event: PipelineEvent) -> None:
        if event.type is PipelineEventType.RUN_START or not self.runs:
            self.runs.append(SatelliteRun())
        self.runs[-1].events.append((time.monotonic(), event))


async def add_satellite(hass: HomeAssistant, host: str, port: int) -> SatelliteInHA:
    """Add the satellite at host:port with HA's `wyoming` config flow; HA connects to it."""
    flow = await hass.config_entries.flow.async_init("wyoming", context={"source": SOURCE_USER})
    result = await hass.config_entries.flow.async_configure(
        flow["flow_id"], {"host": host, "port": port}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY, result
    entry_id = result["result"].entry_id
    await hass.async_block_till_done()
    entities = er.async_entries_for_config_entry(er.async_get(hass), entry_id)
    by_key = {(e.domain, e.unique_id.rsplit("-", 1)[-1]): e.entity_id for e in entities}
    found = SatelliteInHA(
        entry_id, by_key[("assist_satellite", "assist_satellite")], by_key[("select", "pipeline")]
    )
    entity = hass.data[DATA_COMPONENT].get_entity(found.satellite_entity)
    assert entity is not None, found.satellite_entity
    # Observe, then let HA's own handling go on: the satellite entity's hook for every event
    # of the runs it starts.
    handle: Callable[[PipelineEvent], None] = entity.on_pipeline_event

    def observed(event: PipelineEvent) -> None:
        found.record(event)
        handle(event)

    entity.on_pipeline_event = observed  # type: ignore[method-assign]
    return found


async def choose_pipeline(hass: HomeAssistant, satellite: SatelliteInHA, name: str) -> None:
    """Pick the satellite's pipeline by name, as its pipeline selector in the UI does."""
    await hass.services.async_call(
        "select",
        "select_option",
        {"entity_id": satellite.pipeline_select, "option": name},
        blocking=True,
    )


async def remove_satellite(hass: HomeAssistant, satellite: SatelliteInHA) -> None:
    """Remove it as a user deletes the integration entry (HA pauses it and disconnects)."""
    assert await hass.config_entries.async_remove(satellite.entry_id)
    await hass.async_block_till_done()


async def wait_for(
    condition: Callable[[], bool],
    timeout: float,
    what: str,
    explain: Callable[[], str] = lambda: "",
) -> None:
    """Poll `condition` until true; TimeoutError naming `what` (and `explain()`, what may say
    why: a log's end) otherwise."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError(f"waited {timeout:.0f} s for {what}\n{explain()}")
        await asyncio.sleep(0.05)
