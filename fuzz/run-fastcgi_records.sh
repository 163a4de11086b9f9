#!/usr/bin/env bash
# Fuzzes fastcgi_records for ${1:-60} seconds; failures go to ${FUZZ_BUILD:-/tmp/webserv-fuzz}/artifacts/fastcgi_records/.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
run_target fastcgi_records "${1:-60}"
