"""Contracts: ``lab.sandbox.fast_headers.parse_headers`` is ``http.client.parse_headers``.

For every header block below, and for thousands of random ones, the fast parser and the
standard library's give the same outcome: the same message (its whole state, its
headers however asked for, its defects, its payload, its text) read from the same bytes
of the stream, or the same exception after reading the same bytes. The blocks say which
way the fast parser takes (its own path, or the stdlib's parser), so that the rule in
the module's docstring is pinned too. Then what the fast parser copies from the stdlib
(CPython 3.11), and that the sandbox server process installs it.
"""

from __future__ import annotations

import email.feedparser
import email.message
import http.client
import http.server
import inspect
import io
import random

import pytest
from header_samples import BOTO3_REQUEST, DATAPLANE_RESPONSE, TRANSPORT_REQUEST

from lab.sandbox import fast_headers

STDLIB = fast_headers.stdlib_parse_headers
FAST = fast_headers.parse_headers
BODY = b"the body: not headers\r\nX-Not: a header\r\n\r\n"

ERROR_RESPONSE = (
    b"Server: Werkzeug/3.1.3 Python/3.11.7\r\n"
    b"Content-Type: application/json\r\n"
    b"x-amzn-ErrorType: ForbiddenException\r\n"
    b"x-amzn-ErrorMessage: User is not authorized to access this resource\r\n"
    b"Transfer-Encoding: chunked\r\n"
    b"Connection: close\r\n"
    b"\r\n"
)


def _many(count: int) -> bytes:
    return b"".join(b"X-Header-%d: value %d\r\n" % (i, i) for i in range(count)) + b"\r\n"


