// SPDX-License-Identifier: GPL-2.0
/*
 * Failure paths of the first fork into a new PID namespace, and forks that
 * race with the death of a namespace's init, tried as a hostile user
 * would: every test runs its steps as nobody (if started as root), in a
 * user namespace of its own, with the capabilities that gives over the
 * namespaces it creates and no other.
 *
 * Mainline 6.12 handles the two ways the first fork after
 * unshare(CLONE_NEWPID) can fail differently:
 *
 * - After alloc_pid() succeeded (the pidfd of CLONE_PIDFD cannot be stored,
 *   or no file descriptor is free for it): copy_process() frees the pid,
 *   and free_pid() finds the namespace's pid_allocated back at PIDNS_ADDING
 *   ("case PIDNS_ADDING: WARN_ON(ns->child_reaper); ns->pid_allocated =
 *   0;"), which clears PIDNS_ADDING: every later fork() there fails with
 *   ENOMEM in alloc_pid().  The namespace never gets a task.
 * - Inside alloc_pid() (a set_tid taken at an ancestor level, an ancestor
 *   level full): its failure path resets the new namespace's cursor when
 *   nothing was ever allocated there ("if (ns->pid_allocated ==
 *   PIDNS_ADDING) idr_set_cursor(&ns->idr, 0);"), so the next fork() gets
 *   pid 1 and is the namespace's init.
 *
 * Either way no task lives in a namespace without an init: nothing in the
 * kernel follows a NULL child_reaper (find_child_reaper() on exit,
 * reboot_pid_ns()).  And a fork from outside (setns() then fork(), as
 * nsenter does) that races with the death of the init is refused with
 * ENOMEM, by the PIDNS_ADDING check that copy_process() makes again under
 * tasklist_lock, or its child is attached in time for
 * zap_pid_ns_processes() to kill it: init's parent never waits for a task
 * the kill missed.
 *
 * Some tests may oops an unfixed kernel (they say so): the harness boots
 * those on their own.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <grp.h>
#include <sched.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <linux/reboot.h>
#include <linux/sched.h>

#include "../pidns/pidns_util.h"
#include "../pidns/unpriv.h"
#include "kselftest_harness.h"

/* Seconds any task of a test may live. */
#define TASK_TIMEOUT 20

/* Forks tried after a failed first fork. */
#define LATER_FORKS 3

/* What every report starts with: the step the runner could not take. */
struct step {
	char failed[48];	/* empty, or the step that failed */
	int err;		/* its errno */
};

/* step_failed - record that @what failed, with the current errno. */
static void step_failed(struct step *s, const char *what)
{
	s->err = errno;
	snprintf(s->failed, sizeof(s->failed), "%s", what);
}

/* send_report - the runner's last act: 0, or RUNNER_FAILED. */
static int send_report(int rep, const void *r, size_t len)
{
	return write_full(rep, r, len) ? RUNNER_FAILED : 0;
}

/* The unprivileged task a test's steps run in, and its report pipe. */
struct runner {
	pid_t pid;
	int rep[2];
};

/*
 * runner_setup - for a fixture's setup: SKIP without user namespaces,
 * fail if a runner cannot become unprivileged, make the report pipe.
 */
static void runner_setup(struct __test_metadata *_metadata, struct runner *run)
{
	int status = -1;
	pid_t pid;

	run->pid = -1;
	run->rep[0] = run->rep[1] = -1;
	pid = fork();
	ASSERT_GE(pid, 0);
	if (pid == 0)
		_exit(become_unprivileged());
	ASSERT_EQ(pid, wait_timeout(pid, &status, 0, 10000)) {
		kill_and_reap(pid);
	}
	if (WIFEXITED(status) && WEXITSTATUS(status) == RUNNER_NO_USERNS)
		SKIP(return, "no user namespaces (CONFIG_USER_NS, %s)",
		     "user.max_user_namespaces");
	ASSERT_EQ(0, status) {
		TH_LOG("%s", WEXITSTATUS(status) == RUNNER_NO_DROP ?
		       "could not become nobody" :
		       "could not write the user namespace's id maps");
	}
	ASSERT_EQ(0, pipe2(run->rep, O_CLOEXEC));
}

static void runner_teardown(struct runner *run)
{
	kill_and_reap(run->pid);
	if (run->rep[0] >= 0)
		close(run->rep[0]);
	if (run->rep[1] >= 0)
		close(run->rep[1]);
}

/*
 * runner_run - run @fn(@arg) in a runner, unprivileged, and take its
 * report of @len bytes within @ms milliseconds.  Every report starts with
 * a struct step: the test stops here if a step failed.
 */
