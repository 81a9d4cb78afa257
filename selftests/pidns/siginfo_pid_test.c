// SPDX-License-Identifier: GPL-2.0
/*
 * The si_pid of a signal is the sender's pid as the receiver's namespace
 * numbers it: 0 when the sender is in an ancestor namespace, which has no
 * number there, and the sender's own number when both are in the same
 * namespace.  A SIGCHLD, and waitid(), give a parent its child's number in
 * the parent's namespace: the clone() return value outside for the init
 * of a new namespace, the inner number for init's children.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>

#include "pidns_util.h"
#include "kselftest_harness.h"

/* Seconds any task of a test may live, or wait for a signal. */
#define TASK_TIMEOUT 20

/* What a task saw of a signal, and who it is. */
struct seen {
	char who;		/* 'i' init, 'c' a child of init, ... */
	pid_t self;		/* its getpid() */
	int signo;		/* 0 when no signal came */
	int code;
	pid_t pid;		/* si_pid */
	int status;		/* si_status */
};

/* wait_signal - take one of the blocked @a or @b (0: none), into @s. */
static void wait_signal(int a, int b, struct seen *s)
{
	struct timespec ts = { TASK_TIMEOUT, 0 };
	siginfo_t si;
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, a);
	if (b)
		sigaddset(&set, b);
	s->self = getpid();
	s->signo = 0;
	if (sigtimedwait(&set, &si, &ts) < 0)
		return;
	s->signo = si.si_signo;
	s->code = si.si_code;
	s->pid = si.si_pid;
	s->status = si.si_status;
}

/* report - wait for @sig and write what came to @fd, as @who. */
static int report(int fd, char who, int sig)
{
	struct seen s = { .who = who };

	wait_signal(sig, 0, &s);
	return write_full(fd, &s, sizeof(s)) ? 1 : 0;
}

FIXTURE(siginfo) {
	int rep[2];		/* struct seen, from the namespace */
	int ready[2];		/* a byte per task, once it waits */
	pid_t init;		/* in the test's namespace */
};

FIXTURE_SETUP(siginfo)
{
	self->rep[0] = self->rep[1] = -1;
	self->ready[0] = self->ready[1] = -1;
	self->init = -1;
	if (geteuid() != 0)
		SKIP(return, "CLONE_NEWPID needs CAP_SYS_ADMIN: run as root");
	ASSERT_EQ(0, pipe2(self->rep, O_CLOEXEC));
	ASSERT_EQ(0, pipe2(self->ready, O_CLOEXEC));
}

FIXTURE_TEARDOWN(siginfo)
{
	int i;

	kill_and_reap(self->init);
	for (i = 0; i < 2; i++) {
		if (self->rep[i] >= 0)
			close(self->rep[i]);
		if (self->ready[i] >= 0)
			close(self->ready[i]);
	}
}

/* start_ns - fork init of a new namespace to run @fn; close the ends it uses. */
static void start_ns(struct __test_metadata *_metadata,
		     FIXTURE_DATA(siginfo) *self,
		     int (*fn)(FIXTURE_DATA(siginfo) *self))
{
	self->init = fork_newpid();
	if (self->init == 0) {
		ns_alarm(TASK_TIMEOUT + 5);
		close(self->rep[0]);
		close(self->ready[0]);
		_exit(fn(self));
	}
	ASSERT_GT(self->init, 0) {
		TH_LOG("clone(CLONE_NEWPID): %s", strerror(errno));
	}
	close(self->rep[1]);
	self->rep[1] = -1;
	close(self->ready[1]);
	self->ready[1] = -1;
}

/* finish_ns - reap init, which must exit 0. */
static void finish_ns(struct __test_metadata *_metadata,
		      FIXTURE_DATA(siginfo) *self)
{
	int status;

	ASSERT_EQ(self->init, wait_timeout(self->init, &status, 0, 10000));
	self->init = -1;
	EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) {
		TH_LOG("init's wait status: 0x%x", status);
	}
}

