// zlib from the system (Debian: zlib1g-dev), for webserv's gzip body filter.
#include <zlib.h>
