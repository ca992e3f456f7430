"""Every notebook as a learner meets it: JupyterLab in Debian's Chromium (``make test-browser``).

For each notebook, in the walk-through's order, on a COPY of ``notebooks/`` (the
committed outputs stay as they are): open it, Run All, wait until the kernel is
idle, then check what the page shows — no error output, no "Error displaying
widget", a rendered Mermaid SVG for every diagram, every plot an image — save,
screenshot it to ``results/screenshots/<notebook>.png``, and then reopen the
saved file with its kernel shut down (what a learner does the next day) and
check it again, including that opening it does not mark it modified.

Before any of that, each committed notebook is opened untrusted, as a fresh clone's are:
its output tables must fit their output area and carry their alignment inline (untrusted
JupyterLab, like GitHub, drops <style> elements); screenshot ``<notebook>-untrusted.png``.

Per-notebook timings (open → idle after Run All) land in
``results/screenshots/timings.json`` and are printed at the end.

JupyterLab runs on 127.0.0.1 with a random token, its own settings, workspace
and runtime folders; Chromium runs headless with a fresh profile and without
network features that would call out (news, updates, sync, QUIC).
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import nbformat
import pytest

from lab.notebooks import notebook_paths

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "results"
SCREENSHOTS = RESULTS / "screenshots"
WORK = RESULTS / "browser"
CHROMIUM = os.environ.get("LAB_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
RUN_TIMEOUT_S = float(os.environ.get("LAB_BROWSER_RUN_TIMEOUT_S", "900"))
VIEWPORT = {"width": 1400, "height": 1800}

# JupyterLab settings for a quiet, deterministic page: no news or update checks
# (they would call out), every cell attached to the DOM so its outputs can be
# checked, no autosave racing the explicit save.
LAB_SETTINGS = {
    "@jupyterlab/apputils-extension/notification.jupyterlab-settings": {
        "fetchNews": "false", "checkForUpdates": False},
    "@jupyterlab/notebook-extension/tracker.jupyterlab-settings": {"windowingMode": "none"},
    "@jupyterlab/docmanager-extension/plugin.jupyterlab-settings": {"autosave": False},
}

# JupyterLab renders a Mermaid block to an SVG: inline, or as an image of one.
MERMAID = (".jp-RenderedMermaid svg, .jp-RenderedMermaid img[src^='data:image/svg'], "
           ".jp-RenderedMermaid img[src$='.svg']")
ERROR_TEXTS = ("Error displaying widget", "Traceback (most recent call last)")
TIMINGS: dict[str, dict] = {}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def notebooks_copy() -> Path:
    """A fresh copy of notebooks/ (and the repo beside it is what the kernels import)."""
    shutil.rmtree(WORK, ignore_errors=True)
    target = WORK / "notebooks"
    shutil.copytree(ROOT / "notebooks", target,
                    ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
    shutil.rmtree(SCREENSHOTS, ignore_errors=True)
    SCREENSHOTS.mkdir(parents=True)
    return target


@pytest.fixture(scope="module")
def jupyterlab(notebooks_copy):
    """JupyterLab on 127.0.0.1 with a token; yields its base URL and token."""
    token = secrets.token_hex(24)
    port = _free_port()
    home = WORK / "jupyter"
    settings = home / "settings"
    for name, values in LAB_SETTINGS.items():
        path = settings / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(values))
    # A data dir of its own: a new notary secret, so every committed notebook opens
    # untrusted, as in a fresh clone (no earlier run's signature trusts it).
    env = dict(os.environ, JUPYTER_RUNTIME_DIR=str(home / "runtime"),
               JUPYTER_DATA_DIR=str(home / "data"),
               JUPYTERLAB_SETTINGS_DIR=str(settings),
               JUPYTERLAB_WORKSPACES_DIR=str(home / "workspaces"),
               LAB_MODE="sandbox")
    args = [sys.executable, "-m", "jupyterlab", "--no-browser", "--ip=127.0.0.1",
            f"--port={port}", f"--IdentityProvider.token={token}",
            f"--ServerApp.root_dir={notebooks_copy}", "--ServerApp.open_browser=False",
            "--LabApp.news_url=None", "--ServerApp.disable_check_xsrf=False",
            # kernels over IPC sockets in the runtime dir, as `make jupyter` and
            # lab.notebooks start them: no "running over TCP without encryption" warning
            "--KernelManager.transport=ipc"]
    if os.geteuid() == 0:
        args.append("--allow-root")
    log = open(WORK / "jupyterlab.log", "w")  # noqa: SIM115 (closed below)
    server = subprocess.Popen(args, cwd=notebooks_copy, env=env, stdout=log,
                              stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while True:
        try:
            with urllib.request.urlopen(f"{base}/api/status?token={token}", timeout=2):
                break
        except OSError:
            if server.poll() is not None or time.monotonic() > deadline:
                log.close()
                pytest.fail(f"JupyterLab did not start; see {WORK / 'jupyterlab.log'}")
            time.sleep(0.5)
    yield base, token
    server.terminate()
    try:
        server.wait(timeout=30)
    except subprocess.TimeoutExpired:
        server.kill()
    log.close()
    port_env = {"LAB_SANDBOX_PORT": os.environ.get("LAB_SANDBOX_PORT", "5599")}
    subprocess.run([sys.executable, "-m", "lab", "sandbox", "stop"], cwd=ROOT,
                   env=dict(os.environ, **port_env), capture_output=True, timeout=60)


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    """Debian's Chromium driven by Playwright, headless, with a fresh profile."""
    sync_api = pytest.importorskip("playwright.sync_api")
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: run `make test-browser` (it installs chromium), "
                    "or set LAB_CHROMIUM to a Chromium binary.")
    profile = tmp_path_factory.mktemp("chromium-profile")
    with sync_api.sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(profile), executable_path=CHROMIUM, headless=True, args=CHROMIUM_FLAGS,
            viewport=VIEWPORT,
        )
        yield context
        context.close()


