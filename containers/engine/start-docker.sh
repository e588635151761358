#!/usr/bin/env bash
# Makes a Docker engine reachable for the container suites, or says in one line why it cannot.
#
#  - an engine already answers `docker info`: nothing to do;
#  - otherwise, as root: install Debian's docker.io and iptables when missing, start dockerd in the background
#    (log in ${FAULTLINE_DOCKERD_LOG:-/tmp/faultline-dockerd.log}) and wait, bounded, for `docker info`.
#
# It never fails the caller: when no engine can be started it prints one "container suites will be skipped"
# line and exits 0, and the suites themselves skip with the same reason.
set -uo pipefail

wait_seconds="${FAULTLINE_DOCKERD_WAIT_SECONDS:-60}"
log_file="${FAULTLINE_DOCKERD_LOG:-/tmp/faultline-dockerd.log}"

skip() {
  echo "faultline: no Docker engine ($1); container suites will be skipped"
  exit 0
}

engine_answers() { command -v docker >/dev/null 2>&1 && timeout 10 docker info >/dev/null 2>&1; }

if engine_answers; then
  echo "faultline: Docker engine already running ($(docker version --format '{{.Server.Version}}' 2>/dev/null))"
  exit 0
fi

if [ "$(id -u)" != "0" ]; then
  skip "not root, cannot install or start dockerd"
fi

if ! command -v dockerd >/dev/null 2>&1 || ! command -v iptables >/dev/null 2>&1 || ! command -v docker >/dev/null 2>&1; then
  if ! command -v apt-get >/dev/null 2>&1; then
    skip "dockerd or iptables missing and no apt-get to install them"
  fi
  echo "faultline: installing docker.io and iptables"
  export DEBIAN_FRONTEND=noninteractive
  if ! { timeout 300 apt-get update -qq && timeout 600 apt-get install -y -qq docker.io iptables; } >/tmp/faultline-apt.log 2>&1; then
    skip "apt-get install docker.io iptables failed, see /tmp/faultline-apt.log"
  fi
fi

if ! pgrep -x dockerd >/dev/null 2>&1; then
  echo "faultline: starting dockerd (log: ${log_file})"
  # setsid detaches dockerd from this script's process group, so CI's end does not take it down mid-cleanup.
  setsid nohup dockerd >"${log_file}" 2>&1 < /dev/null &
fi

for ((second = 0; second < wait_seconds; second++)); do
  if engine_answers; then
    echo "faultline: Docker engine ready after ${second}s ($(docker version --format '{{.Server.Version}}' 2>/dev/null))"
    exit 0
  fi
  sleep 1
done
skip "dockerd did not answer within ${wait_seconds}s, see ${log_file}"
