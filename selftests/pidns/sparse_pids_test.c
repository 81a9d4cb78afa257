// SPDX-License-Identifier: GPL-2.0
/*
 * Pids far apart inside a child namespace, with pid_max at 4194304 as
 * systemd sets it.  Tasks placed with ns_last_pid at both sides of the pid
 * table's leaf (512) and mid (131072) boundaries and at the top:
 * - the namespace's own /proc lists them all (what ps reads in a container);
 * - when the init exits, every one of them is killed and the namespace ends
 *   within seconds, wherever its number lies (a container stop);
 * - after a full tail (100..511 taken, ns_last_pid 99) the next pid is 512,
 *   as idr_alloc_cyclic() gives in mainline.
 * The numbers are placed, not forked through: dense pids hide these bugs.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <stdlib.h>

#include "pidns_util.h"
#include "kselftest_harness.h"

#define PID_MAX_LIMIT 4194304
#define NS_LAST_PID "/proc/sys/kernel/ns_last_pid"
#define PID_MAX "/proc/sys/kernel/pid_max"

/* Ascending; neighbours in one leaf, empty leaves and mids between. */
static const int sparse[] = {
	2, 531, 601, 1201, 1801, 2401, 131071, 131072, 131073, 131584,
	262151, 2097152, PID_MAX_LIMIT - 513, PID_MAX_LIMIT - 1,
};

#define NR_SPARSE ((int)(sizeof(sparse) / sizeof(sparse[0])))

/* How an init reports, as its exit status. */
enum {
	INIT_OK,
	INIT_PLACE,		/* a task did not get the number asked for */
	INIT_PROC,		/* mounting the namespace's /proc failed */
	INIT_LISTING,		/* /proc did not list a task exactly once */
	INIT_ORDER,		/* the next pid after the full tail was not 512 */
};

FIXTURE(sparse) {
	int pid_max;		/* to restore */
	pid_t init;		/* until reaped */
	pid_t pgrp;		/* the init's process group: every task of it */
};

FIXTURE_SETUP(sparse)
{
	const char *skip = raise_pid_max(&self->pid_max, PID_MAX_LIMIT);

	self->init = 0;
	self->pgrp = 0;
	if (skip)
		SKIP(return, "%s", skip);
}

FIXTURE_TEARDOWN(sparse)
{
	int status;

	if (self->pid_max > 0)
		sysctl_write_int(PID_MAX, self->pid_max);
	/* After a failure: the init's process group holds every task. */
	if (self->pgrp > 0)
		kill(-self->pgrp, SIGKILL);
	if (self->init > 0 &&
	    wait_timeout(self->init, &status, 0, 30000) != self->init)
		TH_LOG("the init %d could not be reaped", self->init);
}

/* In the init: a child at @nr of this namespace that waits to be killed. */
static pid_t spawn_at(int nr)
{
	pid_t pid;

	if (sysctl_write_int(NS_LAST_PID, nr - 1))
		return -1;
	pid = fork();
	if (pid == 0) {
		pause();
		_exit(0);
	}
	return pid;
}

static int place_sparse(void)
{
	int i;

	for (i = 0; i < NR_SPARSE; i++)
		if (spawn_at(sparse[i]) != sparse[i])
			return -1;
	return 0;
}

/* In the init: SIGKILL and reap every child. */
static void kill_children(void)
{
	kill(-1, SIGKILL);
	while (wait(NULL) > 0 || errno == EINTR)
		;
}

/* Fork the init of a new namespace running @fn; its status is the result. */
static pid_t start_init(int (*fn)(void *), void *arg)
{
	pid_t pid = fork_newpid();

	if (pid == 0) {
		setpgid(0, 0);
		ns_alarm(60);
		_exit(fn(arg));
	}
	return pid;
}

