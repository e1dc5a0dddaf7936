"""The fillers of the file, directory, descriptor, signal, credential and socket syscalls:
a workload (sysmix.py) makes each once, captured alone through the probe's pid filter; sysdig
0.29.3 and sysdive must print the same for every event, and the params must be the ones the
workload passed."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from support import capture_during, require_live, run_reader
from sysdive.capture.live import CaptureResult

WORKLOAD = Path(__file__).with_name("sysmix.py")


@pytest.fixture(scope="module")
def mix(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, CaptureResult]:
    require_live()
    tmp = tmp_path_factory.mktemp("mix")
    path = tmp / "mix.scap"
    proc = subprocess.Popen([sys.executable, str(WORKLOAD), str(tmp)], stdin=subprocess.PIPE)

    def release() -> None:
        assert proc.stdin is not None
        proc.stdin.write(b"x")
        proc.stdin.flush()
        assert proc.wait(60) == 0

    result = capture_during(path, release, filter_pid=proc.pid)
    return tmp, path, result


@pytest.fixture(scope="module")
def lines(mix: tuple[Path, Path, CaptureResult], sysdig: str) -> list[str]:
    _tmp, path, _result = mix
    ours = run_reader(["-r", str(path)], True)
    assert ours == run_reader(["-r", str(path)], False)
    return [line.split(" ", 5)[-1] for line in ours.splitlines()]


@pytest.mark.parametrize("expected", [
    "> lseek fd=3(<f>{d}/mix-file) offset=5 whence=0(SEEK_SET)",
    "< lseek res=5",
    "> access mode=6(R_OK|W_OK)",
    "< access res=0 name={d}/mix-file",
    "> mkdir mode=1C9",
    "< mkdir res=0 path={d}/mix-dir",
    "< chdir res=0 path={d}/mix-dir",
    "> fchdir fd=4(<f>{d})",
    "< rmdir res=0 path={d}/mix-dir",
    "< rename res=0 oldpath={d}/mix-file newpath={d}/mix-file2",
    "> dup fd=3(<f>{d}/mix-file)",
    "< dup res=50(<f>{d}/mix-file)",
    "> fcntl fd=3(<f>{d}/mix-file) cmd=4(F_GETFL)",
    "> ioctl fd=3(<f>{d}/mix-file) request=5401 argument=0",
    "< ioctl res=-25(ENOTTY)",
    "> eventfd initval=7 flags=0",
    "> mprotect addr=",
    "> epoll_wait maxevents=1023",
    "> setresuid ruid=0(root) euid=0(root) suid=0(root)",
    "> setresgid rgid=0(root) egid=0(root) sgid=0(root)",
    "> socketpair domain=1(AF_LOCAL) type=524289 proto=0",
    "> shutdown fd=10(<u>) how=1(SHUT_WR)",
    "< unlink res=0 path={d}/mix-file",
    "> nanosleep interval=1000(1e-06s)",
    "> poll fds=7:p4 timeout=0",
    "< poll res=1 fds=7:p4",
    "> pwritev fd=3(<f>{d}/mix-file) size=4 pos=2",
    "< pwritev res=4 data=abcd",
    "> preadv fd=3(<f>{d}/mix-file) pos=1",
    "> sendfile out_fd=7(<p>) in_fd=3(<f>{d}/mix-file) offset=0 size=4",
    "< sendfile res=4 offset=4",
    "< preadv res=3 size=3 data=.ab",
    "> sendmsg fd=13(<4>) size=7 tuple=0.0.0.0:0->127.0.0.1:",
    "< sendmsg res=7 data=msg-one",
    "< recvmsg res=7 size=7 data=msg-one tuple=127.0.0.1:",
    "< setsockopt res=0 fd=12(<4u>",
    "level=1(SOL_SOCKET) optname=8(SO_RCVBUF) val=65536 optlen=4",
    "level=1(SOL_SOCKET) optname=4(SO_ERROR) val=0 optlen=4",
    "level=1(SOL_SOCKET) optname=20(SO_RCVTIMEO) val=2000000000(2s) optlen=16",
])
def test_event_params(mix: tuple[Path, Path, CaptureResult], lines: list[str],
                      expected: str) -> None:
    want = expected.format(d=mix[0])
    if want.startswith(("<", ">")):
        assert any(line.startswith(want) for line in lines), want
    else:
        assert any(want in line for line in lines), want


def test_pairs_and_pids(mix: tuple[Path, Path, CaptureResult], lines: list[str]) -> None:
    assert mix[2].drops == 0
    pipe = [ln for ln in lines if ln.startswith("< pipe res=0 fd1=")]
    assert pipe and "(<p>)" in pipe[0] and " ino=" in pipe[0] and "ino=0" not in pipe[0]
    pair = [ln for ln in lines if ln.startswith("< socketpair res=0")]
    assert pair and "source=FFFF" in pair[0] and "peer=FFFF" in pair[0]
    for kind in ("kill", "tgkill"):
        assert any(ln.startswith(f"> {kind} pid=") and ln.endswith("sig=0 ") for ln in lines)
