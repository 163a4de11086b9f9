// zlib from the system (Debian: zlib1g-dev), for webserv's gzip body filter.
#include <zlib.h>

// deflateInit2 is a macro (it passes zlib's version and the stream's size):
// Swift cannot call it, so this wrapper does. Always Z_DEFLATED and the
// default strategy, as nginx's gzip filter.
static inline int webserv_deflateInit2(z_streamp stream, int level, int windowBits, int memLevel) {
    return deflateInit2(stream, level, Z_DEFLATED, windowBits, memLevel, Z_DEFAULT_STRATEGY);
}

// inflateInit2, for the tests that check what the filter sends decompresses.
static inline int webserv_inflateInit2(z_streamp stream, int windowBits) {
    return inflateInit2(stream, windowBits);
}
