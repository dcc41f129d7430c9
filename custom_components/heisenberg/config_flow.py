"""Config flow: one entry per llama-server, one conversation subentry per agent."""

import logging
from typing import Any, override

import probatio
from homeassistant.config_entries import (
    ConfigEntry,
    ConfigEntryState,
    ConfigFlow,
    ConfigFlowResult,
    ConfigSubentryFlow,
    SubentryFlowResult,
)
from homeassistant.const import CONF_LLM_HASS_API, CONF_NAME
from homeassistant.core import HomeAssistant, callback
from homeassistant.data_entry_flow import SectionConfig, section
from homeassistant.helpers import llm
from homeassistant.helpers.selector import (
    NumberSelector,
    NumberSelectorConfig,
    NumberSelectorMode,
    SelectOptionDict,
    SelectSelector,
    SelectSelectorConfig,
    SelectSelectorMode,
    TemplateSelector,
    TextSelector,
    TextSelectorConfig,
)

from .agent_options import DEFAULT_AGENT_OPTIONS, AgentOptions
from .const import (
    CONF_BACKUP_URLS,
    CONF_CUSTOM_PROMPT,
    CONF_MAX_HISTORY_TURNS,
    CONF_MAX_TOKENS,
    CONF_MIN_P,
    CONF_PERSONA,
    CONF_PROMPT_FORMAT,
    CONF_REPEAT_PENALTY,
    CONF_TEMPERATURE,
    CONF_TIMEOUT,
    CONF_TOP_K,
    CONF_TOP_P,
    CONF_URL,
    DEFAULT_AGENT_NAME,
    DEFAULT_URL,
    DOMAIN,
)
from .personas import Persona
from .prompt_format import PromptFormat
from .server_checks import async_check_servers

_LOGGER = logging.getLogger(__name__)


def _persona_selector(personas: list[Persona]) -> SelectSelector:
    return SelectSelector(
        SelectSelectorConfig(
            options=[p.value for p in personas],
            translation_key=CONF_PERSONA,
            mode=SelectSelectorMode.DROPDOWN,
        )
    )


