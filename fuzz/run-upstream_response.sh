#!/usr/bin/env bash
# Fuzzes upstream_response for ${1:-60} seconds; failures go to ${FUZZ_BUILD:-/tmp/webserv-fuzz}/artifacts/upstream_response/.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
run_target upstream_response "${1:-60}"