/* Init alone waits for SIGUSR1. */
static int init_waits(FIXTURE_DATA(siginfo) *self)
{
	if (catch_blocked(SIGUSR1) || write_full(self->ready[1], "i", 1))
		return 1;
	return report(self->rep[1], 'i', SIGUSR1);
}

/* Init and a child of init wait for SIGUSR1, in a process group of init's. */
static int init_and_child_wait(FIXTURE_DATA(siginfo) *self)
{
	int status;
	pid_t pid;

	if (catch_blocked(SIGUSR1) || setpgid(0, 0))
		return 1;
	pid = fork();
	if (pid == 0) {
		if (write_full(self->ready[1], "c", 1))
			_exit(1);
		_exit(report(self->rep[1], 'c', SIGUSR1));
	}
	if (pid < 0 || write_full(self->ready[1], "i", 1) ||
	    report(self->rep[1], 'i', SIGUSR1))
		return 1;
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		return 1;
	return WEXITSTATUS(status);
}

/* Check a signal from an ancestor: SIGUSR1 from kill(), si_pid 0. */
static void expect_from_ancestor(struct __test_metadata *_metadata,
				 const struct seen *s)
{
	EXPECT_EQ(SIGUSR1, s->signo) {
		TH_LOG("'%c' got no SIGUSR1", s->who);
	}
	EXPECT_EQ(SI_USER, s->code);
	EXPECT_EQ(0, s->pid) {
		TH_LOG("si_pid in '%c' (pid %d), sent from an ancestor",
		       s->who, s->self);
	}
}

/* A signal the test sends to init arrives with si_pid 0. */
TEST_F(siginfo, from_ancestor_to_init_is_pid_0)
{
	struct seen s;
	char c;

	start_ns(_metadata, self, init_waits);
	ASSERT_EQ(0, read_timeout(self->ready[0], &c, 1, 10000));
	ASSERT_EQ(0, kill(self->init, SIGUSR1));
	ASSERT_EQ(0, read_timeout(self->rep[0], &s, sizeof(s), 10000));
	EXPECT_EQ(1, s.self);
	expect_from_ancestor(_metadata, &s);
	finish_ns(_metadata, self);
}

/*
 * So does one the test sends to init's process group, to init and to a
 * task it does not know the number of.
 */
TEST_F(siginfo, from_ancestor_to_group_is_pid_0)
{
	struct seen s[2];
	char c[2];
	int i;

	start_ns(_metadata, self, init_and_child_wait);
	ASSERT_EQ(0, read_timeout(self->ready[0], c, 2, 10000));
	ASSERT_EQ(0, kill(-self->init, SIGUSR1));
	ASSERT_EQ(0, read_timeout(self->rep[0], s, sizeof(s), 10000));
	for (i = 0; i < 2; i++) {
		EXPECT_EQ(s[i].who == 'i' ? 1 : 2, s[i].self);
		expect_from_ancestor(_metadata, &s[i]);
	}
	EXPECT_NE(s[0].who, s[1].who);
	finish_ns(_metadata, self);
}

/*
 * Init signals the init of a namespace nested in its own: from the parent
 * namespace, which is not the root, si_pid is 0 too.
 */
static int init_signals_nested_init(FIXTURE_DATA(siginfo) *self)
{
	int ready[2], status;
	pid_t pid;
	char c;

	if (pipe(ready))
		return 1;
	pid = fork_newpid();
	if (pid == 0) {
		close(ready[0]);
		if (catch_blocked(SIGUSR1) || write_full(ready[1], "n", 1))
			_exit(1);
		_exit(report(self->rep[1], 'n', SIGUSR1));
	}
	close(ready[1]);
	if (pid < 0 || read_full(ready[0], &c, 1) || kill(pid, SIGUSR1))
		return 1;
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		return 1;
	return WEXITSTATUS(status);
}

