"""Reading LSP messages off a byte stream, and never losing the thread.

pygls reads a header line only if it is exactly `Content-Length: N\\r\\n`, and a body only as
`N` bytes: one stray byte, a lower-case header name or a wrong length put it out of step with
the stream for good (it answers nothing again, not even `shutdown`), and a huge `N` makes it
allocate that much. `Framer` is the reader the server uses instead:

- header names in any case, `\\n` or `\\r\\n` line ends, other headers ignored;
- anything that is not a header (junk, a body without a header, a truncated body's tail) is
  skipped up to the next `Content-Length:`, even one in the middle of a line: the stream is
  back in step at the next message;
- a length over `MAX_BODY` is refused (logged) and skipped the same way, without allocating;
- a body that runs into the next message's header (a length too long) ends there; a body that
  holds one JSON value and then something else is that value, the rest read again as headers;
  a body still incomplete that already holds a whole JSON object is taken at once (the length
  was too long and the client waits for an answer);
- a body that is not a JSON value is reported, and read again as junk: whatever header it
  swallowed is found.

`Framer.feed(data)` takes bytes as they come and returns what they completed: `Message`s
(the decoded JSON text) and `Problem`s (to log). It keeps at most one message's worth of
bytes, plus a header line of at most `MAX_LINE` bytes.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any, Callable

MAX_BODY = 128 * 1024 * 1024  # bytes: the largest message accepted (a didOpen of a huge file)
MAX_LINE = 8 * 1024  # bytes: a header line longer than this is junk

# name: value (stripped after). The look behind changes nothing for a whole line (fullmatch) and
# makes a search try only where a run of blanks or of name characters starts: no use is quadratic.
_HEADER = re.compile(rb"(?<![ \t!-9;-~])[ \t]*([!-9;-~]+)[ \t]*:(.*)")
_SPACE = b" \t\r\n"
_CONTENT_LENGTH = re.compile(rb"content-length[ \t]*:", re.IGNORECASE)
# a header inside a body: a raw line end after the digits cannot be inside a JSON string,
# and the bare word cannot be outside one, so this never matches a well-formed body
_HEADER_IN_BODY = re.compile(rb"content-length[ \t]*:[ \t]*[0-9]+[ \t]*\r?\n", re.IGNORECASE)
_OVERLAP = 64  # bytes of the previous chunk searched again (a header split between reads)


@dataclass
class Message:
    value: Any  # what the JSON decoder (and its object hook) made of the body


@dataclass
class Problem:
    message: str


class Framer:
    def __init__(self, object_hook: Callable[[dict], Any] | None = None, max_body: int = MAX_BODY):
        self.buffer = bytearray()
        self.decoder = json.JSONDecoder(object_hook=object_hook)
        self.max_body = max_body
        self.length: int | None = None  # the Content-Length of the header block being read
        self.in_headers = False  # a header block has started
        self.in_body = False
        self.searched = 0  # how far the body has been searched for a header
        self.junk = 0  # bytes skipped since the last good message (reported once per run)

    # -- input --------------------------------------------------------------------------------

    def feed(self, data: bytes) -> list[Message | Problem]:
        self.buffer += data
        events: list[Message | Problem] = []
        while self._step(events):
            pass
        return events

    def _step(self, events: list) -> bool:
        """Read one line or one body off the buffer; False when more bytes are needed."""
        if self.in_body:
            return self._body(events)
        end = self.buffer.find(b"\n")
        if end < 0:
            if len(self.buffer) > MAX_LINE:
                self._skip_long_line()
                return True
            return False
        line = bytes(self.buffer[:end])
        del self.buffer[: end + 1]
        self._line(line, end + 1, events)
        return True

    def _line(self, line: bytes, size: int, events: list) -> None:
        if not line.strip(b" \t\r"):
            if self.length is not None:
                self.in_body, self.searched = True, 0
                return
            if self.in_headers:
                self._report(events, "a header block without Content-Length was skipped")
            self._reset()
            return
        last = None
        for last in _CONTENT_LENGTH.finditer(line):
            pass
        if last is not None and last.start() > 0:
            # a header starts inside the line: what comes before it is junk
            self.junk += last.start()
            self._reset()
            line = line[last.start() :]
        match = _HEADER.fullmatch(line)
        if match is None:  # junk
            self.junk += size
            self._reset()
            return
        self.in_headers = True
        if match.group(1).lower() == b"content-length":
            value = match.group(2).strip(b" \t\r")
            if not value.isdigit() or len(value) > 15:
                self._report(events, f"a message with an unreadable Content-Length ({value[:20]!r}) was skipped")
                self._reset()
            elif int(value) > self.max_body:
                self._report(
                    events, f"a message of {int(value)} bytes was refused (the limit is {self.max_body}) and skipped"
                )
                self._reset()
            else:
                self.length = int(value)

    def _skip_long_line(self) -> None:
        """A line too long to be a header: skip it up to a `Content-Length:` in it, if any."""
        found = _CONTENT_LENGTH.search(self.buffer, 1)
        cut = found.start() if found is not None else len(self.buffer) - _OVERLAP
        self.junk += cut
        del self.buffer[:cut]
        self._reset()

    def _reset(self) -> None:
        self.length, self.in_headers, self.in_body = None, False, False

    # -- bodies -------------------------------------------------------------------------------

    def _body(self, events: list) -> bool:
        length = self.length
        assert length is not None
        start = max(0, self.searched - _OVERLAP)
        limit = min(len(self.buffer), length + _OVERLAP)
        header = _HEADER_IN_BODY.search(self.buffer, start, limit)
        self.searched = limit
        if header is not None and header.start() < length:
            # the length ran into the next message: the body ends where that one starts
            self._take(self.buffer[: header.start()], header.start(), events, whole=True)
            return True
        if len(self.buffer) >= length:
            self._take(self.buffer[:length], length, events, whole=True)
            return True
        first = _first_byte(self.buffer)
        if first is not None and first not in b"{[":
            self._take(self.buffer, len(self.buffer), events, whole=True)  # not JSON: junk
            return True
        if _last_byte(self.buffer) == ord("}"):
            # maybe a whole message already, with a length too long: take it if it is
            return self._take(self.buffer, len(self.buffer), events, whole=False)
        return False

    def _take(self, body: bytearray, size: int, events: list, whole: bool) -> bool:
        """Decode a body of `size` bytes off the buffer. A body that is not `whole` (more
        may come) is taken only if it holds a whole JSON value."""
        try:
            text = bytes(body).decode("utf-8")
            begin = len(text) - len(text.lstrip())
            value, end = self.decoder.raw_decode(text, begin)
        except (ValueError, RecursionError) as error:  # (UnicodeDecodeError is a ValueError)
            if not whole:
                return False
            self._report(events, f"an unreadable message was skipped ({type(error).__name__}: {str(error)[:80]})")
            # read it again from its start, as headers: a header it swallowed (a length too
            # long) is found there (the header block before it was consumed: no loop)
            self._reset()
            return True
        used = len(text[:end].encode("utf-8"))
        if text[end:].strip():  # a value, then more: the rest is read again, as headers
            size = used
        del self.buffer[:size]
        self._reset()
        if self.junk:
            events.append(Problem(f"{self.junk} bytes of junk were skipped"))
            self.junk = 0
        events.append(Message(value))
        return True

    def _report(self, events: list, message: str) -> None:
        if self.junk:
            message = f"{message} (after {self.junk} bytes of junk)"
            self.junk = 0
        events.append(Problem(message))

    def flush(self) -> list[Problem]:
        """The end of input: what was left unread."""
        left = len(self.buffer) + self.junk
        self.buffer.clear()
        self.junk = 0
        self._reset()
        return [Problem(f"the input ended inside a message ({left} bytes unread)")] if left else []


def _first_byte(data: bytearray) -> int | None:
    for byte in data:
        if byte not in _SPACE:
            return byte
    return None


def _last_byte(data: bytearray) -> int | None:
    for index in range(len(data) - 1, -1, -1):
        if data[index] not in _SPACE:
            return data[index]
    return None
