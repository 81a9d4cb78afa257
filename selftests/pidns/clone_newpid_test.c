// SPDX-License-Identifier: GPL-2.0
/*
 * clone(CLONE_NEWPID): the child is the first task of a new PID namespace.
 * Inside, it is pid 1 with no parent (getppid() is 0) and its own children
 * count from 2; its parent, outside, knows it by another number.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <linux/sched.h>

#include "pidns_util.h"
#include "kselftest_harness.h"

/* What a task inside the new namespace reports to the test. */
struct ids {
	pid_t pid;		/* getpid() */
	pid_t ppid;		/* getppid() */
	pid_t other;		/* test-specific: a pid it saw */
};

FIXTURE(newpid) {
	int fds[2];		/* child -> test */
	pid_t child;		/* in the test's namespace */
};

FIXTURE_SETUP(newpid)
{
	self->fds[0] = self->fds[1] = -1;
	self->child = -1;
	if (geteuid() != 0)
		SKIP(return, "CLONE_NEWPID needs CAP_SYS_ADMIN: run as root");
	ASSERT_EQ(0, pipe2(self->fds, O_CLOEXEC));
}

FIXTURE_TEARDOWN(newpid)
{
	if (self->child > 0) {
		kill(self->child, SIGKILL);
		waitpid(self->child, NULL, 0);
	}
	if (self->fds[0] >= 0)
		close(self->fds[0]);
	if (self->fds[1] >= 0)
		close(self->fds[1]);
}

/* Start the namespace; in the child, run fn and exit with its status. */
static pid_t start_ns(struct __test_metadata *_metadata,
		      FIXTURE_DATA(newpid) *self, int (*fn)(int fd))
{
	pid_t pid = fork_newpid();

	if (pid == 0) {
		close(self->fds[0]);
		_exit(fn(self->fds[1]));
	}
	ASSERT_GT(pid, 0) {
		TH_LOG("clone(CLONE_NEWPID): %s", strerror(errno));
	}
	close(self->fds[1]);
	self->fds[1] = -1;
	self->child = pid;
	return pid;
}

/* Reap the namespace's init and check that it exited with status 0. */
static void reap_ns(struct __test_metadata *_metadata,
		    FIXTURE_DATA(newpid) *self)
{
	int status;

	ASSERT_EQ(self->child, waitpid(self->child, &status, 0));
	self->child = -1;
	ASSERT_TRUE(WIFEXITED(status)) {
		TH_LOG("namespace init died with status 0x%x", status);
	}
	EXPECT_EQ(0, WEXITSTATUS(status)) {
		TH_LOG("namespace init failed a check of its own");
	}
}

static int report_self(int fd)
{
	char buf[32];
	struct ids ids = { getpid(), getppid(), -1 };
	ssize_t n;

	/* /proc here is the parent's mount: its numbers, not ours. */
	n = readlink("/proc/self", buf, sizeof(buf) - 1);
	if (n > 0) {
		buf[n] = '\0';
		ids.other = atoi(buf);
	}
	return write_full(fd, &ids, sizeof(ids)) ? 1 : 0;
}

/* The first task of a new namespace is pid 1 there, with ppid 0. */
TEST_F(newpid, first_task_is_pid_1)
{
	struct ids ids;

	start_ns(_metadata, self, report_self);
	ASSERT_EQ(0, read_full(self->fds[0], &ids, sizeof(ids)));
	EXPECT_EQ(1, ids.pid);
	EXPECT_EQ(0, ids.ppid);
	reap_ns(_metadata, self);
}

/* Its parent knows it by another number, a live pid of the parent's level. */
TEST_F(newpid, parent_sees_another_number)
{
	struct ids ids;

	start_ns(_metadata, self, report_self);
	ASSERT_EQ(0, read_full(self->fds[0], &ids, sizeof(ids)));
	EXPECT_NE(1, self->child);
	EXPECT_NE(ids.pid, self->child);
	EXPECT_EQ(0, kill(self->child, 0));
	/* A proc mounted in the parent's namespace shows the parent's number. */
	EXPECT_EQ(self->child, ids.other);
	reap_ns(_metadata, self);
}