static void runner_run(struct __test_metadata *_metadata, struct runner *run,
		       int (*fn)(int rep, int arg), int arg, void *report,
		       size_t len, int ms)
{
	const struct step *at = report;
	int status, ret;

	memset(report, 0, len);
	run->pid = fork();
	ASSERT_GE(run->pid, 0);
	if (run->pid == 0) {
		close(run->rep[0]);
		ret = become_unprivileged();
		_exit(ret ? ret : fn(run->rep[1], arg));
	}
	close(run->rep[1]);
	run->rep[1] = -1;
	ASSERT_EQ(0, read_timeout(run->rep[0], report, len, ms)) {
		TH_LOG("no report from the unprivileged runner: %s",
		       strerror(errno));
	}
	ASSERT_EQ(run->pid, wait_timeout(run->pid, &status, 0, 10000));
	run->pid = -1;
	ASSERT_STREQ("", at->failed) {
		TH_LOG("%s: %s", at->failed, strerror(at->err));
	}
	EXPECT_EQ(0, status) {
		TH_LOG("the runner's wait status: 0x%x", status);
	}
}

/* clone3_pidfd - clone3(CLONE_PIDFD), the pidfd stored at @pidfd. */
static pid_t clone3_pidfd(uint64_t pidfd)
{
	struct clone_args args = {
		.flags = CLONE_PIDFD,
		.pidfd = pidfd,
		.exit_signal = SIGCHLD,
	};

	return syscall(SYS_clone3, &args, sizeof(args));
}

/*
 * fork_once - fork() a child that sends its getpid() and getppid() and
 * exits.  It makes no child of its own: in a namespace without init (what
 * this file tests for) its orphans would go to a NULL reaper, which
 * oopses an unfixed kernel.  What fork() returned, *@err its errno, @ids
 * what the child sent (-1s if nothing came).
 */
static pid_t fork_once(int *err, pid_t ids[2])
{
	int fds[2];
	pid_t pid;

	*err = 0;
	ids[0] = ids[1] = -1;
	if (pipe(fds)) {
		*err = errno;
		return -1;
	}
	pid = fork();
	if (pid == 0) {
		pid_t me[2] = { getpid(), getppid() };

		_exit(write_full(fds[1], me, sizeof(me)) ? 1 : 0);
	}
	if (pid < 0)
		*err = errno;
	close(fds[1]);
	if (pid > 0) {
		if (read_timeout(fds[0], ids, 2 * sizeof(pid_t), 5000))
			ids[0] = ids[1] = -1;
		waitpid(pid, NULL, 0);
	}
	close(fds[0]);
	return pid;
}

/* unmapped_address - an address in no mapping, where a store faults. */
static uint64_t unmapped_address(void)
{
	long page = sysconf(_SC_PAGESIZE);
	void *p;

	p = mmap(NULL, page, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED || munmap(p, page))
		return 0;
	return (uintptr_t)p;
}

/* Few enough file descriptors to take them all. */
#define FD_LIMIT 64

/*
 * fill_fds - lower RLIMIT_NOFILE to FD_LIMIT and take every descriptor
 * below it (copies of @base), so that the next one is EMFILE.  *@old
 * keeps the limit.  How many were taken, into @fds; -1 on error.
 */
static int fill_fds(int base, int fds[FD_LIMIT + 1], struct rlimit *old)
{
	struct rlimit lim;
	int n = 0, fd = -1;

	if (getrlimit(RLIMIT_NOFILE, old))
		return -1;
	lim.rlim_cur = FD_LIMIT;
	lim.rlim_max = old->rlim_max;
	if (setrlimit(RLIMIT_NOFILE, &lim))
		return -1;
	while (n <= FD_LIMIT) {
		fd = fcntl(base, F_DUPFD_CLOEXEC, 0);
		if (fd < 0)
			break;
		fds[n++] = fd;
	}
	if (fd >= 0 || errno != EMFILE) {
		while (n)
			close(fds[--n]);
		setrlimit(RLIMIT_NOFILE, old);
		return -1;
	}
	return n;
}

static void unfill_fds(int *fds, int n, const struct rlimit *old)
{
	while (n)
		close(fds[--n]);
	setrlimit(RLIMIT_NOFILE, old);
}

/* How the first fork fails after alloc_pid() gave it pid 1. */
enum {
	PIDFD_FAULTS,		/* put_user() of the pidfd: EFAULT */
	FD_TABLE_FULL,		/* no descriptor for the pidfd: EMFILE */
};

/* What the runner of after_alloc saw. */
struct after_alloc_report {
	struct step at;
	pid_t first;			/* the failing clone3(CLONE_PIDFD) */
	int first_err;
	pid_t later[LATER_FORKS];	/* fork() after it */
	int later_err[LATER_FORKS];
	pid_t later_ids[LATER_FORKS][2];/* getpid(), getppid() in its child */
};

/*
 * In the runner: unshare(CLONE_NEWPID), a first fork that fails after
 * alloc_pid(), then plain forks.
 */
