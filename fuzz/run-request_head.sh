#!/usr/bin/env bash
# Fuzzes request_head for ${1:-60} seconds; failures go to ${FUZZ_BUILD:-/tmp/webserv-fuzz}/artifacts/request_head/.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
run_target request_head "${1:-60}"
