// Linux declarations that Swift's Glibc module does not bring in. The GNU
// ones are declared here by hand: defining _GNU_SOURCE in this module would
// give it a different view of glibc's types than SwiftGlibc (clean builds
// then fail on fd_set). Declarations only; no C code of our own.
#ifndef CSYSTEM_H
#define CSYSTEM_H
#include <sys/types.h>
#include <sys/socket.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/sendfile.h>
#include <signal.h>
#include <time.h>
#include <stdlib.h>
#include <spawn.h>
#include <sys/wait.h>

int accept4(int fd, struct sockaddr *address, socklen_t *length, int flags);
int mkostemp(char *template_path, int flags);
char *strptime(const char *text, const char *format, struct tm *time);
int pipe2(int fds[2], int flags);
int posix_spawn_file_actions_addchdir_np(posix_spawn_file_actions_t *actions, const char *path);
// Variadic in <sys/prctl.h>, which Swift cannot call; every argument given.
int prctl(int option, unsigned long arg2, unsigned long arg3, unsigned long arg4, unsigned long arg5);
#endif