static int first_fork_fails_after_alloc(int rep, int cause)
{
	struct after_alloc_report r;
	int fds[FD_LIMIT + 1], nfds = 0, pidfd = -1, i;
	uint64_t where = (uintptr_t)&pidfd;
	struct rlimit old;

	memset(&r, 0, sizeof(r));
	ns_alarm(TASK_TIMEOUT);
	if (unshare(CLONE_NEWPID)) {
		step_failed(&r.at, "unshare(CLONE_NEWPID)");
		goto out;
	}
	if (cause == PIDFD_FAULTS) {
		where = unmapped_address();
		if (!where) {
			step_failed(&r.at, "mmap");
			goto out;
		}
	} else {
		nfds = fill_fds(rep, fds, &old);
		if (nfds < 0) {
			step_failed(&r.at, "filling the fd table");
			goto out;
		}
	}
	/*
	 * copy_process(): alloc_pid() gives the child pid 1 in the new
	 * namespace, then __pidfd_prepare() finds no descriptor, or
	 * put_user() of the pidfd faults, and the pid is freed.
	 */
	r.first = clone3_pidfd(where);
	if (r.first == 0)
		_exit(0);
	r.first_err = r.first < 0 ? errno : 0;
	if (r.first > 0)
		waitpid(r.first, NULL, 0);
	if (cause == FD_TABLE_FULL)
		unfill_fds(fds, nfds, &old);
	if (r.first > 0 && cause == FD_TABLE_FULL)
		close(pidfd);

	for (i = 0; i < LATER_FORKS; i++)
		r.later[i] = fork_once(&r.later_err[i], r.later_ids[i]);
out:
	return send_report(rep, &r, sizeof(r));
}

FIXTURE(after_alloc) {
	struct runner run;
};

FIXTURE_VARIANT(after_alloc) {
	int cause;		/* how the first fork fails */
	int err;		/* with what errno */
};

FIXTURE_VARIANT_ADD(after_alloc, pidfd_faults) {
	.cause = PIDFD_FAULTS,
	.err = EFAULT,
};

/*
 * The pids cgroup limit (cgroup_can_fork(), also after alloc_pid()) is
 * not tried: the test kernel has no CONFIG_CGROUP_PIDS, and an
 * unprivileged user needs a delegated cgroup for it.  A full fd table
 * also fails between alloc_pid() and the attach, and anyone can fill
 * theirs.
 */
FIXTURE_VARIANT_ADD(after_alloc, fd_table_full) {
	.cause = FD_TABLE_FULL,
	.err = EMFILE,
};

FIXTURE_SETUP(after_alloc)
{
	runner_setup(_metadata, &self->run);
}

FIXTURE_TEARDOWN(after_alloc)
{
	runner_teardown(&self->run);
}

/*
 * A first fork that fails after its pid was allocated leaves a namespace
 * that takes no task: every later fork() is ENOMEM (mainline: free_pid()'s
 * PIDNS_ADDING case), none gets pid 2 in a namespace without init.
 */
TEST_F_TIMEOUT(after_alloc, later_forks_are_enomem, TASK_TIMEOUT + 10)
{
	struct after_alloc_report r;
	int i;

	runner_run(_metadata, &self->run, first_fork_fails_after_alloc,
		   variant->cause, &r, sizeof(r), TASK_TIMEOUT * 1000);
	if (r.first < 0 && r.first_err == ENOSYS)
		SKIP(return, "clone3() is not available");
	EXPECT_EQ(-1, r.first);
	EXPECT_EQ(variant->err, r.first_err) {
		TH_LOG("the first clone3(CLONE_PIDFD): %s",
		       r.first < 0 ? strerror(r.first_err) : "worked");
	}
	for (i = 0; i < LATER_FORKS; i++) {
		EXPECT_EQ(-1, r.later[i]) {
			TH_LOG("fork() %d after it made pid %d (parent %d)",
			       i + 1, r.later_ids[i][0], r.later_ids[i][1]);
			TH_LOG("in a namespace without init");
		}
		EXPECT_EQ(ENOMEM, r.later_err[i]) {
			TH_LOG("fork() %d after it: %s", i + 1,
			       r.later_err[i] ? strerror(r.later_err[i]) :
			       "worked");
		}
	}
}

/* Forks into a level at most, trying to fill it. */
#define MAX_FILL 2000

/*
 * A pid_max small enough to run out of (the minimum is 301): the root
 * namespace, above the runner's own, fills first.
 */
#define SMALL_PID_MAX 400

RESTORE_PID_MAX_AT_EXIT()

/* What the init of the runner's namespace saw. */
struct inside_alloc_report {
	struct step at;
	int filled;		/* ancestor_full: forks before one failed */
	int fill_err;		/* the errno of that one */
	pid_t first;		/* the first fork into the new namespace */
	int first_err;
	pid_t next;		/* the plain fork() after it */
	int next_err;
	pid_t next_self;	/* getpid() in that child */
	pid_t grand;		/* fork() in that child, if it was pid 1 */
	int grand_err;
	pid_t grand_ids[2];	/* getpid(), getppid() in the grandchild */
};

/* fill_level - fork pausing children until fork() fails: how many. */
static int fill_level(pid_t *pids, int max, int *err)
{
	int n;

	for (n = 0; n < max; n++) {
		pids[n] = fork();
		if (pids[n] == 0) {
			for (;;)
				pause();
		}
		if (pids[n] < 0)
			break;
	}
	*err = n < max ? errno : 0;
	return n;
}

static void kill_all(pid_t *pids, int n)
{
	int i;

	for (i = 0; i < n; i++)
		kill(pids[i], SIGKILL);
	for (i = 0; i < n; i++)
		waitpid(pids[i], NULL, 0);
}

