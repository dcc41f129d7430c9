"""config.yaml, read by hassfest's `config_entry` check, says what the flows store: the same
versions, fields and selectors as config_flow.py, so that a new setting cannot be left out."""

from pathlib import Path
from typing import Any

import probatio
from homeassistant import config_entries
from homeassistant.const import CONF_LLM_HASS_API, CONF_NAME
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType, section
from homeassistant.helpers import selector
from homeassistant.util.yaml import load_yaml_dict
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.heisenberg.agent_options import DEFAULT_AGENT_OPTIONS
from custom_components.heisenberg.config_flow import HeisenbergConfigFlow
from custom_components.heisenberg.const import (
    CONF_BACKUP_URLS,
    CONF_CUSTOM_PROMPT,
    CONF_PERSONA,
    CONF_URL,
    DOMAIN,
)

from .conftest import EntryFactory
from .fault_server import FaultServer

CONFIG_YAML = Path(__file__).resolve().parents[2] / "custom_components/heisenberg/config.yaml"

# hassfest's rules for config.yaml (script/hassfest/config_entry.py), written out here.
_FIELDS = {
    probatio.Required("fields"): {
        str: {
            probatio.Optional("required"): bool,
            probatio.Optional("default"): object,
            probatio.Optional("example"): object,
            probatio.Required("selector"): selector.validate_selector,
        }
    }
}
_POSITIVE = probatio.All(int, probatio.Range(min=1))
_VERSIONS = [
    {
        probatio.Required("version"): {"major": _POSITIVE, "minor": _POSITIVE},
        probatio.Required("data"): _FIELDS,
        probatio.Required("options"): _FIELDS,
    }
]
_ROOT = probatio.Schema(
    {
        probatio.Required("config_entry"): {
            probatio.Required("versions"): _VERSIONS,
            probatio.Optional("subentries"): {str: {probatio.Required("versions"): _VERSIONS}},
        }
    }
)


def _config() -> dict[str, Any]:
    return load_yaml_dict(str(CONFIG_YAML))["config_entry"]  # type: ignore[no-any-return]


def _current(block: dict[str, Any]) -> dict[str, Any]:
    """The newest version of the entry or of a subentry type: what the flow writes now."""
    return max(block["versions"], key=lambda v: (v["version"]["major"], v["version"]["minor"]))


def _form_selectors(schema: Any) -> dict[str, dict[str, Any]]:
    """A form's fields and their selectors, a section's fields flat as the flow stores them."""
    fields: dict[str, dict[str, Any]] = {}
    for key, value in schema.schema.items():
        if isinstance(value, section):
            fields |= _form_selectors(value.schema)
        else:
            fields[str(key)] = {value.selector_type: dict(value.config)}
    return fields


def _form_input(schema: Any, values: dict[str, Any]) -> dict[str, Any]:
    """Flat values as the form takes them back: a section's inside the section."""
    form: dict[str, Any] = {}
    for key, value in schema.schema.items():
        if isinstance(value, section):
            form[str(key)] = _form_input(value.schema, values)
        elif str(key) in values:
            form[str(key)] = values[str(key)]
    return form


def test_config_yaml_follows_hassfests_schema() -> None:
    config = _ROOT(load_yaml_dict(str(CONFIG_YAML)))["config_entry"]
    for block in [config, *config.get("subentries", {}).values()]:
        versions = [(v["version"]["major"], v["version"]["minor"]) for v in block["versions"]]
        assert versions and len(set(versions)) == len(versions)


def test_versions_are_the_flows() -> None:
    config = _config()
    flow = HeisenbergConfigFlow
    assert _current(config)["version"] == {"major": flow.VERSION, "minor": flow.MINOR_VERSION}
    subentry_flows = flow.async_get_supported_subentry_types(MockConfigEntry(domain=DOMAIN))
    assert set(config["subentries"]) == set(subentry_flows)
    for subentry_type, subentry_flow in subentry_flows.items():
        version = _current(config["subentries"][subentry_type])["version"]
        assert version == {"major": subentry_flow.VERSION, "minor": subentry_flow.MINOR_VERSION}


async def test_entry_fields_are_what_the_server_step_stores(
    ha_ready: HomeAssistant, fault_server: FaultServer
) -> None:
    hass = ha_ready
    current = _current(_config())
    fields = current["data"]["fields"]
    form = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": config_entries.SOURCE_USER}
    )
    shown = _form_selectors(form["data_schema"])
    for key in (CONF_URL, CONF_BACKUP_URLS):
        assert selector.validate_selector(fields[key]["selector"]) == shown[key], key
    result = await hass.config_entries.flow.async_configure(
        form["flow_id"], {CONF_URL: fault_server.url, CONF_PERSONA: "concise"}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    await hass.async_block_till_done(wait_background_tasks=True)
    entry = result["result"]
    assert set(entry.data) == set(fields)
    assert entry.data[CONF_BACKUP_URLS] == fields[CONF_BACKUP_URLS]["default"] == []
    assert entry.options == {} and current["options"]["fields"] == {}
    # The persona chosen here goes to the first agent, with every other setting's default.
    agent = _current(_config()["subentries"]["conversation"])["data"]["fields"]
    (first,) = entry.subentries.values()
    assert {key for key, field in agent.items() if field.get("required")} <= set(first.data)
    assert set(first.data) <= set(agent)


async def test_agent_fields_are_what_the_agent_form_stores(
    hass: HomeAssistant, setup_entry: EntryFactory, fault_server: FaultServer
) -> None:
    entry = await setup_entry(fault_server.url)
    current = _current(_config()["subentries"]["conversation"])
    assert current["options"]["fields"] == {}  # a subentry has no options
    fields = current["data"]["fields"]
    defaults = {key: field["default"] for key, field in fields.items() if "default" in field}
    assert defaults == DEFAULT_AGENT_OPTIONS  # what a new agent is saved with
    # An agent may lack these: no custom prompt, or saved before device control existed.
    assert not fields[CONF_CUSTOM_PROMPT]["required"] and not fields[CONF_LLM_HASS_API]["required"]

    form = await hass.config_entries.subentries.async_init(
        (entry.entry_id, "conversation"), context={"source": config_entries.SOURCE_USER}
    )
    shown = _form_selectors(form["data_schema"])
    del shown[CONF_NAME]  # the subentry's title, not its data
    assert set(shown) == set(fields)
    # The API options are the APIs registered at run time; the defaults are among them.
    apis = shown[CONF_LLM_HASS_API]["select"].pop("options")
    assert set(defaults[CONF_LLM_HASS_API]) <= {api["value"] for api in apis}
    shown[CONF_LLM_HASS_API]["select"]["options"] = []
    for key, field in fields.items():
        assert selector.validate_selector(field["selector"]) == shown[key], key

    # Every field filled in is stored under its own key.
    prompt = {CONF_PERSONA: "custom", CONF_CUSTOM_PROMPT: "You serve {{ ha_name }}."}
    values = {CONF_NAME: "Chef", **defaults, **prompt}
    result = await hass.config_entries.subentries.async_configure(
        form["flow_id"], _form_input(form["data_schema"], values)
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    await hass.async_block_till_done(wait_background_tasks=True)
    chef = next(s for s in entry.subentries.values() if s.title == "Chef")
    assert set(chef.data) == set(fields)
    assert dict(chef.data) == {**defaults, **prompt}
