"""Heisenberg: a local llama.cpp conversation agent for Home Assistant's Assist."""

import logging

from homeassistant.const import Platform
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import ConfigEntryNotReady
from homeassistant.helpers.aiohttp_client import async_get_clientsession

from .const import CONF_BACKUP_URLS, CONF_URL, CONTROL_REQUEST_TIMEOUT, DOMAIN
from .runtime import HeisenbergConfigEntry, HeisenbergRuntime
from .server_pool import LlamaServer, ServerPool
from .server_watch import ServerWatch
from .warm_up import async_rewarm_on_changes, async_warm_up_all, async_warm_up_server

_LOGGER = logging.getLogger(__name__)
PLATFORMS = (Platform.CONVERSATION,)
# Causes with their own translated message (exceptions.server_unavailable_<reason>).
UNAVAILABLE_REASONS = frozenset(
    {"cannot_connect", "timeout", "loading", "not_llama_server", "server_error"}
)


async def async_setup_entry(hass: HomeAssistant, entry: HeisenbergConfigEntry) -> bool:
    """Probe the servers, then set up the agents and warm them up in the background."""
    urls = [entry.data[CONF_URL], *entry.data.get(CONF_BACKUP_URLS, ())]
    pool = ServerPool(async_get_clientsession(hass), urls, control_timeout=CONTROL_REQUEST_TIMEOUT)
    errors = await pool.async_check_all()
    if len(errors) == len(pool.servers):
        # HA retries with back-off; the user sees the reason on the integration card, told
        # for the main server (a translated sentence per cause; the raw error goes to the log).
        err = errors[0]
        known = err.reason in UNAVAILABLE_REASONS
        raise ConfigEntryNotReady(
            translation_domain=DOMAIN,
            translation_key=f"server_unavailable_{err.reason}" if known else "server_unavailable",
            translation_placeholders={"url": pool.primary.url, "error": str(err)},
        ) from err
    for index, err in errors.items():
        # Set up with the servers that answer; the watch lets this one in once it does.
        _LOGGER.warning("llama-server at %s does not answer: %s", pool.servers[index].url, err)

    entry.runtime_data = HeisenbergRuntime(pool=pool)
    await hass.config_entries.async_forward_entry_setups(entry, PLATFORMS)
    # Reconfiguring an agent changes its prompt: reload, which warms it up again.
    entry.async_on_unload(entry.add_update_listener(_async_reload))

    async def warm_all() -> None:
        await async_warm_up_all(hass, entry)

    async def warm_server(server: LlamaServer) -> None:
        await async_warm_up_server(hass, entry, server)

    entry.async_create_background_task(hass, warm_all(), f"{DOMAIN} warm-up")
    entry.async_on_unload(async_rewarm_on_changes(hass, warm_all))
    # The breakers' half-open checks; a restarted server is warmed again; one gone for a
    # while gets a repair issue.
    watch = entry.runtime_data.watch = ServerWatch(hass, entry, pool, warm_server)
    entry.async_on_unload(watch.start())
    entry.async_on_unload(watch.delete_issues)
    return True


async def async_unload_entry(hass: HomeAssistant, entry: HeisenbergConfigEntry) -> bool:
    """Unload the agents; background warm-ups are cancelled by HA with the entry."""
    return await hass.config_entries.async_unload_platforms(entry, PLATFORMS)


async def async_migrate_entry(hass: HomeAssistant, entry: HeisenbergConfigEntry) -> bool:
    """1.1 → 1.2: backup servers came; an entry saved before has none (and works as it did)."""
    if entry.version > 1:
        return False  # saved by a newer version of the integration
    if entry.minor_version < 2:
        hass.config_entries.async_update_entry(
            entry, data={CONF_BACKUP_URLS: [], **entry.data}, minor_version=2
        )
    return True


async def _async_reload(hass: HomeAssistant, entry: HeisenbergConfigEntry) -> None:
    await hass.config_entries.async_reload(entry.entry_id)
