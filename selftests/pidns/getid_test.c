// SPDX-License-Identifier: GPL-2.0
/*
 * The id syscalls inside a new PID namespace.  Its init is pid 1 and tid 1
 * with ppid 0; its process group and session are the test's, outside, so
 * getpgid(0), getpgrp() and getsid(0) are 0 until setsid() makes it the
 * leader of both, numbered 1.  Its next task is pid 2, which setpgid(2, 0)
 * from init puts in a group 2; a thread of init is tid 2.  Only syscalls:
 * /proc in the guest is the root namespace's mount, whose numbers differ.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>

#include "pidns_util.h"
#include "kselftest_harness.h"

/* Seconds any task of a test may live. */
#define TASK_TIMEOUT 20

/* The ids of a task, as it sees them. */
struct ids {
	pid_t pid, ppid, tid, pgid, sid, pgrp;
};

static void get_ids(struct ids *ids)
{
	ids->pid = getpid();
	ids->ppid = getppid();
	ids->tid = syscall(SYS_gettid);
	ids->pgid = getpgid(0);
	ids->sid = getsid(0);
	ids->pgrp = getpgrp();
}

FIXTURE(getid) {
	int rep[2];		/* init -> test */
	int go[2];		/* test -> init: closed when init may exit */
	pid_t init;		/* in the test's namespace */
};

FIXTURE_SETUP(getid)
{
	self->rep[0] = self->rep[1] = -1;
	self->go[0] = self->go[1] = -1;
	self->init = -1;
	if (geteuid() != 0)
		SKIP(return, "CLONE_NEWPID needs CAP_SYS_ADMIN: run as root");
	ASSERT_EQ(0, pipe2(self->rep, O_CLOEXEC));
	ASSERT_EQ(0, pipe2(self->go, O_CLOEXEC));
}

FIXTURE_TEARDOWN(getid)
{
	int i;

	kill_and_reap(self->init);
	for (i = 0; i < 2; i++) {
		if (self->rep[i] >= 0)
			close(self->rep[i]);
		if (self->go[i] >= 0)
			close(self->go[i]);
	}
}

/*
 * start_ns - fork the init of a new namespace to run fn(rep, go); fn's
 * return value is init's exit status.
 */
static void start_ns(struct __test_metadata *_metadata,
		     FIXTURE_DATA(getid) *self, int (*fn)(int rep, int go))
{
	self->init = fork_newpid();
	if (self->init == 0) {
		/* setsid() takes init out of the group the harness kills. */
		ns_alarm(TASK_TIMEOUT);
		close(self->rep[0]);
		close(self->go[1]);
		_exit(fn(self->rep[1], self->go[0]));
	}
	ASSERT_GT(self->init, 0) {
		TH_LOG("clone(CLONE_NEWPID): %s", strerror(errno));
	}
	close(self->rep[1]);
	self->rep[1] = -1;
	close(self->go[0]);
	self->go[0] = -1;
}

/* finish_ns - let init go and reap it; it must exit 0. */
static void finish_ns(struct __test_metadata *_metadata,
		      FIXTURE_DATA(getid) *self)
{
	int status;

	close(self->go[1]);
	self->go[1] = -1;
	ASSERT_EQ(self->init, wait_timeout(self->init, &status, 0, 10000));
	self->init = -1;
	EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) {
		TH_LOG("init's wait status: 0x%x", status);
	}
}

/* wait_go - block until the test closes the go pipe. */
static void wait_go(int go)
{
	char c;

	while (read(go, &c, 1) > 0)
		;
}

/* What init reports about itself. */
struct init_ids {
	struct ids before;	/* as created */
	pid_t setsid_ret;	/* setsid() */
	struct ids after;	/* once a session leader */
	pid_t pgid_1, sid_1;	/* getpgid(1), getsid(1) */
};

static int init_reports_ids(int rep, int go)
{
	struct init_ids r;

	get_ids(&r.before);
	r.setsid_ret = setsid();
	get_ids(&r.after);
	r.pgid_1 = getpgid(1);
	r.sid_1 = getsid(1);
	if (write_full(rep, &r, sizeof(r)))
		return 1;
	wait_go(go);
	return 0;
}

/*
 * Init: pid 1, tid 1, ppid 0, group and session 0 (outside); setsid()
 * returns 1 and makes both 1 inside, and init's outer number outside.
 */
TEST_F(getid, init_ids)
{
	pid_t pgrp = getpgrp(), sid = getsid(0);
	struct init_ids r;

	start_ns(_metadata, self, init_reports_ids);
	ASSERT_EQ(0, read_timeout(self->rep[0], &r, sizeof(r), 10000));
	EXPECT_EQ(1, r.before.pid);
	EXPECT_EQ(0, r.before.ppid);
	EXPECT_EQ(1, r.before.tid);
	EXPECT_EQ(0, r.before.pgid) {
		TH_LOG("getpgid(0) in init, its group outside");
	}
	EXPECT_EQ(0, r.before.pgrp) {
		TH_LOG("getpgrp() in init, its group outside");
	}
	EXPECT_EQ(0, r.before.sid) {
		TH_LOG("getsid(0) in init, its session outside");
	}
	EXPECT_EQ(1, r.setsid_ret);
	EXPECT_EQ(1, r.after.pid);
	EXPECT_EQ(1, r.after.sid);
	EXPECT_EQ(1, r.after.pgid);
	EXPECT_EQ(1, r.after.pgrp);
	EXPECT_EQ(1, r.pgid_1);
	EXPECT_EQ(1, r.sid_1);
	/* The test sees the same group and session by init's outer number. */
	EXPECT_EQ(self->init, getpgid(self->init));
	EXPECT_EQ(self->init, getsid(self->init));
	/* Its own are untouched. */
	EXPECT_EQ(pgrp, getpgrp());
	EXPECT_EQ(sid, getsid(0));
	finish_ns(_metadata, self);
}

