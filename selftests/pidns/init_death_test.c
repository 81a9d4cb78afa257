// SPDX-License-Identifier: GPL-2.0
/*
 * When the init of a PID namespace dies, whether it exits or is killed from
 * outside, the kernel kills every other task of the namespace, those of
 * namespaces nested in it included, and reaps them before init can be
 * reaped.  The tasks hold the write end of a pipe whose read end the test
 * keeps: once waitpid() has returned init, the pipe must be at end of file
 * at once.  And once init is dead, the namespace takes no new task.
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

/* Children of init; each has a child of its own. */
#define NR_CHILDREN 3

/* What init writes on the ready pipe when its first child is stopped. */
#define INIT_READY 'I'

FIXTURE(death) {
	int alive[2];		/* held by every task but init, never written */
	int ready[2];		/* a byte from each task once it is set up */
	int go[2];		/* closed by the test: init, exit now */
	pid_t init;		/* in the test's namespace */
};

FIXTURE_VARIANT(death) {
	bool kill_init;		/* SIGKILL init from outside, or let it exit */
	bool nested;		/* a namespace nested in init's, with a task */
};

FIXTURE_VARIANT_ADD(death, init_exits) {
	.kill_init = false,
	.nested = false,
};

FIXTURE_VARIANT_ADD(death, init_exits_nested) {
	.kill_init = false,
	.nested = true,
};

FIXTURE_VARIANT_ADD(death, init_killed) {
	.kill_init = true,
	.nested = false,
};

FIXTURE_VARIANT_ADD(death, init_killed_nested) {
	.kill_init = true,
	.nested = true,
};

FIXTURE_SETUP(death)
{
	self->alive[0] = self->alive[1] = -1;
	self->ready[0] = self->ready[1] = -1;
	self->go[0] = self->go[1] = -1;
	self->init = -1;
	if (geteuid() != 0)
		SKIP(return, "CLONE_NEWPID needs CAP_SYS_ADMIN: run as root");
	ASSERT_EQ(0, pipe2(self->alive, O_CLOEXEC));
	ASSERT_EQ(0, pipe2(self->ready, O_CLOEXEC));
	ASSERT_EQ(0, pipe2(self->go, O_CLOEXEC));
}

FIXTURE_TEARDOWN(death)
{
	int i;

	kill_and_reap(self->init);
	for (i = 0; i < 2; i++) {
		if (self->alive[i] >= 0)
			close(self->alive[i]);
		if (self->ready[i] >= 0)
			close(self->ready[i]);
		if (self->go[i] >= 0)
			close(self->go[i]);
	}
}

/* A task that only waits to be killed; it says it is there first. */
static void __attribute__((noreturn)) linger(int ready, char id)
{
	ns_alarm(TASK_TIMEOUT);
	write_full(ready, &id, 1);
	for (;;)
		pause();
}

/*
 * A child of init: starts a child of its own, says it is ready and, if it
 * is init's first, stops itself.
 */
static void __attribute__((noreturn)) child(int ready, bool stop)
{
	pid_t pid = fork();

	if (pid == 0)
		linger(ready, 'g');
	if (pid < 0)
		_exit(1);
	if (stop) {
		write_full(ready, "c", 1);
		raise(SIGSTOP);
		for (;;)
			pause();
	}
	linger(ready, 'c');
}

/* The init of a namespace nested in the test's one, with a child. */
static void __attribute__((noreturn)) nested_init(int ready)
{
	pid_t pid = fork();

	if (pid == 0)
		linger(ready, 'm');
	if (pid < 0)
		_exit(1);
	linger(ready, 'n');
}

/*
 * The init under test: starts its children, waits for the first one to
 * stop, says it is ready, and exits when the test closes the go pipe.
 */
static int ns_init(FIXTURE_DATA(death) *self, bool nested)
{
	pid_t pid, first = -1;
	char c, id = INIT_READY;
	int i, status;

	ns_alarm(TASK_TIMEOUT);
	close(self->go[1]);
	close(self->alive[0]);
	close(self->ready[0]);
	for (i = 0; i < NR_CHILDREN; i++) {
		pid = fork();
		if (pid == 0)
			child(self->ready[1], i == 0);
		if (pid < 0)
			return 1;
		if (i == 0)
			first = pid;
	}
	if (nested) {
		pid = fork_newpid();
		if (pid == 0)
			nested_init(self->ready[1]);
		if (pid < 0)
			return 1;
	}
	/* From here on, init holds no reference to the alive pipe. */
	close(self->alive[1]);
	if (waitpid(first, &status, WUNTRACED) != first || !WIFSTOPPED(status))
		id = 'x';
	write_full(self->ready[1], &id, 1);
	while (read(self->go[0], &c, 1) != 0)
		;
	return 0;
}

/*
 * Once init has died and been reaped, the other tasks of its namespace,
 * stopped ones and those of nested namespaces included, are gone too.
 */
