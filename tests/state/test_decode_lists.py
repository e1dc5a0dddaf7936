"""The string lists of process events (args, env) split as libsinsp's set_args/set_env do:
the one-split forms in state/decode.py against a byte-by-byte transcription of the C++."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from sysdive.state.decode import split_args, split_env


def _entries(raw: bytes, env: bool) -> list[str]:
    out: list[str] = []
    off = 0
    while off < len(raw):
        j = raw.find(b"\0", off)
        if j < 0:
            j = len(raw)
        if env and j == off and not raw[off:].strip(b"\0"):
            break   # set_env: an empty string followed only by zeros ends the list
        out.append(raw[off:j].decode("utf-8", "surrogateescape"))
        off = j + 1
    return out


# NULs, ASCII, multi-byte UTF-8 and bytes that are not UTF-8, in any order.
_PIECES = st.lists(st.sampled_from([b"\0", b"\0\0", b"a", b"PATH=/bin", "é".encode(),
                                    "€".encode()[:2], b"\xff", b"=", b" "]), max_size=20)


@given(_PIECES)
def test_split_args_as_set_args(pieces: list[bytes]) -> None:
    raw = b"".join(pieces)
    assert split_args(raw) == _entries(raw, env=False)


@given(_PIECES)
def test_split_env_as_set_env(pieces: list[bytes]) -> None:
    raw = b"".join(pieces)
    assert split_env(raw) == _entries(raw, env=True)


def test_examples() -> None:
    assert split_args(b"") == [] and split_args(b"\0") == [""]
    assert split_args(b"curl\0-s\0\0x\0") == ["curl", "-s", "", "x"]
    assert split_env(b"A=1\0\0B=2\0\0\0") == ["A=1", "", "B=2"]
    assert split_env(b"\0\0") == [] and split_env(b"A\xff") == ["A\udcff"]
