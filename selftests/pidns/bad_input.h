/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The bad-input table: invalid arguments to the system calls and files
 * around PID namespaces, each with the errno that unpatched 6.12 and the
 * series return (Documentation/bad-input.rst).  bad_input_test checks
 * every row; the stress sequencer (selftests/stress/pidstress.c) picks rows
 * at random.
 *
 * Each run() makes its call once and returns the errno, 0 if the call
 * succeeded, or -1 if the setup failed (a fork() or an open() that the
 * row needs: EAGAIN, ENOMEM, or a kernel without the file).  A helper
 * child that hangs is killed after BI_TIMEOUT seconds and counts as
 * ETIMEDOUT; one killed by a signal as ECHILD: no row expects either.
 *
 * run() may be called as root at any PID namespace level, repeatedly and
 * from many processes at once.  It creates what it needs (children in new
 * namespaces, children without capabilities, fds) and removes it before it
 * returns: every child is reaped, every fd closed.  Sysctls see invalid
 * writes only.  It uses /proc/self, /proc/thread-self and fds, never
 * /proc/<pid>, so /proc may be an ancestor namespace's proc mount; it
 * assumes the caller's pid_for_children is its own namespace (no pending
 * unshare(CLONE_NEWPID)) and that SIGCHLD is not ignored.
 *
 * Standalone: raw system calls through syscall(2), no _GNU_SOURCE needed.
 */
#ifndef PIDNS_BAD_INPUT_H
#define PIDNS_BAD_INPUT_H

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <linux/nsfs.h>
#include <linux/sched.h>

/* <linux/pidfd.h> clashes with glibc's <fcntl.h>: its flags, by hand. */
#ifndef PIDFD_SIGNAL_THREAD
#define PIDFD_SIGNAL_THREAD		(1UL << 0)
#define PIDFD_SIGNAL_THREAD_GROUP	(1UL << 1)
#define PIDFD_SIGNAL_PROCESS_GROUP	(1UL << 2)
#endif

struct bad_input {
	const char *call;	/* the system call or file, e.g. "clone3" */
	const char *arg;	/* the invalid input, e.g. "set_tid_size = 33" */
	int err;		/* the errno upstream 6.12 and the series return */
	int (*run)(void);	/* make the call once: its errno, 0 if it
				 * succeeded, -1 if the setup failed */
};

/*
 * Seconds a helper child may live; its parent gives up a little later.  A
 * program that runs the rows under heavy load (pidstress) may define more.
 */
#ifndef BI_TIMEOUT
#define BI_TIMEOUT 60
#endif

/*
 * The level of the namespace that /proc belongs to: 0 for the root's
 * proc.  A program that mounted a proc of a namespace further down sets it.
 */
static int bi_proc_level;

/* The exit status of a helper child whose setup failed. */
#define BI_SETUP_FAILED 255

/* The unprivileged user and group that helpers become. */
#define BI_NOBODY 65534

/* One more signal than there are: invalid everywhere. */
#define BI_BAD_SIG (_NSIG + 1)

static const char bi_ns_last_pid[] = "/proc/sys/kernel/ns_last_pid";

/*
 * Set in a helper child before it forks the next one, which inherits them;
 * the caller's copies are never written.
 */
static int bi_fd = -1;
static pid_t bi_pid;

/* bi_alarm - SIGALRM in a helper: it hung; exit so its parent sees it. */
static void bi_alarm(int sig)
{
	(void)sig;
	_exit(ETIMEDOUT);
}

/*
 * bi_bound - first thing in every helper child: end it after BI_TIMEOUT
 * seconds, with a handler, since a namespace's init ignores a SIGALRM that
 * has none.
 */
static void bi_bound(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = bi_alarm;
	sigaction(SIGALRM, &sa, NULL);
	alarm(BI_TIMEOUT);
}

/* bi_exit_code - the exit status that carries run()'s result. */
static int bi_exit_code(int ret)
{
	return ret < 0 ? BI_SETUP_FAILED : ret;
}

/*
 * bi_wait - reap @pid within BI_TIMEOUT + 5 seconds, killing it after
 * that; the result it carried (see bi_exit_code), ETIMEDOUT if it had to
 * be killed, ECHILD if a signal killed it, -1 if it could not be reaped.
 */
