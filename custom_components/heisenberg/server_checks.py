"""What the config flow checks before it saves servers: the main llama-server answers, and so
does each backup, every URL normalized the same way, and no server is listed twice."""

import logging
from dataclasses import dataclass, field
from typing import Any

from homeassistant.core import HomeAssistant
from homeassistant.helpers.aiohttp_client import async_get_clientsession

from .const import CONF_BACKUP_URLS, CONF_URL, CONTROL_REQUEST_TIMEOUT
from .llama_client import InvalidUrl, LlamaServerClient, LlamaServerError, normalize_url
from .server_pool import server_identity

_LOGGER = logging.getLogger(__name__)


async def validate_server(hass: HomeAssistant, raw_url: str) -> tuple[str, dict[str, Any]]:
    """Check that a llama-server answers at `raw_url`; return its normalized URL and props."""
    client = LlamaServerClient(
        async_get_clientsession(hass),
        normalize_url(raw_url),
        control_timeout=CONTROL_REQUEST_TIMEOUT,
    )
    await client.health()
    return str(client.url), await client.props()


@dataclass(slots=True)
class CheckedServers:
    """The outcome of a server form: what to save, or the errors to show."""

    url: str
    props: dict[str, Any] = field(default_factory=dict)
    backups: list[str] = field(default_factory=list)
    errors: dict[str, str] = field(default_factory=dict)
    # The failing backup's URL, for its error message (the frontend formats errors with the
    # form's description placeholders).
    placeholders: dict[str, str] = field(default_factory=dict)


async def async_check_servers(hass: HomeAssistant, user_input: dict[str, Any]) -> CheckedServers:
    """Check the main server, then each backup in order; stop at the first that fails."""
    raw_url = str(user_input[CONF_URL])
    try:
        url, props = await validate_server(hass, raw_url)
    except InvalidUrl:
        return CheckedServers(raw_url, errors={CONF_URL: "invalid_url"})
    except LlamaServerError as err:
        _LOGGER.info("llama-server check of %s failed: %s", raw_url, err)
        return CheckedServers(raw_url, errors={"base": err.reason})
    checked = CheckedServers(url, props)
    # The same process under another name (localhost and 127.0.0.1, a host name and its
    # address) is no backup: its identity (per-process marker, model, build) gives it away.
    # Without a per-process marker (older builds), two servers of one build and model would
    # look alike: then only the URLs are compared.
    seen = {server_identity(props)} if props.get("media_marker") else set()
    raw_backups = user_input.get(CONF_BACKUP_URLS)
    for raw in [raw_backups] if isinstance(raw_backups, str) else list(raw_backups or []):
        if not (text := str(raw).strip()):
            continue  # an empty row of the list
        try:
            backup, backup_props = await validate_server(hass, text)
        except LlamaServerError as err:
            _LOGGER.info("Backup llama-server check of %s failed: %s", text, err)
            return _backup_error(checked, f"backup_{err.reason}", text)
        identity = server_identity(backup_props)
        if backup == url or backup in checked.backups or identity in seen:
            return _backup_error(checked, "backup_duplicate", backup)
        if backup_props.get("media_marker"):
            seen.add(identity)
        checked.backups.append(backup)
    return checked


def _backup_error(checked: CheckedServers, error: str, url: str) -> CheckedServers:
    checked.errors, checked.placeholders = {CONF_BACKUP_URLS: error}, {"url": url}
    return checked
