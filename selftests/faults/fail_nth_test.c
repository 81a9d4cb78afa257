// SPDX-License-Identifier: GPL-2.0
/*
 * The failure paths of every call on the PID namespace paths, one fault
 * point at a time, the way syzkaller finds unwind bugs: for N = 1, 2, 3,
 * ... the call runs with N written to /proc/thread-self/fail-nth, so that
 * the Nth fault point it meets (a slab or page allocation, a copy from or
 * to user space) fails, until it completes without meeting an Nth.  After
 * each injected failure:
 *
 * - the call failed with an errno of its allowed set (the table below, from
 *   the man pages and mainline 6.12), or absorbed the failure and worked;
 * - the namespace works or refuses new tasks, never half: a probe without
 *   faults repeats the call or forks, and checks the numbers it gets (a
 *   first fork that failed leaves either pid 1 next or ENOMEM on every
 *   later fork; a set_tid that failed is free again; an ns_last_pid that
 *   was written is used);
 * - and after every N of an operation, the struct pid and pid_namespace
 *   object counts are back where they were.
 *
 * Each N runs in a runner process of its own, made for it: the runner
 * enters DEPTH new PID namespaces (it is the init of the deepest), as root
 * or as nobody in a user namespace of its own, and sets the call up before
 * writing fail-nth.  Before each injection it writes "pidns-faults: OP nth
 * N" to /dev/kmsg: the host (scripts/fault-sites.awk) counts the injected
 * failures of each operation by the function that met them.
 *
 * Needs CONFIG_FAULT_INJECTION with FAILSLAB, FAIL_PAGE_ALLOC and
 * FAULT_INJECTION_USERCOPY (make test CONFIG=faults), else SKIP; the
 * environment variable pidns_fault_sweep=short (a kernel argument) keeps to
 * the operations marked short, for CI.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include <linux/nsfs.h>
#include <linux/sched.h>

#include "../pidns/pidns_util.h"
#include "../pidns/slab_counts.h"
#include "../pidns/unpriv.h"
#include "kselftest_harness.h"

/* No call on these paths meets more fault points than this. */
#define MAX_NTH		4000
/* Milliseconds one runner may take. */
#define RUNNER_MS	60000
#define DEBUGFS		"/sys/kernel/debug"
/* A number free at every level below the root in a fresh runner. */
#define FREE_NR		777
/* Levels a set_tid array may name: MAX_PID_NS_LEVEL and the root. */
#define MAX_LEVELS	33

enum probe_result {
	PROBE_WORKS,		/* the namespace works as it should */
	PROBE_REFUSES,		/* it refuses new tasks, consistently */
	PROBE_BROKEN,		/* anything else: the test fails */
};

/* What a runner's call and probe did. */
struct state {
	int fd;			/* the call's file, if any */
	pid_t child;		/* a task the setup made, if any */
	int pipe_r, pipe_w;	/* closing pipe_w ends the blocked tasks */
	int depth;
	char why[128];		/* why the probe or the setup failed */
};

struct op {
	const char *name;
	int depth;		/* PID namespaces the runner enters first */
	bool unpriv;		/* as nobody, in a user namespace of its own */
	bool short_sweep;	/* part of the short sweep */
	bool own_proc;		/* mount a proc of the runner's namespace */
	int (*setup)(struct state *s);
	long (*call)(struct state *s);
	int (*probe)(struct state *s, long ret, int err);
	int allowed[4];		/* errnos, 0-terminated */
};

/* What a runner sends back. */
struct report {
	char failed[64];	/* empty, or the setup step that failed */
	int err;		/* its errno */
	int injected;		/* the call met an Nth fault point */
	long ret;
	int call_err;
	int probe;
	char why[128];
};

