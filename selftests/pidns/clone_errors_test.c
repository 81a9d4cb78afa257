// SPDX-License-Identifier: GPL-2.0
/*
 * What clone() refuses around PID namespaces, and how it fails when a
 * namespace runs out of pids.  clone3(CLONE_NEWPID) without CAP_SYS_ADMIN
 * is EPERM, as clone() is (clone_newpid_test.c); CLONE_PARENT from a
 * namespace's init is EINVAL, as it would give init a sibling outside,
 * while from another task of the namespace it makes a sibling inside.  And
 * with pid_max lowered, fork() in a namespace fails with EAGAIN after the
 * same number of children every time: a failed fork leaks no pid at any
 * level, and once the children are reaped fork() works again.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <linux/sched.h>

#include "pidns_util.h"
#include "kselftest_harness.h"

/* Seconds any task of a test may live. */
#define TASK_TIMEOUT 20

/* Exit statuses of the unprivileged clone3() helper. */
enum {
	UNPRIV_EPERM,		/* as it must be */
	UNPRIV_NO_DROP,		/* could not become nobody */
	UNPRIV_CREATED,		/* clone3() made a namespace */
	UNPRIV_OTHER_ERR,	/* it failed otherwise */
	UNPRIV_ENOSYS,		/* no clone3() */
};

/*
 * Without CAP_SYS_ADMIN, clone3(CLONE_NEWPID) is EPERM (the baseline says
 * EINVAL: it has no namespace to create).
 */
TEST(clone3_unprivileged_is_eperm)
{
	int status;
	pid_t pid;

	if (geteuid() != 0)
		SKIP(return, "dropping privileges needs root");
	pid = fork();
	ASSERT_GE(pid, 0);
	if (pid == 0) {
		struct clone_args args = {
			.flags = CLONE_NEWPID,
			.exit_signal = SIGCHLD,
		};
		pid_t child;

		if (setresgid(65534, 65534, 65534) ||
		    setresuid(65534, 65534, 65534))
			_exit(UNPRIV_NO_DROP);
		child = syscall(SYS_clone3, &args, sizeof(args));
		if (child == 0)
			_exit(0);
		if (child > 0) {
			waitpid(child, NULL, 0);
			_exit(UNPRIV_CREATED);
		}
		if (errno == ENOSYS)
			_exit(UNPRIV_ENOSYS);
		_exit(errno == EPERM ? UNPRIV_EPERM : UNPRIV_OTHER_ERR);
	}
	ASSERT_EQ(pid, wait_timeout(pid, &status, 0, 10000));
	ASSERT_TRUE(WIFEXITED(status));
	if (WEXITSTATUS(status) == UNPRIV_ENOSYS)
		SKIP(return, "clone3() is not available");
	EXPECT_EQ(UNPRIV_EPERM, WEXITSTATUS(status)) {
		TH_LOG("%s", WEXITSTATUS(status) == UNPRIV_CREATED ?
		       "an unprivileged caller created a PID namespace" :
		       WEXITSTATUS(status) == UNPRIV_OTHER_ERR ?
		       "the error was not EPERM" : "could not drop privileges");
	}
}

/* What the namespace reports about CLONE_PARENT. */
struct clone_parent_report {
	pid_t init_ret;		/* clone(CLONE_PARENT) in init */
	int init_err;
	pid_t init3_ret;	/* clone3(CLONE_PARENT) in init */
	int init3_err;
	pid_t child_ret;	/* clone(CLONE_PARENT) in init's child, 2 */
	int child_err;
	pid_t sibling_ppid;	/* getppid() in the task that made */
	pid_t reaped[2];	/* waitpid(-1) twice in init */
};

/* In init's child: clone(CLONE_PARENT); the new task tells its parent. */
static void __attribute__((noreturn)) make_sibling(int fd)
{
	struct { pid_t ret; int err; pid_t ppid; } m = { 0 };
	int fds[2];

	if (pipe(fds))
		_exit(1);
	m.ret = sys_fork_flags(CLONE_PARENT);
	if (m.ret == 0) {
		m.ppid = getppid();
		_exit(write_full(fds[1], &m.ppid, sizeof(m.ppid)) ? 1 : 0);
	}
	m.err = m.ret < 0 ? errno : 0;
	if (m.ret > 0 && read_full(fds[0], &m.ppid, sizeof(m.ppid)))
		_exit(1);
	_exit(write_full(fd, &m, sizeof(m)) ? 1 : 0);
}

