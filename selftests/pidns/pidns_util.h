/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers shared by the pidns selftests: raw clone wrappers that work on
 * every libc, a way to pass small results from a child to the test, and
 * waits that give up instead of hanging.
 */
#ifndef PIDNS_UTIL_H
#define PIDNS_UTIL_H

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
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

/* sysctl_read_int - the number in a /proc/sys file such as pid_max, or -1. */
static inline int sysctl_read_int(const char *path)
{
	char buf[32] = "";
	int fd, n;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	return n > 0 ? atoi(buf) : -1;
}

/* sysctl_write_int - write @value and a newline to @path: 0, or -1. */
static inline int sysctl_write_int(const char *path, int value)
{
	char buf[32];
	int fd, n, ret;

	n = snprintf(buf, sizeof(buf), "%d\n", value);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	ret = write_full(fd, buf, n);
	close(fd);
	return ret;
}

/*
 * raise_pid_max - for tests that place pids with ns_last_pid over a 4M pid
 * space (as systemd sets it): save pid_max in *@saved and raise it to
 * @want.  NULL, or why the test must be skipped; *@saved is -1 unless
 * pid_max was changed.
 */
static inline const char *raise_pid_max(int *saved, int want)
{
	*saved = -1;
	if (geteuid() != 0)
		return "writing ns_last_pid and pid_max needs root";
	if (access("/proc/sys/kernel/ns_last_pid", W_OK))
		return "no /proc/sys/kernel/ns_last_pid (CONFIG_CHECKPOINT_RESTORE)";
	*saved = sysctl_read_int("/proc/sys/kernel/pid_max");
	if (*saved <= 0)
		return "cannot read /proc/sys/kernel/pid_max";
	if (sysctl_write_int("/proc/sys/kernel/pid_max", want)) {
		*saved = -1;
		return "pid_max cannot be raised to 4194304 here";
	}
	return NULL;
}

static const char pid_max_path[] __attribute__((unused)) =
	"/proc/sys/kernel/pid_max";

/*
 * RESTORE_PID_MAX_AT_EXIT - for a test program that lowers pid_max, which
 * is global: save it when the program starts and put it back when it ends,
 * whatever became of the test (the harness kills a test that times out
 * before its teardown can run).
 */
#define RESTORE_PID_MAX_AT_EXIT()					\
static int boot_pid_max = -1;						\
									\
static void __attribute__((constructor)) save_pid_max(void)		\
{									\
	boot_pid_max = sysctl_read_int(pid_max_path);			\
}									\
									\
static void __attribute__((destructor)) restore_pid_max(void)		\
{									\
	if (boot_pid_max > 0 &&						\
	    sysctl_read_int(pid_max_path) != boot_pid_max)		\
		sysctl_write_int(pid_max_path, boot_pid_max);		\
}

/* no_op_handler - a handler that does nothing, so the signal is not ignored. */
static inline void no_op_handler(int sig)
{
}

/*
 * catch_blocked - give @sig a handler that does nothing, so that no init
 * ignores it, and block it, to be taken with sigtimedwait().  0, or -1.
 */
static inline int catch_blocked(int sig)
{
	struct sigaction sa = { .sa_handler = no_op_handler };
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, sig);
	if (sigaction(sig, &sa, NULL))
		return -1;
	return sigprocmask(SIG_BLOCK, &set, NULL);
}

/* ms_left - milliseconds from now until @deadline (CLOCK_MONOTONIC), >= 0. */
static inline int ms_left(const struct timespec *deadline)
{
	struct timespec now;
	long long ms;

	clock_gettime(CLOCK_MONOTONIC, &now);
	ms = (deadline->tv_sec - now.tv_sec) * 1000LL +
	     (deadline->tv_nsec - now.tv_nsec) / 1000000;
	return ms > 0 ? (int)ms : 0;
}

/* deadline_in - the CLOCK_MONOTONIC time @ms milliseconds from now. */
static inline struct timespec deadline_in(int ms)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	t.tv_sec += ms / 1000;
	t.tv_nsec += (ms % 1000) * 1000000L;
	if (t.tv_nsec >= 1000000000L) {
		t.tv_sec++;
		t.tv_nsec -= 1000000000L;
	}
	return t;
}