TEST_F(siginfo, from_parent_namespace_is_pid_0)
{
	struct seen s;

	start_ns(_metadata, self, init_signals_nested_init);
	ASSERT_EQ(0, read_timeout(self->rep[0], &s, sizeof(s), 10000));
	EXPECT_EQ(1, s.self);
	expect_from_ancestor(_metadata, &s);
	finish_ns(_metadata, self);
}

/*
 * Inside: init starts a receiver (pid 2), then a sender (pid 3).  The
 * sender sends SIGUSR1 to the receiver and to init; init sends SIGUSR2 to
 * the receiver.  Each gets the sender's number in the namespace.
 */
static int signals_inside(FIXTURE_DATA(siginfo) *self)
{
	int sync[2], status;
	struct seen s[2] = { { .who = 'r' }, { .who = 'r' } };
	struct seen mine = { .who = 'i' };
	pid_t recv, send;
	char c;

	if (catch_blocked(SIGUSR1) || catch_blocked(SIGUSR2) || pipe(sync))
		return 1;
	recv = fork();
	if (recv == 0) {
		close(sync[0]);
		if (write_full(sync[1], "r", 1))
			_exit(1);
		wait_signal(SIGUSR1, SIGUSR2, &s[0]);
		wait_signal(SIGUSR1, SIGUSR2, &s[1]);
		_exit(write_full(self->rep[1], s, sizeof(s)) ? 1 : 0);
	}
	if (recv < 0 || read_full(sync[0], &c, 1))
		return 1;
	send = fork();
	if (send == 0) {
		struct seen me = { .who = 's', .self = getpid() };

		if (kill(recv, SIGUSR1) || kill(1, SIGUSR1))
			_exit(1);
		_exit(write_full(self->rep[1], &me, sizeof(me)) ? 1 : 0);
	}
	if (send < 0 || kill(recv, SIGUSR2))
		return 1;
	wait_signal(SIGUSR1, 0, &mine);
	if (write_full(self->rep[1], &mine, sizeof(mine)))
		return 1;
	if (waitpid(send, &status, 0) != send || status)
		return 1;
	if (waitpid(recv, &status, 0) != recv || status)
		return 1;
	return 0;
}

/* One namespace: si_pid is the sender's number in it. */
TEST_F(siginfo, from_inside_is_sender_number)
{
	struct seen s[4], *sender = NULL, *initseen = NULL, *recv[2];
	int i, nrecv = 0;

	start_ns(_metadata, self, signals_inside);
	/* Four reports in any order: sender, init, the receiver's two. */
	ASSERT_EQ(0, read_timeout(self->rep[0], s, 4 * sizeof(s[0]), 10000));
	for (i = 0; i < 4; i++) {
		if (s[i].who == 's')
			sender = &s[i];
		else if (s[i].who == 'i')
			initseen = &s[i];
		else if (s[i].who == 'r' && nrecv < 2)
			recv[nrecv++] = &s[i];
	}
	ASSERT_TRUE(sender && initseen && nrecv == 2);
	finish_ns(_metadata, self);

	EXPECT_EQ(3, sender->self);
	for (i = 0; i < 2; i++) {
		EXPECT_EQ(2, recv[i]->self);
		EXPECT_EQ(SI_USER, recv[i]->code);
		if (recv[i]->signo == SIGUSR1) {
			EXPECT_EQ(sender->self, recv[i]->pid) {
				TH_LOG("si_pid of the sibling's SIGUSR1");
			}
		} else {
			EXPECT_EQ(SIGUSR2, recv[i]->signo);
			EXPECT_EQ(1, recv[i]->pid) {
				TH_LOG("si_pid of init's SIGUSR2");
			}
		}
	}
	EXPECT_NE(recv[0]->signo, recv[1]->signo);
	EXPECT_EQ(SIGUSR1, initseen->signo);
	EXPECT_EQ(SI_USER, initseen->code);
	EXPECT_EQ(sender->self, initseen->pid) {
		TH_LOG("si_pid of the SIGUSR1 init got from its child");
	}
}