static int broken(struct state *s, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static int broken(struct state *s, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(s->why, sizeof(s->why), fmt, ap);
	va_end(ap);
	return PROBE_BROKEN;
}

/* raw_fork - fork(2) with nothing of libc's around it, @flags added. */
static pid_t raw_fork(unsigned long flags)
{
	return syscall(SYS_clone, flags | SIGCHLD, 0, NULL, NULL, 0);
}

/*
 * spawn_blocked - a child (in a new PID namespace with CLONE_NEWPID) that
 * lives until the runner closes s->pipe_w.  Only the fork itself: the
 * runner made the pipe before any fault was injected.
 */
static pid_t spawn_blocked(struct state *s, unsigned long flags)
{
	pid_t pid;
	char c;

	pid = raw_fork(flags);
	if (pid == 0) {
		close(s->pipe_w);
		_exit(read(s->pipe_r, &c, 1) < 0);
	}
	if (pid > 0)
		s->child = pid;
	return pid;
}

/*
 * fork_exit_code - fork (with @flags) a child that exits 0 if its getpid()
 * is @want_pid (any number > 1 when @want_pid is 0); its pid in the
 * caller's namespace, or -1 with errno; *@code its exit status.
 */
static pid_t fork_exit_code(unsigned long flags, pid_t want_pid, int *code)
{
	int status;
	pid_t pid;

	pid = raw_fork(flags);
	if (pid == 0) {
		pid_t me = getpid();

		_exit(want_pid ? me != want_pid : me <= 1);
	}
	if (pid < 0)
		return -1;
	if (waitpid(pid, &status, 0) != pid)
		return -1;
	*code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
	return pid;
}

/* reap - wait for a child the call made, if it made one. */
static void reap(long ret)
{
	if (ret > 0)
		waitpid(ret, NULL, 0);
}

/* probe_fork - the runner's namespace still forks, and not as pid 1. */
static int probe_fork(struct state *s)
{
	int code;

	if (fork_exit_code(0, 0, &code) < 0)
		return broken(s, "fork() after the failure: %s", strerror(errno));
	if (code)
		return broken(s, "the child of fork() after the failure had pid 1 or died");
	return PROBE_WORKS;
}

/* clone(CLONE_NEWPID): the child is the init of a new namespace. */
static long call_clone_newpid(struct state *s)
{
	pid_t pid = raw_fork(CLONE_NEWPID);

	if (pid == 0)
		_exit(getpid() != 1);
	return pid;
}

/* probe_newpid - a new namespace can still be made, its first task pid 1. */
static int probe_newpid(struct state *s, long ret, int err)
{
	int code;

	reap(ret);
	if (fork_exit_code(CLONE_NEWPID, 1, &code) < 0)
		return broken(s, "clone(CLONE_NEWPID) after the failure: %s",
			      strerror(errno));
	if (code)
		return broken(s, "the first task of a new namespace is not pid 1");
	return probe_fork(s);
}

/* clone3_tids - clone3(CLONE_NEWPID?) with set_tid: 1 in the new namespace,
 * FREE_NR at each of the runner's levels (which its user namespace owns). */
static pid_t clone3_tids(struct state *s, bool newpid)
{
	pid_t tids[MAX_LEVELS];
	struct clone_args args = {
		.exit_signal = SIGCHLD,
		.set_tid = (uintptr_t)tids,
	};
	int i, n = 0;
	pid_t pid;

	if (newpid) {
		args.flags = CLONE_NEWPID;
		tids[n++] = 1;
	}
	for (i = 0; i < s->depth; i++)
		tids[n++] = FREE_NR;
	args.set_tid_size = n;
	pid = syscall(SYS_clone3, &args, sizeof(args));
	if (pid == 0)
		_exit(getpid() != (newpid ? 1 : FREE_NR));
	return pid;
}

static long call_clone3_newpid(struct state *s)
{
	return clone3_tids(s, true);
}

static long call_clone3_set_tid(struct state *s)
{
	return clone3_tids(s, false);
}

/*
 * probe_set_tid - the numbers a failed set_tid asked for are free again:
 * the same clone3 works, and its child has them.
 */
static int probe_set_tid(struct state *s, bool newpid, long ret)
{
	int status;
	pid_t pid;

	reap(ret);
	pid = clone3_tids(s, newpid);
	if (pid < 0)
		return broken(s, "the same set_tid after the failure: %s",
			      strerror(errno));
	if (waitpid(pid, &status, 0) != pid || status)
		return broken(s, "the child of the same set_tid: status 0x%x",
			      status);
	if (s->depth && pid != FREE_NR)
		return broken(s, "set_tid %d gave %d", FREE_NR, pid);
	return probe_fork(s);
}

static int probe_clone3_newpid(struct state *s, long ret, int err)
{
	return probe_set_tid(s, true, ret);
}

static int probe_clone3_set_tid(struct state *s, long ret, int err)
{
	return probe_set_tid(s, false, ret);
}

/* fork() inside the runner's namespace. */
static long call_fork(struct state *s)
{
	pid_t pid = raw_fork(0);

	if (pid == 0)
		_exit(0);
	return pid;
}

static int probe_after_fork(struct state *s, long ret, int err)
{
	reap(ret);
	return probe_fork(s);
}

/* unshare(CLONE_NEWPID): the runner's next child is the new init, or not. */
static long call_unshare(struct state *s)
{
	return unshare(CLONE_NEWPID);
}

static int probe_unshare(struct state *s, long ret, int err)
{
	int code;

	if (fork_exit_code(0, ret == 0 ? 1 : 0, &code) < 0)
		return broken(s, "fork() after unshare: %s", strerror(errno));
	if (code)
		return broken(s, ret == 0 ?
			      "the first fork after unshare is not pid 1" :
			      "a failed unshare moved the children");
	return PROBE_WORKS;
}

/* The first fork after unshare(CLONE_NEWPID): the new init, which stays. */
static int setup_unshared(struct state *s)
{
	return unshare(CLONE_NEWPID);
}

static long call_first_fork(struct state *s)
{
	return spawn_blocked(s, 0);
}

/*
 * The same first fork with CLONE_PIDFD: the pidfd is made after alloc_pid(),
 * so its failures leave a namespace whose pid 1 came and went.
 */
static long call_first_clone3_pidfd(struct state *s)
{
	int pidfd = -1;
	struct clone_args args = {
		.flags = CLONE_PIDFD,
		.pidfd = (uintptr_t)&pidfd,
		.exit_signal = SIGCHLD,
	};
	pid_t pid;
	char c;

	pid = syscall(SYS_clone3, &args, sizeof(args));
	if (pid == 0) {
		close(s->pipe_w);
		_exit(read(s->pipe_r, &c, 1) < 0);
	}
	if (pid > 0) {
		s->child = pid;
		close(pidfd);
	}
	return pid;
}

/*
 * probe_first_fork - mainline's two outcomes of a failed first fork: the
 * next fork is pid 1 (the failure came before a pid was taken), or every
 * later fork fails with ENOMEM (the namespace lost its chance of an init).
 * Never a task at pid 2 with no init.
 */
static int probe_first_fork(struct state *s, long ret, int err)
{
	int code, i;

	if (ret > 0)
		return probe_fork(s);	/* the init lives: pid 2 next */
	if (fork_exit_code(0, 1, &code) >= 0)
		return code ? broken(s, "after a failed first fork, a task that is not pid 1") :
			PROBE_WORKS;
	if (errno != ENOMEM)
		return broken(s, "fork() after a failed first fork: %s",
			      strerror(errno));
	for (i = 0; i < 3; i++)
		if (fork_exit_code(0, 0, &code) >= 0 || errno != ENOMEM)
			return broken(s, "fork() %d after the refusal: %s",
				      i + 2, strerror(errno));
	return PROBE_REFUSES;
}

/*
 * open_child_file - the init of a new namespace below the runner, and its
 * /proc/PID/@name open in s->fd: 0, or -1.
 */
static int open_child_file(struct state *s, const char *name)
{
	char path[64];

	if (spawn_blocked(s, CLONE_NEWPID) < 0)
		return -1;
	snprintf(path, sizeof(path), "/proc/%d/%s", s->child, name);
	s->fd = open(path, O_RDONLY | O_CLOEXEC);
	return s->fd < 0 ? -1 : 0;
}

/* setns() into a namespace whose init lives, then fork there. */
static int setup_target(struct state *s)
{
	return open_child_file(s, "ns/pid");
}

static long call_setns(struct state *s)
{
	return setns(s->fd, CLONE_NEWPID);
}

static int probe_setns(struct state *s, long ret, int err)
{
	int code;

	if (ret && setns(s->fd, CLONE_NEWPID))
		return broken(s, "setns() after the failure: %s", strerror(errno));
	/* The target's init is pid 1 there: the child gets another number. */
	if (fork_exit_code(0, 0, &code) < 0)
		return broken(s, "fork() after setns: %s", strerror(errno));
	if (code)
		return broken(s, "the child after setns is pid 1 or died");
	return PROBE_WORKS;
}

static int setup_entered(struct state *s)
{
	if (setup_target(s))
		return -1;
	return setns(s->fd, CLONE_NEWPID);
}

/* pidfd_open() of a task of the runner's namespace. */
static int setup_child(struct state *s)
{
	return spawn_blocked(s, 0) < 0 ? -1 : 0;
}

static long call_pidfd_open(struct state *s)
{
	return syscall(SYS_pidfd_open, s->child, 0);
}

static int probe_pidfd_open(struct state *s, long ret, int err)
{
	int fd, nsfd;

	if (ret >= 0)
		close(ret);
	fd = syscall(SYS_pidfd_open, s->child, 0);
	if (fd < 0)
		return broken(s, "pidfd_open() after the failure: %s",
			      strerror(errno));
	nsfd = ioctl(fd, PIDFD_GET_PID_NAMESPACE, 0);
	close(fd);
	if (nsfd < 0)
		return broken(s, "PIDFD_GET_PID_NAMESPACE after the failure: %s",
			      strerror(errno));
	close(nsfd);
	return probe_fork(s);
}

/* The nsfs and pidfd ioctls that hand out namespace files. */
static long call_ns_get_parent(struct state *s)
{
	return ioctl(s->fd, NS_GET_PARENT);
}

static int probe_ns_fd(struct state *s, long ret, int err)
{
	struct stat st;
	int fd;

	if (ret >= 0)
		close(ret);
	fd = ioctl(s->fd, NS_GET_PARENT);
	if (fd < 0)
		return broken(s, "NS_GET_PARENT after the failure: %s",
			      strerror(errno));
	if (fstat(fd, &st) || st.st_ino != ns_ino(AT_FDCWD, "/proc/self/ns/pid"))
		return broken(s, "NS_GET_PARENT is not the runner's namespace");
	close(fd);
	return probe_fork(s);
}

static int setup_child_pidfd(struct state *s)
{
	if (spawn_blocked(s, CLONE_NEWPID) < 0)
		return -1;
	s->fd = syscall(SYS_pidfd_open, s->child, 0);
	return s->fd < 0 ? -1 : 0;
}

static long call_pidfd_get_ns(struct state *s)
{
	return ioctl(s->fd, PIDFD_GET_PID_FOR_CHILDREN_NAMESPACE, 0);
}

static int probe_pidfd_get_ns(struct state *s, long ret, int err)
{
	int fd;

	if (ret >= 0)
		close(ret);
	fd = ioctl(s->fd, PIDFD_GET_PID_FOR_CHILDREN_NAMESPACE, 0);
	if (fd < 0)
		return broken(s, "PIDFD_GET_PID_FOR_CHILDREN_NAMESPACE after the failure: %s",
			      strerror(errno));
	close(fd);
	return probe_fork(s);
}

/* /proc of the runner's namespace: a child's status, the listing, ns links. */
static int setup_status(struct state *s)
{
	return open_child_file(s, "status");
}

static long call_read_status(struct state *s)
{
	static char buf[4096];

	return pread(s->fd, buf, sizeof(buf), 0);
}

static int probe_status(struct state *s, long ret, int err)
{
	char path[64];
	int ids[4], n;

	snprintf(path, sizeof(path), "/proc/%d/status", s->child);
	n = proc_read_ints(AT_FDCWD, path, "NSpid", ids, 4);
	if (n != 2 || ids[0] != s->child || ids[1] != 1)
		return broken(s, "NSpid of the child: %d numbers, %d %d", n,
			      ids[0], ids[1]);
	return probe_fork(s);
}

static int setup_proc_dir(struct state *s)
{
	if (spawn_blocked(s, 0) < 0)
		return -1;
	s->fd = open("/proc", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	return s->fd < 0 ? -1 : 0;
}

static long call_getdents(struct state *s)
{
	static char buf[32768];

	lseek(s->fd, 0, SEEK_SET);
	return syscall(SYS_getdents64, s->fd, buf, sizeof(buf));
}

static int probe_getdents(struct state *s, long ret, int err)
{
	char name[16];
	struct stat st;

	snprintf(name, sizeof(name), "%d", s->child);
	if (fstatat(s->fd, name, &st, 0))
		return broken(s, "/proc/%d after the failure: %s", s->child,
			      strerror(errno));
	return probe_fork(s);
}

static long call_readlink_ns(struct state *s)
{
	static char buf[64];

	return readlink("/proc/self/ns/pid_for_children", buf, sizeof(buf));
}

static int probe_readlink_ns(struct state *s, long ret, int err)
{
	char buf[64];
	ssize_t n;

	n = readlink("/proc/self/ns/pid_for_children", buf, sizeof(buf) - 1);
	if (n < 5 || strncmp(buf, "pid:[", 5))
		return broken(s, "readlink pid_for_children after the failure: %s",
			      n < 0 ? strerror(errno) : "not pid:[...]");
	return probe_fork(s);
}

/* A write of ns_last_pid: the next fork uses it, or it did not happen. */
static int setup_last_pid(struct state *s)
{
	s->fd = open("/proc/sys/kernel/ns_last_pid", O_RDWR | O_CLOEXEC);
	return s->fd < 0 ? -1 : 0;
}

static long call_write_last_pid(struct state *s)
{
	return pwrite(s->fd, "300", 3, 0);
}

static int probe_last_pid(struct state *s, long ret, int err)
{
	pid_t pid;
	int code;

	pid = fork_exit_code(0, 0, &code);
	if (pid < 0)
		return broken(s, "fork() after the write: %s", strerror(errno));
	if (ret == 3 && pid != 301)
		return broken(s, "ns_last_pid written as 300, the next pid is %d", pid);
	if (pwrite(s->fd, "400", 3, 0) != 3)
		return broken(s, "ns_last_pid after the failure: %s", strerror(errno));
	pid = fork_exit_code(0, 0, &code);
	if (pid != 401)
		return broken(s, "ns_last_pid written as 400, the next pid is %d", pid);
	return PROBE_WORKS;
}

#define E2(a, b)	{ a, b, 0 }
#define E3(a, b, c)	{ a, b, c, 0 }

/*
 * The operations and the errnos their failures may show: ENOMEM for what
 * cannot be allocated; EFAULT where a copy from or to user space fails;
 * ENOSPC where the max_pid_namespaces count cannot be taken (its ucounts
 * are allocated on first use: mainline's create_pid_namespace() says
 * ENOSPC for that too); ENOENT where a path lookup in /proc cannot make
 * the inode (proc_pid_make_inode() failing is ENOENT all over fs/proc in
 * mainline).  A runner below the root that names tasks in /proc mounts a
 * proc of its own namespace (own_proc).
 */
static const struct op ops[] = {
	{ "clone_newpid", 0, false, true, false, NULL, call_clone_newpid,
	  probe_newpid, E2(ENOMEM, ENOSPC) },
	{ "clone_newpid_depth2", 2, false, false, false, NULL,
	  call_clone_newpid, probe_newpid, E2(ENOMEM, ENOSPC) },
	{ "clone_newpid_userns", 1, true, true, false, NULL,
	  call_clone_newpid, probe_newpid, E2(ENOMEM, ENOSPC) },
	{ "clone3_newpid_set_tid_depth2", 2, false, true, false, NULL,
	  call_clone3_newpid, probe_clone3_newpid, E3(ENOMEM, ENOSPC, EFAULT) },
	{ "clone3_newpid_set_tid_userns", 1, true, false, false, NULL,
	  call_clone3_newpid, probe_clone3_newpid, E3(ENOMEM, ENOSPC, EFAULT) },
	{ "clone3_set_tid_depth3", 3, false, false, false, NULL,
	  call_clone3_set_tid, probe_clone3_set_tid, E2(ENOMEM, EFAULT) },
	{ "fork_depth1", 1, false, true, false, NULL, call_fork,
	  probe_after_fork, { ENOMEM } },
	{ "fork_depth4", 4, false, false, false, NULL, call_fork,
	  probe_after_fork, { ENOMEM } },
	{ "unshare_newpid", 1, false, false, false, NULL, call_unshare,
	  probe_unshare, E2(ENOMEM, ENOSPC) },
	{ "first_fork_after_unshare", 0, false, true, false, setup_unshared,
	  call_first_fork, probe_first_fork, { ENOMEM } },
	{ "first_fork_after_unshare_userns", 1, true, true, false,
	  setup_unshared, call_first_fork, probe_first_fork, { ENOMEM } },
	{ "first_clone3_pidfd_after_unshare_userns", 1, true, true, false,
	  setup_unshared, call_first_clone3_pidfd, probe_first_fork,
	  E2(ENOMEM, EFAULT) },
	{ "setns", 1, false, false, true, setup_target, call_setns,
	  probe_setns, { ENOMEM } },
	{ "fork_after_setns", 1, false, true, true, setup_entered, call_fork,
	  probe_after_fork, { ENOMEM } },
	{ "fork_after_setns_userns", 1, true, false, true, setup_entered,
	  call_fork, probe_after_fork, { ENOMEM } },
	{ "pidfd_open", 2, false, false, false, setup_child, call_pidfd_open,
	  probe_pidfd_open, { ENOMEM } },
	{ "ns_get_parent", 1, false, true, true, setup_target,
	  call_ns_get_parent, probe_ns_fd, { ENOMEM } },
	{ "pidfd_get_pid_for_children_ns", 1, false, false, false,
	  setup_child_pidfd, call_pidfd_get_ns, probe_pidfd_get_ns, { ENOMEM } },
	{ "proc_status_read", 1, false, false, true, setup_status,
	  call_read_status, probe_status, E2(ENOMEM, EFAULT) },
	{ "proc_status_read_userns", 2, true, true, true, setup_status,
	  call_read_status, probe_status, E2(ENOMEM, EFAULT) },
	{ "proc_getdents", 2, false, false, true, setup_proc_dir,
	  call_getdents, probe_getdents, E2(ENOMEM, EFAULT) },
	{ "proc_readlink_ns", 1, false, false, true, NULL, call_readlink_ns,
	  probe_readlink_ns, E3(ENOMEM, EFAULT, ENOENT) },
	{ "ns_last_pid_write", 1, false, false, false, setup_last_pid,
	  call_write_last_pid, probe_last_pid, E2(ENOMEM, EFAULT) },
	{ "ns_last_pid_write_userns", 2, true, true, false, setup_last_pid,
	  call_write_last_pid, probe_last_pid, E2(ENOMEM, EFAULT) },
};

static bool allowed(const struct op *op, int err)
{
	int i;

	for (i = 0; i < 4 && op->allowed[i]; i++)
		if (op->allowed[i] == err)
			return true;
	return false;
}

/* enter_depth - become the init of @depth new PID namespaces, nested. */
static int enter_depth(int depth)
{
	int status;
	pid_t pid;

	while (depth-- > 0) {
		if (unshare(CLONE_NEWPID))
			return -1;
		pid = raw_fork(0);
		if (pid < 0)
			return -1;
		if (pid > 0) {
			if (waitpid(pid, &status, 0) != pid)
				_exit(RUNNER_FAILED);
			_exit(WIFEXITED(status) ? WEXITSTATUS(status) : RUNNER_FAILED);
		}
	}
	return 0;
}

/* inject - the call with fail-nth at @nth; r->injected if it was reached. */
static void inject(const struct op *op, struct state *s, int nth,
		   struct report *r, int nthfd, int kmsg)
{
	char buf[16], mark[96];
	ssize_t n;
	int len, i;

	/* One write(): dprintf() fails on /dev/kmsg, which cannot seek. */
	len = snprintf(mark, sizeof(mark), "pidns-faults: %s nth %d\n",
		       op->name, nth);
	if (write(kmsg, mark, len) != len) {
		snprintf(r->failed, sizeof(r->failed), "write /dev/kmsg");
		r->err = errno;
		return;
	}
	len = snprintf(buf, sizeof(buf), "%d", nth);
	if (write(nthfd, buf, len) != len) {
		snprintf(r->failed, sizeof(r->failed), "write fail-nth");
		r->err = errno;
		return;
	}
	r->ret = op->call(s);
	r->call_err = r->ret < 0 ? errno : 0;
	/* 0 left: the Nth point was met.  A read that faults met none. */
	n = pread(nthfd, buf, sizeof(buf) - 1, 0);
	if (n > 0) {
		buf[n] = '\0';
		r->injected = atoi(buf) == 0;
	}
	for (i = 0; i < 16; i++)
		if (write(nthfd, "0", 1) == 1)
			break;
}

/* runner - one N of @op, in a process of its own: 0 or a RUNNER_ status. */
static int runner(const struct op *op, int nth, int rep)
{
	struct state s = { .fd = -1, .child = -1, .depth = op->depth };
	struct report r = { 0 };
	int ret, nthfd, kmsg, p[2];

	/* Before the uid changes: only root may write the kernel log. */
	kmsg = open("/dev/kmsg", O_WRONLY | O_CLOEXEC);
	if (op->unpriv) {
		ret = become_unprivileged();
		if (ret)
			return ret;
	}
	if (enter_depth(op->depth)) {
		snprintf(r.failed, sizeof(r.failed), "enter %d namespaces", op->depth);
		goto out;
	}
	if (op->own_proc && mount_private_proc()) {
		snprintf(r.failed, sizeof(r.failed), "mount a proc");
		goto out;
	}
	if (pipe2(p, O_CLOEXEC)) {
		snprintf(r.failed, sizeof(r.failed), "pipe");
		goto out;
	}
	s.pipe_r = p[0];
	s.pipe_w = p[1];
	if (op->setup && op->setup(&s)) {
		snprintf(r.failed, sizeof(r.failed), "set up %s", op->name);
		goto out;
	}
	nthfd = open("/proc/thread-self/fail-nth", O_RDWR | O_CLOEXEC);
	if (nthfd < 0 || kmsg < 0) {
		snprintf(r.failed, sizeof(r.failed), "open fail-nth and /dev/kmsg");
		goto out;
	}
	inject(op, &s, nth, &r, nthfd, kmsg);
	if (!r.failed[0]) {
		r.probe = op->probe(&s, r.ret, r.call_err);
		memcpy(r.why, s.why, sizeof(r.why));
	}
out:
	if (r.failed[0] && !r.err)
		r.err = errno;
	if (s.pipe_w > 0)
		close(s.pipe_w);
	if (s.child > 0)
		waitpid(s.child, NULL, 0);
	return write_full(rep, &r, sizeof(r)) ? RUNNER_FAILED : 0;
}

/* debugfs_set - write @val to DEBUGFS/@attr; false if it cannot. */
static bool debugfs_set(const char *attr, const char *val)
{
	char path[128];

	snprintf(path, sizeof(path), DEBUGFS "/%s", attr);
	return write_str(path, val) == 0;
}

/*
 * configure - every fault point of the three kinds may fail, sleeping
 * allocations and order-0 pages included, and each injected failure prints
 * its stack without a rate limit (the host counts them by site).
 */
static bool configure(void)
{
	static const char *const dirs[] = {
		"failslab", "fail_page_alloc", "fail_usercopy",
	};
	char attr[96];
	unsigned int i;

	mount("debugfs", DEBUGFS, "debugfs", 0, NULL);
	for (i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		snprintf(attr, sizeof(attr), "%s/verbose", dirs[i]);
		if (!debugfs_set(attr, "2"))
			return false;
		snprintf(attr, sizeof(attr), "%s/verbose_ratelimit_interval_ms",
			 dirs[i]);
		debugfs_set(attr, "0");
	}
	return debugfs_set("failslab/ignore-gfp-wait", "N") &&
	       debugfs_set("fail_page_alloc/ignore-gfp-wait", "N") &&
	       debugfs_set("fail_page_alloc/ignore-gfp-highmem", "N") &&
	       debugfs_set("fail_page_alloc/min-order", "0");
}

FIXTURE(sweep) {
	struct slab_counts before;
	bool counted;
};

FIXTURE_VARIANT(sweep) {
	const struct op *op;
};

#define OP(i, n)						\
	FIXTURE_VARIANT_ADD(sweep, n) { .op = &ops[i] }

OP(0, clone_newpid);
OP(1, clone_newpid_depth2);
OP(2, clone_newpid_userns);
OP(3, clone3_newpid_set_tid_depth2);
OP(4, clone3_newpid_set_tid_userns);
OP(5, clone3_set_tid_depth3);
OP(6, fork_depth1);
OP(7, fork_depth4);
OP(8, unshare_newpid);
OP(9, first_fork_after_unshare);
OP(10, first_fork_after_unshare_userns);
OP(11, first_clone3_pidfd_after_unshare_userns);
OP(12, setns);
OP(13, fork_after_setns);
OP(14, fork_after_setns_userns);
OP(15, pidfd_open);
OP(16, ns_get_parent);
OP(17, pidfd_get_pid_for_children_ns);
OP(18, proc_status_read);
OP(19, proc_status_read_userns);
OP(20, proc_getdents);
OP(21, proc_readlink_ns);
OP(22, ns_last_pid_write);
OP(23, ns_last_pid_write_userns);

FIXTURE_SETUP(sweep)
{
	const char *size = getenv("pidns_fault_sweep");

	if (access("/proc/thread-self/fail-nth", F_OK))
		SKIP(return, "no /proc/thread-self/fail-nth (CONFIG_FAULT_INJECTION: make test CONFIG=faults)");
	ASSERT_TRUE(configure()) {
		TH_LOG("cannot configure " DEBUGFS "/fail*: %s (FAILSLAB, FAIL_PAGE_ALLOC, FAULT_INJECTION_USERCOPY, FAULT_INJECTION_DEBUG_FS)",
		       strerror(errno));
	}
	if (size && !strcmp(size, "short") && !variant->op->short_sweep)
		SKIP(return, "not in the short sweep");
	slab_settle();
	self->counted = slab_snapshot(&self->before);
}

FIXTURE_TEARDOWN(sweep)
{
}

static const char *errno_name(int err)
{
	switch (err) {
	case 0: return "none";
	case ENOMEM: return "ENOMEM";
	case EFAULT: return "EFAULT";
	case ENOSPC: return "ENOSPC";
	case EAGAIN: return "EAGAIN";
	case EINVAL: return "EINVAL";
	case EPERM: return "EPERM";
	case EEXIST: return "EEXIST";
	default: return strerrorname_np(err) ?: "?";
	}
}

TEST_F_TIMEOUT(sweep, nth, 3000)
{
	const struct op *op = variant->op;
	int nth, status, errs[4] = { 0 }, absorbed = 0, refuses = 0, bad = 0;
	struct slab_counts now;
	char line[1024], was[1024];
	struct report r;
	int rep[2], i, tries;
	pid_t pid;

	for (nth = 1; nth <= MAX_NTH; nth++) {
		ASSERT_EQ(0, pipe2(rep, O_CLOEXEC));
		pid = fork();
		ASSERT_GE(pid, 0);
		if (pid == 0) {
			close(rep[0]);
			_exit(runner(op, nth, rep[1]));
		}
		close(rep[1]);
		memset(&r, 0, sizeof(r));
		ASSERT_EQ(0, read_timeout(rep[0], &r, sizeof(r), RUNNER_MS)) {
			TH_LOG("%s nth %d: no report from the runner: %s",
			       op->name, nth, strerror(errno));
			kill_and_reap(pid);
		}
		close(rep[0]);
		ASSERT_EQ(pid, wait_timeout(pid, &status, 0, RUNNER_MS)) {
			TH_LOG("%s nth %d: the runner did not end within %d s after its report: an init waiting for numbers its namespace never gave back?",
			       op->name, nth, RUNNER_MS / 1000);
		}
		ASSERT_STREQ("", r.failed) {
			TH_LOG("%s nth %d: %s: %s", op->name, nth, r.failed,
			       strerror(r.err));
		}
		EXPECT_EQ(0, status) {
			TH_LOG("%s nth %d: the runner's wait status 0x%x",
			       op->name, nth, status);
		}
		if (!r.injected)
			break;
		if (r.ret >= 0) {
			absorbed++;
		} else if (!allowed(op, r.call_err)) {
			bad++;
			TH_LOG("%s nth %d: errno %s, not allowed", op->name,
			       nth, errno_name(r.call_err));
		} else {
			for (i = 0; i < 4 && op->allowed[i] != r.call_err; i++)
				;
			errs[i]++;
		}
		if (r.probe == PROBE_REFUSES)
			refuses++;
		if (r.probe == PROBE_BROKEN) {
			bad++;
			TH_LOG("%s nth %d (%s): %s", op->name, nth,
			       r.ret >= 0 ? "absorbed" : errno_name(r.call_err),
			       r.why);
		}
		/* A runaway sweep says so rather than passing at the limit. */
		ASSERT_LT(nth, MAX_NTH);
	}
	snprintf(line, sizeof(line), "%s: %d fault points (%s%s):", op->name,
		 nth - 1, op->unpriv ? "unprivileged, " : "",
		 op->depth ? "in a namespace" : "at the root");
	for (i = 0; i < 4 && op->allowed[i]; i++)
		snprintf(line + strlen(line), sizeof(line) - strlen(line),
			 " %s %d,", errno_name(op->allowed[i]), errs[i]);
	ksft_print_msg("%s absorbed %d; afterwards the namespace refused new tasks %d times, was broken %d times\n",
		       line, absorbed, refuses, bad);
	EXPECT_EQ(0, bad);
	EXPECT_LT(0, nth - 1) {
		TH_LOG("%s met no fault point: is fault injection working?", op->name);
	}
	if (!self->counted) {
		ksft_print_msg("objects: not counted (no " SLAB_DIR "/*/objects: CONFIG_SLUB_DEBUG)\n");
		return;
	}
	for (tries = 0; tries < 30; tries++) {
		slab_settle();
		slab_snapshot(&now);
		if (slab_restored(&now, &self->before))
			break;
	}
	slab_format(&self->before, was, sizeof(was));
	slab_format(&now, line, sizeof(line));
	ksft_print_msg("objects before: %s; after: %s\n", was, line);
	EXPECT_TRUE(slab_restored(&now, &self->before));
}

TEST_HARNESS_MAIN