/*
 * next_fork - the first task the new namespace gets after the failure:
 * pid 1 if the failure left the namespace as new.  As its init, it forks
 * once, and its child is pid 2 with parent 1; if it is not pid 1 it makes
 * no child (see fork_once()).
 */
static void next_fork(struct inside_alloc_report *r)
{
	struct {
		pid_t self, grand;
		int grand_err;
		pid_t grand_ids[2];
	} m = { 0 };
	int fds[2];

	if (pipe(fds)) {
		step_failed(&r->at, "pipe");
		return;
	}
	r->next = fork();
	if (r->next == 0) {
		m.self = getpid();
		m.grand_ids[0] = m.grand_ids[1] = -1;
		if (m.self == 1)
			m.grand = fork_once(&m.grand_err, m.grand_ids);
		_exit(write_full(fds[1], &m, sizeof(m)) ? 1 : 0);
	}
	r->next_err = r->next < 0 ? errno : 0;
	close(fds[1]);
	if (r->next > 0) {
		if (read_timeout(fds[0], &m, sizeof(m), 5000))
			step_failed(&r->at, "the report of the next child");
		waitpid(r->next, NULL, 0);
		r->next_self = m.self;
		r->grand = m.grand;
		r->grand_err = m.grand_err;
		r->grand_ids[0] = m.grand_ids[0];
		r->grand_ids[1] = m.grand_ids[1];
	}
	close(fds[0]);
}

/*
 * In the init of the runner's namespace (level 1 below the test's):
 * unshare(CLONE_NEWPID) again and make the first fork into that namespace
 * fail inside alloc_pid(), at the level of this init (set_tid asks for
 * our own pid 1 there) or at the root (full), then fork() plainly.
 */
static int fail_inside_alloc(int rep, bool fill)
{
	struct inside_alloc_report r;
	pid_t *fillers = NULL, tids[2];
	int nfill = 0;

	memset(&r, 0, sizeof(r));
	if (fill) {
		fillers = calloc(MAX_FILL, sizeof(*fillers));
		if (!fillers) {
			step_failed(&r.at, "calloc");
			goto out;
		}
		nfill = fill_level(fillers, MAX_FILL, &r.fill_err);
		r.filled = nfill;
		if (r.fill_err != EAGAIN) {
			errno = r.fill_err;
			step_failed(&r.at, "running out of pids");
			goto out;
		}
	}
	if (unshare(CLONE_NEWPID)) {
		step_failed(&r.at, "unshare(CLONE_NEWPID) in the init");
		goto out;
	}
	if (fill) {
		/* Pid 1 in the new namespace, then a level above is full. */
		r.first = fork();
	} else {
		/* Pid 1 in the new namespace; here, our own pid: taken. */
		tids[0] = 1;
		tids[1] = getpid();
		r.first = sys_clone3_set_tid(tids, 2);
	}
	if (r.first == 0)
		_exit(0);
	r.first_err = r.first < 0 ? errno : 0;
	if (r.first > 0)
		waitpid(r.first, NULL, 0);
	/* Room at every level again. */
	kill_all(fillers, nfill);
	nfill = 0;
	if (r.first < 0)
		next_fork(&r);
out:
	kill_all(fillers, nfill);
	free(fillers);
	return send_report(rep, &r, sizeof(r));
}

/* In the runner: start the init that does the work, and wait for it. */
static int first_fork_fails_inside_alloc(int rep, int fill)
{
	struct inside_alloc_report r;
	int status;
	pid_t init;

	memset(&r, 0, sizeof(r));
	init = fork_newpid();
	if (init == 0) {
		ns_alarm(TASK_TIMEOUT);
		_exit(fail_inside_alloc(rep, fill));
	}
	if (init < 0) {
		step_failed(&r.at, "clone(CLONE_NEWPID)");
		return send_report(rep, &r, sizeof(r));
	}
	if (wait_timeout(init, &status, 0, TASK_TIMEOUT * 1000) != init) {
		kill_and_reap(init);
		return RUNNER_FAILED;
	}
	return WIFEXITED(status) ? WEXITSTATUS(status) : RUNNER_FAILED;
}

FIXTURE(inside_alloc) {
	struct runner run;
	int saved_pid_max;	/* to put back, or -1 */
};

FIXTURE_VARIANT(inside_alloc) {
	bool fill;		/* a level full, or a set_tid taken there */
	int err;		/* the first fork's errno */
};

/* set_tid = { 1, X }, X taken in the parent namespace: EEXIST. */
FIXTURE_VARIANT_ADD(inside_alloc, set_tid_taken) {
	.fill = false,
	.err = EEXIST,
};

/*
 * An ancestor level full: EAGAIN.  An unprivileged user would need
 * pid_max - 1 tasks (32767 by default) to fill a level; the test lowers
 * pid_max, which needs root, and then does the rest as nobody.  Skipped
 * when not run as root.
 */
FIXTURE_VARIANT_ADD(inside_alloc, ancestor_full) {
	.fill = true,
	.err = EAGAIN,
};