static int list_in_own_proc(void *arg)
{
	int found[NR_SPARSE] = { 0 }, i, nr, ret = INIT_OK;
	struct dirent *de;
	DIR *d;

	if (mount_private_proc())
		return INIT_PROC;
	if (place_sparse()) {
		kill_children();
		return INIT_PLACE;
	}
	d = opendir("/proc");
	if (!d) {
		kill_children();
		return INIT_PROC;
	}
	while ((de = readdir(d))) {
		nr = atoi(de->d_name);
		for (i = 0; i < NR_SPARSE; i++)
			found[i] += nr == sparse[i];
	}
	closedir(d);
	for (i = 0; i < NR_SPARSE; i++)
		if (found[i] != 1) {
			fprintf(stderr, "# pid %d listed %d times\n",
				sparse[i], found[i]);
			ret = INIT_LISTING;
		}
	kill_children();
	return ret;
}

/*
 * Run @fn as the init of a new namespace and wait for it: its exit status,
 * or -1 if it could not start, did not end within a minute or was killed.
 */
static int run_init(FIXTURE_DATA(sparse) *self, int (*fn)(void *))
{
	int status;

	self->init = start_init(fn, NULL);
	if (self->init <= 0)
		return -1;
	self->pgrp = self->init;
	if (wait_timeout(self->init, &status, 0, 60000) != self->init)
		return -1;
	self->init = 0;
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/* The namespace's own /proc lists each placed task exactly once. */
TEST_F_TIMEOUT(sparse, listed_in_own_proc, 90)
{
	EXPECT_EQ(INIT_OK, run_init(self, list_in_own_proc));
}

static int place_and_exit(void *arg)
{
	int *wfd = arg;

	/* The children hold the pipe: EOF tells the test they are gone. */
	if (place_sparse())
		return INIT_PLACE;
	close(*wfd);
	return INIT_OK;
}

/* The init exits: every task dies wherever its number is, and soon. */
TEST_F_TIMEOUT(sparse, init_exit_kills_every_task, 90)
{
	int p[2], status;
	char c;

	ASSERT_EQ(0, pipe(p));
	self->init = start_init(place_and_exit, &p[1]);
	ASSERT_GT(self->init, 0);
	self->pgrp = self->init;
	close(p[1]);
	/* zap_pid_ns_processes() holds the init until the others are gone. */
	ASSERT_EQ(self->init, wait_timeout(self->init, &status, 0, 30000)) {
		TH_LOG("the namespace did not end within 30s of its init's exit");
	}
	self->init = 0;
	ASSERT_TRUE(WIFEXITED(status));
	EXPECT_EQ(INIT_OK, WEXITSTATUS(status));
	EXPECT_EQ(-1, read_timeout(p[0], &c, 1, 5000));
	EXPECT_EQ(ENODATA, errno) {
		TH_LOG("a task of the namespace still holds the pipe");
	}
	close(p[0]);
}

static int order_after_full_tail(void *arg)
{
	int nr;
	pid_t pid;

	if (sysctl_write_int(NS_LAST_PID, 99))
		return INIT_PLACE;
	for (nr = 100; nr < 512; nr++) {
		pid = fork();
		if (pid == 0) {
			pause();
			_exit(0);
		}
		if (pid != nr) {
			kill_children();
			return INIT_PLACE;
		}
	}
	if (sysctl_write_int(NS_LAST_PID, 99)) {
		kill_children();
		return INIT_PLACE;
	}
	pid = fork();
	if (pid == 0) {
		pause();
		_exit(0);
	}
	if (pid != 512)
		fprintf(stderr, "# next pid %d, want 512\n", pid);
	kill_children();
	return pid == 512 ? INIT_OK : INIT_ORDER;
}

/* After a full tail of a leaf, the next pid is the next number: 512. */
TEST_F_TIMEOUT(sparse, next_pid_after_full_tail, 90)
{
	EXPECT_EQ(INIT_OK, run_init(self, order_after_full_tail));
}

TEST_HARNESS_MAIN