def _api(base: str, token: str, path: str, method: str = "GET"):
    request = urllib.request.Request(f"{base}{path}", method=method,
                                     headers={"Authorization": f"token {token}"})
    with urllib.request.urlopen(request, timeout=30) as answer:
        body = answer.read()
    return json.loads(body) if body else None


def _shut_down_kernels(base: str, token: str) -> None:
    for session in _api(base, token, "/api/sessions"):
        _api(base, token, f"/api/sessions/{session['id']}", method="DELETE")


def _accept_kernel_dialog(page) -> None:
    """Accept JupyterLab's "Select Kernel" dialog (its default is the notebook's kernel)."""
    page.wait_for_timeout(1500)
    dialog = page.locator(".jp-Dialog:has-text('Select Kernel') .jp-mod-accept")
    if dialog.count():
        dialog.first.click()


def _open(page, base: str, token: str, name: str, workspace: str) -> None:
    # A fresh workspace each time (?reset): only this notebook's tab is open.
    page.goto(f"{base}/lab/workspaces/{workspace}/tree/{name}?token={token}&reset")
    page.wait_for_selector(".jp-NotebookPanel .jp-Cell", timeout=120_000)
    _accept_kernel_dialog(page)
    _wait_idle(page, 120)


def _wait_idle(page, timeout_s: float, all_ran: bool = False) -> None:
    """Until the kernel is idle and no cell waits to run (``[*]``); with ``all_ran``,
    until every code cell also has an execution count."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    try:
        _wait_for_prompts(page, timeout_s, all_ran)
    except PlaywrightTimeout:
        state = page.evaluate("""() => [
            document.querySelector('.jp-Notebook-ExecutionIndicator')?.getAttribute('data-status'),
            [...document.querySelectorAll('.jp-CodeCell .jp-InputPrompt')].map(p => p.textContent)
        ]""")
        page.screenshot(path=str(SCREENSHOTS / "timed-out.png"))
        pytest.fail(f"the kernel was not idle with every cell run after {timeout_s:.0f} s: "
                    f"status {state[0]}, prompts {state[1]} (screenshot timed-out.png)")


def _wait_for_prompts(page, timeout_s: float, all_ran: bool) -> None:
    page.wait_for_function(
        """(allRan) => {
            const indicator = document.querySelector('.jp-Notebook-ExecutionIndicator');
            const prompts = [...document.querySelectorAll('.jp-CodeCell .jp-InputPrompt')]
                .map(p => p.textContent);
            const busy = prompts.some(p => p.includes('*'));
            // Run All stops at a cell that raised: the cells after it never run.
            const failed = document.querySelector('.jp-OutputArea-output[data-mime-type='
                + '"application/vnd.jupyter.stderr"]') !== null;
            const ran = failed || prompts.every(p => /[0-9]/.test(p));
            return indicator && indicator.getAttribute('data-status') === 'idle' && !busy
                && (!allRan || ran);
        }""",
        arg=all_ran, timeout=timeout_s * 1000, polling=500,
    )


def _command(page, menu: str, item: str) -> None:
    page.click(f".lm-MenuBar-item:has-text('{menu}')")
    page.click(f".lm-Menu-item:visible .lm-Menu-itemLabel:text-is('{item}')")


def _page_problems(page, nb) -> list[str]:
    """What the learner would see as wrong in the open notebook (empty when all is well)."""
    problems = []
    text = page.inner_text(".jp-NotebookPanel:not(.lm-mod-hidden) .jp-Notebook")
    problems += [f"the page shows {t!r}" for t in ERROR_TEXTS if t in text]
    errors = page.locator(".jp-OutputArea-output[data-mime-type="
                          "'application/vnd.jupyter.stderr']").all_inner_texts()
    problems += [f"error output: {e.strip()[:300]}" for e in errors if e.strip()]
    diagrams = sum("```mermaid" in c.source for c in nb.cells if c.cell_type == "markdown")
    try:
        page.wait_for_function(
            f"document.querySelectorAll('{MERMAID}').length >= {diagrams}",
            timeout=60_000)
    except Exception:  # reported below with the count
        pass
    rendered = page.locator(MERMAID).count()
    if rendered < diagrams:
        problems.append(f"{diagrams} Mermaid diagram(s) in the source, {rendered} rendered as SVG")
    plots = sum(1 for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])
                if "image/png" in o.get("data", {}))
    images = page.locator(".jp-RenderedImage img").count()
    if images < plots:
        problems.append(f"{plots} plot(s) in the saved outputs, {images} shown as images")
    figures_as_text = [c.source for c in nb.cells if c.cell_type == "code"
                       for o in c.get("outputs", []) if "image/png" not in o.get("data", {})
                       and "<Figure size" in o.get("data", {}).get("text/plain", "")]
    problems += [f"a plot shown as text in: {s[:80]!r}" for s in figures_as_text]
    return problems


def _saved_errors(nb) -> list[str]:
    return [f"{o.get('ename')}: {o.get('evalue')}" for c in nb.cells if c.cell_type == "code"
            for o in c.get("outputs", []) if o.get("output_type") == "error"]


def _is_dirty(page) -> bool:
    return page.locator(".jp-mod-current.jp-mod-dirty, .lm-TabBar-tab.lm-mod-current"
                        ".jp-mod-dirty").count() > 0


NAMES = [p.name for p in notebook_paths()]

# Every output table as laid out: wider than its output area (horizontal overflow), or with
# a cell whose alignment is not inline (a <style> element untrusted JupyterLab dropped).
TABLE_PROBLEMS_JS = """() => {
    const problems = [];
    const tables = [...document.querySelectorAll(
        '.jp-NotebookPanel:not(.lm-mod-hidden) .jp-OutputArea-output table')];
    tables.forEach((table, i) => {
        const area = table.closest('.jp-OutputArea-output');
        const width = Math.ceil(table.getBoundingClientRect().width);
        if (width > area.clientWidth + 1 || area.scrollWidth > area.clientWidth + 1) {
            problems.push(`table ${i} is ${width} px in a ${area.clientWidth} px output area`);
        }
        const bare = [...table.querySelectorAll('td, th')]
            .filter(c => !(c.getAttribute('style') || '').includes('text-align'));
        if (bare.length) {
            problems.push(`table ${i}: ${bare.length} cell(s) without an inline text-align`);
        }
    });
    return [tables.length, problems];
}"""


@pytest.mark.parametrize("name", NAMES)
def test_first_opened_untrusted_tables_fit_and_carry_their_styles(name, jupyterlab, browser):
    """What every learner sees first, and all GitHub shows: the committed outputs, untrusted
    (JupyterLab drops their <style> elements), before anything runs. Runs before the Run All
    test below, which saves (and so trusts) the copies."""
    base, token = jupyterlab
    page = browser.new_page()
    try:
        page.goto(f"{base}/lab/workspaces/first-{Path(name).stem}/tree/{name}?token={token}&reset")
        page.wait_for_selector(".jp-NotebookPanel .jp-Cell", timeout=120_000)
        _accept_kernel_dialog(page)
        page.wait_for_timeout(1500)
        count, problems = page.evaluate(TABLE_PROBLEMS_JS)
        page.locator(".jp-NotebookPanel:not(.lm-mod-hidden) .jp-WindowedPanel-outer"
                     ).first.evaluate("e => e.scrollTo(0, 0)")
        page.screenshot(path=str(SCREENSHOTS / f"{Path(name).stem}-untrusted.png"))
        assert not problems, f"{name} as first opened ({count} tables): " + "; ".join(problems)
    finally:
        page.close()


@pytest.mark.parametrize("name", NAMES)
def test_run_all_in_jupyterlab_then_reopen(name, jupyterlab, browser, notebooks_copy):
    base, token = jupyterlab
    page = browser.new_page()
    try:
        started = time.monotonic()
        _open(page, base, token, name, f"run-{Path(name).stem}")
        opened = time.monotonic()
        # Clear first, so every output checked below comes from this run.
        _command(page, "Edit", "Clear Outputs of All Cells")
        _command(page, "Run", "Run All Cells")
        _accept_kernel_dialog(page)
        _wait_idle(page, RUN_TIMEOUT_S, all_ran=True)
        ran = time.monotonic()
        page.keyboard.press("Control+s")
        page.wait_for_function(
            "!document.querySelector('.lm-TabBar-tab.lm-mod-current.jp-mod-dirty')",
            timeout=60_000)
        saved = nbformat.read(notebooks_copy / name, as_version=4)
        problems = _saved_errors(saved) + _page_problems(page, saved)
        page.locator(".jp-NotebookPanel:not(.lm-mod-hidden) .jp-WindowedPanel-outer"
                     ).first.evaluate("e => e.scrollTo(0, 0)")
        page.screenshot(path=str(SCREENSHOTS / f"{Path(name).stem}.png"))
        assert not problems, f"{name} after Run All: " + "; ".join(problems)

        # Reopen the saved file as a learner would the next day: kernel gone, page new.
        _shut_down_kernels(base, token)
        page.close()
        page = browser.new_page()
        _open(page, base, token, name, f"reopen-{Path(name).stem}")
        page.wait_for_timeout(2000)
        problems = _page_problems(page, saved)
        if _is_dirty(page):
            problems.append("opening the saved notebook marked it modified")
        page.screenshot(path=str(SCREENSHOTS / f"{Path(name).stem}-reopened.png"))
        assert not problems, f"{name} reopened: " + "; ".join(problems)
        TIMINGS[name] = {"open_s": round(opened - started, 1),
                         "run_all_s": round(ran - opened, 1),
                         "total_s": round(time.monotonic() - started, 1)}
    finally:
        page.close()
        (SCREENSHOTS / "timings.json").write_text(json.dumps(TIMINGS, indent=2) + "\n")


def test_print_the_timings():
    """The per-notebook timings, as a table at the end of the run (-s shows it)."""
    if not TIMINGS:
        pytest.skip("no notebook ran")
    lines = [f"{'notebook':<40} {'open s':>7} {'run all s':>10} {'total s':>8}"]
    lines += [f"{n:<40} {t['open_s']:>7} {t['run_all_s']:>10} {t['total_s']:>8}"
              for n, t in TIMINGS.items()]
    print("\n" + "\n".join(lines))
    missing = sorted(set(NAMES) - set(TIMINGS))
    assert not missing, f"not every notebook finished: {missing}"


def test_jupyterlab_kernels_ran_over_ipc(jupyterlab):
    """JupyterLab's kernels use IPC sockets: its log has started kernels and no TCP warning.

    ipykernel warns "Kernel is running over TCP without encryption" for every
    kernel on TCP; ``--KernelManager.transport=ipc`` (here and in ``make jupyter``)
    keeps kernels on Unix sockets in the runtime dir.
    """
    if not TIMINGS:
        pytest.skip("no notebook ran")
    log = (WORK / "jupyterlab.log").read_text(errors="replace")
    assert "Kernel started" in log, "no kernel start is logged; the check would prove nothing"
    assert "over TCP without encryption" not in log
