#!/usr/bin/env bash
# Installs what sysdive and its tests need on a fresh Debian machine (run as root, or with sudo).
#   - sysdig 0.29.3 from Debian: the oracle the parity tests compare against
#   - libbpf1: live capture loads its shipped eBPF probe through the system libbpf
#   - gcc, busybox-static, docker.io, libc6-dbg: the memory tests build a small leaking C
#     program, run it in containers made from a busybox rootfs, and name glibc's internal
#     functions in allocation stacks (libc6-dbg's build-id debug files)
#   - sysdive itself with its test tools, from this checkout
set -euo pipefail
cd "$(dirname "$0")/.."
SUDO=""
if [ "$(id -u)" != 0 ]; then SUDO="sudo"; fi
if ! command -v sysdig >/dev/null 2>&1 || ! command -v jq >/dev/null 2>&1 \
        || ! ldconfig -p | grep -q 'libbpf\.so\.1 ' || ! command -v gcc >/dev/null 2>&1 \
        || ! [ -x /bin/busybox ] || ! command -v dockerd >/dev/null 2>&1 \
        || ! dpkg -s libc6-dbg >/dev/null 2>&1; then
    export DEBIAN_FRONTEND=noninteractive
    $SUDO apt-get update -qq
    $SUDO apt-get install -y -qq sysdig jq libbpf1 gcc busybox-static libc6-dbg >/dev/null
    command -v dockerd >/dev/null 2>&1 || $SUDO apt-get install -y -qq docker.io >/dev/null
fi
python3 -m pip install -q --disable-pip-version-check --root-user-action=ignore -e '.[test]'
