// SPDX-License-Identifier: GPL-2.0
/*
 * unshare(CLONE_NEWPID) makes a namespace for the caller's children, not
 * for the caller: its getpid() does not change, its first child is pid 1
 * of the new namespace with parent 0, and its second child pid 2 there,
 * with parent 0 too.  The namespace ends with that init: fork() after the
 * init died is ENOMEM.  A second unshare(CLONE_NEWPID), before or after
 * the first child, is EINVAL, and so is a new thread, which could not be
 * in its group leader's namespace.  Without CAP_SYS_ADMIN unshare() is
 * EPERM.  Each test unshares in its own process, the harness's child.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "pidns_util.h"
#include "kselftest_harness.h"

/* Seconds any task of a test may live. */
#define TASK_TIMEOUT 20

/* What a child reports about itself. */
struct ids {
	pid_t pid, ppid;
};

/*
 * fork_reporter - fork a child that writes its ids to @rep and exits 0,
 * after @hold_w has been closed if @hold_r is not -1; -1 on error.
 */
static pid_t fork_reporter(int rep, int hold_r, int hold_w)
{
	pid_t pid = fork();

	if (pid == 0) {
		struct ids ids = { getpid(), getppid() };
		char c;

		ns_alarm(TASK_TIMEOUT);
		close(hold_w);
		if (write_full(rep, &ids, sizeof(ids)))
			_exit(1);
		if (hold_r < 0)
			_exit(0);
		_exit(read(hold_r, &c, 1) == 0 ? 0 : 1);
	}
	return pid;
}

#define NOT_ROOT "CLONE_NEWPID needs CAP_SYS_ADMIN: run as root"

/*
 * The caller keeps its pid and parent; its first child is pid 1 with
 * parent 0, its second pid 2 with parent 0: the caller is outside.  The
 * second goes first: the init's end waits for every task of its
 * namespace to be reaped, and the caller reaps the second.
 */
TEST(caller_stays_children_go_in)
{
	pid_t me = getpid(), parent = getppid(), child[2];
	int rep[2], hold[2], i, status;
	struct ids ids[2];

	if (geteuid() != 0)
		SKIP(return, NOT_ROOT);
	ASSERT_EQ(0, pipe2(rep, O_CLOEXEC));
	ASSERT_EQ(0, pipe2(hold, O_CLOEXEC));
	ASSERT_EQ(0, unshare(CLONE_NEWPID)) {
		TH_LOG("unshare(CLONE_NEWPID): %s", strerror(errno));
	}
	EXPECT_EQ(me, getpid());
	EXPECT_EQ(parent, getppid());
	for (i = 0; i < 2; i++) {
		child[i] = fork_reporter(rep[1], i ? -1 : hold[0], hold[1]);
		ASSERT_GT(child[i], 0) {
			TH_LOG("fork %d after unshare(): %s", i,
			       strerror(errno));
		}
		ASSERT_EQ(0, read_timeout(rep[0], &ids[i], sizeof(ids[i]),
					  10000));
	}
	EXPECT_EQ(child[1], wait_timeout(child[1], &status, 0, 10000));
	EXPECT_EQ(0, status);
	close(hold[1]);
	EXPECT_EQ(child[0], wait_timeout(child[0], &status, 0, 10000));
	EXPECT_EQ(0, status);
	for (i = 0; i < 2; i++) {
		EXPECT_NE(ids[i].pid, child[i]);
		EXPECT_EQ(i + 1, ids[i].pid) {
			TH_LOG("getpid() in child %d", i);
		}
		EXPECT_EQ(0, ids[i].ppid) {
			TH_LOG("getppid() in child %d", i);
		}
	}
}

/* A second unshare(CLONE_NEWPID) is EINVAL, before the first child or after. */
TEST(second_unshare_is_einval)
{
	int hold[2], rep[2], status;
	struct ids ids;
	pid_t child;

	if (geteuid() != 0)
		SKIP(return, NOT_ROOT);
	ASSERT_EQ(0, pipe2(rep, O_CLOEXEC));
	ASSERT_EQ(0, pipe2(hold, O_CLOEXEC));
	ASSERT_EQ(0, unshare(CLONE_NEWPID)) {
		TH_LOG("unshare(CLONE_NEWPID): %s", strerror(errno));
	}
	EXPECT_EQ(-1, unshare(CLONE_NEWPID));
	EXPECT_EQ(EINVAL, errno);
	child = fork_reporter(rep[1], hold[0], hold[1]);
	ASSERT_GT(child, 0);
	ASSERT_EQ(0, read_timeout(rep[0], &ids, sizeof(ids), 10000));
	EXPECT_EQ(1, ids.pid);
	EXPECT_EQ(-1, unshare(CLONE_NEWPID));
	EXPECT_EQ(EINVAL, errno);
	close(hold[1]);
	EXPECT_EQ(child, wait_timeout(child, &status, 0, 10000));
}