_PERSONA_SELECTOR = _persona_selector(list(Persona))
# The server step has no prompt field, so it offers only the built-in personas; a custom
# prompt is set in the agent's own form (add or reconfigure).
_BUILT_IN_PERSONA_SELECTOR = _persona_selector([p for p in Persona if p is not Persona.CUSTOM])
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

    @override
    async def async_step_user(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        checked = None
        if user_input is not None:
            checked = await async_check_servers(self.hass, user_input)
            if not checked.errors:
                await self.async_set_unique_id(checked.url)
                self._abort_if_unique_id_configured()
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

        schema = probatio.Schema(
            {
                probatio.Required(CONF_URL, default=DEFAULT_URL): TextSelector(),
                probatio.Optional(CONF_BACKUP_URLS): _BACKUPS_SELECTOR,
                probatio.Required(
                    CONF_PERSONA, default=_DEFAULT_PERSONA
                ): _BUILT_IN_PERSONA_SELECTOR,
            }
        )
        return self.async_show_form(
            step_id="user",
            data_schema=self.add_suggested_values_to_schema(schema, user_input or {}),
            errors=checked.errors if checked else {},
            description_placeholders=checked.placeholders if checked else {},
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


class AgentSubentryFlow(ConfigSubentryFlow):
    """Add or reconfigure a conversation agent (name, persona, format, generation)."""

    async def async_step_user(self, user_input: dict[str, Any] | None = None) -> SubentryFlowResult:
        """Add an agent."""
        return await self._async_step_agent(
            user_input, current={**DEFAULT_AGENT_OPTIONS, CONF_NAME: self._new_agent_name()}
        )

    def _new_agent_name(self) -> str:
        """A name to start from: "Heisenberg", or "Heisenberg 2", 3… when it is taken."""
        taken = {subentry.title for subentry in self._get_entry().subentries.values()}
        number = 1
        name = DEFAULT_AGENT_NAME
        while name in taken:
            number += 1
            name = f"{DEFAULT_AGENT_NAME} {number}"
        return name

    async def async_step_reconfigure(
        self, user_input: dict[str, Any] | None = None
    ) -> SubentryFlowResult:
        """Change an agent's settings."""
        subentry = self._get_reconfigure_subentry()
        # An agent saved before device control existed has none: show it as it is.
        current = {
            **DEFAULT_AGENT_OPTIONS,
            CONF_LLM_HASS_API: [],
            **subentry.data,
            CONF_NAME: subentry.title,
        }
        return await self._async_step_agent(user_input, current=current)

    async def _async_step_agent(
        self, user_input: dict[str, Any] | None, current: dict[str, Any]
    ) -> SubentryFlowResult:
        if self._get_entry().state is not ConfigEntryState.LOADED:
            return self.async_abort(reason="entry_not_loaded")
        errors: dict[str, str] = {}
        if user_input is not None:
            # The advanced settings come back as their own section; they are stored flat.
            # (Build the flat dict without the section: `{**d, **d.pop(k)}` would keep it.)
            advanced = user_input.get(ADVANCED_SECTION, {})
            user_input = {k: v for k, v in user_input.items() if k != ADVANCED_SECTION} | advanced
            errors = _validate_agent(user_input)
            if not errors:
                for key in _WHOLE_NUMBERS:  # number selectors hand back floats
                    if key in user_input:
                        user_input[key] = int(user_input[key])
                # An emptied multi-select is left out of the form's data: store "no API".
                user_input[CONF_LLM_HASS_API] = _known_apis(
                    self.hass, user_input.get(CONF_LLM_HASS_API)
                )
                # Stripped before the fallback: a name of spaces is no name.
                title = str(user_input.pop(CONF_NAME, "")).strip() or DEFAULT_AGENT_NAME
                if self.source == "user":
                    return self.async_create_entry(title=title, data=user_input)
                # Our own reason, so the frontend shows the integration's translated text.
                return self.async_update_and_abort(
                    self._get_entry(),
                    self._get_reconfigure_subentry(),
                    title=title,
                    data=user_input,
                    reason="agent_updated",
                )
        step_id = "user" if self.source == "user" else "reconfigure"
        return self.async_show_form(
            step_id=step_id,
            data_schema=self.add_suggested_values_to_schema(
                agent_schema(self.hass),
                _as_form_values(
                    user_input
                    if user_input is not None
                    else {
                        **current,
                        CONF_LLM_HASS_API: _known_apis(self.hass, current.get(CONF_LLM_HASS_API)),
                    }
                ),
            ),
            errors=errors,
        )


_WHOLE_NUMBERS = (CONF_TOP_K, CONF_MAX_TOKENS, CONF_TIMEOUT, CONF_MAX_HISTORY_TURNS)
# Settings most users never change, in a collapsed section of the agent form.
ADVANCED_SECTION = "advanced"
_ADVANCED = (
    CONF_PROMPT_FORMAT,
    CONF_TEMPERATURE,
    CONF_TOP_P,
    CONF_TOP_K,
    CONF_MIN_P,
    CONF_MAX_TOKENS,
    CONF_REPEAT_PENALTY,
    CONF_TIMEOUT,
    CONF_MAX_HISTORY_TURNS,
)


def _as_form_values(values: dict[str, Any]) -> dict[str, Any]:
    """Stored (flat) values as the form wants them: the advanced ones inside their section."""
    advanced = {key: values[key] for key in _ADVANCED if key in values}
    rest = {key: value for key, value in values.items() if key not in _ADVANCED}
    return {**rest, ADVANCED_SECTION: advanced}


def _validate_agent(user_input: dict[str, Any]) -> dict[str, str]:
    # The template selector itself rejects a prompt that is not a valid template.
    prompt = str(user_input.get(CONF_CUSTOM_PROMPT) or "").strip()
    if user_input.get(CONF_PERSONA) == Persona.CUSTOM and not prompt:
        return {CONF_CUSTOM_PROMPT: "custom_prompt_required"}
    return {}


def _number(low: float, high: float, step: float, unit: str | None = None) -> NumberSelector:
    config = NumberSelectorConfig(min=low, max=high, step=step, mode=NumberSelectorMode.BOX)
    if unit:
        config["unit_of_measurement"] = unit
    return NumberSelector(config)


def _known_apis(hass: HomeAssistant, value: Any) -> list[str]:
    """The stored API ids that still exist (an API can go away with its integration)."""
    known = {api.id for api in llm.async_get_apis(hass)}
    ids = [value] if isinstance(value, str) else list(value or [])
    return [api_id for api_id in ids if api_id in known]


def agent_schema(hass: HomeAssistant) -> probatio.Schema:
    """The agent form; values come from `add_suggested_values_to_schema`."""
    apis = [SelectOptionDict(label=api.name, value=api.id) for api in llm.async_get_apis(hass)]
    return probatio.Schema(
        {
            probatio.Required(CONF_NAME): TextSelector(),
            probatio.Required(CONF_PERSONA): _PERSONA_SELECTOR,
            probatio.Optional(CONF_CUSTOM_PROMPT): TemplateSelector(),
            probatio.Optional(CONF_LLM_HASS_API): SelectSelector(
                SelectSelectorConfig(options=apis, multiple=True)
            ),
            probatio.Required(ADVANCED_SECTION): section(
                probatio.Schema(
                    {
                        probatio.Required(CONF_PROMPT_FORMAT): SelectSelector(
                            SelectSelectorConfig(
                                options=[f.value for f in PromptFormat],
                                translation_key=CONF_PROMPT_FORMAT,
                                mode=SelectSelectorMode.DROPDOWN,
                            )
                        ),
                        probatio.Required(CONF_TEMPERATURE): _number(0, 2, 0.05),
                        probatio.Required(CONF_TOP_P): _number(0, 1, 0.05),
                        probatio.Required(CONF_TOP_K): _number(0, 200, 1),
                        probatio.Required(CONF_MIN_P): _number(0, 1, 0.05),
                        probatio.Required(CONF_MAX_TOKENS): _number(1, 4096, 1),
                        probatio.Required(CONF_REPEAT_PENALTY): _number(1, 2, 0.05),
                        probatio.Required(CONF_TIMEOUT): _number(5, 300, 1, "s"),
                        probatio.Required(CONF_MAX_HISTORY_TURNS): _number(0, 20, 1),
                    }
                ),
                SectionConfig(collapsed=True),
            ),
        }
    )
