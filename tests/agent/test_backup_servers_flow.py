"""Backup servers in the UI flows: checked like the main server, saved in order, changed by
reconfiguring; an entry saved before backups existed is migrated and keeps working.

Two REAL llama-servers: the shared one and the base-model one."""

import pytest_socket
from homeassistant import config_entries
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType

from custom_components.heisenberg.config_flow import HeisenbergConfigFlow
from custom_components.heisenberg.const import CONF_BACKUP_URLS, CONF_PERSONA, CONF_URL, DOMAIN
from custom_components.heisenberg.llama_client import normalize_url
from launcher.llama_server import LlamaServerProcess
from launcher.process import free_port

from .conftest import EntryFactory


async def _user_step(hass: HomeAssistant, url: str, backups: list[str]) -> dict:  # type: ignore[type-arg]
    form = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": config_entries.SOURCE_USER}
    )
    return await hass.config_entries.flow.async_configure(  # type: ignore[return-value]
        form["flow_id"], {CONF_URL: url, CONF_BACKUP_URLS: backups, CONF_PERSONA: "concise"}
    )


async def test_the_server_step_saves_checked_backups_in_order(
    ha_ready: HomeAssistant, llama_url: str, base_llama_server: LlamaServerProcess
) -> None:
    hass = ha_ready
    base = base_llama_server.url.removeprefix("http://")  # host:port, as people type it
    result = await _user_step(hass, llama_url, [f"{base}/", "  "])  # and an empty row
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["data"] == {CONF_URL: llama_url, CONF_BACKUP_URLS: [base_llama_server.url]}
    await hass.async_block_till_done(wait_background_tasks=True)
    entry = result["result"]
    assert [s.url for s in entry.runtime_data.pool.servers] == [llama_url, base_llama_server.url]
    assert entry.version == HeisenbergConfigFlow.VERSION
    assert entry.minor_version == HeisenbergConfigFlow.MINOR_VERSION


async def test_each_backup_is_checked_like_the_main_server_and_named_in_its_error(
    ha_ready: HomeAssistant, llama_url: str, base_llama_server: LlamaServerProcess
) -> None:
    hass = ha_ready
    # The IPv4 loopback written as IPv6 is loopback too (HA's harness allows only 127.0.0.1).
    pytest_socket.socket_allow_hosts(["127.0.0.1", "::ffff:127.0.0.1"], allow_unix_socket=True)
    closed = f"http://127.0.0.1:{free_port()}"
    alias = llama_url.replace("127.0.0.1", "[::ffff:127.0.0.1]")
    cases = [
        (["ftp://x"], "backup_invalid_url", "ftp://x"),
        ([base_llama_server.url, closed], "backup_cannot_connect", closed),
        ([f"{llama_url}/"], "backup_duplicate", llama_url),
        ([base_llama_server.url] * 2, "backup_duplicate", base_llama_server.url),
        # The same process under another address (no DNS in the test harness: the IPv4
        # address written as IPv6) is not a backup either.
        ([alias], "backup_duplicate", str(normalize_url(alias))),
    ]
    for backups, error, named in cases:
        result = await _user_step(hass, llama_url, backups)
        assert result["type"] is FlowResultType.FORM, backups
        assert result["errors"] == {CONF_BACKUP_URLS: error}, backups
        # The frontend formats the error with the form's placeholders: it names the URL.
        assert result["description_placeholders"] == {"url": named}, backups
    assert not hass.config_entries.async_entries(DOMAIN)  # nothing saved on a failed check


async def test_reconfiguring_adds_and_removes_backups(
    hass: HomeAssistant,
    setup_entry: EntryFactory,
    llama_url: str,
    base_llama_server: LlamaServerProcess,
) -> None:
    entry = await setup_entry(llama_url)
    form = await entry.start_reconfigure_flow(hass)
    suggested = {
        str(key): (key.description or {}).get("suggested_value")
        for key in form["data_schema"].schema
    }
    assert suggested == {CONF_URL: llama_url, CONF_BACKUP_URLS: []}

    closed = f"http://127.0.0.1:{free_port()}"
    result = await hass.config_entries.flow.async_configure(
        form["flow_id"], {CONF_URL: llama_url, CONF_BACKUP_URLS: [closed]}
    )
    assert result["errors"] == {CONF_BACKUP_URLS: "backup_cannot_connect"}
    assert entry.data[CONF_BACKUP_URLS] == []  # nothing saved on a failed check
    result = await hass.config_entries.flow.async_configure(
        form["flow_id"], {CONF_URL: llama_url, CONF_BACKUP_URLS: [base_llama_server.url]}
    )
    assert result["type"] is FlowResultType.ABORT and result["reason"] == "server_updated"
    await hass.async_block_till_done(wait_background_tasks=True)
    assert entry.data == {CONF_URL: llama_url, CONF_BACKUP_URLS: [base_llama_server.url]}
    # Reloaded with both servers, each warmed.
    servers = entry.runtime_data.pool.servers
    assert [s.url for s in servers] == [llama_url, base_llama_server.url]
    assert all(s.warmed_prefixes for s in servers)

    form = await entry.start_reconfigure_flow(hass)
    result = await hass.config_entries.flow.async_configure(form["flow_id"], {CONF_URL: llama_url})
    assert result["reason"] == "server_updated"  # the emptied list: no backups any more
    await hass.async_block_till_done(wait_background_tasks=True)
    assert entry.data[CONF_BACKUP_URLS] == []
    assert len(entry.runtime_data.pool.servers) == 1


async def test_an_entry_saved_before_backups_existed_is_migrated_and_works(
    hass: HomeAssistant, setup_entry: EntryFactory, llama_url: str
) -> None:
    entry = await setup_entry(llama_url)  # saved as version 1.1, without the key
    assert entry.state is config_entries.ConfigEntryState.LOADED
    assert (entry.version, entry.minor_version) == (1, 2)
    assert dict(entry.data) == {CONF_URL: llama_url, CONF_BACKUP_URLS: []}
    assert [s.url for s in entry.runtime_data.pool.servers] == [llama_url]