static int fork_second_task(int fd)
{
	int rfd[2], status;
	struct ids ids;
	pid_t pid;

	if (pipe(rfd))
		return 1;
	pid = fork();
	if (pid < 0)
		return 1;
	if (pid == 0) {
		close(rfd[0]);
		_exit(report_self(rfd[1]));
	}
	close(rfd[1]);
	if (read_full(rfd[0], &ids, sizeof(ids)))
		return 1;
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) ||
	    WEXITSTATUS(status))
		return 1;
	/* Pass on what the second task saw, and what fork() returned. */
	ids.other = pid;
	return write_full(fd, &ids, sizeof(ids)) ? 1 : 0;
}

/* The namespace's next task is pid 2, child of pid 1, as fork() says. */
TEST_F(newpid, second_task_is_pid_2)
{
	struct ids ids;

	start_ns(_metadata, self, fork_second_task);
	ASSERT_EQ(0, read_full(self->fds[0], &ids, sizeof(ids)));
	EXPECT_EQ(2, ids.pid);
	EXPECT_EQ(1, ids.ppid);
	EXPECT_EQ(2, ids.other);
	reap_ns(_metadata, self);
}

/* clone3() with CLONE_NEWPID does the same as clone(). */
TEST_F(newpid, clone3_first_task_is_pid_1)
{
	struct clone_args args = {
		.flags = CLONE_NEWPID,
		.exit_signal = SIGCHLD,
	};
	struct ids ids;
	pid_t pid;

	pid = syscall(SYS_clone3, &args, sizeof(args));
	if (pid < 0 && errno == ENOSYS)
		SKIP(return, "clone3() is not available");
	if (pid == 0) {
		close(self->fds[0]);
		_exit(report_self(self->fds[1]));
	}
	ASSERT_GT(pid, 0) {
		TH_LOG("clone3(CLONE_NEWPID): %s", strerror(errno));
	}
	self->child = pid;
	close(self->fds[1]);
	self->fds[1] = -1;
	ASSERT_EQ(0, read_full(self->fds[0], &ids, sizeof(ids)));
	EXPECT_EQ(1, ids.pid);
	EXPECT_EQ(0, ids.ppid);
	EXPECT_NE(1, pid);
	reap_ns(_metadata, self);
}

/*
 * Without CAP_SYS_ADMIN in its user namespace, a caller may not create a
 * PID namespace: EPERM (the baseline says EINVAL, it has none to create).
 */
TEST_F(newpid, unprivileged_is_eperm)
{
	int status;
	pid_t pid;

	pid = fork();
	ASSERT_GE(pid, 0);
	if (pid == 0) {
		pid_t child;

		if (setresgid(65534, 65534, 65534) ||
		    setresuid(65534, 65534, 65534))
			_exit(100);
		child = fork_newpid();
		if (child == 0)
			_exit(0);
		if (child > 0) {
			waitpid(child, NULL, 0);
			_exit(101);
		}
		_exit(errno == EPERM ? 0 : 102);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status)) {
		TH_LOG("%s", WEXITSTATUS(status) == 101 ?
		       "an unprivileged caller created a PID namespace" :
		       WEXITSTATUS(status) == 102 ?
		       "the error was not EPERM" : "could not drop privileges");
	}
}

static int thread_fn(void *arg)
{
	syscall(SYS_exit, 0);
	return 0;
}

/*
 * A thread cannot be put in a new PID namespace: CLONE_NEWPID with
 * CLONE_THREAD is EINVAL.  The baseline rejects it too (listed in
 * baseline-passes).
 */
TEST(newpid_with_thread_is_einval)
{
	size_t size = 64 * 1024;
	char *stack = malloc(size);
	int ret;

	ASSERT_NE(NULL, stack);
	ret = clone(thread_fn, stack + size,
		    CLONE_NEWPID | CLONE_THREAD | CLONE_SIGHAND | CLONE_VM,
		    NULL);
	EXPECT_EQ(-1, ret);
	EXPECT_EQ(EINVAL, errno);
	if (ret > 0)
		sleep(1);	/* let the thread leave its stack */
	free(stack);
}

TEST_HARNESS_MAIN
