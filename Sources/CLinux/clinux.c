#define _GNU_SOURCE
#include "clinux.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

int cg_accept_nonblocking(int fd) { return accept4(fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK); }

int cg_pipe_cloexec(int fds[2]) { return pipe2(fds, O_CLOEXEC); }

int cg_peer_credentials(int fd, uint32_t *uid, uint32_t *gid, int32_t *pid) {
    struct ucred credentials;
    socklen_t length = sizeof(credentials);
    if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &credentials, &length) != 0) return -1;
    if (length != sizeof(credentials)) {
        errno = EINVAL;
        return -1;
    }
    *uid = credentials.uid;
    *gid = credentials.gid;
    *pid = credentials.pid;
    return 0;
}

int cg_clock_change_rearm(int fd) {
    struct itimerspec spec = {0};
    // Far in the future: the timer itself never fires; only a clock change (or a resume) wakes the reader.
    spec.it_value.tv_sec = (time_t)1 << 40;
    return timerfd_settime(fd, TFD_TIMER_ABSTIME | TFD_TIMER_CANCEL_ON_SET, &spec, NULL);
}

int cg_clock_change_timer(void) {
    int fd = timerfd_create(CLOCK_REALTIME, TFD_CLOEXEC);
    if (fd < 0) return -1;
    if (cg_clock_change_rearm(fd) != 0) {
        close(fd);
        return -1;
    }
    return fd;
}

static int64_t nanoseconds(clockid_t clock) {
    struct timespec now;
    if (clock_gettime(clock, &now) != 0) return -1;
    return (int64_t)now.tv_sec * 1000000000 + now.tv_nsec;
}

int64_t cg_boottime_ns(void) { return nanoseconds(CLOCK_BOOTTIME); }

int64_t cg_monotonic_ns(void) { return nanoseconds(CLOCK_MONOTONIC); }

int cg_set_thread_nice(int nice) {
    return setpriority(PRIO_PROCESS, (id_t)gettid(), nice);
}
