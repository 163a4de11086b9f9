# Sourced by the bench scripts (from the package root).

# Installs Debian's packages for the tools named when one of them is missing.
need_tools() {
    local tool
    for tool in "$@"; do
        command -v "$tool" >/dev/null || { apt-get update -qq && apt-get install -y -qq "$@" >/dev/null; return; }
    done
}

# The webserv binary to measure: $WEBSERV when set, else a release build in
# SCRATCH_PATH (default .build). Sets WEBSERV.
webserv_binary() {
    if [ -z "${WEBSERV:-}" ]; then
        local scratch=${SCRATCH_PATH:-.build}
        swift build -c release --product webserv --scratch-path "$scratch" >/dev/null
        WEBSERV=$(swift build -c release --scratch-path "$scratch" --show-bin-path)/webserv
    fi
}