/*
 * read_timeout - read exactly len bytes within ms milliseconds in all.
 * 0 on success; -1 with errno ETIMEDOUT when the time ran out, ENODATA on
 * end of file, or the error of poll() or read().
 */
static inline int read_timeout(int fd, void *buf, size_t len, int ms)
{
	struct timespec deadline = deadline_in(ms);
	char *p = buf;

	while (len) {
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		ssize_t n;
		int ret;

		ret = poll(&pfd, 1, ms_left(&deadline));
		if (ret < 0 && errno == EINTR)
			continue;
		if (ret < 0)
			return -1;
		if (ret == 0) {
			errno = ETIMEDOUT;
			return -1;
		}
		n = read(fd, p, len);
		if (n < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (n < 0)
			return -1;
		if (n == 0) {
			errno = ENODATA;
			return -1;
		}
		p += n;
		len -= n;
	}
	return 0;
}

/*
 * wait_timeout - waitpid() that gives up after ms milliseconds: the pid
 * waited for, 0 when the time ran out, -1 with errno set on error.
 */
static inline pid_t wait_timeout(pid_t pid, int *status, int options, int ms)
{
	struct timespec deadline = deadline_in(ms);
	struct timespec tick = { 0, 5 * 1000 * 1000 };
	pid_t ret;

	for (;;) {
		ret = waitpid(pid, status, options | WNOHANG);
		if (ret < 0 && errno == EINTR)
			continue;
		if (ret != 0 || ms_left(&deadline) == 0)
			return ret;
		nanosleep(&tick, NULL);
	}
}

/* kill_and_reap - for teardowns: SIGKILL a child, if any, and reap it. */
static inline void kill_and_reap(pid_t pid)
{
	if (pid <= 0)
		return;
	kill(pid, SIGKILL);
	while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
		;
}

/* The exit status of a task that ns_alarm() ended. */
#define NS_ALARM_STATUS 124

static inline void ns_alarm_handler(int sig)
{
	_exit(NS_ALARM_STATUS);
}

/*
 * ns_alarm - make the caller exit with NS_ALARM_STATUS in secs seconds.
 * A namespace's init ignores SIGALRM while it has no handler for it, so a
 * plain alarm() would not end one that hangs; this installs a handler.
 * It also ends a task that left the test's process group (setsid()),
 * which the harness's kill on timeout does not reach.
 */
static inline void ns_alarm(unsigned int secs)
{
	struct sigaction sa = { .sa_handler = ns_alarm_handler };

	sigaction(SIGALRM, &sa, NULL);
	alarm(secs);
}

/*
 * mount_private_proc - give the caller a mount namespace of its own, every
 * mount in it private, and mount a proc of the caller's PID namespace over
 * /proc there.  (The guest's root is an initramfs, which cannot be pivoted
 * away from; mounting over /proc is enough.)  0, or -1 with errno set.
 */
static inline int mount_private_proc(void)
{
	if (unshare(CLONE_NEWNS))
		return -1;
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL))
		return -1;
	return mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC,
		     NULL);
}

/*
 * proc_read_ints - the numbers on the "@key:" line of a file such as
 * /proc/PID/status or /proc/self/fdinfo/N, at @path relative to @dirfd (or
 * AT_FDCWD).  Stores up to @max of them in @vals and returns how many the
 * line has; -1 with errno set on error (ENOENT: no such line).
 */