FIXTURE_SETUP(inside_alloc)
{
	struct rlimit unlimited = { RLIM_INFINITY, RLIM_INFINITY };

	self->saved_pid_max = -1;
	runner_setup(_metadata, &self->run);
	if (_metadata->exit_code || !variant->fill)
		return;
	if (geteuid() != 0)
		SKIP(return, "filling a level needs pid_max lowered: run as root");
	/*
	 * So that fork() fails for want of pids, not for RLIMIT_NPROC: no
	 * limit, or at least the hard one (raising it needs
	 * CAP_SYS_RESOURCE).
	 */
	if (setrlimit(RLIMIT_NPROC, &unlimited)) {
		ASSERT_EQ(0, getrlimit(RLIMIT_NPROC, &unlimited));
		unlimited.rlim_cur = unlimited.rlim_max;
		ASSERT_EQ(0, setrlimit(RLIMIT_NPROC, &unlimited));
	}
	self->saved_pid_max = sysctl_read_int(pid_max_path);
	if (self->saved_pid_max < 0)
		SKIP(return, "no %s: %s", pid_max_path, strerror(errno));
	ASSERT_EQ(0, sysctl_write_int(pid_max_path, SMALL_PID_MAX)) {
		TH_LOG("writing %s: %s", pid_max_path, strerror(errno));
	}
}

FIXTURE_TEARDOWN(inside_alloc)
{
	runner_teardown(&self->run);
	if (self->saved_pid_max > 0)
		sysctl_write_int(pid_max_path, self->saved_pid_max);
}

/*
 * A first fork that fails inside alloc_pid() leaves the namespace as new:
 * the next fork() gets pid 1 and is its init (mainline: alloc_pid()
 * resets the cursor when nothing was allocated there yet).
 */
TEST_F_TIMEOUT(inside_alloc, next_fork_is_init, TASK_TIMEOUT + 10)
{
	struct inside_alloc_report r;

	runner_run(_metadata, &self->run, first_fork_fails_inside_alloc,
		   variant->fill, &r, sizeof(r), TASK_TIMEOUT * 1000);
	if (variant->fill)
		TH_LOG("%d tasks filled the pid space", r.filled);
	if (r.first < 0 && r.first_err == ENOSYS)
		SKIP(return, "clone3() is not available");
	EXPECT_EQ(-1, r.first);
	ASSERT_EQ(variant->err, r.first_err) {
		TH_LOG("the first fork into the new namespace: %s",
		       r.first < 0 ? strerror(r.first_err) : "worked");
	}
	ASSERT_GT(r.next, 0) {
		TH_LOG("fork() after it: %s", strerror(r.next_err));
	}
	EXPECT_EQ(1, r.next_self) {
		TH_LOG("the next child is pid %d: the namespace has no init",
		       r.next_self);
	}
	if (r.next_self != 1)
		return;
	EXPECT_GT(r.grand, 0) {
		TH_LOG("fork() in the new init: %s", strerror(r.grand_err));
	}
	EXPECT_EQ(2, r.grand_ids[0]);
	EXPECT_EQ(1, r.grand_ids[1]);
}

/* The test's PID namespace: reboot() is never called in it. */
static ino_t test_ns;

/*
 * guarded_reboot - reboot(RESTART), but only outside the test's PID
 * namespace (there it would be EPERM for nobody; the guard is there all
 * the same).  The errno when it returns; ECANCELED when refused.
 */
static int guarded_reboot(void)
{
	ino_t ns = ns_ino(AT_FDCWD, "/proc/self/ns/pid");

	if (!test_ns || !ns || ns == test_ns)
		return ECANCELED;
	syscall(SYS_reboot, LINUX_REBOOT_MAGIC1, LINUX_REBOOT_MAGIC2,
		LINUX_REBOOT_CMD_RESTART, NULL);
	return errno;
}

/* What the runner of no_task_reboots_without_init saw. */
struct init_less_report {
	struct step at;
	pid_t first;		/* the failing clone3(CLONE_PIDFD) */
	int first_err;
	int for_children_err;	/* opening /proc/self/ns/pid_for_children */
	pid_t forked;		/* fork() after it */
	int fork_err;
	pid_t child_self;	/* getpid() in that child */
	bool reboot_returned;	/* reboot() returned to it... */
	int reboot_err;		/* ...with this errno */
};

/*
 * In the runner: a namespace whose first fork failed after alloc_pid();
 * can a task get into it, and call reboot() there?
 */
