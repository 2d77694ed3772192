"""xhttp_rpc in a real browser: headless Chromium (Debian `chromium`, installed by
scripts/setup.sh test) opens the root page of the RPC interface, follows the links a person
would follow (group `core`, command `core.version`), types nothing into the form and presses
Execute, then the rendered page must show the server's version. A screenshot of the result is
saved in the test's tmp dir.

Chromium is driven over the DevTools protocol on --remote-debugging-pipe (file descriptors 3
and 4, NUL-separated JSON messages): Python standard library only, no websocket client. Every
wait is bounded; Chromium is stopped by its PID (and the process group it was started in).
"""

import base64
import json
import os
import select
import shutil
import signal
import subprocess
import time

import pytest

from test_rpc_helpers import result

CFG_MODPARAMS = 'modparam("xhttp_rpc", "xhttp_rpc_root", "http_rpc")'
ROUTE = """
    $var(root) = $(hu{s.substr,0,9});
    if ($var(root) == "/http_rpc") { dispatch_xhttp_rpc(); exit; }
    if ($hu =~ "^/RPC") { jsonrpc_dispatch(); exit; }
    xhttp_reply("200", "OK", "text/html", "<html><body>Wrong URL $hu</body></html>");
"""
MODULES = ("sl", "xhttp", "xlog", "textops", "pv", "jsonrpcs", "xhttp_rpc")

CHROMIUM_START_S = 30.0   # first start of a fresh profile can be slow on a loaded machine
STEP_TIMEOUT_S = 15.0     # one protocol command or one page load
WINDOW = (1000, 700)


def chromium_binary():
    for name in ("chromium", "chromium-browser"):
        path = shutil.which(name)
        if path:
            return path
    return None