static int bi_wait(pid_t pid)
{
	struct timespec start, now, tick = { 0, 1000 * 1000 };
	int status;
	pid_t ret;

	clock_gettime(CLOCK_MONOTONIC, &start);
	for (;;) {
		ret = waitpid(pid, &status, WNOHANG | __WALL);
		if (ret < 0 && errno == EINTR)
			continue;
		if (ret < 0)
			return -1;
		if (ret == pid)
			break;
		clock_gettime(CLOCK_MONOTONIC, &now);
		if (now.tv_sec - start.tv_sec > BI_TIMEOUT + 5) {
			kill(pid, SIGKILL);
			while (waitpid(pid, &status, __WALL) < 0 && errno == EINTR)
				;
			return ETIMEDOUT;
		}
		nanosleep(&tick, NULL);
		if (tick.tv_nsec < 16 * 1000 * 1000)
			tick.tv_nsec *= 2;
	}
	if (WIFSIGNALED(status))
		return ECHILD;
	if (WEXITSTATUS(status) == BI_SETUP_FAILED)
		return -1;
	return WEXITSTATUS(status);
}

/* bi_reap_all - in a helper: reap every child left (they all end soon). */
static void bi_reap_all(void)
{
	while (waitpid(-1, NULL, __WALL) > 0 || errno == EINTR)
		;
}

/* bi_clone - clone(2) without a new stack: forks, returns like fork(). */
static pid_t bi_clone(unsigned long flags)
{
	return syscall(SYS_clone, flags | SIGCHLD, 0, NULL, NULL, 0);
}

/*
 * bi_fork_run - run @fn in a child made with clone(@flags): 0 for a plain
 * fork, CLONE_NEWPID for the init of a new namespace.  @fn's result, as
 * bi_wait() gives it; -1 if the child could not be made.
 */
static int bi_fork_run(unsigned long flags, int (*fn)(void))
{
	pid_t pid;
	int ret;

	pid = flags ? bi_clone(flags) : fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		bi_bound();
		ret = fn();
		bi_reap_all();
		_exit(bi_exit_code(ret));
	}
	return bi_wait(pid);
}

/* bi_in_child - run @fn in a child of the caller, which is never a pid 1. */
static int bi_in_child(int (*fn)(void))
{
	return bi_fork_run(0, fn);
}

/* bi_in_new_ns - run @fn in the init of a new PID namespace. */
static int bi_in_new_ns(int (*fn)(void))
{
	return bi_fork_run(CLONE_NEWPID, fn);
}

/*
 * bi_drop_privileges - in a helper: become nobody, with no capabilities.
 * In a user namespace that maps no nobody (an unprivileged caller's, with
 * only its own uid mapped to 0), setresuid() fails with EINVAL: keep the
 * uid and drop every capability instead.
 */
static int bi_drop_privileges(void)
{
	struct { uint32_t version; int pid; } hdr = { 0x20080522, 0 };
	struct { uint32_t effective, permitted, inheritable; } none[2] = { 0 };

	if (syscall(SYS_setgroups, 0, NULL) && errno != EPERM)
		return -1;
	if (!syscall(SYS_setresgid, BI_NOBODY, BI_NOBODY, BI_NOBODY) &&
	    !syscall(SYS_setresuid, BI_NOBODY, BI_NOBODY, BI_NOBODY))
		return 0;
	if (errno != EINVAL)
		return -1;
	return syscall(SYS_capset, &hdr, none) ? -1 : 0;
}

/* bi_result - the result of a system call that returned @ret. */
static int bi_result(long ret)
{
	return ret < 0 ? errno : 0;
}

/* bi_fork_result - the same for a fork-like call: a child exits at once. */
static int bi_fork_result(long ret)
{
	int err = errno;

	if (ret == 0)
		_exit(0);
	if (ret < 0)
		return err;
	while (waitpid(ret, NULL, __WALL) < 0 && errno == EINTR)
		;
	return 0;
}

/* bi_clone3 - clone3(@args, @size); a child that it makes exits at once. */
static int bi_clone3(void *args, size_t size)
{
	return bi_fork_result(syscall(SYS_clone3, args, size));
}

