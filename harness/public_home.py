"""A home of the public home-assistant-datasets benchmark (its `_fixtures.yaml`: areas, devices,
entities with states and attributes), built from HA's own entities as `home_builder` builds ours.

Their harness loads each fixture into the `synthetic_home` custom integration (not on PyPI);
here each entity becomes the real HA entity of its kind (template light, cover, lock, fan and
vacuum, a universal media player over helpers, the valve stand-in, HA's shopping list as the
to-do list), with the fixture's entity id, name and area, all exposed to Assist (or with HA's default
exposure, which leaves out locks and valves). `async_apply` puts an entity into a fixture state through
HA's services (the state machine directly only where no service reaches that state).
"""

from typing import Any

from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er

from .everyday_home import async_add_shopping_list, async_todo_items
from .home_builder import Area, Device, Home, async_build, async_set_media

KINDS = {"lock": "lock", "fan": "fan", "vacuum": "vacuum", "valve": "valve",
         "media_player": "media", "sensor": "sensor", "binary_sensor": "binary_sensor",
         "switch": "switch"}  # fmt: skip


def _text(value: Any) -> str:
    """A fixture state as HA writes it (YAML gives false for "off" / "closed")."""
    if value is False:
        return "off"
    if value is True:
        return "on"
    return str(value)


def _device(entity: dict[str, Any], areas: dict[str, str]) -> Device | None:
    entity_id: str = entity["id"]
    domain = entity_id.split(".", 1)[0]
    attributes = entity.get("attributes") or {}
    features = " ".join(str(f) for f in attributes.get("supported_features") or [])
    device_class = str(attributes.get("device_class", "")).rsplit(".", 1)[-1].lower() or None
    if domain == "light":
        kind = (
            "dimmer" if "brightness" in (attributes.get("supported_color_modes") or []) else "light"
        )
    elif domain == "cover":
        kind = "blind" if "SET_POSITION" in features else "cover"
    elif domain in KINDS:
        kind = KINDS[domain]
    else:
        return None  # the to-do list is HA's shopping list, added apart
    default = {"light": "on", "fan": "on", "lock": "locked", "vacuum": "docked"}.get(domain)
    initial = _text(entity.get("state", default or "off"))
    if domain in ("cover", "valve") and initial in ("off", "on"):
        initial = "closed" if initial == "off" else "open"
    if kind in ("sensor", "binary_sensor"):
        device_class = device_class if kind == "binary_sensor" else None
    area = areas.get(entity.get("area") or "")
    return Device(entity_id, entity["name"], area, kind, (), initial=initial,
                  device_class=device_class, unit=attributes.get("native_unit_of_measurement"))  # fmt: skip


def home_from_fixture(fixture: dict[str, Any], *, ha_default_exposure: bool = False) -> Home:
    areas = {a["id"]: a["name"] for a in fixture.get("areas") or []}
    devices = [d for e in fixture.get("entities") or [] if (d := _device(e, areas))]
    return Home(devices, [Area(name) for name in areas.values()],
                ha_default_exposure=ha_default_exposure)  # fmt: skip


async def async_build_public_home(
    hass: HomeAssistant, fixture: dict[str, Any], *, ha_default_exposure: bool = False
) -> Home:
    """The fixture's home; every entity exposed (their published runs reach locks and valves,
    which HA's defaults do not expose), or HA's default exposure."""
    home = home_from_fixture(fixture, ha_default_exposure=ha_default_exposure)
    await async_build(hass, home)
    todo = [e for e in fixture.get("entities") or [] if e["id"].startswith("todo.")]
    if todo:
        await async_add_shopping_list(hass)
        er.async_get(hass).async_update_entity(
            "todo.shopping_list", new_entity_id=todo[0]["id"], name=todo[0]["name"]
        )
    return home


async def async_apply(
    hass: HomeAssistant, device: Device, state: str, attributes: dict[str, Any]
) -> None:
    """Put `device` into a fixture state (and the attributes this harness can set)."""
    entity_id, kind = device.entity_id, device.kind
    data: dict[str, Any] = {"entity_id": entity_id}

    async def call(domain: str, service: str, **extra: Any) -> None:
        await hass.services.async_call(domain, service, data | extra, blocking=True)

    if kind in ("light", "dimmer", "switch", "fan"):
        domain = {"dimmer": "light"}.get(kind, kind)
        brightness = attributes.get("brightness")
        if state == "on" and kind == "dimmer" and brightness:
            await call("light", "turn_on", brightness=brightness)
        else:
            await call(domain, "turn_on" if state == "on" else "turn_off")
    elif kind in ("cover", "blind", "valve"):
        domain = "cover" if kind != "valve" else "valve"
        suffix = "cover" if domain == "cover" else "valve"
        position = attributes.get("current_position")
        if position is not None and kind != "cover":
            await call(domain, f"set_{suffix}_position", position=int(position))
        else:
            await call(domain, f"{'open' if state == 'open' else 'close'}_{suffix}")
    elif kind == "lock":
        await call("lock", "lock" if state == "locked" else "unlock")
    elif kind == "vacuum":
        if state == "cleaning":
            await call("vacuum", "start")
        else:
            current = hass.states.get(entity_id)
            hass.states.async_set(entity_id, state, current.attributes if current else None)
    elif kind == "media":
        await async_set_media(hass, device, state, volume=float(attributes.get("volume_level", 0.3)),
                              track=int(attributes.get("media_track", 1)))  # fmt: skip
    await hass.async_block_till_done()


async def async_clear_todo(hass: HomeAssistant, entity_id: str) -> None:
    items = await async_todo_items(hass, entity_id)
    if items:
        await hass.services.async_call("todo", "remove_item", {
            "entity_id": entity_id, "item": [i["summary"] for i in items]}, blocking=True)  # fmt: skip
