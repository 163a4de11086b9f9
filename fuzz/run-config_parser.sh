#!/usr/bin/env bash
# Fuzzes config_parser for ${1:-60} seconds; failures go to ${FUZZ_BUILD:-/tmp/webserv-fuzz}/artifacts/config_parser/.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
run_target config_parser "${1:-60}"
