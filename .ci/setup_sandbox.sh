#!/usr/bin/env bash
# Makes the Docker sandbox usable on a CI machine; idempotent, run as root.
#   bash .ci/setup_sandbox.sh [PYTHON]      (PYTHON: the venv's python; default: python)
# 1. installs docker.io and debootstrap when missing;
# 2. starts dockerd in the background when `docker info` fails, retrying without iptables
#    (and with the vfs storage driver) on machines that lack those kernel features;
# 3. builds the sandbox image offline (debootstrap + docker import; nothing is pulled);
#    an existing image is reused.
set -uo pipefail
PYTHON="${1:-python}"
LOG=/var/log/discolab-dockerd.log

die() { echo "setup_sandbox: $*" >&2; exit 1; }

[ "$(id -u)" -eq 0 ] || die "must run as root (it installs packages and starts dockerd)"

if ! command -v dockerd >/dev/null || ! command -v debootstrap >/dev/null; then
    echo "setup_sandbox: installing docker.io and debootstrap"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq || die "apt-get update failed"
    apt-get install -y -qq docker.io debootstrap >/dev/null || die "apt-get install failed"
fi

wait_for_docker() {  # $1 = seconds
    for _ in $(seq "$1"); do
        docker info >/dev/null 2>&1 && return 0
        sleep 1
    done
    return 1
}

start_dockerd() {  # extra dockerd flags as arguments
    echo "setup_sandbox: starting dockerd $*"
    nohup dockerd "$@" >"$LOG" 2>&1 &
    echo $! >/var/run/discolab-dockerd.pid
    if wait_for_docker 60; then return 0; fi
    kill "$(cat /var/run/discolab-dockerd.pid)" 2>/dev/null
    sleep 2
    return 1
}

if docker info >/dev/null 2>&1; then
    echo "setup_sandbox: Docker engine already running"
else
    start_dockerd \
        || start_dockerd --iptables=false --ip6tables=false --bridge=none \
        || start_dockerd --iptables=false --ip6tables=false --bridge=none --storage-driver=vfs \
        || { echo "---- dockerd log ----" >&2; tail -n 50 "$LOG" >&2; die "dockerd did not start"; }
fi

"$PYTHON" -m discolab.sandbox.cli build --offline \
    || die "building the sandbox image failed (see above)"
"$PYTHON" -m discolab.sandbox.cli check || die "the sandbox check failed (see above)"
echo "setup_sandbox: ready"