#: (label, block, the way the fast parser takes: "fast", "stdlib" or "raises")
CORPUS = [
    ("boto3 SigV4 request", BOTO3_REQUEST, "fast"),
    ("boto3 request, LF line ends", BOTO3_REQUEST.replace(b"\r\n", b"\n"), "fast"),
    ("transport request", TRANSPORT_REQUEST, "fast"),
    ("data plane response", DATAPLANE_RESPONSE, "fast"),
    ("error response naming a message", ERROR_RESPONSE, "fast"),
    ("CRLF lines, LF end", b"A: 1\r\nB: 2\r\n\n", "fast"),
    ("LF lines, CRLF end", b"A: 1\nB: 2\n\r\n", "fast"),
    ("duplicates", b"Set-Cookie: a=1\r\nSet-Cookie: b=2\r\nX: 1\r\nx: 2\r\nX: 3\r\n\r\n", "fast"),
    ("empty values", b"X-Empty:\r\nX-Space: \r\nX-Tab:\t\r\nX-Spaces: \t \t\r\n\r\n", "fast"),
    (
        "value with colons",
        b"X-Url: http://u:p@host:8080/p?q=1:2\r\nX-Time: 12:34:56\r\n\r\n",
        "fast",
    ),
    ("tabs in values", b"X-Lead:\tvalue\r\nX-Mid: a\tb\r\nX-Both: \t a \t\r\n\r\n", "fast"),
    ("trailing spaces", b"X-Trail: value   \r\nX-Trail-Tab: value\t\r\n\r\n", "fast"),
    ("no space after the colon", b"X:value\r\nY:  two\r\n\r\n", "fast"),
    ("latin-1 bytes in values", b"X-Latin: caf\xe9 \xff \x85 \xa0\r\nY: \xc3\xa9\r\n\r\n", "fast"),
    ("control bytes in values", b"X: a\x00b\x0bc\x0cd\x1ce\x7f\r\n\r\n", "fast"),
    ("odd but valid name characters", b"X-Odd!#$%&'*+.^_`|~\"(),/;<=>?@[]{}\\: v\r\n\r\n", "fast"),
    ("a header named From", b"From: someone@example.com\r\nFrom:x\r\n\r\n", "fast"),
    ("content type text", b"Content-Type: text/plain; charset=utf-8\r\n\r\n", "fast"),
    ("content type without a slash", b"Content-Type: multipart\r\n\r\n", "fast"),
    ("content type message without a slash", b"content-type: Message\r\n\r\n", "fast"),
    (
        "multipart only in a second content type",
        b"Content-Type: text/html\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n",
        "fast",
    ),
    ("a message id header", b"X-Message-Id: 42\r\nX-Multipart-Hint: no\r\n\r\n", "fast"),
    ("only the empty line", b"\r\n", "fast"),
    ("only an LF", b"\n", "fast"),
    ("99 headers", _many(99), "fast"),
    ("a line at the length limit", b"X: " + b"v" * (65536 - 5) + b"\r\n\r\n", "fast"),
    ("obs-fold continuation", b"X: a\r\n  continued\r\nY: b\r\n\r\n", "stdlib"),
    ("tab continuation", b"X: a\r\n\tcontinued\r\n\r\n", "stdlib"),
    ("continuation of an empty value", b"X:\r\n b\r\n\r\n", "stdlib"),
    ("whitespace first line", b" X: y\r\nZ: w\r\n\r\n", "stdlib"),
    ("tab first line", b"\tX: y\r\n\r\n", "stdlib"),
    ("a line without a colon", b"A: 1\r\nNoColon\r\nB: 2\r\n\r\n", "stdlib"),
    ("a first line without a colon", b"garbage\r\nA: 1\r\n\r\n", "stdlib"),
    (
        "a unix From line first",
        b"From someone@example.com Mon Jan  1 00:00:00 2026\r\nA: 1\r\n\r\n",
        "stdlib",
    ),
    ("a From line in the middle", b"A: 1\r\nFrom x\r\nB: 2\r\n\r\n", "stdlib"),
    ("a From line last", b"A: 1\r\nFrom x: y\r\n\r\n", "stdlib"),
    ("an empty name", b": value\r\nA: 1\r\n\r\n", "stdlib"),
    ("a space before the colon", b"X : v\r\n\r\n", "stdlib"),
    ("a space in the name", b"X Y: v\r\n\r\n", "stdlib"),
    ("a tab in the name", b"X\tY: v\r\n\r\n", "stdlib"),
    ("latin-1 in the name", b"X\xe9: v\r\n\r\n", "stdlib"),
    ("a NUL in the name", b"X\x00: v\r\n\r\n", "stdlib"),
    ("DEL in the name", b"X\x7f: v\r\n\r\n", "stdlib"),
    ("a bare CR in a value", b"X: a\rb\r\nY: c\r\n\r\n", "stdlib"),
    ("a CR CR LF end", b"X: a\r\r\n\r\n", "stdlib"),
    ("a bare CR, then a colon", b"X: a\rY: b\r\n\r\n", "stdlib"),
    ("a CR LF CR LF CR", b"X: a\r\n\r\r\n", "stdlib"),
    (
        "multipart with a boundary",
        b"Content-Type: multipart/form-data; boundary=x\r\n\r\n",
        "stdlib",
    ),
    ("multipart without a boundary", b"Content-Type: multipart/mixed\r\n\r\n", "stdlib"),
    (
        "multipart in capitals",
        b'CONTENT-TYPE: MULTIPART/Mixed; boundary="b"\r\nContent-Transfer-Encoding: base64\r\n\r\n',
        "stdlib",
    ),
    ("message/rfc822", b"Content-Type: message/rfc822\r\n\r\n", "stdlib"),
    ("message/delivery-status", b"Content-Type: message/delivery-status\r\n\r\n", "stdlib"),
    ("end of stream without the empty line", b"A: 1\r\nB: 2\r\n", "stdlib"),
    ("end of stream in a line", b"A: 1\r\nB: 2", "stdlib"),
    ("end of stream after a CR", b"A: 1\r", "stdlib"),
    ("an empty stream", b"", "stdlib"),
    ("100 headers", _many(100), "raises"),
    ("101 headers", _many(101), "raises"),
    ("an over-long line", b"X: " + b"v" * 65536 + b"\r\n\r\n", "raises"),
    ("an over-long line after others", b"A: 1\r\n" + b"B" * 70000 + b"\r\n\r\n", "raises"),
]


def _attempt(call):
    try:
        return ("returned", call())
    except Exception as exc:  # the same exception, or the same value, from both
        return ("raised", type(exc), str(exc))


def _payload(payload):
    if isinstance(payload, list):
        return [_describe(part) for part in payload]
    return payload


def _describe(message: email.message.Message) -> dict:
    """Everything a caller could see of ``message``, as plain comparable values."""
    state = dict(vars(message))
    defects = state.pop("defects")
    payload = state.pop("_payload")
    names = sorted({name.lower() for name in message.keys()} | {"content-type", "missing"})
    return {
        "type": type(message),
        "state": state,  # _headers, policy, _unixfrom, _charset, preamble, epilogue, ...
        "defects": [(type(defect), defect.args) for defect in defects],
        "payload": _payload(payload),
        "get_payload": _payload(message.get_payload()),
        "items": message.items(),
        "keys": message.keys(),
        "values": message.values(),
        "get_all": {name: message.get_all(name) for name in names},
        "get": {name: message.get(name) for name in names},
        "matching": {
            name: message.getallmatchingheaders(name)
            for name in names
            if hasattr(message, "getallmatchingheaders")
        },
        "content_type": message.get_content_type(),
        "unixfrom": message.get_unixfrom(),
        "as_string": _attempt(message.as_string),
        "is_multipart": message.is_multipart(),
    }


