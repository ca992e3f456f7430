"""``http.client.parse_headers`` without the email package, for the header blocks HTTP sends.

What the standard library does: every request the sandbox server reads
(``http.server.BaseHTTPRequestHandler.parse_request``, under werkzeug's request handler)
and every response the HTTP Task's transport reads from the data plane
(``http.client.HTTPResponse.begin``) has its header block parsed by
``http.client.parse_headers``. It reads the lines (``_read_headers``: at most ``_MAXLINE``
bytes a line, ``_MAXHEADERS`` lines), decodes them as ISO-8859-1 and hands the text to
``email.parser.Parser(_class=HTTPMessage).parsestr``: a ``FeedParser`` driving a
generator over a ``BufferedSubFile`` (a ``StringIO`` re-split into lines), a regex
match per line, a ``policy.header_source_parse`` call and a ``set_raw`` per header, then
the body logic of a MIME message (content type looked up, an empty payload set).

Why that is slow: it is general email machinery run for ~10 lines. A py-spy profile
(``--gil``) of the sandbox under EXPRESS executions at concurrency 8 put
``http.client.parse_headers`` at 16% of all GIL time. ``tests/bench_fast_headers.py``
measures both side by side in one run (CPython 3.11.7, this 2-core machine, load ~1,
best of 5 rounds of 20000): a boto3 SigV4 request block (10 headers) 22.6-22.9 µs with
the stdlib, 5.5 µs here; the transport's request to the data plane (7 headers) 18.0 µs
and 3.9 µs; a data plane response (6 headers) 16.6 µs and 3.2-3.3 µs. What is left is
mostly the stdlib's own ``_read_headers`` (1.4 µs for the boto3 block) and one regex.

Why no library: the callers want the very ``HTTPMessage`` the stdlib builds (werkzeug
reads ``self.headers`` from it, ``HTTPResponse`` keeps it as ``.msg``), read from ``fp``
line by line with the stdlib's limits and errors, so that the body stays unread. The
well-kept fast HTTP parsers on the package index, httptools (llhttp, in C; not installed
here) and h11 (pure Python; 0.16.0 is installed only as httpcore's dependency), parse a
whole message from a buffer, start line first, with rules of their own: h11 strips a
value's trailing whitespace (the stdlib keeps it), joins obs-fold lines with a space and
raises on a line without a colon (the stdlib ends the headers there and keeps the rest
as the payload, with a defect); llhttp has its own leniency flags. Both give name/value
pairs: an ``HTTPMessage`` built from them would still need every rule below, and would
differ where their rules differ. The cost is not the tokenizing but the email package
around it, and the shape of an ordinary block is simple enough to check with one regex.

The rule: a block whose lines, before its empty terminating line (``\\r\\n`` or ``\\n``),
are all ``name:value`` lines, ``name`` one or more of the characters email's
``headerRE`` accepts in a field name (``!``-``9``, ``;``-``~``: printable ASCII except
``:`` and space) and ``value`` free of ``\\r`` and ``\\n`` (``\\r\\n`` or ``\\n`` ends the
line), for the stdlib's own ``HTTPMessage`` class, becomes a fresh ``HTTPMessage`` whose
``_headers`` are ``(name, value.lstrip(" \\t"))``, as ``compat32.header_source_parse``
makes them, and whose payload is ``""``, as the feed parser leaves it. Such a block has no
continuation line, no ``From `` line, no empty name, no bare ``\\r`` (the email parser
splits lines there too), so the feed parser would take the same path: no defect, nothing
pushed back into the body. Everything else goes to the stdlib's own parser, with the same
text: a block ending at EOF without its empty line, any other line, another ``_class``,
and a block whose content type is ``multipart/*`` or ``message/*`` (the email parser then
parses the empty body as MIME parts, with defects). So the result is always what the
stdlib gives; ``tests/contracts/test_fast_headers.py`` compares the two on a corpus and on
random blocks.

Installed in the sandbox server process only (``lab.sandbox.server.make_server``).
"""

from __future__ import annotations

import email.parser
import http.client
import re

__all__ = ["install", "parse_headers", "plain_message", "stdlib_parse_headers"]

#: The standard library's own function (what :func:`install` replaces).
stdlib_parse_headers = http.client.parse_headers

_HTTPMessage = http.client.HTTPMessage
_read_headers = http.client._read_headers  # the same limits, errors and reads as the stdlib

# One plain line, from its start: the name (what email's ``headerRE`` accepts in a name, at
# least one character), the value without the spaces and tabs after the colon (``.``: any
# character but ``\n``; the ``\r`` before the ``\n`` is left out by the look-behind).
_PLAIN_LINE = re.compile(r"(?m)^([!-9;-~]+):[ \t]*(.*)(?<!\r)\r?\n")
# A ``\r`` not followed by ``\n``: the email parser ends a line there too.
_BARE_CR = re.compile(r"\r(?!\n)")
_TERMINATORS = (b"\r\n", b"\n")
_COMPOSITE_TYPES = ("multipart", "message")


def parse_headers(fp, _class=_HTTPMessage):
    """``http.client.parse_headers``: the same message, faster for a block of plain lines."""
    lines = _read_headers(fp)
    text = b"".join(lines).decode("iso-8859-1")
    if _class is _HTTPMessage:
        message = plain_message(lines, text)
        if message is not None:
            return message
    return email.parser.Parser(_class=_class).parsestr(text)


def plain_message(lines: list[bytes], text: str) -> http.client.HTTPMessage | None:
    """The ``HTTPMessage`` of a block of plain lines (``text``: ``lines`` decoded), else None."""
    if lines[-1] not in _TERMINATORS or _BARE_CR.search(text) is not None:
        return None
    headers = _PLAIN_LINE.findall(text)
    # Each match starts at a line's start and ends at its \n: one match per line before
    # the empty one means that every line is plain.
    if len(headers) != len(lines) - 1:
        return None
    message = _HTTPMessage()
    message._headers = headers
    message._payload = ""
    lowered = text.lower()  # a multipart/* or message/* type is spelled out in the block
    if ("multipart" in lowered or "message" in lowered) and (
        message.get_content_maintype() in _COMPOSITE_TYPES
    ):
        return None
    return message


def install() -> None:
    """Make ``http.client.parse_headers`` this module's (both its callers look it up then)."""
    http.client.parse_headers = parse_headers