class Browser:
    """A headless Chromium with one page, driven over the DevTools pipe."""

    def __init__(self, workdir):
        binary = chromium_binary()
        if binary is None:
            pytest.fail("chromium is not installed: the browser test needs the Debian package "
                        "`chromium` (run scripts/setup.sh test, or apt-get install chromium)",
                        pytrace=False)
        self.log_path = os.path.join(workdir, "chromium.log")
        self._log = open(self.log_path, "wb")
        to_browser_r, self._to_browser = os.pipe()
        self._from_browser, from_browser_w = os.pipe()

        def child_fds():
            # Chromium reads commands on fd 3 and writes replies and events on fd 4.
            os.dup2(to_browser_r, 3)
            os.dup2(from_browser_w, 4)

        self.proc = subprocess.Popen(
            [binary, "--headless=new", "--no-sandbox", "--disable-gpu", "--no-first-run",
             "--no-default-browser-check", "--disable-extensions", "--disable-dev-shm-usage",
             "--remote-debugging-pipe", "--user-data-dir=" + os.path.join(workdir, "profile"),
             "--window-size=%d,%d" % WINDOW, "about:blank"],
            stdin=subprocess.DEVNULL, stdout=self._log, stderr=subprocess.STDOUT,
            pass_fds=(to_browser_r, from_browser_w, 3, 4), preexec_fn=child_fds,
            start_new_session=True)
        os.close(to_browser_r)
        os.close(from_browser_w)
        self._buf = b""
        self._next_id = 0
        self.session = None
        try:
            target = self.command("Target.createTarget", {"url": "about:blank"},
                                  timeout=CHROMIUM_START_S)["targetId"]
            self.session = self.command("Target.attachToTarget",
                                        {"targetId": target, "flatten": True})["sessionId"]
        except Exception:
            self.close()
            raise

    def log(self):
        try:
            with open(self.log_path, "rb") as f:
                return f.read().decode("utf-8", "replace")[-5000:]
        except OSError:
            return ""

    def command(self, method, params=None, timeout=STEP_TIMEOUT_S):
        self._next_id += 1
        msg = {"id": self._next_id, "method": method, "params": params or {}}
        if self.session and not method.startswith(("Target.", "Browser.")):
            msg["sessionId"] = self.session
        os.write(self._to_browser, json.dumps(msg).encode() + b"\0")
        deadline = time.monotonic() + timeout
        while True:
            while b"\0" in self._buf:
                raw, self._buf = self._buf.split(b"\0", 1)
                reply = json.loads(raw)
                if reply.get("id") != self._next_id:
                    continue        # an event, or a reply to an earlier command
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error']}")
                return reply["result"]
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError(f"chromium did not answer {method} within {timeout} s\n"
                                   + self.log())
            ready, _, _ = select.select([self._from_browser], [], [], left)
            if ready:
                chunk = os.read(self._from_browser, 1 << 20)
                if not chunk:
                    raise RuntimeError(f"chromium exited during {method}\n" + self.log())
                self._buf += chunk

    def js(self, expression):
        r = self.command("Runtime.evaluate", {"expression": expression, "returnByValue": True})
        if "exceptionDetails" in r:
            raise RuntimeError(f"{expression}: {r['exceptionDetails']}")
        return r["result"].get("value")

    def wait_loaded(self, url_check, timeout=STEP_TIMEOUT_S):
        """Waits until location.href satisfies url_check and the document is complete."""
        deadline = time.monotonic() + timeout
        state = None
        while time.monotonic() < deadline:
            try:
                state = self.js("[location.href, document.readyState]")
            except RuntimeError as e:
                # Evaluated while the page was being replaced: poll again.
                if "navigated or closed" not in str(e):
                    raise
                state = None
            if state and url_check(state[0]) and state[1] == "complete":
                return state[0]
            time.sleep(0.05)   # poll interval of the page state, not a guess at readiness
        raise TimeoutError(f"page not loaded in {timeout} s (last state {state})")

    def goto(self, url):
        self.command("Page.navigate", {"url": url})
        return self.wait_loaded(lambda href: href == url)

    def click(self, selector):
        """Clicks the element like a user; returns when the page it leads to is loaded."""
        before = self.js("location.href")
        clicked = self.js("(() => { const e = document.querySelector(%s);"
                          " if (!e) return false; e.click(); return true; })()"
                          % json.dumps(selector))
        assert clicked, f"no element {selector!r} on {before}:\n" + self.dom()
        return self.wait_loaded(lambda href: href != before)

    def dom(self):
        return self.js("document.documentElement.outerHTML")

    def screenshot(self, path):
        data = self.command("Page.captureScreenshot", {"format": "png"})["data"]
        with open(path, "wb") as f:
            f.write(base64.b64decode(data))

    def close(self):
        try:
            if self.proc.poll() is None:
                try:
                    self._next_id += 1
                    os.write(self._to_browser, json.dumps(
                        {"id": self._next_id, "method": "Browser.close"}).encode() + b"\0")
                    self.proc.wait(5)
                except (OSError, subprocess.TimeoutExpired):
                    pass
            if self.proc.poll() is None:
                os.kill(self.proc.pid, signal.SIGKILL)
                self.proc.wait(5)
            # Renderer and helper processes of this browser only: the group it was started in.
            try:
                os.killpg(self.proc.pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
        finally:
            for fd in (self._to_browser, self._from_browser):
                try:
                    os.close(fd)
                except OSError:
                    pass
            self._log.close()


@pytest.fixture
def browser(tmp_path):
    b = Browser(str(tmp_path))
    yield b
    b.close()


def test_run_core_version_from_the_ui(siphon, browser, tmp_path):
    s = siphon(http_route=ROUTE, modparams=CFG_MODPARAMS + '\nmodparam("jsonrpcs", "transport", 1)',
               modules=MODULES)
    base = f"http://127.0.0.1:{s.port}"

    # The root page lists the command groups.
    browser.goto(base + "/http_rpc")
    assert browser.js("document.title") == "RPC commands"
    groups = browser.js("[...document.querySelectorAll('#groups a')].map(a => a.textContent)")
    assert "core" in groups and "stats" in groups, groups

    # Follow the link of the group, then the link of the command.
    href = browser.click('#groups a[href$="/core"]')
    assert href == base + "/http_rpc/core"
    cmds = browser.js("[...document.querySelectorAll('#commands a')].map(a => a.textContent)")
    assert "core.version" in cmds and "core.uptime" in cmds, cmds
    href = browser.click('#commands a[href$="/core.version"]')
    assert href == base + "/http_rpc/core/core.version"
    assert browser.js("document.querySelector('#result')") is None
    assert browser.js("document.querySelector('#help').textContent") == \
        "Returns the version string of the server."

    # Press Execute in the form (no parameters for core.version).
    href = browser.click('form input[type="submit"]')
    assert href.startswith(base + "/http_rpc/core/core.version?"), href
    shown = browser.js("document.querySelector('#result').innerText").strip()
    shot = os.path.join(str(tmp_path), "xhttp_rpc_core_version.png")
    browser.screenshot(shot)

    version = result(s.port, "core.version")
    assert shown == version, (shown, version)
    assert shown.startswith("siphon ")
    assert browser.js("document.querySelector('.fault')") is None
    with open(shot, "rb") as f:
        png = f.read()
    assert png.startswith(b"\x89PNG\r\n\x1a\n") and len(png) > 2000
    print(f"screenshot: {shot}")


def test_fault_and_parameters_from_the_ui(siphon, browser, tmp_path):
    s = siphon(http_route=ROUTE, modparams=CFG_MODPARAMS, modules=MODULES)
    base = f"http://127.0.0.1:{s.port}"
    browser.goto(base + "/http_rpc/core/core.echo")
    # Type two parameters into the form, as a user would, and press Execute.
    browser.js("document.querySelector('form input[name=\"arg\"]').value = 'hello <b>x</b>'")
    browser.click('form input[type="submit"]')
    cells = browser.js("[...document.querySelectorAll('#result table.array td')]"
                       ".map(td => td.innerText)")
    assert cells == ["hello", "<b>x</b>"], cells
    # The markup typed in is shown as text, never interpreted.
    assert browser.js("document.querySelectorAll('#result b').length") == 0
    # A command fault is shown as such.
    browser.goto(base + "/http_rpc/stats/stats.get_statistics")
    browser.click('form input[type="submit"]')
    fault = browser.js("document.querySelector('p.fault').innerText")
    assert "Please provide which stats to retrieve" in fault, fault
    browser.screenshot(os.path.join(str(tmp_path), "xhttp_rpc_fault.png"))