def _outcome(parse, data: bytes, **kwargs):
    """What ``parse`` makes of ``data``, and what it left of the stream."""
    fp = io.BytesIO(data)
    try:
        message = parse(fp, **kwargs)
    except Exception as exc:
        return ("raised", type(exc), exc.args, fp.tell())
    return ("parsed", _describe(message), fp.read())


def _way(block: bytes) -> str:
    try:
        lines = http.client._read_headers(io.BytesIO(block))
    except http.client.HTTPException:
        return "raises"
    text = b"".join(lines).decode("iso-8859-1")
    return "fast" if fast_headers.plain_message(lines, text) is not None else "stdlib"


def _stream(block: bytes) -> bytes:
    """The block, then a body (unless the block ends at the end of the stream)."""
    ended = block.endswith(b"\n\n") or block.endswith(b"\r\n\r\n") or block in (b"\n", b"\r\n")
    return block + BODY if ended else block


@pytest.mark.parametrize("label, block, way", CORPUS, ids=[case[0] for case in CORPUS])
def test_the_fast_parser_gives_what_the_stdlib_gives(label, block, way):
    data = _stream(block)
    assert _way(data) == way
    assert _outcome(FAST, data) == _outcome(STDLIB, data)


@pytest.mark.parametrize("label, block, way", CORPUS, ids=[case[0] for case in CORPUS])
def test_another_message_class_gets_the_stdlib_s_parser(label, block, way):
    class Message(http.client.HTTPMessage):
        pass

    data = _stream(block)
    fast, stdlib = _outcome(FAST, data, _class=Message), _outcome(STDLIB, data, _class=Message)
    assert fast == stdlib
    if way != "raises":
        assert fast[1]["type"] is Message


def _parsed(label: str) -> http.client.HTTPMessage:
    block = {case[0]: case[1] for case in CORPUS}[label]
    return FAST(io.BytesIO(_stream(block)))


def test_the_plain_corpus_is_parsed_into_the_expected_headers():
    """Not only the same as the stdlib: what the stdlib gives is what HTTP means here."""
    message = _parsed("duplicates")
    assert message.get_all("x") == ["1", "2", "3"]
    assert message.get_all("Set-Cookie") == ["a=1", "b=2"]
    message = _parsed("empty values")
    assert message.items() == [("X-Empty", ""), ("X-Space", ""), ("X-Tab", ""), ("X-Spaces", "")]
    message = _parsed("trailing spaces")  # they stay
    assert message["X-Trail"] == "value   "
    assert message["x-trail-tab"] == "value\t"
    assert _parsed("latin-1 bytes in values")["X-Latin"] == "caf\xe9 \xff \x85 \xa0"
    assert _parsed("value with colons")["x-url"] == "http://u:p@host:8080/p?q=1:2"
    assert _parsed("boto3 SigV4 request")["X-Amz-Target"] == "AWSStepFunctions.StartSyncExecution"


# --------------------------------------------------------------------------- random blocks

_NAME = "abcXYZ019-_!#$%&'*+.^`|~\"(),/;<=>?@[]{}\\"
_ODD_NAME = [" ", "\t", "\x00", "\x7f", "\xe9", "\r", ":", ""]
_VALUE = [
    "a", "Z", "0", " ", "  ", "\t", ":", ";", ",", "=", "/", "\xe9", "\xff", "\x85", "\xa0",
    "\x0c", "\x0b", "\x00", "\x1c", "multipart/mixed", "message/rfc822", "text/plain",
    "; boundary=b", "From ", "MESSAGE", "\r",
]  # fmt: skip
_ENDS = ["\r\n"] * 12 + ["\n"] * 6 + ["\r", "\r\r\n", ""]


def _random_name(rng: random.Random) -> str:
    name = "".join(rng.choice(_NAME) for _ in range(rng.randint(1, 12)))
    if rng.random() < 0.05:
        name = rng.choice(["Content-Type", "content-type", "CONTENT-TYPE", "From"])
    if rng.random() < 0.06:
        cut = rng.randint(0, len(name))
        name = name[:cut] + rng.choice(_ODD_NAME) + name[cut:]
    return name


def _random_line(rng: random.Random) -> str:
    roll = rng.random()
    value = "".join(rng.choice(_VALUE[:-1]) for _ in range(rng.randint(0, 6)))
    if rng.random() < 0.03:
        value += "\r" + value  # a bare CR inside
    if roll < 0.84:
        line = f"{_random_name(rng)}:{rng.choice(['', ' ', '  ', chr(9)])}{value}"
    elif roll < 0.89:
        line = rng.choice([" ", "\t", "  "]) + value  # a continuation
    elif roll < 0.92:
        line = "From " + value
    elif roll < 0.95:
        line = _random_name(rng).replace(":", "") or "x"  # no colon
    elif roll < 0.97:
        line = ":" + value  # an empty name
    else:
        line = "Content-Type: " + rng.choice(
            ["multipart/mixed", "multipart/alternative; boundary=z", "message/rfc822",
             "message/delivery-status", "Multipart/Form-Data", "text/plain", "messagex/y"]
        )  # fmt: skip
    end = "\r\n" if rng.random() < 0.9 else rng.choice(_ENDS)
    return line + end


