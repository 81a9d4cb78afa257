/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers shared by the pidns selftests: raw clone wrappers that work on
 * every libc, and a way to pass small results from a child to the test.
 */
#ifndef PIDNS_UTIL_H
#define PIDNS_UTIL_H

#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <unistd.h>

#ifndef CLONE_NEWPID
#define CLONE_NEWPID 0x20000000
#endif

/*
 * sys_fork_flags - clone(2) with no new stack, so it returns twice like
 * fork(2): the child's pid in the parent, 0 in the child, -1 on error.
 * x86_64 argument order: flags, newsp, parent_tid, child_tid, tls.
 */
static inline pid_t sys_fork_flags(unsigned long flags)
{
	return syscall(SYS_clone, flags | SIGCHLD, 0, NULL, NULL, 0);
}

/* fork_newpid - fork a child that is the first task of a new PID namespace. */
static inline pid_t fork_newpid(void)
{
	return sys_fork_flags(CLONE_NEWPID);
}

/*
 * sys_clone3_set_tid - clone3() asking for the pids in @tids, one per level
 * from the caller's namespace up; forks like fork().  -1 with errno set on
 * error (ENOSYS without clone3).
 */
static inline pid_t sys_clone3_set_tid(pid_t *tids, size_t n)
{
	struct {
		uint64_t flags, pidfd, child_tid, parent_tid, exit_signal;
		uint64_t stack, stack_size, tls, set_tid, set_tid_size;
	} args = {
		.exit_signal = SIGCHLD,
		.set_tid = (uintptr_t)tids,
		.set_tid_size = n,
	};

	return syscall(SYS_clone3, &args, sizeof(args));
}

/* write_full - write all of buf, or return -1. */
static inline int write_full(int fd, const void *buf, size_t len)
{
	const char *p = buf;

	while (len) {
		ssize_t n = write(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		p += n;
		len -= n;
	}
	return 0;
}

/* read_full - read exactly len bytes, or return -1 (EOF counts as error). */
static inline int read_full(int fd, void *buf, size_t len)
{
	char *p = buf;

	while (len) {
		ssize_t n = read(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		p += n;
		len -= n;
	}
	return 0;
}

#endif /* PIDNS_UTIL_H */
