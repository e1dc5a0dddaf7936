"""Helpers shared by the test packages: the sysdig oracle, sysdive run from this tree, the
sample captures, the stored expected outputs of the parity tests, and live probes run in a
thread while a test drives a workload.

A test that needs something the machine lacks (sysdig, a capture, root, BPF) calls
:func:`unavailable`: it fails when ``CI`` is set, where everything must be present, and is
skipped elsewhere.
"""

from __future__ import annotations

import ctypes
import difflib
import fcntl
import gzip
import os
import pty
import shutil
import struct
import subprocess
import sys
import tarfile
import termios
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn, TypeVar

import pytest

if TYPE_CHECKING:
    from sysdive.capture.live import CaptureResult

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "src"
CAPTURES_DIR = Path(os.environ.get("SYSDIVE_CAPTURES", "/work/shared/captures"))
REGEN = os.environ.get("SYSDIVE_REGEN") == "1"
# sysdive run from this tree (the installed console script may point at another checkout).
SYSDIVE = (sys.executable, "-m", "sysdive")
TIMEOUT = 600
# The shared sample captures, by the names the parity cases use.
CURL, IPV6, USER0 = "curl_google", "single_ipv6_conn", "run_as_user_0_container"
SAMPLES = (CURL, IPV6, USER0)


def unavailable(reason: str, *, in_ci: str | None = None) -> NoReturn:
    """Fail under CI (with ``in_ci`` as the message if given), skip elsewhere."""
    if os.environ.get("CI"):
        pytest.fail(in_ci or reason)
    pytest.skip(reason)


def interrupt(proc: subprocess.Popen[bytes], why: str, timeout: float = 30) -> bytes:
    """Send SIGINT to ``proc`` and wait for it to end: its stderr; the test fails (``why``)
    if it is still running after ``timeout`` seconds."""
    import signal
    proc.send_signal(signal.SIGINT)
    try:
        _out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.communicate()
        pytest.fail(why)
    return err


def compiled_module(name: str) -> Any:
    """The compiled module ``sysdive.NAME`` (e.g. ``state._rowparse``): failed under CI when
    it is not built, skipped elsewhere."""
    import importlib
    try:
        return importlib.import_module(f"sysdive.{name}")
    except ImportError:
        unavailable(f"sysdive.{name} is not built (python setup.py build_ext --inplace)",
                    in_ci="the compiled modules must be built by pip install -e .")


SYSDIG = shutil.which("sysdig")
# For tests that run sysdig themselves: skipped without it, except under CI (there they run,
# and fail).
needs_sysdig = pytest.mark.skipif(SYSDIG is None and not os.environ.get("CI"),
                                  reason="sysdig is not installed")


def find_sysdig() -> str:
    """Path of the sysdig 0.29.3 binary, the oracle."""
    if SYSDIG is None:
        unavailable("sysdig is not installed")
    return SYSDIG


def live_unavailable_reason() -> str | None:
    """Why live capture (root, BPF with BTF, the system libbpf) cannot run here, or None."""
    if os.geteuid() != 0:
        return "live capture needs root"
    if not Path("/sys/kernel/btf/vmlinux").exists():
        return "the kernel has no BTF (/sys/kernel/btf/vmlinux)"
    try:
        ctypes.CDLL("libbpf.so.1")
    except OSError:
        return "libbpf.so.1 is not installed"
    return None


def require_live() -> None:
    """Live capture must work under CI; elsewhere its absence skips the test."""
    reason = live_unavailable_reason()
    if reason:
        unavailable(reason, in_ci=f"CI must run the live tests, but {reason}")


T = TypeVar("T")


def run_during(probe: Callable[[threading.Event, Callable[[], None]], T],
               action: Callable[[], None], *, timeout: float = 60) -> T:
    """Run ``probe(stop, on_start)`` (a live capture) in a thread while ``action`` runs.

    ``action`` starts once the probe calls ``on_start``; ``stop`` is set when it returns. The
    probe's result is returned, and its error raised here, in the test's thread."""
    started, stop = threading.Event(), threading.Event()
    outcome: dict[str, object] = {}

    def run() -> None:
        try:
            outcome["result"] = probe(stop, started.set)
        except BaseException as err:  # reported in the test thread
            outcome["error"] = err
            started.set()

    worker = threading.Thread(target=run, daemon=True)
    worker.start()
    started.wait(60)
    if "error" in outcome:
        raise outcome["error"]  # type: ignore[misc]
    try:
        action()
    finally:
        stop.set()
        worker.join(timeout)
    if "error" in outcome:
        raise outcome["error"]  # type: ignore[misc]
    return outcome["result"]  # type: ignore[return-value]


