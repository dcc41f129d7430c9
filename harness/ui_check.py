"""What the UI says, checked in the real frontend: a real `hass` (harness/real_hass.py) in
French, driven by headless Chromium over the DevTools protocol, with real llama-servers.

    .venv/bin/python -m harness.ui_check [--out docs/ui] [--language fr]

It opens the server form (add integration), the agent form (add a conversation agent), then
stops both servers and opens the repairs, saving a screenshot of each and checking the text
the page really shows (every string in the shadow DOM): what must be there, and what must not
(English connection errors, Jinja messages, the old wording). It prints one line per check and
exits 1 if any fails. It takes about three minutes (HA waits a minute before a repair), so it
is not part of the test suite; scripts/bootstrap.sh `bootstrap_venv ui-check` installs the
frontend, Debian's `chromium` package is the browser.
"""

import argparse
import asyncio
import base64
import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import aiohttp

from launcher.llama_server import LlamaServerProcess, find_llama_server
from launcher.llm_models import resolve_model
from launcher.process import free_port

from .real_hass import RealHass

# Every text node of the page, through shadow roots (the frontend is web components).
PAGE_TEXT = """(() => { const out = [];
  const walk = (n) => {
    if (n.nodeType === 3) { const p = n.parentNode && n.parentNode.nodeName;
      const t = n.textContent.trim(); if (t && p !== 'STYLE' && p !== 'SCRIPT') out.push(t); }
    if (n.shadowRoot) walk(n.shadowRoot);
    for (const c of n.childNodes) walk(c);
  };
  walk(document.body); return out.join('\\n'); })()"""

# Click the innermost clickable element whose text is exactly `label`.
CLICK = """((label) => { const found = [];
  const walk = (n) => {
    if (n.nodeType === 1 && (n.textContent || '').trim() === label) found.push(n);
    if (n.shadowRoot) walk(n.shadowRoot);
    for (const c of n.children || []) walk(c);
  };
  walk(document.body);
  const target = found.reverse().find((n) => n.closest('button, ha-button, a, ha-list-item, ha-md-list-item, ha-clickable-list-item') || n.click);
  if (!target) return false;
  (target.closest('button, ha-button, a, ha-list-item, ha-md-list-item') || target).click();
  return true; })"""


