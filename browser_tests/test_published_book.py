"""The published book (``make book``) in Debian's Chromium, with the network off.

The book is built here with the network blocked (``unshare -n``: a network namespace
with no interface up; where that is not allowed, every proxy variable points at a dead
port), so a theme, font or script fetched at build time fails the build. Then every
page is opened from ``file://`` with Playwright routing every request that is not
``file://``, ``data:``/``blob:`` or loopback to abort, and failing on any such request
(issue 24 item 4: "no network access at build or view time").

On every page: each Mermaid diagram is drawn as an ``<svg>`` (not mermaid's error
diagram), as many as the page's sources have ```mermaid fences; every ``<img>`` loaded
(``naturalWidth > 0``) with a text alternative; every internal link resolves to an
existing file and, with a ``#fragment``, to an element with that id on the target page;
nothing is wider than the content column at 1400x900, with every expander open, except
inside a scroll box of its own (code blocks). The hands-on notebooks show every
exercise's hints and solution, and 09's, behind closed ``<details>``. Screenshots:
``results/screenshots/book-05*.png``.

Runs after test_notebooks_in_jupyterlab.py (its fixture clears results/screenshots/).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from urllib.parse import unquote, urldefrag, urlparse

import pytest
from test_notebooks_in_jupyterlab import CHROMIUM, CHROMIUM_FLAGS  # same browser, same flags

ROOT = Path(__file__).resolve().parent.parent
BOOK = ROOT / "_build" / "book"
SCREENSHOTS = ROOT / "results" / "screenshots"
VIEWPORT = {"width": 1400, "height": 900}
MERMAID_FENCE = re.compile(r"^```mermaid\s*$", re.M)
DEAD_PROXY = "http://127.0.0.1:9"
LOCAL_SCHEMES = ("file", "data", "blob", "about")
LOOPBACK = ("127.0.0.1", "localhost", "[::1]")


def _offline_prefix() -> tuple[list[str], dict]:
    """How to run a command with no network: ``unshare -n``, else dead proxies."""
    unshare = shutil.which("unshare")
    if unshare and subprocess.run([unshare, "-n", "true"], capture_output=True).returncode == 0:
        return [unshare, "-n"], {}
    proxies = {name: DEAD_PROXY for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY",
                                             "http_proxy", "https_proxy", "all_proxy")}
    return [], {**proxies, "NO_PROXY": "", "no_proxy": ""}


@pytest.fixture(scope="module")
def book() -> Path:
    """The book, built now with the network blocked."""
    prefix, env = _offline_prefix()
    done = subprocess.run([*prefix, sys.executable, str(ROOT / "book" / "build.py")],
                          cwd=ROOT, env=dict(os.environ, **env), capture_output=True,
                          text=True, timeout=600)
    assert done.returncode == 0, (f"make book failed offline ({' '.join(prefix) or 'proxies'})"
                                  f":\n{done.stdout}\n{done.stderr}")
    print(f"\n{done.stdout.strip()} (network off: {' '.join(prefix) or 'dead proxies'})")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return BOOK


@pytest.fixture(scope="module")
def offline_browser(book):
    """Chromium at 1400x900; ``requests_out`` lists every non-local request (aborted)."""
    sync_api = pytest.importorskip("playwright.sync_api")
    assert Path(CHROMIUM).exists(), (f"{CHROMIUM} is missing: run `make test-browser` (it "
                                     "installs chromium), or set LAB_CHROMIUM to a Chromium.")
    requests_out: list[str] = []

    def route(route, request):
        url = urlparse(request.url)
        if url.scheme in LOCAL_SCHEMES or url.hostname in LOOPBACK:
            route.continue_()
        else:
            requests_out.append(request.url)
            route.abort()

    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True,
                                             args=CHROMIUM_FLAGS)
        context = browser.new_context(viewport=VIEWPORT)
        context.route("**/*", route)
        yield context, requests_out
        context.close()
        browser.close()


def _pages(book: Path) -> list[Path]:
    return sorted(path for path in book.rglob("*.html") if "_static" not in path.parts)


def _expected_diagrams(page: Path, book: Path) -> int:
    """```mermaid fences in the page's own source (README for index.html)."""
    relative = page.relative_to(book).with_suffix("")
    if relative == Path("index"):
        return len(MERMAID_FENCE.findall((ROOT / "README.md").read_text(encoding="utf-8")))
    for suffix in (".ipynb", ".md"):
        source = ROOT / relative.with_suffix(suffix)
        if source.is_file():
            if suffix == ".md":
                return len(MERMAID_FENCE.findall(source.read_text(encoding="utf-8")))
            cells = json.loads(source.read_text(encoding="utf-8"))["cells"]
            return sum(len(MERMAID_FENCE.findall("".join(cell["source"])))
                       for cell in cells if cell["cell_type"] == "markdown")
    return 0  # Sphinx's own pages: search, general index


PAGE_JS = """() => {
    document.querySelectorAll('details').forEach(d => { d.open = true; });  // as a reader may
    const diagrams = [...document.querySelectorAll('.mermaid')];
    const images = [...document.images].map(i => [i.currentSrc || i.src, i.complete,
                                                  i.naturalWidth, i.getAttribute('alt') || '']);
    const column = document.querySelector('article.bd-article') || document.body;
    const right = column.getBoundingClientRect().right;
    const scrolls = e => ['auto', 'scroll'].includes(getComputedStyle(e).overflowX);
    const wide = [];
    for (const e of column.querySelectorAll('*')) {
        const r = e.getBoundingClientRect();
        if (r.width === 0 || r.right <= right + 1) continue;
        let box = e.parentElement, inScrollBox = false;
        while (box && box !== column) {
            if (scrolls(box) && box.getBoundingClientRect().right <= right + 1) {
                inScrollBox = true; break;
            }
            box = box.parentElement;
        }
        if (!inScrollBox) wide.push(`${e.tagName.toLowerCase()}.${e.className} ends at ` +
            `${Math.round(r.right)} px, the column at ${Math.round(right)}`);
    }
    return {
        diagrams: diagrams.length,
        drawn: diagrams.filter(d => d.querySelector('svg') &&
            d.querySelector('svg').getAttribute('aria-roledescription') !== 'error').length,
        images,
        links: [...document.querySelectorAll('a[href]')].map(a => a.href),
        ids: [...document.querySelectorAll('[id], a[name]')].map(e => e.id || e.name),
        wide: wide.slice(0, 5),
        pageOverflow: document.documentElement.scrollWidth > window.innerWidth,
    };
}"""


def _visit_all(book: Path, context) -> dict[Path, dict]:
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    seen: dict[Path, dict] = {}
    page = context.new_page()
    try:
        for path in _pages(book):
            page.goto(path.as_uri(), wait_until="load")
            expected = _expected_diagrams(path, book)
            if expected:  # mermaid.js draws after load; a page it never draws is reported below
                try:
                    page.wait_for_function(
                        "n => [...document.querySelectorAll('.mermaid svg')].length >= n",
                        arg=expected, timeout=30_000)
                except PlaywrightTimeout:
                    pass
            seen[path] = {**page.evaluate(PAGE_JS), "expected_diagrams": expected}
            if path.name.startswith("05_"):
                # as a reader arriving at 05 first sees it (the theme keeps the sidebar's
                # scroll from the page before, in sessionStorage)
                page.evaluate("""() => { window.scrollTo(0, 0);
                    document.querySelector('.bd-sidebar-primary')?.scrollTo(0, 0); }""")
                page.screenshot(path=str(SCREENSHOTS / f"book-{path.stem}.png"))
                page.screenshot(path=str(SCREENSHOTS / f"book-{path.stem}-full.png"),
                                full_page=True)
    finally:
        page.close()
    return seen


@pytest.fixture(scope="module")
def visited(book, offline_browser) -> dict[Path, dict]:
    context, _ = offline_browser
    return _visit_all(book, context)


def test_book_has_every_notebook_and_guide(book):
    """README as the front page, docs/*.md and every notebook (committed outputs)."""
    expected = {f"notebooks/{p.stem}.html" for p in (ROOT / "notebooks").glob("[0-9]*.ipynb")}
    expected |= {f"docs/{p.stem}.html" for p in (ROOT / "docs").glob("*.md")} | {"index.html"}
    built = {str(p.relative_to(book)) for p in _pages(book)}
    assert expected <= built, f"pages missing from the book: {sorted(expected - built)}"


def test_no_request_leaves_the_machine(visited, offline_browser):
    _, requests_out = offline_browser
    assert not requests_out, f"the book fetched from the network: {sorted(set(requests_out))}"


def test_every_diagram_is_an_svg(visited):
    problems = [f"{p.name}: {v['drawn']} of {v['diagrams']} drawn, "
                f"{v['expected_diagrams']} in its source"
                for p, v in visited.items()
                if not v["drawn"] == v["diagrams"] == v["expected_diagrams"]]
    assert sum(v["diagrams"] for v in visited.values()) > 0
    assert not problems, "Mermaid diagrams not drawn: " + "; ".join(problems)


def test_every_image_loads_and_says_what_it_shows(visited):
    """naturalWidth > 0, and an alt text that is not the image's own file name (Sphinx's
    default): Notebooks for All's text alternative for every plot."""
    broken = [f"{p.name}: {src}" for p, v in visited.items()
              for src, complete, width, _ in v["images"] if not (complete and width > 0)]
    assert not broken, "images that did not load: " + "; ".join(broken)
    unnamed = [f"{p.name}: {src}" for p, v in visited.items()
               for src, _, _, alt in v["images"] if not alt or Path(alt).name == Path(src).name]
    assert not unnamed, "images without a text alternative: " + "; ".join(unnamed)


def test_every_internal_link_resolves(visited):
    ids = {path.resolve(): set(v["ids"]) for path, v in visited.items()}
    broken = []
    for path, v in visited.items():
        for href in v["links"]:
            url, fragment = urldefrag(href)
            if urlparse(url).scheme != "file":
                continue  # outside links are only followed by a reader who is online
            target = Path(unquote(urlparse(url).path))
            if target.is_dir():
                target = target / "index.html"
            if not target.exists():
                broken.append(f"{path.name} -> {href} (no such file)")
            elif fragment and target.suffix == ".html":
                known = ids.get(target.resolve())
                if known is not None and unquote(fragment) not in known:
                    broken.append(f"{path.name} -> {href} (no #{fragment} there)")
    assert not broken, "internal links that do not resolve: " + "; ".join(broken[:20])


def test_nothing_wider_than_the_content_column(visited):
    wide = [f"{p.name}: {'; '.join(v['wide']) or 'the page scrolls sideways'}"
            for p, v in visited.items() if v["wide"] or v["pageOverflow"]]
    assert not wide, "wider than the content column at 1400x900: " + " | ".join(wide)


def test_hints_and_solutions_behind_expanders(book, offline_browser):
    """Every exercise of 08 (lab.exercises.EXERCISES) has its hints and its solution in
    closed <details>, and 09 its clues and fixes; the committed hint output is folded."""
    from lab.exercises import EXERCISES

    context, _ = offline_browser
    page = context.new_page()
    try:
        for stem, expected in (("08_build_it_yourself", 2 * len(EXERCISES)),
                               ("09_troubleshooting", 2)):
            page.goto((book / "notebooks" / f"{stem}.html").as_uri(), wait_until="load")
            state = page.evaluate("""() => [...document.querySelectorAll('details')]
                .map(d => [d.className, d.open, d.querySelector('summary').innerText])""")
            ours = [s for s in state if "lab-expander" in s[0]]
            assert len(ours) == expected, f"{stem}: {len(ours)} expanders, {expected} expected"
            assert not any(opened for _, opened, _ in state), f"{stem}: an expander is open"
            if stem.startswith("08"):
                for name in EXERCISES:
                    assert any(f"Solution: the kit's {name}" in s for _, _, s in ours), name
                hint = page.locator("details:has(.cell_output) >> text=Hint 1/")
                assert hint.count() and not hint.first.is_visible(), "hint 1 is not folded"
    finally:
        page.close()