def docker_unavailable_reason() -> str | None:
    """Why the docker CLI and dockerd cannot be used here, or None."""
    if shutil.which("docker") is None:
        return "docker is not installed"
    probe = subprocess.run(["docker", "info", "--format", "{{.ServerVersion}}"],
                           capture_output=True, text=True, timeout=60)
    if probe.returncode != 0:
        return f"dockerd is not running: {probe.stderr.strip()}"
    return None


BUSYBOX = Path("/bin/busybox")  # Debian busybox-static: runs in an otherwise empty rootfs


def busybox_image(tag: str, workdir: Path, applets: Iterable[str] = (),
                  files: Mapping[str, str | Path] | None = None) -> str:
    """``docker import`` (as ``tag``) a rootfs of busybox-static, ``bin/APPLET`` links to it,
    and ``files`` (path in the image: path here); the caller removes the image."""
    if not BUSYBOX.exists():
        unavailable("busybox-static is not installed (/bin/busybox)")
    tar_path = workdir / "rootfs.tar"
    with tarfile.open(tar_path, "w") as tar:
        tar.add(BUSYBOX, arcname="bin/busybox")
        for applet in applets:
            info = tarfile.TarInfo(f"bin/{applet}")
            info.type = tarfile.SYMTYPE
            info.linkname = "busybox"
            tar.addfile(info)
        for arcname, source in (files or {}).items():
            tar.add(source, arcname=arcname)
    subprocess.run(["docker", "import", str(tar_path), tag], check=True, capture_output=True,
                   timeout=120)
    return tag


def capture_during(path: Path, action: Callable[[], None], *, timeout: float = 60,
                   **options: Any) -> CaptureResult:
    """Capture to ``path`` (``options`` go to capture_to_file) while ``action`` runs.

    The capture runs in a thread; ``action`` starts once the probe is attached, the capture
    stops when it returns. An error of the capture is raised here, in the test's thread."""
    from sysdive.capture.live import capture_to_file

    def probe(stop: threading.Event, on_start: Callable[[], None]) -> CaptureResult:
        return capture_to_file(str(path), stop=stop, on_start=on_start, **options)

    return run_during(probe, action, timeout=timeout)


def sample_capture(name: str) -> Path:
    """``CAPTURES_DIR/NAME.scap``, which must exist."""
    path = CAPTURES_DIR / f"{name}.scap"
    if not path.is_file():
        unavailable(f"sample capture {path} is missing")
    return path


def main_in_process(argv: list[str], monkeypatch: pytest.MonkeyPatch, *, compiled: bool
                    ) -> tuple[int, bytes, str]:
    """``sysdive ARGV`` in this process through the batch loop whatever the file's size,
    with the compiled modules or without them (``SYSDIVE_NO_EXTENSION``): (exit status,
    stdout, stderr)."""
    import io

    from sysdive.cli.main import main
    from sysdive.scap import reader

    if compiled:
        monkeypatch.delenv("SYSDIVE_NO_EXTENSION", raising=False)
    else:
        monkeypatch.setenv("SYSDIVE_NO_EXTENSION", "1")
    monkeypatch.setattr(reader, "VECTORISE_MIN", 0)
    out = io.BytesIO()
    out.close = lambda: None  # type: ignore[method-assign]   # main's wrapper closes it
    monkeypatch.setattr(sys, "stdout", io.TextIOWrapper(out))
    err = io.StringIO()
    monkeypatch.setattr(sys, "stderr", err)
    status = main(argv)
    return status, out.getvalue(), err.getvalue()


def counters(stderr: str) -> str:
    """The ``-v`` counter lines of sysdive's stderr."""
    return "".join(ln + "\n" for ln in stderr.splitlines() if ln.startswith("Events"))


