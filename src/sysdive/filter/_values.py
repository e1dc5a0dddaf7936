"""Turning a literal from a filter into a typed value, as 0.29.3's value parser does.

(libsinsp ``sinsp_filter_value_parser::string_to_rawval`` and ``sinsp_numparser``.) Every
function takes the literal text and returns the value, or raises ``ValueError`` with a
message that the compiler turns into a filter error at the literal's column.
"""

from __future__ import annotations

import _socket as socket  # the C module: socket.py (selectors, enums) costs ~4 ms to import
import ipaddress
import re

from sysdive.records import record

__all__ = [
    "IPv4Net",
    "IPv6Net",
    "parse_bool",
    "parse_c_integer",
    "parse_double",
    "parse_hex_bytes",
    "parse_ip",
    "parse_ipnet",
    "parse_port",
    "parse_string",
]

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

# sscanf("%d%c") / ("%u%c"): optional C white space, an optional sign, decimal digits, and
# nothing after them (a trailing character would be read by %c and fail the check).
_C_INTEGER = re.compile(r"[ \t\n\v\f\r]*([+-]?)([0-9]+)", re.ASCII)
_U64 = 1 << 64


def parse_c_integer(text: str, bits: int, signed: bool) -> int:
    """Read ``text`` the way glibc ``sscanf`` plus a C cast does, into a ``bits``-wide int.

    Signed conversions clamp to the 64-bit range (strtol), unsigned ones negate modulo
    2**64 and saturate on overflow (strtoul); then the value is truncated to ``bits``, as the
    C cast to the field's storage type does (so 256 reads as 0 for an 8-bit field).
    """
    m = _C_INTEGER.fullmatch(text)
    if m is None:
        raise ValueError(f"{text!r} is not a valid number")
    sign, digits = m.groups()
    magnitude = int(digits)
    if signed:
        value = -magnitude if sign == "-" else magnitude
        value = max(-(1 << 63), min((1 << 63) - 1, value))
    elif magnitude >= _U64:
        value = _U64 - 1
    else:
        value = (_U64 - magnitude) % _U64 if sign == "-" else magnitude
    mask = (1 << bits) - 1
    value &= mask
    if signed and value >> (bits - 1):
        value -= 1 << bits
    return value


def parse_port(text: str) -> int:
    """A port: empty is 0, all digits a number (cut to 16 bits), else a service name."""
    if text == "":
        return 0
    if text.isascii() and text.isdigit():
        number = int(text)
        if number > 0x7FFFFFFF:  # std::stoi throws out_of_range
            raise ValueError(f"port {text!r} is out of range")
        return number & 0xFFFF
    try:
        return socket.getservbyname(text)
    except (OSError, UnicodeError, ValueError):
        raise ValueError(f"unrecognized protocol {text!r}") from None


def parse_bool(text: str) -> int:
    """Exactly ``true`` or ``false`` (compared as 1 and 0, like 0.29.3's uint32)."""
    if text == "true":
        return 1
    if text == "false":
        return 0
    raise ValueError(f"unrecognized boolean value {text!r} (expected true or false)")


_C_DOUBLE = re.compile(
    r"[ \t\n\v\f\r]*[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?", re.ASCII
)


def parse_double(text: str) -> float:
    """A decimal floating-point number (superset: 0.29.3 has no parser for DOUBLE fields)."""
    if _C_DOUBLE.fullmatch(text) is None:
        raise ValueError(f"{text!r} is not a valid number")
    return float(text.strip(" \t\n\v\f\r"))


def parse_string(text: str) -> str:
    """A string value ends at its first NUL (a ``\\x00`` escape), as a C string does."""
    return text.split("\0", 1)[0]


def parse_hex_bytes(text: str) -> bytes:
    """The value of ``bcontains``/``bstartswith``: an even number of hex digits."""
    if len(text) % 2 or any(c not in "0123456789abcdefABCDEF" for c in text):
        raise ValueError(f"{text!r} is not a hex string (bcontains/bstartswith take hex bytes)")
    return bytes.fromhex(text)


def _ipv4(text: str) -> ipaddress.IPv4Address:
    # inet_pton(AF_INET): four decimal octets, no leading zeros, no blanks - which is
    # exactly what ipaddress accepts.
    try:
        return ipaddress.IPv4Address(text)
    except ValueError:
        raise ValueError(f"unrecognized IPv4 address {text!r}") from None


def _ipv6(text: str) -> ipaddress.IPv6Address:
    # ipaddress also takes a "%scope" suffix, which inet_pton(AF_INET6) does not.
    try:
        if "%" in text:
            raise ValueError(text)
        return ipaddress.IPv6Address(text)
    except ValueError:
        raise ValueError(f"unrecognized IPv6 address {text!r}") from None


def parse_ip(text: str, family: int | None) -> IPAddress:
    """An address; ``family`` 4 or 6 forces one, None picks IPv4 iff the text has a ``.``."""
    if family == 4 or (family is None and "." in text):
        return _ipv4(text)
    return _ipv6(text)


@record
class IPv4Net:
    """``a.b.c.d/len``: matches addresses whose masked bits equal the network's."""

    address: int
    mask: int

    def contains(self, addr: IPAddress) -> bool:
        return isinstance(addr, ipaddress.IPv4Address) and (int(addr) & self.mask) == (
            self.address & self.mask
        )


@record
class IPv6Net:
    """An IPv6 network: a prefix of ``length`` bits (0.29.3 itself only knows /64)."""

    address: int
    length: int

    def contains(self, addr: IPAddress) -> bool:
        if not isinstance(addr, ipaddress.IPv6Address):
            return False
        shift = 128 - self.length
        return (int(addr) >> shift) == (self.address >> shift)


def parse_ipnet(text: str, family: int | None) -> IPv4Net | IPv6Net:
    """A network value for IPNET/IPV4NET/IPV6NET fields.

    IPv4 (the text has a ``.``): ``address/len`` is required; ``len`` is read like an 8-bit
    number (so ``/256`` is ``/0``) and must be at most 32. IPv6: 0.29.3 takes a plain
    address and matches the first 64 bits; a ``/len`` suffix is our superset.
    """
    if family == 4 or (family is None and "." in text):
        if "/" not in text:
            raise ValueError(f"unrecognized IP network {text!r} (expected address/length)")
        addr_text, mask_text = text.split("/", 1)
        addr = _ipv4(addr_text)
        length = parse_c_integer(mask_text, 8, signed=False)
        if length > 32:
            raise ValueError(f"invalid netmask {mask_text!r}")
        mask = ((1 << length) - 1) << (32 - length)
        return IPv4Net(int(addr), mask)
    if "/" in text:
        addr_text, length_text = text.split("/", 1)
        if not (length_text.isascii() and length_text.isdigit()) or int(length_text) > 128:
            raise ValueError(f"invalid IPv6 prefix length {length_text!r}")
        return IPv6Net(int(_ipv6(addr_text)), int(length_text))
    return IPv6Net(int(_ipv6(text)), 64)
