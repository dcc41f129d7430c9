"""The agent form: add or reconfigure a conversation agent (a subentry of a server's entry)."""

from typing import Any

import probatio
from homeassistant.config_entries import ConfigEntryState, ConfigSubentryFlow, SubentryFlowResult
from homeassistant.const import CONF_LLM_HASS_API, CONF_NAME
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import SectionConfig, section
from homeassistant.exceptions import TemplateError
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
)
from homeassistant.helpers.template import Template

from .agent_options import DEFAULT_AGENT_OPTIONS
from .const import (
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
    DEFAULT_AGENT_NAME,
)
from .personas import Persona
from .prompt_format import PromptFormat
from .selectors import PERSONA_SELECTOR

# Shown in the custom prompt's help: how a template variable is written (the translations
# cannot hold braces, which the frontend reads as placeholders).
TEMPLATE_EXAMPLE = "`{{ ha_name }}`"


class PromptSelector(TemplateSelector):
    """HA's template editor, without the selector's own check: that one fails the form with
    Jinja's English message. The flow checks the template and says what is wrong in the
    user's language (`_validate_agent`)."""

    def __call__(self, data: Any) -> str:
        if not isinstance(data, str):
            raise probatio.Invalid("expected text")
        return data


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
        placeholders = {"template_example": TEMPLATE_EXAMPLE}
        if user_input is not None:
            # The advanced settings come back as their own section; they are stored flat.
            # (Build the flat dict without the section: `{**d, **d.pop(k)}` would keep it.)
            advanced = user_input.get(ADVANCED_SECTION, {})
            user_input = {k: v for k, v in user_input.items() if k != ADVANCED_SECTION} | advanced
            errors, placeholders = _validate_agent(self.hass, user_input)
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
            description_placeholders={"template_example": TEMPLATE_EXAMPLE, **placeholders},
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


def _validate_agent(
    hass: HomeAssistant, user_input: dict[str, Any]
) -> tuple[dict[str, str], dict[str, str]]:
    """The form's errors and their placeholders (a broken template's line)."""
    prompt = str(user_input.get(CONF_CUSTOM_PROMPT) or "").strip()
    if user_input.get(CONF_PERSONA) == Persona.CUSTOM and not prompt:
        return {CONF_CUSTOM_PROMPT: "custom_prompt_required"}, {}
    if prompt:
        try:
            Template(prompt, hass).ensure_valid()
        except TemplateError as err:
            line = getattr(err.__cause__, "lineno", None) or 1
            return {CONF_CUSTOM_PROMPT: "invalid_template"}, {"line": str(line)}
    return {}, {}


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
            probatio.Required(CONF_PERSONA): PERSONA_SELECTOR,
            probatio.Optional(CONF_CUSTOM_PROMPT): PromptSelector(),
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
