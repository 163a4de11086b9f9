// Linux declarations that Swift's Glibc module does not bring in (epoll,
// signalfd, sendfile, and the _GNU_SOURCE ones: accept4, mkostemp, strptime).
// Declarations only, plus one inline adapter.
#ifndef CSYSTEM_H
#define CSYSTEM_H
#ifndef _GNU_SOURCE
#define _GNU_SOURCE 1
#endif
#include <sys/socket.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/sendfile.h>
#include <signal.h>
#include <time.h>
#include <stdlib.h>
#include <spawn.h>
#include <sys/wait.h>

// accept4 with a plain sockaddr pointer (glibc's _GNU_SOURCE prototype uses a
// transparent union that Swift cannot pass).
static inline int csystem_accept4(int fd, struct sockaddr *address, socklen_t *length, int flags) {
    return accept4(fd, address, length, flags);
}
#endif