static void *thread_fn(void *arg)
{
	return arg;
}

static int bare_thread_fn(void *arg)
{
	syscall(SYS_exit, 0);
	return 0;
}

/*
 * After unshare(CLONE_NEWPID) a thread would be in another namespace than
 * its group: pthread_create() and clone(CLONE_THREAD) are EINVAL, while
 * fork() works.  (Before unshare() both work.)
 */
TEST(thread_after_unshare_is_einval)
{
	size_t size = 64 * 1024;
	char *stack = malloc(size);
	pthread_t thread;
	int ret, status;
	pid_t child;

	if (geteuid() != 0)
		SKIP(return, NOT_ROOT);
	ASSERT_NE(NULL, stack);
	ASSERT_EQ(0, pthread_create(&thread, NULL, thread_fn, NULL));
	ASSERT_EQ(0, pthread_join(thread, NULL));
	ASSERT_EQ(0, unshare(CLONE_NEWPID)) {
		TH_LOG("unshare(CLONE_NEWPID): %s", strerror(errno));
	}
	ret = pthread_create(&thread, NULL, thread_fn, NULL);
	EXPECT_EQ(EINVAL, ret) {
		TH_LOG("pthread_create() after unshare(): %s", strerror(ret));
	}
	if (!ret)
		pthread_join(thread, NULL);
	ret = clone(bare_thread_fn, stack + size,
		    CLONE_THREAD | CLONE_SIGHAND | CLONE_VM, NULL);
	EXPECT_EQ(-1, ret);
	EXPECT_EQ(EINVAL, errno);
	if (ret > 0)
		sleep(1);	/* let the thread leave its stack */
	free(stack);
	child = fork();
	if (child == 0)
		_exit(getpid() == 1 ? 0 : 1);
	ASSERT_GT(child, 0);
	ASSERT_EQ(child, wait_timeout(child, &status, 0, 10000));
	EXPECT_EQ(0, status);
}

/*
 * Once the first child, the namespace's init, has died, the namespace
 * takes no new task: fork() is ENOMEM, mainline's error for it.
 */
TEST(fork_after_init_died_is_enomem)
{
	int status;
	pid_t child;

	if (geteuid() != 0)
		SKIP(return, NOT_ROOT);
	ASSERT_EQ(0, unshare(CLONE_NEWPID)) {
		TH_LOG("unshare(CLONE_NEWPID): %s", strerror(errno));
	}
	child = fork();
	if (child == 0)
		_exit(getpid() == 1 ? 0 : 1);
	ASSERT_GT(child, 0);
	ASSERT_EQ(child, wait_timeout(child, &status, 0, 10000));
	EXPECT_EQ(0, status) {
		TH_LOG("the first child was not pid 1");
	}
	child = fork();
	if (child == 0)
		_exit(0);
	if (child > 0)
		waitpid(child, NULL, 0);
	EXPECT_EQ(-1, child);
	EXPECT_EQ(ENOMEM, errno) {
		TH_LOG("fork() into a dead namespace: %s", strerror(errno));
	}
}

/* Exit statuses of the unprivileged child. */
enum { UNPRIV_OK, UNPRIV_NO_DROP, UNPRIV_SUCCEEDED, UNPRIV_WRONG_ERR };

/* Without CAP_SYS_ADMIN, unshare(CLONE_NEWPID) is EPERM. */
TEST(unprivileged_is_eperm)
{
	int status;
	pid_t pid;

	if (geteuid() != 0)
		SKIP(return, NOT_ROOT);
	pid = fork();
	ASSERT_GE(pid, 0);
	if (pid == 0) {
		if (setresgid(65534, 65534, 65534) ||
		    setresuid(65534, 65534, 65534))
			_exit(UNPRIV_NO_DROP);
		if (!unshare(CLONE_NEWPID))
			_exit(UNPRIV_SUCCEEDED);
		_exit(errno == EPERM ? UNPRIV_OK : UNPRIV_WRONG_ERR);
	}
	ASSERT_EQ(pid, wait_timeout(pid, &status, 0, 10000));
	ASSERT_TRUE(WIFEXITED(status));
	EXPECT_EQ(UNPRIV_OK, WEXITSTATUS(status)) {
		TH_LOG("%s", WEXITSTATUS(status) == UNPRIV_SUCCEEDED ?
		       "an unprivileged caller unshared its PID namespace" :
		       WEXITSTATUS(status) == UNPRIV_WRONG_ERR ?
		       "the error was not EPERM" : "could not drop privileges");
	}
}

TEST_HARNESS_MAIN
