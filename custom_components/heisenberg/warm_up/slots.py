"""Which slot of a llama-server each warm prefix goes to, and copies of them in the others.

A prefix already warm stays in its slot: a re-warm (a pipeline added, the date at midnight, a
device renamed) must not evaluate a new prefix over a warm one that a question may be about to
use, while a copy of it sits in another slot. A new prefix takes a slot that holds nothing, a
prefix no agent uses any more, or a copy, in that order.
"""

import hashlib
import logging

from ..llama_client import LlamaServerError
from ..server_pool import LlamaServer

_LOGGER = logging.getLogger(__name__)


def choose_slots(server: LlamaServer, keys: list[str]) -> list[int | None]:
    """The slot for each prefix `keys` names (`prefixes.warmed_key`), in that order; None for a
    server with one slot. Prefixes beyond the slots share them (prefix i in slot i mod n)."""
    if server.slots < 2:
        return [None] * len(keys)
    chosen: dict[int, int] = {}  # key index -> slot
    # First, each prefix warm now (or its previous version) keeps a slot that holds it.
    for index, key in enumerate(keys):
        current = server.warmed_prefixes.get(key)
        for slot, held in sorted(server.slot_prefixes.items()):
            if current is not None and held == current and slot not in chosen.values():
                chosen[index] = slot
                break
    wanted = {server.warmed_prefixes.get(key) for key in keys}
    for index in range(len(keys)):
        if index in chosen:
            continue
        free = [s for s in range(server.slots) if s not in chosen.values()]
        if not free:
            chosen[index] = index % server.slots
            continue
        chosen[index] = min(free, key=lambda slot: _worth(server, slot, wanted, chosen))
    return [chosen[index] for index in range(len(keys))]


def _worth(
    server: LlamaServer, slot: int, wanted: set[str | None], chosen: dict[int, int]
) -> tuple[int, int]:
    """How much is lost by evaluating a new prefix over this slot (lower: less)."""
    held = server.slot_prefixes.get(slot)
    if held is None:
        return (0, slot)
    if held not in wanted:
        return (1, slot)  # no agent's prefix any more
    kept = [server.slot_prefixes.get(s) for s in chosen.values()]
    copies = sum(1 for s, p in server.slot_prefixes.items() if p == held and s != slot)
    return (2, slot) if held in kept or copies else (3, slot)


async def async_fill_slots(server: LlamaServer, sources: list[int]) -> None:
    """Give every slot of the server a warm prefix: the prefixes are in slots `sources`, and
    each other slot gets a copy of one of them, in turn. llama-server puts a question in the
    idle slot whose cache matches it best; its prompt cache in RAM keeps what a slot held when
    a request starts in it and hands it to a slot that holds something, but never fills an
    empty slot (measured, Debian's build 11669), so without this the first question in a
    second slot (two satellites at once) evaluates the whole prefix again: 5 s on 2 cores with
    the default model, measured. A copy goes through llama-server's slot files
    (--slot-save-path, which the launcher sets), each source saved once; a server without
    them evaluates the prefix in that slot instead."""
    if not sources or server.slots < 2:
        return
    client, saved = server.client, set[int]()
    targets = [slot for slot in range(server.slots) if slot not in sources]
    for turn, target in enumerate(targets):
        source = sources[turn % len(sources)]
        prefix = server.slot_prefixes.get(source)
        if prefix is None or server.slot_prefixes.get(target) == prefix:
            continue  # its agent was not warmed there, or the copy is already in place
        filename = f"heisenberg-{hashlib.sha256(prefix.encode()).hexdigest()[:16]}.bin"
        try:
            if not server.copy_slots_unsupported and source not in saved:
                saved_now = await client.slot_file(source, "save", filename)
                server.copy_slots_unsupported = not saved_now
                saved.add(source)
            if not server.copy_slots_unsupported:
                restored = await client.slot_file(target, "restore", filename)
                server.copy_slots_unsupported = not restored
            if server.copy_slots_unsupported:
                await client.warm_up(prefix, 120.0, target)
        except LlamaServerError as err:
            _LOGGER.debug("Slot %s of %s not warmed: %s", target, server.url, err)
            return
        server.slot_prefixes[target] = prefix
