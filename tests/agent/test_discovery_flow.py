"""A llama-server announced by the Heisenberg add-on (Supervisor discovery, as HA core's hassio
component passes it on) is offered, checked like one typed in, and added with its first agent."""

import pytest
from homeassistant import config_entries
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.helpers.service_info.hassio import HassioServiceInfo

from custom_components.heisenberg.agent_options import DEFAULT_AGENT_OPTIONS
from custom_components.heisenberg.const import CONF_BACKUP_URLS, CONF_PERSONA, CONF_URL, DOMAIN
from launcher.process import free_port


@pytest.fixture(autouse=True)
async def _components(ha_ready: HomeAssistant) -> None:
    """The flow loads the integration, which needs HA core and conversation."""


def announced(url: str) -> HassioServiceInfo:
    """What HA core's hassio component hands the flow (homeassistant/components/hassio/discovery.py)."""
    return HassioServiceInfo(
        config={"url": url, "addon": "Heisenberg"},
        name="Heisenberg",
        slug="a0d7b954_heisenberg",
        uuid="f4e1b2c3d4e5f60718293a4b5c6d7e8f",
    )


async def discover(hass: HomeAssistant, url: str) -> dict:  # type: ignore[type-arg]
    return await hass.config_entries.flow.async_init(  # type: ignore[return-value]
        DOMAIN, context={"source": config_entries.SOURCE_HASSIO}, data=announced(url)
    )


async def test_the_announced_server_is_offered_and_added(
    hass: HomeAssistant, llama_url: str
) -> None:
    form = await discover(hass, f"{llama_url}/")
    assert form["type"] is FlowResultType.FORM and form["step_id"] == "hassio_confirm"
    assert form["description_placeholders"] == {"addon": "Heisenberg", "url": llama_url}
    # The discovered card names the add-on.
    flow = hass.config_entries.flow.async_get(form["flow_id"])
    assert flow["context"]["title_placeholders"] == {"name": "Heisenberg"}
    result = await hass.config_entries.flow.async_configure(
        form["flow_id"], {CONF_PERSONA: "concise"}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["data"] == {CONF_URL: llama_url, CONF_BACKUP_URLS: []}
    (agent,) = result["result"].subentries.values()
    assert agent.data == {**DEFAULT_AGENT_OPTIONS, CONF_PERSONA: "concise"}
    await hass.async_block_till_done(wait_background_tasks=True)

    # Announced again (every start of the add-on): nothing is offered twice.
    again = await discover(hass, llama_url)
    assert again["type"] is FlowResultType.ABORT and again["reason"] == "already_configured"


async def test_a_server_gone_meanwhile_is_said_and_nothing_saved(hass: HomeAssistant) -> None:
    form = await discover(hass, f"http://127.0.0.1:{free_port()}")
    result = await hass.config_entries.flow.async_configure(
        form["flow_id"], {CONF_PERSONA: "default"}
    )
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {"base": "cannot_connect"}
    assert not hass.config_entries.async_entries(DOMAIN)


async def test_an_announcement_that_is_no_url_is_refused(hass: HomeAssistant) -> None:
    result = await discover(hass, "ftp://nowhere")
    assert result["type"] is FlowResultType.ABORT and result["reason"] == "invalid_discovery"