static int clone_parent_in_ns(int rep)
{
	struct clone_args args = {
		.flags = CLONE_PARENT,
		.exit_signal = SIGCHLD,
	};
	struct clone_parent_report r = { 0 };
	struct { pid_t ret; int err; pid_t ppid; } m;
	int fds[2], i;
	pid_t pid;

	ns_alarm(TASK_TIMEOUT);
	/* Would make a sibling of init outside: refused. */
	r.init_ret = sys_fork_flags(CLONE_PARENT);
	if (r.init_ret == 0)
		_exit(0);
	r.init_err = errno;
	r.init3_ret = syscall(SYS_clone3, &args, sizeof(args));
	if (r.init3_ret == 0)
		_exit(0);
	r.init3_err = errno;

	/* From another task: a second child of init. */
	if (pipe(fds))
		return 1;
	pid = fork();
	if (pid == 0)
		make_sibling(fds[1]);
	if (pid < 0 || read_full(fds[0], &m, sizeof(m)))
		return 1;
	r.child_ret = m.ret;
	r.child_err = m.err;
	r.sibling_ppid = m.ppid;
	for (i = 0; i < 2; i++)
		r.reaped[i] = waitpid(-1, NULL, 0);
	return write_full(rep, &r, sizeof(r)) ? 1 : 0;
}

/*
 * CLONE_PARENT is EINVAL from a namespace's init, with clone() and
 * clone3(); from a child of init it makes another child of init.
 */
TEST(clone_parent_from_init_is_einval)
{
	struct clone_parent_report r;
	int fds[2], status;
	pid_t init;

	if (geteuid() != 0)
		SKIP(return, "CLONE_NEWPID needs CAP_SYS_ADMIN: run as root");
	ASSERT_EQ(0, pipe(fds));
	init = fork_newpid();
	if (init == 0) {
		close(fds[0]);
		_exit(clone_parent_in_ns(fds[1]));
	}
	ASSERT_GT(init, 0) {
		TH_LOG("clone(CLONE_NEWPID): %s", strerror(errno));
	}
	close(fds[1]);
	EXPECT_EQ(0, read_timeout(fds[0], &r, sizeof(r), 10000));
	ASSERT_EQ(init, wait_timeout(init, &status, 0, 10000)) {
		kill_and_reap(init);
	}
	ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) {
		TH_LOG("init's wait status: 0x%x", status);
	}
	/* No sibling of init came out here. */
	EXPECT_EQ(-1, waitpid(-1, NULL, WNOHANG));

	EXPECT_EQ(-1, r.init_ret);
	EXPECT_EQ(EINVAL, r.init_err) {
		TH_LOG("clone(CLONE_PARENT) in init: %s",
		       strerror(r.init_err));
	}
	if (r.init3_err != ENOSYS) {
		EXPECT_EQ(-1, r.init3_ret);
		EXPECT_EQ(EINVAL, r.init3_err) {
			TH_LOG("clone3(CLONE_PARENT) in init: %s",
			       strerror(r.init3_err));
		}
	}
	EXPECT_EQ(3, r.child_ret) {
		TH_LOG("clone(CLONE_PARENT) in init's child: %s",
		       strerror(r.child_err));
	}
	EXPECT_EQ(1, r.sibling_ppid);
	/* Init reaps both, 2 and 3, in either order. */
	EXPECT_TRUE((r.reaped[0] == 2 && r.reaped[1] == 3) ||
		    (r.reaped[0] == 3 && r.reaped[1] == 2)) {
		TH_LOG("init reaped %d and %d", r.reaped[0], r.reaped[1]);
	}
}

/* A pid_max small enough to run out of: the minimum is 301. */
#define SMALL_PID_MAX 400

/* Rounds of forking until EAGAIN, after a first one to wrap the pids. */
#define ROUNDS 6

RESTORE_PID_MAX_AT_EXIT()

/* What init saw, round by round. */
struct exhaust_report {
	int count[ROUNDS + 1];	/* children forked before fork() failed */
	int err[ROUNDS + 1];	/* the errno of that fork() */
	int unreaped;		/* children that waitpid() did not return */
	pid_t last;		/* one more fork() at the end */
	int last_err;
};

