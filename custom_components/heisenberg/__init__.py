"""Heisenberg: a local llama.cpp conversation agent for Home Assistant's Assist."""

import logging

from homeassistant.const import Platform
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import ConfigEntryNotReady
from homeassistant.helpers import issue_registry as ir
from homeassistant.helpers.aiohttp_client import async_get_clientsession

from .const import CONF_URL, CONTROL_REQUEST_TIMEOUT, DOMAIN
from .format_detection import detect_prompt_format
from .llama_client import LlamaServerClient, LlamaServerError
from .runtime import HeisenbergConfigEntry, HeisenbergRuntime
from .server_watch import ServerWatch
from .warmup import async_rewarm_on_home_changes, async_warm_up_agent

_LOGGER = logging.getLogger(__name__)
PLATFORMS = (Platform.CONVERSATION,)
# Causes with their own translated message (exceptions.server_unavailable_<reason>).
UNAVAILABLE_REASONS = frozenset(
    {"cannot_connect", "timeout", "loading", "not_llama_server", "server_error"}
)


async def async_setup_entry(hass: HomeAssistant, entry: HeisenbergConfigEntry) -> bool:
    """Probe the server, then set up the agents and warm them up in the background."""
    client = LlamaServerClient(
        async_get_clientsession(hass), entry.data[CONF_URL], control_timeout=CONTROL_REQUEST_TIMEOUT
    )
    try:
        await client.health()
        props = await client.props()
        detected = await detect_prompt_format(client, props)
    except LlamaServerError as err:
        # HA retries with back-off; the user sees the reason on the integration card.
        # A translated sentence per cause; the raw error (English, technical) goes to the log.
        known = err.reason in UNAVAILABLE_REASONS
        raise ConfigEntryNotReady(
            translation_domain=DOMAIN,
            translation_key=f"server_unavailable_{err.reason}" if known else "server_unavailable",
            translation_placeholders={"url": str(client.url), "error": str(err)},
        ) from err

    entry.runtime_data = HeisenbergRuntime(client=client, props=props, detected_format=detected)
    _LOGGER.debug("llama-server at %s: prompt format detected as %s", client.url, detected)
    await hass.config_entries.async_forward_entry_setups(entry, PLATFORMS)
    # Reconfiguring an agent changes its prompt: reload, which warms it up again.
    entry.async_on_unload(entry.add_update_listener(_async_reload))

    async def warm_all() -> None:
        async with entry.runtime_data.warming:
            for subentry in entry.subentries.values():
                if subentry.subentry_type == "conversation":
                    await async_warm_up_agent(hass, entry.runtime_data, subentry)

    entry.async_create_background_task(hass, warm_all(), f"{DOMAIN} warm-up")
    entry.async_on_unload(async_rewarm_on_home_changes(hass, warm_all))
    # A restarted server is warmed again; one gone for a while gets a repair issue.
    watch = entry.runtime_data.watch = ServerWatch(hass, entry, warm_all)
    entry.async_on_unload(watch.start())
    entry.async_on_unload(lambda: ir.async_delete_issue(hass, DOMAIN, watch.issue_id))
    return True


async def async_unload_entry(hass: HomeAssistant, entry: HeisenbergConfigEntry) -> bool:
    """Unload the agents; background warm-ups are cancelled by HA with the entry."""
    return await hass.config_entries.async_unload_platforms(entry, PLATFORMS)


async def _async_reload(hass: HomeAssistant, entry: HeisenbergConfigEntry) -> None:
    await hass.config_entries.async_reload(entry.entry_id)