static int reboot_without_init(int rep, int unused)
{
	struct init_less_report r;
	uint64_t where;
	int fds[2], fd;

	memset(&r, 0, sizeof(r));
	ns_alarm(TASK_TIMEOUT);
	if (unshare(CLONE_NEWPID)) {
		step_failed(&r.at, "unshare(CLONE_NEWPID)");
		goto out;
	}
	where = unmapped_address();
	if (!where || pipe(fds)) {
		step_failed(&r.at, "mmap or pipe");
		goto out;
	}
	r.first = clone3_pidfd(where);
	if (r.first == 0)
		_exit(0);
	r.first_err = r.first < 0 ? errno : 0;
	if (r.first > 0)
		waitpid(r.first, NULL, 0);

	/* Without an init the namespace has no nsfs file to setns() to. */
	fd = open("/proc/self/ns/pid_for_children", O_RDONLY | O_CLOEXEC);
	r.for_children_err = fd < 0 ? errno : 0;
	if (fd >= 0)
		close(fd);

	r.forked = fork();
	if (r.forked == 0) {
		/*
		 * Only if the namespace took a task, which has no init: its
		 * reboot() sends SIGKILL to child_reaper, NULL.  May oops an
		 * unfixed kernel.
		 */
		pid_t me = getpid();
		int err;

		if (write_full(fds[1], &me, sizeof(me)))
			_exit(1);
		err = guarded_reboot();
		_exit(write_full(fds[1], &err, sizeof(err)) ? 1 : 0);
	}
	r.fork_err = r.forked < 0 ? errno : 0;
	close(fds[1]);
	if (r.forked > 0) {
		read_timeout(fds[0], &r.child_self, sizeof(r.child_self), 5000);
		r.reboot_returned = !read_timeout(fds[0], &r.reboot_err,
						  sizeof(r.reboot_err), 5000);
		waitpid(r.forked, NULL, 0);
	}
	close(fds[0]);
out:
	return send_report(rep, &r, sizeof(r));
}

/* Tasks forked into the namespace per iteration of the race, at most. */
#define RACE_FORKS 32

/* Iterations of the race at most, and the seconds they may take. */
#define RACE_ITERATIONS 200
#define RACE_SECONDS 15

/* Fewer iterations than this in RACE_SECONDS prove nothing. */
#define RACE_MIN_ITERATIONS 10

/* How long init's parent waits for it to be reaped. */
#define INIT_WAIT_MS 1000

/* Exit statuses of a task forked into the namespace. */
enum {
	ENTERED_EARLY = 10,	/* its namespace still took tasks */
	ENTERED_ESCAPED,	/* alive in a namespace that takes no task */
	ENTERED_ODD,		/* fork() failed otherwise */
};

/* From the task that entered the namespace, for one iteration. */
struct enter_report {
	int setns_err;
	int forked;		/* its children in the namespace */
	int killed;		/* of them, killed by SIGKILL */
	int escaped;		/* ... still alive once init had died */
	int early;		/* ... released before init died (inconclusive) */
	int odd;		/* ... anything else */
	int last_err;		/* errno of the fork() that ended it; 0: none */
};

/* What the runner of the race saw, in all iterations. */
struct race_report {
	struct step at;
	int iterations;
	int failed;		/* iterations with a task escaped or init late */
	int first_failed;	/* the first of them, from 1; 0 if none */
	int escaped;		/* tasks alive in a namespace whose init died */
	int init_late;		/* inits not reaped within INIT_WAIT_MS */
	int forked, killed, early, odd;
	int refused;		/* iterations whose last fork() was ENOMEM */
};

/* pin_to_cpu - best effort: on one CPU the race only gets rarer. */
static void pin_to_cpu(int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	sched_setaffinity(0, sizeof(set), &set);
}

/* wait_eof - block until the other end of @fd is closed. */
static void wait_eof(int fd)
{
	char c;

	while (read(fd, &c, 1) != 0 && errno == EINTR)
		;
}

/*
 * A task forked into the namespace: it waits for @hold to close, which the
 * runner does only once init should be gone, and mainline kills it first.
 * If it is still alive then, it finds out whether its namespace still
 * takes tasks: if not, its init died and the kill missed it.
 */
static void __attribute__((noreturn)) entered(int hold)
{
	pid_t pid;

	wait_eof(hold);
	pid = fork();
	if (pid == 0)
		_exit(0);
	if (pid > 0) {
		waitpid(pid, NULL, 0);
		_exit(ENTERED_EARLY);
	}
	_exit(errno == ENOMEM ? ENTERED_ESCAPED : ENTERED_ODD);
}

/*
 * The task from outside: setns() into the namespace, then, once the
 * runner lets init exit, fork there until fork() fails, as fast as it
 * can; report what became of the children.
 */
static void __attribute__((noreturn))
enter_and_fork(int nsfd, int go, int hold, int rep)
{
	struct enter_report e = { 0 };
	pid_t pid;
	int i, status, pidfd;

	ns_alarm(TASK_TIMEOUT);
	pin_to_cpu(1);
	if (setns(nsfd, CLONE_NEWPID))
		e.setns_err = errno;
	if (write_full(rep, "r", 1))
		_exit(1);
	wait_eof(go);
	while (!e.setns_err && e.forked < RACE_FORKS) {
		/* CLONE_PIDFD: more work between alloc_pid() and attach. */
		pidfd = -1;
		pid = clone3_pidfd((uintptr_t)&pidfd);
		if (pid < 0 && errno == ENOSYS)
			pid = fork();
		if (pid == 0) {
			close(rep);
			entered(hold);
		}
		if (pid < 0) {
			e.last_err = errno;
			break;
		}
		if (pidfd >= 0)
			close(pidfd);
		e.forked++;
	}
	/*
	 * In any order: the first child may be the init of a namespace
	 * below, which waits in zap_pid_ns_processes() until the others are
	 * reaped.
	 */
	for (i = 0; i < e.forked; i++) {
		pid = waitpid(-1, &status, 0);
		if (pid < 0)
			e.odd++;
		else if (WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL)
			e.killed++;
		else if (WIFEXITED(status) &&
			 WEXITSTATUS(status) == ENTERED_ESCAPED)
			e.escaped++;
		else if (WIFEXITED(status) &&
			 WEXITSTATUS(status) == ENTERED_EARLY)
			e.early++;
		else
			e.odd++;
	}
	_exit(write_full(rep, &e, sizeof(e)) ? 1 : 0);
}

