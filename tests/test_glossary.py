"""The primer (issue #23 item 4): docs/glossary.md has a short entry with an AWS documentation
link for every term the walk-through uses, and each walk-through notebook links a term to its
entry the first time its prose uses it.

Anchors are GitHub's heading slugs (lowercase; punctuation other than hyphens dropped; spaces to
hyphens), which the published book resolves the same way; links stay plain relative links.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
GLOSSARY = ROOT / "docs" / "glossary.md"
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
#: The walk-through: 00-07 (08 and 09 come after it, 99 cleans up).
WALK_THROUGH = [p for p in NOTEBOOKS if p.name[:2] in {f"0{i}" for i in range(8)}]
LINK_PREFIX = "../docs/glossary.md#"

#: anchor -> how the notebooks' prose names the term (a regex; case-insensitive unless it
#: starts with (?-i); a lookahead allows ``\0*`` where a link's masked target may sit).
#: Issue #23's list, and the terms the notebooks used without explaining.
TERMS = {
    "http-task": r"HTTP Task",
    "eventbridge-connection": r"EventBridge connection",
    "connection-states": r"connection(?:'s)? states?\b|\bstates(?=\0*\s+it\s+goes through)",
    "vpc-lattice": r"VPC Lattice",
    "resource-gateway": r"resource gateways?",
    "resource-configuration": r"resource configurations?",
    "service-network-resource-association": r"service[- ]network resource association|"
                                            r"\bassociation(?=\0* EventBridge made)",
    "eni": r"(?-i:\bENIs?\b)",
    "interface-vpc-endpoint": r"(?:interface |execute-api )?VPC endpoint",
    "private-api": r"private (?:REST )?API\b",
    "usage-plan-and-api-key": r"usage plan|\bAPI key\b",
    "mock-integration": r"(?-i:\bMOCK\b)(?: integration)?",
    "api-destination": r"API destinations?",
    "dlq": r"dead-letter queue|(?-i:\bDLQ\b)",
    "teststate": r"(?-i:TestState)",
    "p50-and-p99": r"\bp50\b|\bp99\b|\bmedian\b|percentiles?",
    "ecdf": r"(?-i:\bECDF\b)",
}

_LINK = re.compile(r"\[([^\]]*)\]\(([^)]*)\)")


def slug(heading: str) -> str:
    """GitHub's anchor for a heading."""
    text = re.sub(r"[^\w\- ]", "", heading.strip().lower())
    return text.replace(" ", "-")


def glossary_anchors() -> list[str]:
    return [slug(m.group(1)) for m in re.finditer(r"^#{2,6} (.+)$", GLOSSARY.read_text(), re.M)]


def prose_mask(text: str) -> str:
    """``text`` with everything that is not prose blanked out, same length: fenced blocks,
    headings, inline code, link targets, and the text of links that are not the glossary's."""
    masked = list(text)

    def blank(start: int, end: int) -> None:
        for i in range(start, end):
            if masked[i] != "\n":
                masked[i] = "\0"

    for m in re.finditer(r"```.*?```", text, re.S):
        blank(m.start(), m.end())
    for m in re.finditer(r"^#{1,6} .*$", text, re.M):
        blank(m.start(), m.end())
    for m in re.finditer(r"`[^`\n]*`", text):
        blank(m.start(), m.end())
    for m in _LINK.finditer(text):
        if m.group(2).startswith(LINK_PREFIX):
            blank(m.start(2) - 2, m.end(2) + 1)  # "](target)": the label stays prose
        else:
            blank(m.start(), m.end())
    return "".join(masked)


def _flags(pattern: str) -> int:
    return 0 if pattern.startswith("(?-i") else re.I


def first_uses(cells: list[str]) -> dict[str, tuple[int, int, int]]:
    """anchor -> (cell index, start, end) of the term's first use in the cells' prose."""
    found: dict[str, tuple[int, int, int]] = {}
    for index, text in enumerate(cells):
        prose = prose_mask(text)
        for anchor, pattern in TERMS.items():
            if anchor in found:
                continue
            m = re.search(pattern, prose, _flags(pattern))
            if m:
                found[anchor] = (index, m.start(), m.end())
    return found


def markdown_cells(path: Path) -> list[str]:
    return ["".join(c["source"]) for c in json.loads(path.read_text())["cells"]
            if c["cell_type"] == "markdown"]


def linked_to(text: str, start: int, end: int) -> str | None:
    """The glossary anchor of the link whose label holds text[start:end], else None."""
    for m in _LINK.finditer(text):
        if m.start(1) <= start and end <= m.end(1) and m.group(2).startswith(LINK_PREFIX):
            return m.group(2)[len(LINK_PREFIX):]
    return None


def test_every_listed_term_has_a_short_entry_with_an_aws_link():
    text = GLOSSARY.read_text()
    anchors = glossary_anchors()
    assert sorted(anchors) == sorted(TERMS), "glossary headings and the terms differ"
    for section in re.split(r"^## ", text, flags=re.M)[1:]:
        heading, _, body = section.partition("\n")
        sentences = re.findall(r"[.!?](?:\s|$)", re.sub(r"\([^)]*\)", "", body))
        assert 2 <= len(sentences) <= 5, f"{heading}: {len(sentences)} sentences"
        links = _LINK.findall(body)
        assert any(url.startswith("https://docs.aws.amazon.com/") for _, url in links), heading
        assert all(len(label.split()) >= 2 for label, _ in links), f"{heading}: vague link text"


@pytest.mark.parametrize("path", [*NOTEBOOKS, ROOT / "README.md", *sorted(
    (ROOT / "docs").glob("*.md"))], ids=lambda p: p.name)
def test_every_glossary_link_resolves_to_a_heading(path):
    anchors = set(glossary_anchors())
    text = path.read_text()
    targets = re.findall(r"\]\((?:\.\./)?(?:docs/)?glossary\.md#([^)]*)\)", text)
    if path.suffix == ".ipynb":  # notebooks sit one level down: ../docs/glossary.md
        assert "](docs/glossary.md" not in text and "](glossary.md" not in text
    assert not [t for t in targets if t not in anchors], f"{path.name}: unknown anchors"


@pytest.mark.parametrize("path", WALK_THROUGH, ids=lambda p: p.name)
def test_each_term_is_linked_at_its_first_use(path):
    cells = markdown_cells(path)
    unlinked = []
    for anchor, (index, start, end) in first_uses(cells).items():
        if linked_to(cells[index], start, end) != anchor:
            unlinked.append(f"{anchor}: {cells[index][max(0, start - 30):end + 10]!r}")
    assert not unlinked, f"{path.name}: first uses not linked: {unlinked}"


def test_the_walk_through_uses_every_term():
    """A term no notebook uses needs no entry; one the notebooks use needs its link."""
    used = set()
    for path in WALK_THROUGH:
        used |= set(first_uses(markdown_cells(path)))
    assert used == set(TERMS), sorted(set(TERMS) - used)


def test_readme_links_the_glossary():
    assert "](docs/glossary.md)" in (ROOT / "README.md").read_text()