/* What the second task of the namespace reports. */
struct second_ids {
	pid_t forked;		/* fork() in init */
	struct ids before;	/* in the second task, as forked */
	pid_t setpgid_ret;	/* setpgid(2, 0) in init */
	pid_t pgid_of_2;	/* getpgid(2) in init, after */
	int kill_group_ret;	/* kill(-2, 0) in init, after */
	struct ids after;	/* in the second task, after */
	pid_t reaped;		/* waitpid() in init */
	int status;
};

static int second_task(int rep, int go)
{
	struct second_ids r = { 0 };
	int moved[2], back[2];
	pid_t pid;
	char c;

	if (setsid() != 1 || pipe(moved) || pipe(back))
		return 1;
	pid = fork();
	if (pid == 0) {
		struct ids ids[2];

		get_ids(&ids[0]);
		if (write_full(back[1], &ids[0], sizeof(ids[0])) ||
		    read(moved[0], &c, 1) != 1)
			_exit(1);
		get_ids(&ids[1]);
		_exit(write_full(back[1], &ids[1], sizeof(ids[1])) ? 1 : 0);
	}
	r.forked = pid;
	if (pid < 0 || read_full(back[0], &r.before, sizeof(r.before)))
		return 1;
	r.setpgid_ret = setpgid(pid, 0);
	r.pgid_of_2 = getpgid(2);
	r.kill_group_ret = kill(-2, 0);
	if (write_full(moved[1], "m", 1) ||
	    read_full(back[0], &r.after, sizeof(r.after)))
		return 1;
	r.reaped = waitpid(pid, &r.status, 0);
	if (write_full(rep, &r, sizeof(r)))
		return 1;
	wait_go(go);
	return 0;
}

/*
 * The second task is pid 2 in init's group and session; setpgid(2, 0) from
 * init gives it a group 2 that init and the task see alike.
 */
TEST_F(getid, second_task_gets_group_2)
{
	struct second_ids r;

	start_ns(_metadata, self, second_task);
	ASSERT_EQ(0, read_timeout(self->rep[0], &r, sizeof(r), 10000));
	EXPECT_EQ(2, r.forked);
	EXPECT_EQ(2, r.before.pid);
	EXPECT_EQ(2, r.before.tid);
	EXPECT_EQ(1, r.before.ppid);
	EXPECT_EQ(1, r.before.pgid);
	EXPECT_EQ(1, r.before.pgrp);
	EXPECT_EQ(1, r.before.sid);
	EXPECT_EQ(0, r.setpgid_ret);
	EXPECT_EQ(2, r.pgid_of_2) {
		TH_LOG("getpgid(2) in init after setpgid(2, 0)");
	}
	EXPECT_EQ(0, r.kill_group_ret) {
		TH_LOG("kill(-2, 0) in init: no group 2");
	}
	EXPECT_EQ(2, r.after.pgid);
	EXPECT_EQ(2, r.after.pgrp);
	EXPECT_EQ(1, r.after.sid);
	EXPECT_EQ(2, r.reaped);
	EXPECT_EQ(0, r.status);
	finish_ns(_metadata, self);
}

/* What a thread of init reports. */
struct thread_ids {
	pid_t pid, tid;		/* in the thread */
	pid_t main_tid;		/* gettid() in init's main thread */
};

static int thread_pipe[2];

static int thread_fn(void *arg)
{
	pid_t ids[2] = { getpid(), syscall(SYS_gettid) };

	write_full(thread_pipe[1], ids, sizeof(ids));
	syscall(SYS_exit, 0);
	return 0;
}

/* Init starts a bare thread, with clone(), and reports its ids. */
static int thread_of_init(int rep, int go)
{
	static char stack[64 * 1024] __attribute__((aligned(16)));
	struct thread_ids r;
	pid_t ids[2];

	if (pipe(thread_pipe))
		return 1;
	if (clone(thread_fn, stack + sizeof(stack),
		  CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND |
		  CLONE_THREAD | CLONE_SYSVSEM, NULL) < 0)
		return 1;
	if (read_full(thread_pipe[0], ids, sizeof(ids)))
		return 1;
	r.pid = ids[0];
	r.tid = ids[1];
	r.main_tid = syscall(SYS_gettid);
	if (write_full(rep, &r, sizeof(r)))
		return 1;
	wait_go(go);
	return 0;
}

/* A thread of init is tid 2 and pid 1 in the namespace. */
TEST_F(getid, thread_of_init_is_tid_2)
{
	struct thread_ids r;

	start_ns(_metadata, self, thread_of_init);
	ASSERT_EQ(0, read_timeout(self->rep[0], &r, sizeof(r), 10000));
	EXPECT_EQ(1, r.pid);
	EXPECT_EQ(2, r.tid);
	EXPECT_EQ(1, r.main_tid);
	finish_ns(_metadata, self);
}

TEST_HARNESS_MAIN