TEST_F_TIMEOUT(death, others_die_before_init_is_reaped, TASK_TIMEOUT + 10)
{
	int expect = 2 * NR_CHILDREN + (variant->nested ? 2 : 0) + 1;
	char ids[2 * NR_CHILDREN + 2 + 1], byte;
	int status;
	pid_t pid;

	self->init = fork_newpid();
	if (self->init == 0)
		_exit(ns_init(self, variant->nested));
	ASSERT_GT(self->init, 0) {
		TH_LOG("clone(CLONE_NEWPID): %s", strerror(errno));
	}
	close(self->alive[1]);
	self->alive[1] = -1;
	close(self->ready[1]);
	self->ready[1] = -1;
	close(self->go[0]);
	self->go[0] = -1;

	ASSERT_EQ(0, read_timeout(self->ready[0], ids, expect, 10000)) {
		TH_LOG("the namespace's tasks did not all start: %s",
		       strerror(errno));
	}
	EXPECT_NE(NULL, memchr(ids, INIT_READY, expect)) {
		TH_LOG("init's first child did not stop");
	}
	/* The control: while they live, the pipe is empty, not at its end. */
	ASSERT_EQ(0, fcntl(self->alive[0], F_SETFL, O_NONBLOCK));
	ASSERT_EQ(-1, read(self->alive[0], &byte, 1));
	ASSERT_EQ(EAGAIN, errno);

	if (variant->kill_init) {
		ASSERT_EQ(0, kill(self->init, SIGKILL));
	} else {
		close(self->go[1]);
		self->go[1] = -1;
	}
	pid = wait_timeout(self->init, &status, 0, 10000);
	ASSERT_EQ(self->init, pid) {
		TH_LOG("init was not reaped within 10s");
	}
	self->init = -1;
	if (variant->kill_init) {
		EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL) {
			TH_LOG("init's wait status: 0x%x", status);
		}
	} else {
		EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) {
			TH_LOG("init's wait status: 0x%x", status);
		}
	}

	/* Not a moment later: every other task is gone already. */
	EXPECT_EQ(0, read(self->alive[0], &byte, 1)) {
		TH_LOG("a task of the namespace outlived its init (%s)",
		       strerror(errno));
	}
}

/* What the helper of no_task_after_init_died saw. */
struct after_death {
	int unshare_err;	/* errno of unshare(CLONE_NEWPID), or 0 */
	pid_t init_pid;		/* getpid() in the first child */
	pid_t reaped;		/* waitpid() of the first child */
	int init_status;	/* its wait status */
	pid_t second;		/* fork() after it died */
	int fork_err;		/* errno of that fork() */
};

/*
 * After unshare(CLONE_NEWPID), the caller's next child is the init of the
 * new namespace, and so is the only way to put a task in a namespace
 * whose init has died: fork() again once it is reaped.
 */
static int after_init_died(int fd)
{
	struct after_death r = { 0 };
	int rfd[2];
	pid_t pid;

	ns_alarm(TASK_TIMEOUT);
	if (unshare(CLONE_NEWPID)) {
		r.unshare_err = errno;
		goto out;
	}
	if (pipe(rfd))
		return 1;
	pid = fork();
	if (pid == 0) {
		pid_t self = getpid();

		_exit(write_full(rfd[1], &self, sizeof(self)) ? 1 : 0);
	}
	close(rfd[1]);
	if (pid < 0 || read_full(rfd[0], &r.init_pid, sizeof(r.init_pid)))
		return 1;
	r.reaped = waitpid(pid, &r.init_status, 0);
	r.second = fork();
	if (r.second == 0)
		_exit(0);
	r.fork_err = r.second < 0 ? errno : 0;
	if (r.second > 0)
		waitpid(r.second, NULL, 0);
out:
	return write_full(fd, &r, sizeof(r)) ? 1 : 0;
}

/* Once a namespace's init is dead, fork() cannot put a task in it: ENOMEM. */
TEST(no_task_after_init_died)
{
	struct after_death r;
	int fds[2], status;
	pid_t pid;

	if (geteuid() != 0)
		SKIP(return, "CLONE_NEWPID needs CAP_SYS_ADMIN: run as root");
	ASSERT_EQ(0, pipe(fds));
	pid = fork();
	ASSERT_GE(pid, 0);
	if (pid == 0) {
		close(fds[0]);
		_exit(after_init_died(fds[1]));
	}
	close(fds[1]);
	ASSERT_EQ(0, read_timeout(fds[0], &r, sizeof(r), 10000));
	ASSERT_EQ(pid, wait_timeout(pid, &status, 0, 10000));
	ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	ASSERT_EQ(0, r.unshare_err) {
		TH_LOG("unshare(CLONE_NEWPID): %s", strerror(r.unshare_err));
	}
	EXPECT_EQ(1, r.init_pid);
	EXPECT_GT(r.reaped, 0);
	EXPECT_TRUE(WIFEXITED(r.init_status) && !WEXITSTATUS(r.init_status));
	EXPECT_EQ(-1, r.second) {
		TH_LOG("fork() into a namespace whose init died: pid %d",
		       r.second);
	}
	EXPECT_EQ(ENOMEM, r.fork_err) {
		TH_LOG("fork() into a namespace whose init died: %s",
		       strerror(r.fork_err));
	}
}

TEST_HARNESS_MAIN
