"""The zlib dictionary SPDY/3 header blocks are compressed against (spec section 2.6.10.1).

Every SPDY/3 and SPDY/3.1 peer primes its header compressor and decompressor
with the same 1,423 bytes, so a single byte out of place makes every
SYN_STREAM unreadable (zlib reports a dictionary mismatch). The spec prints
the dictionary as a byte table; here it is spelled as what it is: 65
length-prefixed tokens (methods, header names, common values), then one run of
status codes, reason phrases, dates and media types. The result is pinned by
its length and SHA-256 in the tests.

The agent's kubelet API has the same table (`vkprovider.kubelet.spdydictionary`);
the embedded API server may not import the agent, so it keeps its own copy, and
`tests/localkube/test_stream_translation.py` pins both to the same digest.
"""

from __future__ import annotations

_TOKENS = (
    "options",
    "head",
    "post",
    "put",
    "delete",
    "trace",
    "accept",
    "accept-charset",
    "accept-encoding",
    "accept-language",
    "accept-ranges",
    "age",
    "allow",
    "authorization",
    "cache-control",
    "connection",
    "content-base",
    "content-encoding",
    "content-language",
    "content-length",
    "content-location",
    "content-md5",
    "content-range",
    "content-type",
    "date",
    "etag",
    "expect",
    "expires",
    "from",
    "host",
    "if-match",
    "if-modified-since",
    "if-none-match",
    "if-range",
    "if-unmodified-since",
    "last-modified",
    "location",
    "max-forwards",
    "pragma",
    "proxy-authenticate",
    "proxy-authorization",
    "range",
    "referer",
    "retry-after",
    "server",
    "te",
    "trailer",
    "transfer-encoding",
    "upgrade",
    "user-agent",
    "vary",
    "via",
    "warning",
    "www-authenticate",
    "method",
    "get",
    "status",
    "200 OK",
    "version",
    "HTTP/1.1",
    "url",
    "public",
    "set-cookie",
    "keep-alive",
    "origin",
)

_TAIL = (
    "100101201202205206300302303304305306307402405406407408409410411412413414415416417"
    "502504505"
    "203 Non-Authoritative Information"
    "204 No Content"
    "301 Moved Permanently"
    "400 Bad Request"
    "401 Unauthorized"
    "403 Forbidden"
    "404 Not Found"
    "500 Internal Server Error"
    "501 Not Implemented"
    "503 Service Unavailable"
    "Jan Feb Mar Apr May Jun Jul Aug Sept Oct Nov Dec 00:00:00 "
    "Mon, Tue, Wed, Thu, Fri, Sat, Sun, GMT"
    "chunked,text/html,image/png,image/jpg,image/gif,application/xml,application/xhtml+xml,"
    "text/plain,text/javascript,publicprivatemax-age=gzip,deflate,sdch"
    "charset=utf-8charset=iso-8859-1,utf-,*,enq=0."
)

DICTIONARY = (
    b"".join(len(token).to_bytes(4, "big") + token.encode() for token in _TOKENS) + _TAIL.encode()
)
"""SPDY/3's header-compression dictionary (1,423 bytes)."""