def v2_copy(name: str, directory: Path) -> Path:
    """Sample capture NAME rewritten by ``sysdive -w`` into ``directory``: EV v2 blocks,
    which the batch loop's scan frames (the samples hold v1 blocks, left to the plain
    walk)."""
    dest = directory / f"{name}.scap"
    done = run([*SYSDIVE, "-r", str(sample_capture(name)), "-w", str(dest)], env=sysdive_env())
    assert done.returncode == 0, done.stderr.decode(errors="replace")[-2000:]
    return dest


def sysdive_env(extra: dict[str, str] | None = None, *,
                own_chisels: bool = False) -> dict[str, str]:
    """This process's environment with ``src`` first on PYTHONPATH, then ``extra``.

    ``own_chisels`` drops the chisel directory variables so both tools see only the chisels
    they ship (sysdig also reads ./chisels: run it in an empty directory)."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(SRC), env.get("PYTHONPATH")) if p)
    if own_chisels:
        env.pop("SYSDIVE_CHISEL_DIR", None)
        env.pop("SYSDIG_CHISEL_DIR", None)
    env.update(extra or {})
    return env


def run(argv: list[str], *, cwd: Path = ROOT, env: dict[str, str] | None = None,
        timeout: float = TIMEOUT) -> subprocess.CompletedProcess[bytes]:
    """Run ``argv`` (sysdig or sysdive) capturing bytes; ``env`` defaults to
    :func:`sysdive_env`."""
    return subprocess.run(argv, capture_output=True, timeout=timeout, cwd=cwd,
                          env=sysdive_env() if env is None else env, check=False)


@dataclass(frozen=True, slots=True)
class Case:
    """One argument set of a parity suite: ``TOOL -r CAPTURE ARGS`` (``TOOL ARGS`` when
    ``capture`` is None), where an arg ``@NAME`` stands for the path of capture NAME.

    ``top`` marks chisel output with top-N tables (see tests/chisels/chisel_tables.py);
    ``xfail`` names a missing feature: the case must mismatch until it lands."""

    name: str
    capture: str | None
    args: tuple[str, ...]
    top: int | tuple[int, ...] = 0
    xfail: str = ""

    @property
    def default_format(self) -> bool:
        """Whether the output uses sysdig's default line (evt.type is its seventh column)."""
        fmt_flags = {"-p", "-j", "-q", "-pc", "-pk", "-pm"}
        return not any(a in fmt_flags or a.startswith("-p") for a in self.args)

    def argv(self, paths: Mapping[str, Path] | None = None) -> list[str]:
        """The command line after the tool: captures named in ``paths`` are read from there,
        the others are sample captures."""
        def path(name: str) -> str:
            return str(paths[name] if paths and name in paths else sample_capture(name))

        args = [path(a[1:]) if a.startswith("@") else a for a in self.args]
        return args if self.capture is None else ["-r", path(self.capture), *args]


def case(name: str, capture: str | None, *args: str, top: int | tuple[int, ...] = 0,
         xfail: str = "") -> Case:
    """``Case`` with the args written out."""
    return Case(name, capture, args, top, xfail)


def run_reader(argv: list[str], sysdive: bool) -> str:
    """stdout of ``sysdive ARGV`` (from this tree) or ``sysdig ARGV``, which must succeed."""
    done = run([*SYSDIVE, *argv] if sysdive else [find_sysdig(), *argv])
    assert done.returncode == 0, done.stderr.decode(errors="replace")
    return done.stdout.decode("utf-8", "surrogateescape")


def run_on_pty(argv: list[str], cwd: Path, env: dict[str, str] | None = None,
               size: tuple[int, int] | None = None) -> tuple[int, bytes, bytes]:
    """Run ``argv`` with stdout on a new pseudo-terminal (chisels colour and draw by
    ``is_tty``), of ``size`` (columns, rows) if given: (exit code, pty bytes, stderr)."""
    master, slave = pty.openpty()
    if size is not None:
        cols, rows = size
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))
    try:
        proc = subprocess.Popen(argv, stdout=slave, stderr=subprocess.PIPE,
                                stdin=subprocess.DEVNULL, cwd=cwd,
                                env=sysdive_env() if env is None else env)
    finally:
        os.close(slave)
    chunks = []
    while True:
        try:
            data = os.read(master, 65536)
        except OSError:  # EIO: the last writer closed the pty
            break
        if not data:
            break
        chunks.append(data)
    os.close(master)
    assert proc.stderr is not None
    err = proc.stderr.read()
    return proc.wait(timeout=TIMEOUT), b"".join(chunks), err


