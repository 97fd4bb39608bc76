"""The bytes and text of a file a user hands the suite: one way to open and decode it for every reader.

Registers, expense and payroll exports, mapping tables, column mappings
and params all arrive as paths typed by a person, so anything can be at
the end of one: a folder, a named pipe that would block the run forever,
a file this user may not read, or text in an encoding nobody announced.
:func:`read_input_bytes` opens only regular files, without ever blocking,
and :func:`decode` turns bytes into text by what they are:

- a byte-order mark decides: UTF-8 or UTF-16 (Excel's "Unicode text");
  UTF-32 is refused;
- without one, UTF-8 when every byte is UTF-8; else Windows-1252 when the
  file (a CSV only) has no UTF-8 in it at all;
- a file that mixes both is never guessed at: each byte that does not
  fit stays in the text as a lone surrogate (U+DC80-U+DCFF, Python's
  ``surrogateescape``), so the reader that knows rows and columns can
  name the first one (see :func:`first_bad_character`).

A file of UTF-16 without a byte-order mark is refused saying so, rather
than read as text full of NUL characters.
"""

from __future__ import annotations

import os
import re
import stat
from pathlib import Path

from ops_lib.core.errors import DataInputError

UTF8_BOM = b"\xef\xbb\xbf"
UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
UTF32_BOMS = (b"\xff\xfe\x00\x00", b"\x00\x00\xfe\xff")
# Kept in text: tab, line feed, carriage return. Refused: the other C0 controls, DEL, the C1 controls
# (in UTF-8 text they are almost always text converted between encodings twice), a byte-order mark
# inside the text (two files joined; invisible, it would make "1001" differ from "1001"), and the lone
# surrogates that stand for bytes the encoding could not read.
BAD_CHARACTER = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufeff\udc80-\udcff]")
ESCAPED_BYTE = re.compile("[\udc80-\udcff]")
MULTIBYTE = re.compile("[\u0080-\udc7f\udd00-\U0010ffff]")  # not ASCII, and not an escaped byte
CONTROL_NAMES = {0x00: "NUL", 0x1A: "SUB", 0x1B: "ESC", 0x7F: "DEL"}


def read_input_bytes(path: Path | str, what: str = "file") -> bytes:
    """The bytes of a regular file.

    The file is opened non-blocking and checked on the open descriptor,
    so a FIFO is refused instead of waiting for a writer that never comes.

    Raises
    ------
    DataInputError
        No such file, a folder, a FIFO, socket or device, or a file that cannot be read (permissions).
    """
    path = Path(path)
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
    except FileNotFoundError:
        raise DataInputError(f"{path}: no such {what}") from None
    except IsADirectoryError:
        raise DataInputError(f"{path}: is a folder, not a {what}") from None
    except PermissionError:
        kind = "a folder" if path.is_dir() else "a file this user may not read"
        raise DataInputError(f"{path}: permission denied ({kind}); give a readable {what}") from None
    except OSError as exc:
        raise DataInputError(f"{path}: cannot open the {what} ({exc.strerror or type(exc).__name__})") from None
    try:
        mode = os.fstat(fd).st_mode
        if not stat.S_ISREG(mode):
            raise DataInputError(f"{path}: is {_kind(mode)}, not a regular file; give the {what} itself")
        with os.fdopen(fd, "rb", closefd=False) as handle:
            return handle.read()
    except OSError as exc:
        raise DataInputError(f"{path}: cannot read the {what} ({exc.strerror or type(exc).__name__})") from None
    finally:
        os.close(fd)


def _kind(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISFIFO(mode):
        return "a FIFO (named pipe)"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "a device"


def decode(path: Path | str, raw: bytes, *, windows_1252: bool = True) -> tuple[str, str]:
    """The text of ``raw`` and the encoding it was read in (``utf-8-sig``, ``utf-8``, ``utf-16`` or ``cp1252``).

    Bytes the chosen encoding cannot read are kept as lone surrogates; the
    caller names the first with :func:`first_bad_character`. Windows-1252
    is tried only with ``windows_1252`` (CSV exports; YAML is UTF-8).

    Raises
    ------
    DataInputError
        UTF-32, UTF-16 without a byte-order mark, or UTF-16 that is broken (naming the line).
    """
    if raw.startswith(UTF32_BOMS):
        raise DataInputError(f"{path}: the file is UTF-32 (its byte-order mark says so); save it as UTF-8 "
                             f"and try again")
    if raw.startswith(UTF16_BOMS):
        try:
            return raw.decode("utf-16"), "utf-16"
        except UnicodeDecodeError as exc:
            line = raw[:exc.start].decode("utf-16", "replace").count("\n") + 1
            raise DataInputError(f"{path}, line {line}: the file starts as UTF-16 (its byte-order mark says so) "
                                 f"but is not valid UTF-16 there; save it again as UTF-8") from None
    if raw.startswith(UTF8_BOM):
        return raw[len(UTF8_BOM):].decode("utf-8", "surrogateescape"), "utf-8-sig"
    if _looks_utf16(raw):
        raise DataInputError(f"{path}: the file looks like UTF-16 without a byte-order mark (every other byte "
                             f"is 0); save it as UTF-8, or as Unicode text with its byte-order mark")
    text = raw.decode("utf-8", "surrogateescape")
    if windows_1252 and ESCAPED_BYTE.search(text) and not _has_utf8(text):
        return raw.decode("cp1252", "surrogateescape"), "cp1252"
    return text, "utf-8"


def _looks_utf16(raw: bytes) -> bool:
    """Text of UTF-16 (LE or BE) has a 0 in every other byte of its ASCII characters."""
    head = raw[:400]
    return len(head) >= 4 and (head[1::2].count(0) > len(head) // 4 or head[0::2].count(0) > len(head) // 4)


def _has_utf8(text: str) -> bool:
    """Whether text decoded from UTF-8 holds any character that took more than one byte to write."""
    return MULTIBYTE.search(text) is not None


def first_bad_character(text: str) -> int | None:
    """The index of the first character no reader should accept (see :data:`BAD_CHARACTER`), else None."""
    match = BAD_CHARACTER.search(text)
    return match.start() if match else None


def escaped_byte(char: str) -> int | None:
    """The byte a lone surrogate from :func:`decode` stands for; None for any other character."""
    code = ord(char)
    return code - 0xDC00 if 0xDC80 <= code <= 0xDCFF else None


def describe_bad_character(char: str, encoding: str) -> str:
    """What is wrong with one refused character, and how to fix it, for a message about its cell or line."""
    code = ord(char)
    if escaped_byte(char) is not None:
        byte = f"byte 0x{code - 0xDC00:02x}"
        if encoding == "utf-8-sig":
            return (f"{byte} is not UTF-8, though the file starts with a UTF-8 byte-order mark; "
                    f"save the file again as UTF-8")
        if encoding == "cp1252":
            return f"{byte} is neither UTF-8 nor Windows-1252; save the file as UTF-8 and try again"
        return (f"{byte} is not UTF-8, but other rows of the file are (part of it was written in another "
                f"encoding, such as Windows-1252); save the whole file as UTF-8 and try again")
    if code == 0xFEFF:
        return ("a byte-order mark (U+FEFF) inside the text, most often where two files were joined into one; "
                "remove it and try again")
    name = f" ({CONTROL_NAMES[code]})" if code in CONTROL_NAMES else ""
    return f"the control character U+{code:04X}{name} is not allowed in text; remove it and try again"
