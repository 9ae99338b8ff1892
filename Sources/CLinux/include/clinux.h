// Linux calls that Swift's Glibc module does not show (they need _GNU_SOURCE): accept4, pipe2, SO_PEERCRED's
// struct ucred, timerfd. Thin wrappers only; every result is checked on the Swift side.
#ifndef CARDGATE_CLINUX_H
#define CARDGATE_CLINUX_H

#include <stdint.h>
#include <sys/types.h>

/// accept4(fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK).
int cg_accept_nonblocking(int fd);

/// pipe2(fds, O_CLOEXEC).
int cg_pipe_cloexec(int fds[2]);

/// getsockopt(SO_PEERCRED): 0 and the three values, or -1 (errno set).
int cg_peer_credentials(int fd, uint32_t *uid, uint32_t *gid, int32_t *pid);

/// A timerfd on CLOCK_REALTIME, armed far in the future with TFD_TIMER_CANCEL_ON_SET: a read() on it fails with
/// ECANCELED when the wall clock is set, which the kernel also does when the machine resumes from suspend.
/// Returns the descriptor or -1.
int cg_clock_change_timer(void);

/// Re-arms the timer of cg_clock_change_timer after it fired; 0 or -1.
int cg_clock_change_rearm(int fd);

/// CLOCK_BOOTTIME and CLOCK_MONOTONIC in nanoseconds (the first counts suspended time, the second does not).
int64_t cg_boottime_ns(void);
int64_t cg_monotonic_ns(void);

/// Sets the calling thread's nice value (Linux: setpriority on its thread id); 0 or -1 (errno set). A thread can
/// always make itself nicer; becoming less nice needs CAP_SYS_NICE.
int cg_set_thread_nice(int nice);

#endif