/* bi_clone3_set_tid - clone3() with @n numbers in @tids (may be NULL). */
static int bi_clone3_set_tid(const pid_t *tids, size_t n)
{
	struct clone_args args;

	memset(&args, 0, sizeof(args));
	args.exit_signal = SIGCHLD;
	args.set_tid = (uintptr_t)tids;
	args.set_tid_size = n;
	return bi_clone3(&args, sizeof(args));
}

/* bi_read_int - the first number in a file such as pid_max, or -1. */
static long bi_read_int(const char *path)
{
	char buf[32];
	ssize_t n;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	return strtol(buf, NULL, 10);
}

/*
 * bi_level - the caller's PID namespace level: the number of pids on the
 * NSpid line of /proc/self/status, less one, plus bi_proc_level; or -1.
 */
static int bi_level(void)
{
	char buf[4096], *p, *end;
	ssize_t len = 0, n;
	int fd, count = 0;

	fd = open("/proc/self/status", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	while (len < (ssize_t)sizeof(buf) - 1 &&
	       (n = read(fd, buf + len, sizeof(buf) - 1 - len)) > 0)
		len += n;
	close(fd);
	buf[len] = '\0';
	p = strstr(buf, "\nNSpid:");
	if (!p)
		return -1;
	p += strlen("\nNSpid:");
	for (;;) {
		strtol(p, &end, 10);
		if (end == p)
			break;
		count++;
		p = end;
	}
	return count ? count - 1 + bi_proc_level : -1;
}

/* bi_write - write @s to @path: 0, the errno, or -1 if it did not open. */
static int bi_write(const char *path, const char *s)
{
	ssize_t n;
	int fd, err;

	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	n = write(fd, s, strlen(s));
	err = errno;
	close(fd);
	return n < 0 ? err : 0;
}

/* bi_open_ns - open /proc/self/ns/@name, or -1. */
static int bi_open_ns(const char *name)
{
	char path[64] = "/proc/self/ns/";

	strncat(path, name, sizeof(path) - strlen(path) - 1);
	return open(path, O_RDONLY | O_CLOEXEC);
}

/* bi_newpid - clone(CLONE_NEWPID) from the current task. */
static int bi_newpid(void)
{
	return bi_fork_result(bi_clone(CLONE_NEWPID));
}

/* bi_clone3_newpid - clone3(CLONE_NEWPID) from the current task. */
static int bi_clone3_newpid(void)
{
	struct clone_args args;

	memset(&args, 0, sizeof(args));
	args.flags = CLONE_NEWPID;
	args.exit_signal = SIGCHLD;
	return bi_clone3(&args, sizeof(args));
}

/* bi_unshare_newpid - unshare(CLONE_NEWPID). */
static int bi_unshare_newpid(void)
{
	return bi_result(syscall(SYS_unshare, CLONE_NEWPID));
}

/*
 * The rows.  The functions named *_child run in a helper child
 * (bi_in_child), those named *_ns in the init of a new PID namespace
 * below it.
 */

/*
 * A thread shares its group's pid, so it cannot start a namespace.  Made
 * in a helper child: had it worked, the thread would run on the helper's
 * stack, and it ends the helper at once.
 */
static int bi_clone_thread_child(void)
{
	long ret;

	ret = syscall(SYS_clone, CLONE_NEWPID | CLONE_THREAD | CLONE_SIGHAND |
		      CLONE_VM, 0, NULL, NULL, 0);
	if (ret == 0)
		syscall(SYS_exit_group, 0);
	return bi_result(ret);
}

static int bi_clone_newpid_thread(void)
{
	return bi_in_child(bi_clone_thread_child);
}

static int bi_clone3_thread_child(void)
{
	struct clone_args args;
	long ret;

	memset(&args, 0, sizeof(args));
	args.flags = CLONE_NEWPID | CLONE_THREAD | CLONE_SIGHAND | CLONE_VM;
	ret = syscall(SYS_clone3, &args, sizeof(args));
	if (ret == 0)
		syscall(SYS_exit_group, 0);
	return bi_result(ret);
}

static int bi_clone3_newpid_thread(void)
{
	return bi_in_child(bi_clone3_thread_child);
}

static int bi_clone3_size_small(void)
{
	struct clone_args args;

	memset(&args, 0, sizeof(args));
	args.exit_signal = SIGCHLD;
	return bi_clone3(&args, CLONE_ARGS_SIZE_VER0 - 1);
}

/* The size argument of the page-sized cases: zeros, the args at the start. */
static int bi_clone3_big(size_t size, int tail)
{
	struct clone_args *args;
	int ret;

	args = calloc(1, 2 * 4096);
	if (!args)
		return -1;
	args->exit_signal = SIGCHLD;
	if (tail)
		((char *)args)[sizeof(*args)] = 1;
	ret = bi_clone3(args, size);
	free(args);
	return ret;
}

static int bi_clone3_size_page(void)
{
	long page = sysconf(_SC_PAGESIZE);

	return bi_clone3_big(page > 0 && page <= 4096 ? page + 1 : 4097, 0);
}

static int bi_clone3_size_tail(void)
{
	return bi_clone3_big(sizeof(struct clone_args) + 8, 1);
}

/* bi_unreadable - a page that cannot be read, or NULL. */
static void *bi_unreadable(void)
{
	void *p = mmap(NULL, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS,
		       -1, 0);

	return p == MAP_FAILED ? NULL : p;
}

static int bi_clone3_args_fault(void)
{
	void *p = bi_unreadable();
	int ret;

	if (!p)
		return -1;
	ret = bi_clone3(p, sizeof(struct clone_args));
	munmap(p, 4096);
	return ret;
}

static int bi_clone3_set_tid_33(void)
{
	pid_t tids[33];
	int i;

	for (i = 0; i < 33; i++)
		tids[i] = 1;
	return bi_clone3_set_tid(tids, 33);
}

/*
 * One number more than the levels the child would have.  The first is
 * the caller's own pid, taken: a kernel that let the size pass would say
 * EEXIST.
 */
static int bi_clone3_set_tid_levels(void)
{
	int level = bi_level(), i;
	pid_t tids[34];

	if (level < 0 || level > 32)
		return -1;
	tids[0] = getpid();
	for (i = 1; i < 34; i++)
		tids[i] = 1;
	return bi_clone3_set_tid(tids, level + 2);
}

static int bi_clone3_set_tid_zero(void)
{
	pid_t tid = 0;

	return bi_clone3_set_tid(&tid, 1);
}

static int bi_clone3_set_tid_negative(void)
{
	pid_t tid = -1;

	return bi_clone3_set_tid(&tid, 1);
}

static int bi_clone3_set_tid_pid_max(void)
{
	pid_t tid = bi_read_int("/proc/sys/kernel/pid_max");

	if (tid <= 0)
		return -1;
	return bi_clone3_set_tid(&tid, 1);
}

static int bi_clone3_set_tid_above_pid_max(void)
{
	pid_t tid = bi_read_int("/proc/sys/kernel/pid_max");

	if (tid <= 0)
		return -1;
	tid++;
	return bi_clone3_set_tid(&tid, 1);
}

static int bi_clone3_set_tid_size_0(void)
{
	pid_t tid = 1;

	return bi_clone3_set_tid(&tid, 0);
}

static int bi_clone3_set_tid_null(void)
{
	return bi_clone3_set_tid(NULL, 1);
}

static int bi_clone3_set_tid_fault(void)
{
	void *p = bi_unreadable();
	int ret;

	if (!p)
		return -1;
	ret = bi_clone3_set_tid(p, 1);
	munmap(p, 4096);
	return ret;
}

static int bi_clone3_set_tid_taken(void)
{
	pid_t tid = getpid();

	return bi_clone3_set_tid(&tid, 1);
}

static int bi_clone_newpid_nocap_child(void)
{
	return bi_drop_privileges() ? -1 : bi_newpid();
}

static int bi_clone_newpid_nocap(void)
{
	return bi_in_child(bi_clone_newpid_nocap_child);
}

static int bi_clone3_newpid_nocap_child(void)
{
	return bi_drop_privileges() ? -1 : bi_clone3_newpid();
}

static int bi_clone3_newpid_nocap(void)
{
	return bi_in_child(bi_clone3_newpid_nocap_child);
}

/* In a namespace's init: a sibling would be outside the namespace. */
static int bi_clone_parent_ns(void)
{
	long ret = bi_clone(CLONE_PARENT);

	if (ret == 0)
		_exit(0);
	return bi_result(ret);	/* the helper reaps a sibling */
}

static int bi_clone_parent_child(void)
{
	return bi_in_new_ns(bi_clone_parent_ns);
}

static int bi_clone_parent_from_init(void)
{
	return bi_in_child(bi_clone_parent_child);
}

static int bi_clone3_parent_ns(void)
{
	struct clone_args args;
	long ret;

	memset(&args, 0, sizeof(args));
	args.flags = CLONE_PARENT;
	ret = syscall(SYS_clone3, &args, sizeof(args));
	if (ret == 0)
		_exit(0);
	return bi_result(ret);
}

static int bi_clone3_parent_child(void)
{
	return bi_in_new_ns(bi_clone3_parent_ns);
}

static int bi_clone3_parent_from_init(void)
{
	return bi_in_child(bi_clone3_parent_child);
}

/*
 * Each task of the chain makes the next one the init of a namespace one
 * level down and passes its result up; the one that cannot, at level 33,
 * exits with the errno.  A kernel without the limit ends the chain at 40
 * levels, as a success.
 */
static int bi_newpid_chain_child(void)
{
	int depth;

	for (depth = 0; depth < 40; depth++) {
		pid_t pid = bi_clone(CLONE_NEWPID);

		if (pid < 0)
			return errno == EAGAIN || errno == ENOMEM ? -1 : errno;
		if (pid > 0)
			return bi_wait(pid);
		bi_bound();
	}
	return 0;
}

static int bi_clone_newpid_level_33(void)
{
	return bi_in_child(bi_newpid_chain_child);
}

static int bi_unshare_twice_child(void)
{
	if (bi_unshare_newpid())
		return -1;
	return bi_unshare_newpid();
}

static int bi_unshare_twice(void)
{
	return bi_in_child(bi_unshare_twice_child);
}

static int bi_unshare_nocap_child(void)
{
	return bi_drop_privileges() ? -1 : bi_unshare_newpid();
}

static int bi_unshare_nocap(void)
{
	return bi_in_child(bi_unshare_nocap_child);
}

static int bi_setns_wrong_type_child(void)
{
	int fd = bi_open_ns("pid");

	if (fd < 0)
		return -1;
	return bi_result(syscall(SYS_setns, fd, CLONE_NEWNET));
}

static int bi_setns_wrong_type(void)
{
	return bi_in_child(bi_setns_wrong_type_child);
}

static int bi_setns_pipe_child(void)
{
	int fds[2];

	if (pipe(fds))
		return -1;
	return bi_result(syscall(SYS_setns, fds[0], CLONE_NEWPID));
}

static int bi_setns_pipe(void)
{
	return bi_in_child(bi_setns_pipe_child);
}

static int bi_setns_closed_child(void)
{
	int fds[2];

	if (pipe(fds))
		return -1;
	close(fds[0]);
	close(fds[1]);
	return bi_result(syscall(SYS_setns, fds[0], CLONE_NEWPID));
}

static int bi_setns_closed(void)
{
	return bi_in_child(bi_setns_closed_child);
}

static int bi_setns_pidfd_no_type_child(void)
{
	int fd = syscall(SYS_pidfd_open, getpid(), 0);

	if (fd < 0)
		return -1;
	return bi_result(syscall(SYS_setns, fd, 0));
}

static int bi_setns_pidfd_no_type(void)
{
	return bi_in_child(bi_setns_pidfd_no_type_child);
}

/* bi_fd: the helper's /proc/self/ns/pid, the namespace above. */
static int bi_setns_parent_ns(void)
{
	return bi_result(syscall(SYS_setns, bi_fd, CLONE_NEWPID));
}

static int bi_setns_parent_child(void)
{
	bi_fd = bi_open_ns("pid");
	if (bi_fd < 0)
		return -1;
	return bi_in_new_ns(bi_setns_parent_ns);
}

static int bi_setns_parent(void)
{
	return bi_in_child(bi_setns_parent_child);
}

/*
 * The sibling: the init of one namespace, made with CLONE_FILES, opens its
 * /proc/self/ns/pid into the helper's fd table and waits; the init of a
 * second namespace, the helper's next child, tries to enter the first.
 */
static int bi_sibling_hold[2] = { -1, -1 };

static int bi_setns_sibling_ns(void)
{
	return bi_result(syscall(SYS_setns, bi_fd, CLONE_NEWPID));
}

static int bi_setns_sibling_child(void)
{
	int sync[2], nsfd = -1, ret = -1;
	char c;
	pid_t first;

	if (pipe(sync))
		return -1;
	if (pipe(bi_sibling_hold))
		return -1;
	first = bi_clone(CLONE_NEWPID | CLONE_FILES);
	if (first == 0) {
		bi_bound();
		nsfd = bi_open_ns("pid");
		if (write(sync[1], &nsfd, sizeof(nsfd)) != sizeof(nsfd))
			_exit(1);
		/* The fd table is shared: the helper's close() is ours. */
		while (read(bi_sibling_hold[0], &c, 1) < 0 && errno == EINTR)
			;
		_exit(0);
	}
	if (first < 0)
		return -1;
	if (read(sync[0], &nsfd, sizeof(nsfd)) == sizeof(nsfd) && nsfd >= 0) {
		bi_fd = nsfd;
		ret = bi_in_new_ns(bi_setns_sibling_ns);
	}
	close(bi_sibling_hold[1]);
	bi_wait(first);
	return ret;
}

static int bi_setns_sibling(void)
{
	return bi_in_child(bi_setns_sibling_child);
}

static int bi_setns_nocap_child(void)
{
	int fd = bi_open_ns("pid");

	if (fd < 0 || bi_drop_privileges())
		return -1;
	return bi_result(syscall(SYS_setns, fd, CLONE_NEWPID));
}

static int bi_setns_nocap(void)
{
	return bi_in_child(bi_setns_nocap_child);
}

/* bi_ns_ioctl - ioctl(@req) on /proc/self/ns/@name; a new fd is closed. */
static int bi_ns_ioctl(const char *name, unsigned long req, unsigned long arg)
{
	int fd = bi_open_ns(name), ret, err;

	if (fd < 0)
		return -1;
	ret = ioctl(fd, req, arg);
	err = errno;
	if (ret >= 0 && req == NS_GET_PARENT)
		close(ret);
	close(fd);
	return ret < 0 ? err : 0;
}

static int bi_ns_get_parent_top(void)
{
	return bi_ns_ioctl("pid", NS_GET_PARENT, 0);
}

static int bi_ns_get_parent_net(void)
{
	return bi_ns_ioctl("net", NS_GET_PARENT, 0);
}

static int bi_ns_get_pid_net(void)
{
	return bi_ns_ioctl("net", NS_GET_PID_FROM_PIDNS, 1);
}

static int bi_ns_last_pid_negative(void)
{
	return bi_write(bi_ns_last_pid, "-1\n");
}

static int bi_ns_last_pid_above_pid_max(void)
{
	long pid_max = bi_read_int("/proc/sys/kernel/pid_max");
	char buf[32];
	int i = sizeof(buf) - 1;

	if (pid_max <= 0)
		return -1;
	/* pid_max + 1 and a newline, without stdio. */
	buf[i--] = '\0';
	buf[i--] = '\n';
	for (pid_max++; pid_max; pid_max /= 10)
		buf[i--] = '0' + pid_max % 10;
	return bi_write(bi_ns_last_pid, buf + i + 1);
}

static int bi_ns_last_pid_text(void)
{
	return bi_write(bi_ns_last_pid, "abc\n");
}

/*
 * Without privileges, in a namespace of its own whose only task is its
 * init, pid 1: "1" is already the value, so even a write that went
 * through would change nothing.
 */
static int bi_ns_last_pid_nocap_ns(void)
{
	return bi_drop_privileges() ? -1 : bi_write(bi_ns_last_pid, "1\n");
}

static int bi_ns_last_pid_nocap_child(void)
{
	return bi_in_new_ns(bi_ns_last_pid_nocap_ns);
}

static int bi_ns_last_pid_nocap(void)
{
	return bi_in_child(bi_ns_last_pid_nocap_child);
}

/* bi_pidfd_open - pidfd_open(@pid, @flags); a new pidfd is closed. */
static int bi_pidfd_open(pid_t pid, unsigned int flags)
{
	long fd = syscall(SYS_pidfd_open, pid, flags);
	int err = errno;

	if (fd >= 0)
		close(fd);
	return fd < 0 ? err : 0;
}

static int bi_pidfd_open_bad_flags(void)
{
	return bi_pidfd_open(getpid(), 1);
}

static int bi_pidfd_open_0(void)
{
	return bi_pidfd_open(0, 0);
}

static int bi_pidfd_open_negative(void)
{
	return bi_pidfd_open(-1, 0);
}

static int bi_pidfd_open_int_max(void)
{
	return bi_pidfd_open(INT_MAX, 0);
}

/* bi_pid: the helper's pid; not 1, as the helper is a child. */
static int bi_pidfd_open_outside_ns(void)
{
	return bi_pidfd_open(bi_pid, 0);
}

static int bi_pidfd_open_outside_child(void)
{
	bi_pid = getpid();
	return bi_in_new_ns(bi_pidfd_open_outside_ns);
}

static int bi_pidfd_open_outside(void)
{
	return bi_in_child(bi_pidfd_open_outside_child);
}

/* bi_pidfd_signal_self - pidfd_send_signal() to the caller. */
static int bi_pidfd_signal_self(int sig, unsigned int flags)
{
	int fd = syscall(SYS_pidfd_open, getpid(), 0), ret;

	if (fd < 0)
		return -1;
	ret = bi_result(syscall(SYS_pidfd_send_signal, fd, sig, NULL, flags));
	close(fd);
	return ret;
}

static int bi_pidfd_signal_bad_flags(void)
{
	return bi_pidfd_signal_self(0, PIDFD_SIGNAL_PROCESS_GROUP << 1);
}

static int bi_pidfd_signal_two_scopes(void)
{
	return bi_pidfd_signal_self(0, PIDFD_SIGNAL_THREAD |
				    PIDFD_SIGNAL_THREAD_GROUP);
}

static int bi_pidfd_signal_bad_sig(void)
{
	return bi_pidfd_signal_self(BI_BAD_SIG, 0);
}

/* bi_fd: a pidfd of the helper, which is outside the namespace. */
static int bi_pidfd_signal_outside_ns(void)
{
	return bi_result(syscall(SYS_pidfd_send_signal, bi_fd, 0, NULL, 0));
}

static int bi_pidfd_signal_outside_child(void)
{
	bi_fd = syscall(SYS_pidfd_open, getpid(), 0);
	if (bi_fd < 0)
		return -1;
	return bi_in_new_ns(bi_pidfd_signal_outside_ns);
}

static int bi_pidfd_signal_outside(void)
{
	return bi_in_child(bi_pidfd_signal_outside_child);
}

static int bi_kill_bad_sig(void)
{
	return bi_result(kill(getpid(), BI_BAD_SIG));
}

static int bi_max_pid_namespaces_negative(void)
{
	return bi_write("/proc/sys/user/max_pid_namespaces", "-1\n");
}

static const struct bad_input bad_inputs[] = {
	{ "clone", "CLONE_NEWPID | CLONE_THREAD", EINVAL,
	  bi_clone_newpid_thread },
	{ "clone3", "CLONE_NEWPID | CLONE_THREAD", EINVAL,
	  bi_clone3_newpid_thread },
	{ "clone3", "size = CLONE_ARGS_SIZE_VER0 - 1", EINVAL,
	  bi_clone3_size_small },
	{ "clone3", "size = page size + 1", E2BIG, bi_clone3_size_page },
	{ "clone3", "size = sizeof + 8, tail not zero", E2BIG,
	  bi_clone3_size_tail },
	{ "clone3", "args = unreadable pointer", EFAULT, bi_clone3_args_fault },
	{ "clone3", "set_tid_size = 33", EINVAL, bi_clone3_set_tid_33 },
	{ "clone3", "set_tid_size = levels + 1", EINVAL,
	  bi_clone3_set_tid_levels },
	{ "clone3", "set_tid = {0}", EINVAL, bi_clone3_set_tid_zero },
	{ "clone3", "set_tid = {-1}", EINVAL, bi_clone3_set_tid_negative },
	{ "clone3", "set_tid = {pid_max}", EINVAL, bi_clone3_set_tid_pid_max },
	{ "clone3", "set_tid = {pid_max + 1}", EINVAL,
	  bi_clone3_set_tid_above_pid_max },
	{ "clone3", "set_tid = {1}, set_tid_size = 0", EINVAL,
	  bi_clone3_set_tid_size_0 },
	{ "clone3", "set_tid = NULL, set_tid_size = 1", EINVAL,
	  bi_clone3_set_tid_null },
	{ "clone3", "set_tid = unreadable pointer", EFAULT,
	  bi_clone3_set_tid_fault },
	{ "clone3", "set_tid = {getpid()}", EEXIST,
	  bi_clone3_set_tid_taken },
	{ "clone", "CLONE_NEWPID without CAP_SYS_ADMIN", EPERM,
	  bi_clone_newpid_nocap },
	{ "clone3", "CLONE_NEWPID without CAP_SYS_ADMIN", EPERM,
	  bi_clone3_newpid_nocap },
	{ "clone", "CLONE_PARENT from a namespace init", EINVAL,
	  bi_clone_parent_from_init },
	{ "clone3", "CLONE_PARENT from a namespace init", EINVAL,
	  bi_clone3_parent_from_init },
	{ "clone", "CLONE_NEWPID at level 33", ENOSPC,
	  bi_clone_newpid_level_33 },
	{ "unshare", "CLONE_NEWPID twice", EINVAL, bi_unshare_twice },
	{ "unshare", "CLONE_NEWPID without CAP_SYS_ADMIN", EPERM,
	  bi_unshare_nocap },
	{ "setns", "pid namespace fd, nstype = CLONE_NEWNET", EINVAL,
	  bi_setns_wrong_type },
	{ "setns", "pipe fd", EINVAL, bi_setns_pipe },
	{ "setns", "closed fd", EBADF, bi_setns_closed },
	{ "setns", "pidfd, nstype = 0", EINVAL, bi_setns_pidfd_no_type },
	{ "setns", "parent pid namespace", EINVAL, bi_setns_parent },
	{ "setns", "sibling pid namespace", EINVAL, bi_setns_sibling },
	{ "setns", "own pid namespace without CAP_SYS_ADMIN", EPERM,
	  bi_setns_nocap },
	{ "ioctl(NS_GET_PARENT)", "own pid namespace fd", EPERM,
	  bi_ns_get_parent_top },
	{ "ioctl(NS_GET_PARENT)", "net namespace fd", EINVAL,
	  bi_ns_get_parent_net },
	{ "ioctl(NS_GET_PID_FROM_PIDNS)", "net namespace fd", EINVAL,
	  bi_ns_get_pid_net },
	{ "/proc/sys/kernel/ns_last_pid", "-1", EINVAL,
	  bi_ns_last_pid_negative },
	{ "/proc/sys/kernel/ns_last_pid", "pid_max + 1", EINVAL,
	  bi_ns_last_pid_above_pid_max },
	{ "/proc/sys/kernel/ns_last_pid", "abc", EINVAL, bi_ns_last_pid_text },
	{ "/proc/sys/kernel/ns_last_pid",
	  "1 without CAP_CHECKPOINT_RESTORE or CAP_SYS_ADMIN", EPERM,
	  bi_ns_last_pid_nocap },
	{ "pidfd_open", "flags = 1", EINVAL, bi_pidfd_open_bad_flags },
	{ "pidfd_open", "pid = 0", EINVAL, bi_pidfd_open_0 },
	{ "pidfd_open", "pid = -1", EINVAL, bi_pidfd_open_negative },
	{ "pidfd_open", "pid = INT_MAX", ESRCH, bi_pidfd_open_int_max },
	{ "pidfd_open", "pid of the parent, from a new pid namespace", ESRCH,
	  bi_pidfd_open_outside },
	{ "pidfd_send_signal", "flags = 8", EINVAL, bi_pidfd_signal_bad_flags },
	{ "pidfd_send_signal", "flags = PIDFD_SIGNAL_THREAD | PIDFD_SIGNAL_THREAD_GROUP",
	  EINVAL, bi_pidfd_signal_two_scopes },
	{ "pidfd_send_signal", "sig = _NSIG + 1", EINVAL,
	  bi_pidfd_signal_bad_sig },
	{ "pidfd_send_signal", "pidfd of the parent, from a new pid namespace",
	  EINVAL, bi_pidfd_signal_outside },
	{ "kill", "sig = _NSIG + 1", EINVAL, bi_kill_bad_sig },
	{ "/proc/sys/user/max_pid_namespaces", "-1", EINVAL,
	  bi_max_pid_namespaces_negative },
};

#define BAD_INPUTS (sizeof(bad_inputs) / sizeof(bad_inputs[0]))

#endif /* PIDNS_BAD_INPUT_H */