/*
 * An init that exits as soon as @go is closed.  With @creds >= 0 it first
 * forks a task that unshares a PID namespace below and sends its pid over
 * @creds: the runner enters that namespace, which has no init yet, from
 * outside.
 */
static void __attribute__((noreturn)) short_lived_init(int go, int creds)
{
	pid_t pid;

	ns_alarm(TASK_TIMEOUT);
	pin_to_cpu(0);
	if (creds >= 0) {
		pid = fork();
		if (pid == 0) {
			/* Killed with the namespace. */
			if (unshare(CLONE_NEWPID) || send_creds(creds, getpid()))
				_exit(1);
			for (;;)
				pause();
		}
		if (pid < 0)
			_exit(1);
	}
	wait_eof(go);
	_exit(0);
}

/*
 * below_ns - the namespace below @init's that its child unshared, as a
 * file, from the pid that child sent on @creds; -1 if a step failed.
 */
static int below_ns(struct race_report *r, int creds)
{
	int pidfd, nsfd;
	long pid;

	pid = recv_creds(creds, 5000);
	if (pid <= 0) {
		step_failed(&r->at, "the pid of the task that unshared");
		return -1;
	}
	pidfd = raw_pidfd_open(pid, 0);
	if (pidfd < 0) {
		step_failed(&r->at, "pidfd_open() of the task that unshared");
		return -1;
	}
	nsfd = ioctl(pidfd, PIDFD_GET_PID_FOR_CHILDREN_NAMESPACE, 0);
	if (nsfd < 0)
		step_failed(&r->at, "PIDFD_GET_PID_FOR_CHILDREN_NAMESPACE");
	close(pidfd);
	return nsfd;
}

static void close_pair(int fds[2])
{
	if (fds[0] >= 0)
		close(fds[0]);
	if (fds[1] >= 0)
		close(fds[1]);
	fds[0] = fds[1] = -1;
}

/*
 * race_once - one iteration: a namespace with an init, a task from outside
 * that setns() into it (or, @below, into a namespace below it that has no
 * init yet: its first fork there makes that init), and the init's exit
 * racing with that task's forks.  0, or -1 if a step failed (in @r->at).
 */
static int race_once(struct race_report *r, bool below)
{
	int go[2] = { -1, -1 }, hold[2] = { -1, -1 }, rep[2] = { -1, -1 };
	int creds[2] = { -1, -1 }, one = 1;
	struct enter_report e = { 0 };
	pid_t init = -1, enter = -1, reaped;
	int nsfd = -1, status, ret = -1;
	bool late = false;
	char path[64], c;

	if (pipe(go) || pipe(hold) || pipe(rep)) {
		step_failed(&r->at, "pipe");
		goto out;
	}
	if (below && (socketpair(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0, creds) ||
		      setsockopt(creds[0], SOL_SOCKET, SO_PASSCRED, &one,
				 sizeof(one)))) {
		step_failed(&r->at, "socketpair");
		goto out;
	}
	init = fork_newpid();
	if (init == 0) {
		close(go[1]);
		close_pair(hold);
		close_pair(rep);
		short_lived_init(go[0], creds[1]);
	}
	if (init < 0) {
		step_failed(&r->at, "clone(CLONE_NEWPID)");
		goto out;
	}
	if (below) {
		nsfd = below_ns(r, creds[0]);
		if (nsfd < 0)
			goto out;
	} else {
		snprintf(path, sizeof(path), "/proc/%d/ns/pid", init);
		nsfd = open(path, O_RDONLY | O_CLOEXEC);
		if (nsfd < 0) {
			step_failed(&r->at, "open(/proc/INIT/ns/pid)");
			goto out;
		}
	}
	enter = fork();
	if (enter == 0) {
		close(go[1]);
		close(hold[1]);
		close(rep[0]);
		enter_and_fork(nsfd, go[0], hold[0], rep[1]);
	}
	if (enter < 0) {
		step_failed(&r->at, "fork");
		goto out;
	}
	close(rep[1]);
	rep[1] = -1;
	if (read_timeout(rep[0], &c, 1, 5000)) {
		step_failed(&r->at, "the entering task's setns()");
		goto out;
	}

	/* Go: init exits while the other task forks into its namespace. */
	close(go[1]);
	go[1] = -1;
	reaped = wait_timeout(init, &status, 0, INIT_WAIT_MS);
	if (reaped == 0) {
		/* Init waits for a task the kill missed: release it. */
		late = true;
		close(hold[1]);
		hold[1] = -1;
		reaped = wait_timeout(init, &status, 0, 5000);
	}
	if (reaped != init) {
		step_failed(&r->at, "reaping init");
		goto out;
	}
	init = -1;
	close(hold[1]);
	hold[1] = -1;
	if (read_timeout(rep[0], &e, sizeof(e), 5000)) {
		step_failed(&r->at, "the entering task's report");
		goto out;
	}
	if (wait_timeout(enter, &status, 0, 5000) == enter)
		enter = -1;

	r->iterations++;
	r->forked += e.forked;
	r->killed += e.killed;
	r->escaped += e.escaped;
	r->early += e.early;
	r->odd += e.odd + (e.setns_err != 0) +
		  (e.last_err && e.last_err != ENOMEM);
	r->refused += e.last_err == ENOMEM;
	r->init_late += late;
	if (late || e.escaped) {
		r->failed++;
		if (!r->first_failed)
			r->first_failed = r->iterations;
	}
	ret = 0;
out:
	kill_and_reap(init);
	kill_and_reap(enter);
	if (nsfd >= 0)
		close(nsfd);
	close_pair(go);
	close_pair(hold);
	close_pair(rep);
	close_pair(creds);
	return ret;
}

