"""lab.debugging: how TestState's TRACE request and response read in 05b."""

from lab import debugging


def test_a_date_header_stays_one_line_at_its_comma():
    """05b: the raw response's Date header was split in two at its comma. TestState's
    inspectionData.response.headers is one string, ``[Name: value, Name: value]``
    (https://docs.aws.amazon.com/step-functions/latest/apireference/API_InspectionDataResponse.html);
    an HTTP date (RFC 9110 IMF-fixdate) carries a comma of its own."""
    text = ("[Content-Type: application/json, Date: Sat, 05 Dec 2026 00:47:13 GMT, "
            "Content-Length: 27, x-amzn-RequestId: 9f1c]")
    assert debugging._headers(text) == [
        "Content-Type: application/json", "Date: Sat, 05 Dec 2026 00:47:13 GMT",
        "Content-Length: 27", "x-amzn-RequestId: 9f1c"]


def test_headers_without_brackets_and_empty_text_still_read():
    assert debugging._headers("Range: bytes=0-262144") == ["Range: bytes=0-262144"]
    assert debugging._headers(None) == [] and debugging._headers("[]") == []