/* fill - fork pausing children until fork() fails; kill and reap them. */
static int fill(pid_t *pids, int max, int *err, int *unreaped)
{
	int n, i;

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
	for (i = 0; i < n; i++)
		kill(pids[i], SIGKILL);
	for (i = 0; i < n; i++)
		if (waitpid(pids[i], NULL, 0) != pids[i])
			(*unreaped)++;
	return n;
}

static int exhaust_in_ns(int rep)
{
	struct exhaust_report r;
	pid_t *pids;
	int i;

	memset(&r, 0, sizeof(r));
	ns_alarm(TASK_TIMEOUT * 3);
	pids = calloc(SMALL_PID_MAX, sizeof(*pids));
	if (!pids)
		return 1;
	for (i = 0; i <= ROUNDS; i++)
		r.count[i] = fill(pids, SMALL_PID_MAX, &r.err[i], &r.unreaped);
	r.last = fork();
	if (r.last == 0)
		_exit(0);
	r.last_err = r.last < 0 ? errno : 0;
	if (r.last > 0)
		waitpid(r.last, NULL, 0);
	return write_full(rep, &r, sizeof(r)) ? 1 : 0;
}

FIXTURE(pidmax) {
	int saved;		/* pid_max before the test */
	int rep[2];		/* init -> test */
	pid_t init;		/* in the test's namespace */
};

FIXTURE_SETUP(pidmax)
{
	self->saved = -1;
	self->rep[0] = self->rep[1] = -1;
	self->init = -1;
	if (geteuid() != 0)
		SKIP(return, "setting pid_max and CLONE_NEWPID need root");
	self->saved = sysctl_read_int(pid_max_path);
	if (self->saved < 0)
		SKIP(return, "no %s: %s", pid_max_path, strerror(errno));
	ASSERT_EQ(0, pipe2(self->rep, O_CLOEXEC));
	ASSERT_EQ(0, sysctl_write_int(pid_max_path, SMALL_PID_MAX)) {
		TH_LOG("writing %s: %s", pid_max_path, strerror(errno));
	}
}

FIXTURE_TEARDOWN(pidmax)
{
	kill_and_reap(self->init);
	if (self->saved > 0)
		sysctl_write_int(pid_max_path, self->saved);
	if (self->rep[0] >= 0)
		close(self->rep[0]);
	if (self->rep[1] >= 0)
		close(self->rep[1]);
}

/*
 * With pid_max at 400, fork() in a namespace fails with EAGAIN after as
 * many children in every round, and works again once they are reaped.
 * pid_max is global, so the root namespace may be the level that runs
 * out; a number leaked at any level would show as a shrinking count once
 * each level has wrapped to its lowest free pids.
 */
TEST_F_TIMEOUT(pidmax, exhaustion_leaks_nothing, TASK_TIMEOUT * 3 + 10)
{
	struct exhaust_report r;
	int i, status;

	self->init = fork_newpid();
	if (self->init == 0) {
		close(self->rep[0]);
		_exit(exhaust_in_ns(self->rep[1]));
	}
	ASSERT_GT(self->init, 0) {
		TH_LOG("clone(CLONE_NEWPID): %s", strerror(errno));
	}
	close(self->rep[1]);
	self->rep[1] = -1;
	ASSERT_EQ(0, read_timeout(self->rep[0], &r, sizeof(r),
				  TASK_TIMEOUT * 3 * 1000)) {
		TH_LOG("no report from the namespace: %s", strerror(errno));
	}
	ASSERT_EQ(self->init, wait_timeout(self->init, &status, 0, 10000));
	self->init = -1;
	EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) {
		TH_LOG("init's wait status: 0x%x", status);
	}

	for (i = 0; i <= ROUNDS; i++) {
		EXPECT_EQ(EAGAIN, r.err[i]) {
			TH_LOG("round %d: fork() failed with %s after %d",
			       i, strerror(r.err[i]), r.count[i]);
		}
		EXPECT_GT(r.count[i], 0);
		/* Round 0 may start below RESERVED_PIDS: not compared. */
		if (i > 1) {
			EXPECT_EQ(r.count[1], r.count[i]) {
				TH_LOG("round %d forked %d, round 1 %d",
				       i, r.count[i], r.count[1]);
			}
		}
	}
	EXPECT_EQ(0, r.unreaped);
	EXPECT_GT(r.last, 0) {
		TH_LOG("fork() after the last round: %s",
		       strerror(r.last_err));
	}
	TH_LOG("children per round: %d, then %d", r.count[0], r.count[1]);
}

TEST_HARNESS_MAIN
