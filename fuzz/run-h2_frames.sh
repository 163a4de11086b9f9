#!/usr/bin/env bash
# Fuzzes h2_frames for ${1:-60} seconds; failures go to ${FUZZ_BUILD:-/tmp/webserv-fuzz}/artifacts/h2_frames/.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
run_target h2_frames "${1:-60}"
