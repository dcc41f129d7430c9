"""Zeroconf (mDNS) announcement so Home Assistant discovers the server by itself.

Announces `_wyoming._tcp` with an address clients can reach: the one given, else the bound
address, else the address of the interface that routes to the mDNS group (never 0.0.0.0).
"""

from __future__ import annotations

import logging
import socket

from zeroconf import IPVersion
from zeroconf.asyncio import AsyncServiceInfo, AsyncZeroconf

_LOGGER = logging.getLogger(__name__)
SERVICE_TYPE = "_wyoming._tcp.local."
MDNS_GROUP = "224.0.0.251"


def reachable_address(bind_host: str, host: str | None) -> str:
    if host:
        return host
    if bind_host and bind_host not in ("0.0.0.0", "::", "*"):
        return bind_host
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        probe.connect((MDNS_GROUP, 5353))  # no packet is sent; this only picks the route
        return str(probe.getsockname()[0])


class Announcement:
    def __init__(self, name: str, port: int, address: str) -> None:
        self.info = AsyncServiceInfo(
            SERVICE_TYPE,
            f"{name}.{SERVICE_TYPE}",
            addresses=[socket.inet_aton(address)],
            port=port,
            server=f"{socket.gethostname()}.local.",
        )
        self.zeroconf = AsyncZeroconf(ip_version=IPVersion.V4Only)

    async def start(self) -> None:
        await self.zeroconf.async_register_service(self.info)

    async def stop(self) -> None:
        await self.zeroconf.async_unregister_service(self.info)
        await self.zeroconf.async_close()


async def announce(name: str, bind_host: str, port: int, host: str | None) -> Announcement | None:
    """Start announcing; a failure is logged, never fatal (the server works without it)."""
    try:
        address = reachable_address(bind_host, host)
        announcement = Announcement(name, port, address)
        await announcement.start()
    except OSError as err:
        _LOGGER.error("Zeroconf announcement failed: %s", err)  # noqa: TRY400 - no traceback
        return None
    _LOGGER.info("Announced '%s' over zeroconf at %s:%s", name, address, port)
    return announcement
