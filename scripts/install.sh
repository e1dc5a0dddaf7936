#!/usr/bin/env bash
# Installs what sysdive and its tests need on a fresh Debian machine (run as root, or with sudo).
#   - sysdig 0.29.3 from Debian: the oracle the parity tests compare against
#   - libbpf1: live capture loads its shipped eBPF probe through the system libbpf
#   - docker.io (started if not running) and busybox-static: the container tests run real
#     containers from an image imported from a busybox rootfs (no registry)
#   - containerd and runc (docker.io pulls them in; named for the CRI tests, which start a
#     containerd of their own with its CRI plugin, and use ctr to import an image)
#   - podman: the podman tests (they start `podman system service` themselves)
#   - gcc and libc6-dbg: the memory tests build a small leaking C program and name glibc's
#     internal functions in allocation stacks (libc6-dbg's build-id debug files)
#   - the monitor's tests: Debian's prometheus (scrapes /metrics), chromium and
#     chromium-driver (the dashboard, headless), iproute2 (ss)
#   - gcc and the Python headers (python3-dev) also build sysdive's compiled modules, the
#     batch loop's fast rejections and the framing of event blocks
#     (src/sysdive/state/_rowparse.c, src/sysdive/scap/_blockwalk.c, setup.py)
#   - sysdive itself with its test tools, from this checkout (pip install -e builds the
#     modules in place)
set -euo pipefail
cd "$(dirname "$0")/.."
SUDO=""
if [ "$(id -u)" != 0 ]; then SUDO="sudo"; fi
if ! command -v sysdig >/dev/null 2>&1 || ! command -v jq >/dev/null 2>&1 \
        || ! ldconfig -p | grep -q 'libbpf\.so\.1 ' || ! command -v gcc >/dev/null 2>&1 \
        || ! dpkg -s libc6-dbg >/dev/null 2>&1; then
    export DEBIAN_FRONTEND=noninteractive
    $SUDO apt-get update -qq
    $SUDO apt-get install -y -qq sysdig jq libbpf1 gcc libc6-dbg >/dev/null
fi
# This machine kind ships a docker client without an engine: look for dockerd itself.
if ! command -v dockerd >/dev/null 2>&1 || [ ! -x /bin/busybox ] \
        || ! command -v containerd >/dev/null 2>&1 || ! command -v ctr >/dev/null 2>&1 \
        || ! command -v containerd-shim-runc-v2 >/dev/null 2>&1 \
        || ! command -v runc >/dev/null 2>&1 || ! command -v podman >/dev/null 2>&1; then
    export DEBIAN_FRONTEND=noninteractive
    $SUDO apt-get update -qq
    $SUDO apt-get install -y -qq docker.io containerd runc busybox-static podman >/dev/null
fi
if ! $SUDO docker info >/dev/null 2>&1; then
    if command -v systemctl >/dev/null 2>&1 && $SUDO systemctl start docker 2>/dev/null; then
        :
    else
        $SUDO sh -c 'nohup dockerd >/var/log/sysdive-dockerd.log 2>&1 &'
    fi
    for _ in $(seq 60); do
        $SUDO docker info >/dev/null 2>&1 && break
        sleep 1
    done
    $SUDO docker info >/dev/null 2>&1 || { echo "dockerd did not start" >&2; exit 1; }
fi
MONITOR_PKGS="prometheus chromium chromium-driver iproute2"
missing=""
for p in $MONITOR_PKGS; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' \
        || missing="$missing $p"
done
if [ -n "$missing" ]; then
    export DEBIAN_FRONTEND=noninteractive
    $SUDO apt-get update -qq
    # shellcheck disable=SC2086
    $SUDO apt-get install -y -qq $missing >/dev/null
fi
if ! python3 -c 'import os, sys, sysconfig
sys.exit(not os.path.exists(os.path.join(sysconfig.get_paths()["include"], "Python.h")))'; then
    export DEBIAN_FRONTEND=noninteractive
    $SUDO apt-get update -qq
    $SUDO apt-get install -y -qq python3-dev >/dev/null
fi
python3 -m pip install -q --disable-pip-version-check --root-user-action=ignore -e '.[test]'
