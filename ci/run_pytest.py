"""pytest for the HA release runs (scripts/bootstrap.sh's run_ha_releases), with Home Assistant
imported first and the newest harness adapted to a newer HA.

- HA 2026.11 makes `httpx2` answer for `httpx` when it is imported, which fails once anything
  imported httpx before it; respx's pytest plugin, loaded with the other plugins before the
  harness, does. Importing HA first keeps the order HA expects.
- No pytest-homeassistant-custom-component release is made for the newest HA yet: the newest
  one (for 2026.10.4) imports `_clear_logger_overwrites` from the logger component, which HA
  2026.11 keeps in its `helpers` module only. It is given back under the old name; nothing else
  of HA is changed.
"""

import sys

import homeassistant  # noqa: F401  (first: see above)
import pytest
from homeassistant.components import logger
from homeassistant.components.logger import helpers

if not hasattr(logger, "_clear_logger_overwrites"):
    logger._clear_logger_overwrites = helpers._clear_logger_overwrites  # type: ignore[attr-defined]

sys.exit(pytest.main())
