"""The persona pickers, shared by the server form (built-in personas only) and the agent form."""

from homeassistant.helpers.selector import (
    SelectSelector,
    SelectSelectorConfig,
    SelectSelectorMode,
)

from .const import CONF_PERSONA
from .personas import Persona


def _persona_selector(personas: list[Persona]) -> SelectSelector:
    return SelectSelector(
        SelectSelectorConfig(
            options=[p.value for p in personas],
            translation_key=CONF_PERSONA,
            mode=SelectSelectorMode.DROPDOWN,
        )
    )


PERSONA_SELECTOR = _persona_selector(list(Persona))
# The server step has no prompt field, so it offers only the built-in personas; a custom
# prompt is set in the agent's own form (add or reconfigure).
BUILT_IN_PERSONA_SELECTOR = _persona_selector([p for p in Persona if p is not Persona.CUSTOM])