def diff(expected: bytes, actual: bytes, what: str, limit: int = 40) -> str:
    """A unified diff of the first differing lines (bytes shown as latin-1)."""
    exp = expected.decode("latin-1").splitlines(keepends=True)
    act = actual.decode("latin-1").splitlines(keepends=True)
    lines = list(difflib.unified_diff(exp, act, "sysdig (expected)", what, n=2))
    shown = "".join(line if line.endswith("\n") else line + "\\ no newline\n"
                    for line in lines[:limit])
    more = f"... {len(lines) - limit} more diff lines\n" if len(lines) > limit else ""
    return shown + more


@dataclass(frozen=True, slots=True)
class ExpectedStore:
    """sysdig's stored outputs in one directory: ``NAME.out``, or ``NAME.out.gz`` above
    ``gzip_above`` bytes (small ones stay plain text, easier to read in review)."""

    directory: Path
    gzip_above: int = 4096

    def path(self, name: str) -> Path | None:
        for suffix in (".out", ".out.gz"):
            path = self.directory / f"{name}{suffix}"
            if path.exists():
                return path
        return None

    def read(self, name: str) -> bytes:
        path = self.path(name)
        if path is None:
            pytest.fail(f"no expected output for {name}: run with SYSDIVE_REGEN=1")
        data = path.read_bytes()
        return gzip.decompress(data) if path.suffix == ".gz" else data

    def check_sysdig(self, case: Case, done: subprocess.CompletedProcess[bytes],
                     normalize: Callable[[bytes], bytes] = bytes) -> None:
        """sysdig's run of ``case`` still prints the stored output, as far as ``normalize``
        tells (``SYSDIVE_REGEN=1``: store what it printed instead)."""
        assert done.returncode == 0, f"sysdig failed on {case.name}: {done.stderr[-500:]!r}"
        if REGEN:
            self.write(case.name, done.stdout)
            return
        expected = self.read(case.name)
        if normalize(done.stdout) != normalize(expected):
            pytest.fail(f"stored output of {case.name} is stale (sysdig {case.args}); rerun "
                        "with SYSDIVE_REGEN=1\n" + diff(expected, done.stdout, "sysdig now"))

    def check_sysdive(self, case: Case, done: subprocess.CompletedProcess[bytes],
                      normalize: Callable[[bytes], bytes] = bytes) -> None:
        """sysdive's run of ``case`` printed the stored output (or, for an xfail case, still
        does not), as far as ``normalize`` tells."""
        expected = self.read(case.name)
        assert b"Traceback" not in done.stderr, done.stderr.decode(errors="replace")
        assert done.returncode == 0 or case.xfail, done.stderr.decode(errors="replace")[-2000:]
        want, got = normalize(expected), normalize(done.stdout)
        if case.xfail:
            if want == got:
                pytest.fail(f"{case.name} now matches sysdig: remove its xfail ({case.xfail})")
            pytest.xfail(case.xfail)
        if want != got:
            on = f"-r {case.capture}.scap " if case.capture else ""
            pytest.fail(f"sysdive {on}{' '.join(case.args)}\n" + diff(want, got, "sysdive"))

    def write(self, name: str, data: bytes) -> None:
        old = self.path(name)
        if old is not None:
            old.unlink()
        self.directory.mkdir(exist_ok=True)
        if len(data) > self.gzip_above:
            # mtime=0 keeps the stored bytes stable across regenerations.
            (self.directory / f"{name}.out.gz").write_bytes(gzip.compress(data, 9, mtime=0))
        else:
            (self.directory / f"{name}.out").write_bytes(data)


def wait_for_bytes(path: Path, needle: bytes, timeout: float) -> bool:
    """Whether ``needle`` shows up in the growing file ``path`` within ``timeout`` seconds
    (e.g. a container's metadata in a capture being written; reads only what was added)."""
    deadline = time.monotonic() + timeout
    start = 0
    while time.monotonic() < deadline:
        with open(path, "rb") as f:
            f.seek(start)
            chunk = f.read()
        if needle in chunk:
            return True
        start = max(start, start + len(chunk) - len(needle))   # keep a cut needle whole
        time.sleep(0.2)
    return False