class Browser:
    """Headless Chromium and one page, over the DevTools protocol."""

    def __init__(self, storage: dict[str, str], origin: str) -> None:
        self.storage, self.origin = storage, origin
        self.port = free_port()
        self._profile = tempfile.TemporaryDirectory(prefix="heisenberg-chromium-")
        binary = shutil.which("chromium") or shutil.which("chromium-browser")
        if binary is None:
            raise RuntimeError("Chromium is not installed (Debian: apt-get install chromium)")
        self._process = subprocess.Popen(
            [binary, "--headless=new", "--no-sandbox", "--disable-gpu", "--lang=fr-FR",
             f"--remote-debugging-port={self.port}", f"--user-data-dir={self._profile.name}",
             "--window-size=1280,900", "about:blank"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        self._session: aiohttp.ClientSession | None = None
        self._ws: aiohttp.ClientWebSocketResponse | None = None
        self._next = 0

    async def start(self) -> None:
        deadline = time.monotonic() + 30
        self._session = aiohttp.ClientSession()
        while True:
            try:
                async with self._session.get(f"http://127.0.0.1:{self.port}/json") as answer:
                    pages = [t for t in await answer.json() if t["type"] == "page"]
                break
            except aiohttp.ClientError:
                if time.monotonic() > deadline:
                    raise
                await asyncio.sleep(0.5)
        self._ws = await self._session.ws_connect(pages[0]["webSocketDebuggerUrl"], max_msg_size=0)
        await self.send("Page.enable")
        await self.send(
            "Emulation.setDeviceMetricsOverride",
            {"width": 1280, "height": 900, "deviceScaleFactor": 1, "mobile": False},
        )
        setters = "".join(
            f"localStorage.setItem({json.dumps(k)}, {json.dumps(v)});"
            for k, v in self.storage.items()
        )
        source = f"if (location.origin === {json.dumps(self.origin)}) {{ {setters} }}"
        await self.send("Page.addScriptToEvaluateOnNewDocument", {"source": source})

    async def send(self, method: str, params: dict[str, Any] | None = None) -> dict[str, Any]:
        assert self._ws is not None
        self._next += 1
        await self._ws.send_json({"id": self._next, "method": method, "params": params or {}})
        while True:
            message = await self._ws.receive_json()
            if message.get("id") == self._next:
                if "error" in message:
                    raise RuntimeError(f"{method}: {message['error']}")
                return dict(message.get("result") or {})

    async def evaluate(self, expression: str) -> Any:
        result = await self.send(
            "Runtime.evaluate",
            {"expression": expression, "returnByValue": True, "awaitPromise": True},
        )
        return (result.get("result") or {}).get("value")

    async def open(self, path: str, wait_for: str, seconds: float = 180) -> None:
        await self.send("Page.navigate", {"url": f"{self.origin}{path}"})
        await self.wait_for(wait_for, seconds)

    async def wait_for(self, text: str, seconds: float = 120) -> bool:
        """Wait until the page shows `text` (a loaded CPU can take a minute to render)."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if text in await self.text():
                await asyncio.sleep(1)  # let the rest of the dialog render
                return True
            await asyncio.sleep(2)
        return False

    async def text(self) -> str:
        return str(await self.evaluate(PAGE_TEXT) or "")

    async def click(self, label: str, wait_for: str) -> bool:
        clicked = bool(await self.evaluate(f"{CLICK}({json.dumps(label)})"))
        return clicked and await self.wait_for(wait_for)

    async def screenshot(self, path: Path) -> None:
        shot = await self.send("Page.captureScreenshot", {"format": "png"})
        await asyncio.to_thread(path.write_bytes, base64.b64decode(shot["data"]))

    async def close(self) -> None:
        if self._ws is not None:
            await self._ws.close()
        if self._session is not None:
            await self._session.close()
        self._process.terminate()
        self._process.wait(30)
        self._profile.cleanup()


class Checks:
    """Expectations on the page text, printed as they are checked."""

    def __init__(self) -> None:
        self.failed = 0

    def expect(self, page: str, text: str, present: list[str], absent: list[str]) -> None:
        for wanted in present:
            self._line(wanted in text, page, f"shows {wanted!r}")
        for unwanted in absent:
            self._line(unwanted not in text, page, f"does not show {unwanted!r}")

    def _line(self, ok: bool, page: str, what: str) -> None:
        self.failed += not ok
        print(f"{'ok  ' if ok else 'FAIL'} {page}: {what}", flush=True)


# What no page may show: an English connection error, the raw URL in an error, Jinja's English,
# the old wording.
NEVER = ["Cannot connect", "Errno", "Connection refused", "TemplateSyntaxError", "back end"]


async def run(out: Path, language: str) -> int:
    binary = find_llama_server()
    main_server = LlamaServerProcess(
        model=resolve_model("qwen2.5-0.5b"), binary=binary, port=free_port(), slot_files=False
    ).start()
    backup_server = LlamaServerProcess(
        model=resolve_model("gemma3-270m"), binary=binary, port=free_port(), slot_files=False
    ).start()
    checks = Checks()
    try:
        with RealHass(language) as hass:
            await hass.websocket({"type": "http/config/promote"})
            browser = Browser(hass.browser_storage(), hass.url)
            await browser.start()
            try:
                # The add-integration link asks first whether to set Heisenberg up.
                await browser.open(
                    "/config/integrations/dashboard/add?domain=heisenberg", "Heisenberg ?"
                )
                # Descriptions and helps are markdown, rendered after the form: wait for them.
                await browser.click("OK", "commande les appareils exposés à Assist")
                await browser.screenshot(out / "1-server-form.png")
                checks.expect(
                    "server form",
                    await browser.text(),
                    ["Connexion à llama-server", "commande les appareils exposés à Assist",
                     "Ajouter un serveur de secours"],
                    ["Ajouter URL", *NEVER],
                )  # fmt: skip
                flow = hass.rest("/api/config/config_entries/flow", {"handler": "heisenberg"})
                hass.rest(
                    f"/api/config/config_entries/flow/{flow['flow_id']}",
                    {"url": main_server.url, "backup_urls": [backup_server.url],
                     "persona": "default"},
                )  # fmt: skip
                await browser.open(
                    "/config/integrations/integration/heisenberg",
                    "Ajouter un agent de conversation",
                )
                await browser.click("Ajouter un agent de conversation", "pour le nom de la maison")
                await browser.screenshot(out / "2-agent-form.png")
                agent_form = await browser.text()
                if "--dump" in sys.argv:
                    print(agent_form)
                checks.expect(
                    "agent form",
                    agent_form,
                    ["Nouvel agent de conversation", "{{ ha_name }}"],
                    ["la variable ha_name", *NEVER],
                )
                main_server.stop()
                backup_server.stop()
                await asyncio.sleep(75)  # a minute unreachable, then the next probe
                await browser.open("/config/repairs", "Un serveur de secours du modèle")
                await browser.screenshot(out / "3-repairs.png")
                text = await browser.text()
                checks.expect(
                    "repairs",
                    text,
                    ["Le serveur principal du modèle de langage ne répond pas",
                     f"Un serveur de secours du modèle de langage ne répond pas : {backup_server.url}"],
                    NEVER,
                )  # fmt: skip
                await browser.click(
                    f"Un serveur de secours du modèle de langage ne répond pas : {backup_server.url}",
                    "dès que le serveur répond de nouveau",
                )
                await browser.screenshot(out / "4-repair-backup.png")
                checks.expect(
                    "backup repair",
                    await browser.text(),
                    ["Heisenberg ne joint pas le llama-server de secours"],
                    ["redémarre seul", *NEVER],
                )
            finally:
                await browser.close()
    finally:
        main_server.stop()
        backup_server.stop()
    print(f"{checks.failed} failed; screenshots in {out}")
    return 1 if checks.failed else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=Path("docs/ui"))
    parser.add_argument("--language", default="fr")
    parser.add_argument("--dump", action="store_true", help="print the agent form's text")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    return asyncio.run(run(args.out, args.language))


if __name__ == "__main__":
    sys.exit(main())