def _random_block(rng: random.Random) -> bytes:
    if rng.random() < 0.05:  # raw bytes from a small alphabet
        return bytes(rng.choice(b"aZ:-  \t\r\n\n\xe9F") for _ in range(rng.randint(0, 60)))
    count = (
        rng.choice([0, 1, 2, 3, 5, 8, 10, 12, 15])
        if rng.random() < 0.97
        else 99 + rng.randint(0, 2)
    )
    lines = [_random_line(rng) for _ in range(count)]
    terminator = rng.choice(["\r\n"] * 8 + ["\n"] * 3 + [""])
    block = ("".join(lines) + terminator).encode("iso-8859-1")
    return block + (BODY if terminator else b"")


def test_random_blocks_give_what_the_stdlib_gives():
    rng = random.Random(20261202)
    ways = {"fast": 0, "stdlib": 0, "raises": 0}
    for _ in range(4000):
        data = _random_block(rng)
        ways[_way(data)] += 1
        assert _outcome(FAST, data) == _outcome(STDLIB, data), data
    # Both ways were exercised, many times each.
    assert ways["fast"] > 1000 and ways["stdlib"] > 1000 and ways["raises"] > 10, ways


# --------------------------------------------------------------------------- the stdlib copied


def test_the_stdlib_parses_headers_as_the_fast_parser_copies():
    """CPython 3.11's parser, which lab/sandbox/fast_headers.py copies rule by rule."""
    source = inspect.getsource(STDLIB)
    assert STDLIB.__module__ == "http.client"
    assert "headers = _read_headers(fp)" in source
    assert "hstring = b''.join(headers).decode('iso-8859-1')" in source
    assert "return email.parser.Parser(_class=_class).parsestr(hstring)" in source
    assert fast_headers._read_headers is http.client._read_headers
    # A header line is what this matches (a name: printable ASCII but ':' and space).
    assert email.feedparser.headerRE.pattern == r"^(From |[\041-\071\073-\176]*:|[\t ])"
    # compat32: the value without leading spaces and tabs, nor its line end.
    policy = email.message.Message().policy
    assert policy.header_source_parse(["X: \t a b \t\r\n"]) == ("X", "a b \t")
    assert set(vars(http.client.HTTPMessage())) == {
        "policy", "_headers", "_unixfrom", "_payload", "_charset", "preamble", "epilogue",
        "defects", "_default_type",
    }  # fmt: skip


def test_both_callers_look_parse_headers_up_when_they_call_it():
    """So setting ``http.client.parse_headers`` is enough; and werkzeug's handler is theirs."""
    from werkzeug.serving import WSGIRequestHandler

    from lab.sandbox import server

    request = inspect.getsource(http.server.BaseHTTPRequestHandler.parse_request)
    assert "http.client.parse_headers(self.rfile" in request
    assert "self.headers = self.msg = parse_headers(self.fp)" in inspect.getsource(
        http.client.HTTPResponse.begin
    )
    handler = server._request_handler()
    assert handler.parse_request is http.server.BaseHTTPRequestHandler.parse_request
    assert WSGIRequestHandler.MessageClass is http.client.HTTPMessage  # the fast path's class


# --------------------------------------------------------------------------- installed


def test_the_sandbox_server_process_parses_headers_with_the_fast_parser(monkeypatch):
    """``make_server`` installs it (starting from the stdlib's, restored afterwards)."""
    import threading

    from lab.sandbox import network, server

    monkeypatch.setenv("MOTO_EC2_LOAD_DEFAULT_AMIS", "false")
    before = http.client.parse_headers
    http.client.parse_headers = STDLIB
    address = network.set_dataplane_address(None)
    try:
        made = server.make_server(0)
        try:
            assert http.client.parse_headers is fast_headers.parse_headers
            thread = threading.Thread(target=made.serve_forever, daemon=True)
            thread.start()
            # Both callers, through it: the server reads the request, http.client the answer.
            connection = http.client.HTTPConnection("127.0.0.1", made.server_port, timeout=10)
            connection.request("GET", "/", headers={"X-Lab-Test": "fast"})
            response = connection.getresponse()
            response.read()
            connection.close()
            assert response.status == 403  # unsigned: refused, with the sandbox's mark
            assert response.headers.get_all("x-lab-service") == ["private-api-lab-sandbox"]
            made.shutdown()
        finally:
            made.server_close()
    finally:
        http.client.parse_headers = before
        network.restore_dataplane_address(address)