/* Init exits 7 at once. */
static int init_exits_7(FIXTURE_DATA(siginfo) *self)
{
	return 7;
}

/*
 * The SIGCHLD the test gets when init exits, and waitid(), carry init's
 * number in the test's namespace: what clone() returned.
 */
TEST_F(siginfo, sigchld_of_init_is_outer_number)
{
	struct seen s = { .who = 't' };
	siginfo_t si = { 0 };

	ASSERT_EQ(0, catch_blocked(SIGCHLD));
	start_ns(_metadata, self, init_exits_7);
	wait_signal(SIGCHLD, 0, &s);
	EXPECT_EQ(SIGCHLD, s.signo);
	EXPECT_EQ(CLD_EXITED, s.code);
	EXPECT_EQ(7, s.status);
	EXPECT_EQ(self->init, s.pid) {
		TH_LOG("si_pid of the SIGCHLD from init");
	}
	ASSERT_EQ(0, waitid(P_PID, self->init, &si, WEXITED));
	EXPECT_EQ(self->init, si.si_pid) {
		TH_LOG("si_pid from waitid() on init");
	}
	EXPECT_EQ(CLD_EXITED, si.si_code);
	EXPECT_EQ(7, si.si_status);
	self->init = -1;
}

/* What init saw of its children's ends: SIGCHLD, then waitid(). */
struct child_ends {
	pid_t forked[2];	/* fork(), fork_newpid() */
	struct seen sigchld[2];
	struct seen waited[2];
};

static int child_end_statuses[2] = { 5, 6 };

/*
 * Init starts a child, then the init of a nested namespace, one at a time,
 * and notes how each one's end reaches it.
 */
static int init_sees_children_end(FIXTURE_DATA(siginfo) *self)
{
	struct child_ends r;
	siginfo_t si;
	int i;

	memset(&r, 0, sizeof(r));
	if (catch_blocked(SIGCHLD))
		return 1;
	for (i = 0; i < 2; i++) {
		r.forked[i] = i ? fork_newpid() : fork();
		if (r.forked[i] == 0)
			_exit(child_end_statuses[i]);
		if (r.forked[i] < 0)
			return 1;
		wait_signal(SIGCHLD, 0, &r.sigchld[i]);
		memset(&si, 0, sizeof(si));
		if (waitid(P_ALL, 0, &si, WEXITED))
			return 1;
		r.waited[i].signo = si.si_signo;
		r.waited[i].code = si.si_code;
		r.waited[i].pid = si.si_pid;
		r.waited[i].status = si.si_status;
	}
	return write_full(self->rep[1], &r, sizeof(r)) ? 1 : 0;
}

/*
 * Init's SIGCHLD and waitid() give it its children's numbers in its own
 * namespace: 2 for its child, 3 for the init of a nested namespace (which
 * is 1 in its own).
 */
TEST_F(siginfo, init_sees_inner_numbers)
{
	struct child_ends r;
	int i;

	start_ns(_metadata, self, init_sees_children_end);
	ASSERT_EQ(0, read_timeout(self->rep[0], &r, sizeof(r), 10000));
	finish_ns(_metadata, self);
	for (i = 0; i < 2; i++) {
		EXPECT_EQ(i + 2, r.forked[i]);
		EXPECT_EQ(SIGCHLD, r.sigchld[i].signo);
		EXPECT_EQ(CLD_EXITED, r.sigchld[i].code);
		EXPECT_EQ(child_end_statuses[i], r.sigchld[i].status);
		EXPECT_EQ(r.forked[i], r.sigchld[i].pid) {
			TH_LOG("si_pid of SIGCHLD %d in init", i);
		}
		EXPECT_EQ(CLD_EXITED, r.waited[i].code);
		EXPECT_EQ(child_end_statuses[i], r.waited[i].status);
		EXPECT_EQ(r.forked[i], r.waited[i].pid) {
			TH_LOG("si_pid from waitid() %d in init", i);
		}
	}
}

TEST_HARNESS_MAIN