static inline int proc_read_ints(int dirfd, const char *path, const char *key,
				 int *vals, int max)
{
	size_t keylen = strlen(key);
	char buf[4096], *line, *end;
	ssize_t len = 0, n;
	int fd, count;

	fd = openat(dirfd, path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	while ((n = read(fd, buf + len, sizeof(buf) - 1 - len)) > 0)
		len += n;
	close(fd);
	if (n < 0)
		return -1;
	buf[len] = '\0';
	for (line = buf; *line; line++) {
		if (!strncmp(line, key, keylen) && line[keylen] == ':')
			break;
		line = strchr(line, '\n');
		if (!line)
			break;
	}
	if (!line || !*line) {
		errno = ENOENT;
		return -1;
	}
	line += keylen + 1;
	for (count = 0;; count++, line = end) {
		long v;

		while (*line == ' ' || *line == '\t')
			line++;
		v = strtol(line, &end, 10);
		if (end == line)
			return count;
		if (count < max)
			vals[count] = (int)v;
	}
}

/* ns_ino - the inode of the namespace a /proc/PID/ns link names, or 0. */
static inline ino_t ns_ino(int dirfd, const char *path)
{
	struct stat st;

	if (fstatat(dirfd, path, &st, 0))
		return 0;
	return st.st_ino;
}

/*
 * The pidfd ioctls that hand out namespace files (<linux/pidfd.h> clashes
 * with libc's <fcntl.h>).
 */
#ifndef PIDFD_GET_PID_NAMESPACE
#define PIDFD_GET_PID_NAMESPACE			_IO(0xFF, 5)
#define PIDFD_GET_PID_FOR_CHILDREN_NAMESPACE	_IO(0xFF, 6)
#endif

/* raw_pidfd_open, raw_pidfd_send_signal - the system calls, any libc. */
static inline int raw_pidfd_open(pid_t pid, unsigned int flags)
{
	return syscall(SYS_pidfd_open, pid, flags);
}

static inline int raw_pidfd_send_signal(int pidfd, int sig, siginfo_t *info,
					unsigned int flags)
{
	return syscall(SYS_pidfd_send_signal, pidfd, sig, info, flags);
}

/* send_creds - send a byte, with SCM_CREDENTIALS naming @pid if not 0. */
static inline int send_creds(int fd, pid_t pid)
{
	union {
		char buf[CMSG_SPACE(sizeof(struct ucred))];
		struct cmsghdr align;
	} u;
	struct ucred cred = { .pid = pid, .uid = getuid(), .gid = getgid() };
	struct iovec iov = { .iov_base = "x", .iov_len = 1 };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1 };
	struct cmsghdr *cmsg;

	if (pid) {
		memset(&u, 0, sizeof(u));
		msg.msg_control = u.buf;
		msg.msg_controllen = sizeof(u.buf);
		cmsg = CMSG_FIRSTHDR(&msg);
		cmsg->cmsg_level = SOL_SOCKET;
		cmsg->cmsg_type = SCM_CREDENTIALS;
		cmsg->cmsg_len = CMSG_LEN(sizeof(cred));
		memcpy(CMSG_DATA(cmsg), &cred, sizeof(cred));
	}
	return sendmsg(fd, &msg, 0) == 1 ? 0 : -1;
}

/*
 * recv_creds - the pid in the credentials of the next byte on @fd, within
 * @ms milliseconds: -1 on error or timeout, -2 if it came without any.
 */
static inline long recv_creds(int fd, int ms)
{
	union {
		char buf[CMSG_SPACE(sizeof(struct ucred))];
		struct cmsghdr align;
	} u;
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	char c;
	struct iovec iov = { .iov_base = &c, .iov_len = 1 };
	struct msghdr msg = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = u.buf, .msg_controllen = sizeof(u.buf),
	};
	struct cmsghdr *cmsg;
	struct ucred cred;

	if (poll(&pfd, 1, ms) != 1)
		return -1;
	if (recvmsg(fd, &msg, MSG_DONTWAIT) != 1)
		return -1;
	for (cmsg = CMSG_FIRSTHDR(&msg); cmsg; cmsg = CMSG_NXTHDR(&msg, cmsg)) {
		if (cmsg->cmsg_level == SOL_SOCKET &&
		    cmsg->cmsg_type == SCM_CREDENTIALS) {
			memcpy(&cred, CMSG_DATA(cmsg), sizeof(cred));
			return cred.pid;
		}
	}
	return -2;
}

#endif /* PIDNS_UTIL_H */