/* In the runner: the race, again and again, for a bounded time. */
static int setns_fork_races_init_exit(int rep, int below)
{
	struct timespec deadline = deadline_in(RACE_SECONDS * 1000);
	struct race_report r;

	memset(&r, 0, sizeof(r));
	ns_alarm(RACE_SECONDS + 12);
	while (r.iterations < RACE_ITERATIONS && ms_left(&deadline) > 0)
		if (race_once(&r, below))
			break;
	return send_report(rep, &r, sizeof(r));
}

FIXTURE(unpriv) {
	struct runner run;
};

FIXTURE_SETUP(unpriv)
{
	runner_setup(_metadata, &self->run);
	test_ns = ns_ino(AT_FDCWD, "/proc/self/ns/pid");
}

FIXTURE_TEARDOWN(unpriv)
{
	runner_teardown(&self->run);
}

/*
 * A namespace whose first fork failed after alloc_pid() has no nsfs file
 * and takes no task, so no task can call reboot() in it, which would send
 * SIGKILL to a NULL child_reaper.  May oops an unfixed kernel.
 */
TEST_F_TIMEOUT(unpriv, no_task_reboots_without_init, TASK_TIMEOUT + 10)
{
	struct init_less_report r;

	runner_run(_metadata, &self->run, reboot_without_init, 0, &r,
		   sizeof(r), TASK_TIMEOUT * 1000);
	if (r.first < 0 && r.first_err == ENOSYS)
		SKIP(return, "clone3() is not available");
	EXPECT_EQ(-1, r.first);
	EXPECT_EQ(EFAULT, r.first_err);
	EXPECT_EQ(ENOENT, r.for_children_err) {
		TH_LOG("/proc/self/ns/pid_for_children of a namespace without init: %s",
		       r.for_children_err ? strerror(r.for_children_err) :
		       "opened");
	}
	EXPECT_EQ(-1, r.forked) {
		TH_LOG("pid %d lived in a namespace without init; reboot() there %s %s",
		       r.child_self,
		       r.reboot_returned ? "returned" : "did not return",
		       r.reboot_returned ? strerror(r.reboot_err) : "");
	}
	EXPECT_EQ(ENOMEM, r.fork_err) {
		TH_LOG("fork() into it: %s",
		       r.fork_err ? strerror(r.fork_err) : "worked");
	}
}

/*
 * setns() into a namespace and fork() there, as nsenter does, while its
 * init exits: every child is refused (ENOMEM) or killed with the other
 * tasks, and init's parent reaps init at once.  The counts give the rate.
 */
static void check_race(struct __test_metadata *_metadata, struct runner *run,
		       bool below)
{
	struct race_report r;

	runner_run(_metadata, run, setns_fork_races_init_exit, below, &r,
		   sizeof(r), (RACE_SECONDS + 12) * 1000);
	TH_LOG("failed in %d of %d iterations (%d tasks outlived init, %d inits late)",
	       r.failed, r.iterations, r.escaped, r.init_late);
	TH_LOG("%d forks: %d killed, %d early, %d odd; %d ended in ENOMEM",
	       r.forked, r.killed, r.early, r.odd, r.refused);
	EXPECT_GE(r.iterations, RACE_MIN_ITERATIONS);
	EXPECT_EQ(0, r.failed) {
		TH_LOG("the first failing iteration: %d", r.first_failed);
	}
	EXPECT_EQ(0, r.escaped);
	EXPECT_EQ(0, r.init_late);
	EXPECT_EQ(r.forked, r.killed);
	EXPECT_EQ(0, r.odd);
}

TEST_F_TIMEOUT(unpriv, setns_fork_races_init_exit, RACE_SECONDS + 15)
{
	check_race(_metadata, &self->run, false);
}

/*
 * The same into a namespace below the dying one that has no init yet, as
 * a task there left it after unshare(): the first fork there makes its
 * init, which has a number in the dying namespace and must be refused or
 * killed too.  Mainline checks only the new task's own level for that.
 */
TEST_F_TIMEOUT(unpriv, setns_below_fork_races_init_exit, RACE_SECONDS + 15)
{
	check_race(_metadata, &self->run, true);
}

TEST_HARNESS_MAIN
