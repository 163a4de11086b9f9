#!/usr/bin/env bash
# Fuzzes tls_server_name for ${1:-60} seconds; failures go to ${FUZZ_BUILD:-/tmp/webserv-fuzz}/artifacts/tls_server_name/.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
run_target tls_server_name "${1:-60}"
