"""Config flow: one entry per llama-server (typed in, or discovered from the add-on), one
conversation subentry per agent (agent_flow.py)."""

import logging
from typing import Any, override

import probatio
from homeassistant.config_entries import (
    ConfigEntry,
    ConfigFlow,
    ConfigFlowResult,
    ConfigSubentryFlow,
)
from homeassistant.core import callback
from homeassistant.helpers.selector import TextSelector, TextSelectorConfig
from homeassistant.helpers.service_info.hassio import HassioServiceInfo

from .agent_flow import AgentSubentryFlow
from .agent_options import DEFAULT_AGENT_OPTIONS, AgentOptions
from .const import (
    CONF_BACKUP_URLS,
    CONF_PERSONA,
    CONF_URL,
    DEFAULT_AGENT_NAME,
    DEFAULT_URL,
    DOMAIN,
)
from .llama_client import InvalidUrl, normalize_url
from .selectors import BUILT_IN_PERSONA_SELECTOR
from .server_checks import CheckedServers, async_check_servers

_LOGGER = logging.getLogger(__name__)


# The server step starts from the agents' own default persona.
_DEFAULT_PERSONA = AgentOptions().persona


# A multi-line list of URLs, one per row (like the main URL field, plain text: people type
# host:port without a scheme, which the browser's URL type would refuse).
_BACKUPS_SELECTOR = TextSelector(TextSelectorConfig(multiple=True))


class HeisenbergConfigFlow(ConfigFlow, domain=DOMAIN):
    """Add a llama-server and its first agent."""

    VERSION = 1
    # 1.2: backup servers (`CONF_BACKUP_URLS`); `async_migrate_entry` gives older entries none.
    MINOR_VERSION = 2

    _discovered_url: str = ""
    _discovered_by: str = ""

    @override
    async def async_step_user(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        checked = None
        if user_input is not None:
            checked = await async_check_servers(self.hass, user_input)
            if not checked.errors:
                await self.async_set_unique_id(checked.url)
                self._abort_if_unique_id_configured()
                return self._create_server_entry(checked, user_input)

        schema = probatio.Schema(
            {
                probatio.Required(CONF_URL, default=DEFAULT_URL): TextSelector(),
                probatio.Optional(CONF_BACKUP_URLS): _BACKUPS_SELECTOR,
                probatio.Required(
                    CONF_PERSONA, default=_DEFAULT_PERSONA
                ): BUILT_IN_PERSONA_SELECTOR,
            }
        )
        return self.async_show_form(
            step_id="user",
            data_schema=self.add_suggested_values_to_schema(schema, user_input or {}),
            errors=checked.errors if checked else {},
            description_placeholders=checked.placeholders if checked else {},
        )

    def _create_server_entry(
        self, checked: CheckedServers, user_input: dict[str, Any]
    ) -> ConfigFlowResult:
        """The server's entry with its first agent (the default persona unless one was chosen)."""
        return self.async_create_entry(
            title=_server_title(checked.url, checked.props),
            data={CONF_URL: checked.url, CONF_BACKUP_URLS: checked.backups},
            subentries=[
                {
                    "subentry_type": "conversation",
                    "data": {
                        **DEFAULT_AGENT_OPTIONS,
                        CONF_PERSONA: user_input.get(CONF_PERSONA, _DEFAULT_PERSONA),
                    },
                    "title": DEFAULT_AGENT_NAME,
                    "unique_id": None,
                }
            ],
        )

    async def async_step_hassio(self, discovery_info: HassioServiceInfo) -> ConfigFlowResult:
        """A llama-server announced by the Heisenberg add-on through the Supervisor."""
        try:
            url = str(normalize_url(str(discovery_info.config.get(CONF_URL) or "")))
        except InvalidUrl:
            return self.async_abort(reason="invalid_discovery")
        # Keyed by URL like a server added by hand: the same server is never added twice.
        await self.async_set_unique_id(url)
        self._abort_if_unique_id_configured()
        self._discovered_url, self._discovered_by = url, discovery_info.name
        self.context["title_placeholders"] = {"name": discovery_info.name}
        return await self.async_step_hassio_confirm()

    async def async_step_hassio_confirm(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Add the discovered server, checked like one typed in, with its first agent."""
        checked = None
        if user_input is not None:
            checked = await async_check_servers(self.hass, {CONF_URL: self._discovered_url})
            if not checked.errors:
                return self._create_server_entry(checked, user_input)
        schema = probatio.Schema(
            {
                probatio.Required(
                    CONF_PERSONA, default=_DEFAULT_PERSONA
                ): BUILT_IN_PERSONA_SELECTOR,
            }
        )
        return self.async_show_form(
            step_id="hassio_confirm",
            data_schema=self.add_suggested_values_to_schema(schema, user_input or {}),
            errors=checked.errors if checked else {},
            description_placeholders={"addon": self._discovered_by, "url": self._discovered_url},
        )

    async def async_step_reconfigure(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Move the entry to another llama-server URL, or change its backups, checked like
        the first step; the agents (subentries) stay as they are."""
        entry = self._get_reconfigure_entry()
        checked = None
        if user_input is not None:
            checked = await async_check_servers(self.hass, user_input)
            if not checked.errors:
                if checked.url != entry.unique_id:
                    await self.async_set_unique_id(checked.url)
                    self._abort_if_unique_id_configured()
                return self.async_update_reload_and_abort(
                    entry,
                    unique_id=checked.url,
                    title=_server_title(checked.url, checked.props),
                    data_updates={CONF_URL: checked.url, CONF_BACKUP_URLS: checked.backups},
                    reason="server_updated",
                )
        schema = probatio.Schema(
            {
                probatio.Required(CONF_URL): TextSelector(),
                probatio.Optional(CONF_BACKUP_URLS): _BACKUPS_SELECTOR,
            }
        )
        current = {
            CONF_URL: entry.data[CONF_URL],
            CONF_BACKUP_URLS: list(entry.data.get(CONF_BACKUP_URLS, [])),
        }
        return self.async_show_form(
            step_id="reconfigure",
            data_schema=self.add_suggested_values_to_schema(schema, user_input or current),
            errors=checked.errors if checked else {},
            description_placeholders=checked.placeholders if checked else {},
        )

    @classmethod
    @callback
    @override
    def async_get_supported_subentry_types(
        cls, config_entry: ConfigEntry
    ) -> dict[str, type[ConfigSubentryFlow]]:
        return {"conversation": AgentSubentryFlow}


def _server_title(url: str, props: dict[str, Any]) -> str:
    model = str(props.get("model_alias") or props.get("model_path") or "").rsplit("/", 1)[-1]
    return f"llama-server {url.split('://', 1)[-1]}" + (f" ({model})" if model else "")
