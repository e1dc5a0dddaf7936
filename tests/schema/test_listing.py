"""``sysdig -L`` parity for the event listing."""

from __future__ import annotations

from collections.abc import Callable

from sysdive.schema import EVENTS, EventFlag, ParamType, param_type_name, render_event_list


def test_event_list_matches_sysdig_byte_for_byte(run_sysdig: Callable[..., str]) -> None:
    assert render_event_list() == run_sysdig("-L")


def test_event_list_shape() -> None:
    lines = render_event_list().splitlines()
    assert lines[0] == "> syscall(SYSCALLID ID, UINT16 nativeID)"
    assert "> seccomp(UINT64 op)" in lines  # declared count wins over the listed params
    assert all(line[:2] in ("> ", "< ") and line.endswith(")") for line in lines)
    shown = {line[2:].split("(")[0] for line in lines}
    assert "procinfo" not in shown and "drop" not in shown  # internal events
    assert "container" in shown  # the JSON container events are PROCESS, not INTERNAL
    hidden = EventFlag.UNUSED | EventFlag.OLD_VERSION
    assert len(lines) == sum(
        1 for e in EVENTS if not e.flags & hidden and e.category.value & 256 == 0
    )


def test_param_type_names() -> None:
    assert param_type_name(ParamType.DYN) == "DYNAMIC"
    assert param_type_name(ParamType.IPV6ADDR) == "<NA>"
    assert param_type_name(ParamType.FLAGS32) == "FLAGS32"
    assert param_type_name(ParamType.FSRELPATH) == "FSRELPATH"
