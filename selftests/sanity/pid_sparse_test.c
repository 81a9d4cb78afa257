// SPDX-License-Identifier: GPL-2.0
/*
 * Pids far apart, in the root namespace, with pid_max at 4194304 as systemd
 * sets it: tasks placed with ns_last_pid at both sides of the pid table's
 * leaf (512) and mid (131072) boundaries and at the top of the space are
 * all listed by /proc readdir, which is what ps and pgrep read, and all
 * found by number.  Dense pids from a fresh table hide the bugs this
 * guards against; these numbers are placed, not forked through.  Passes
 * on every variant.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <stdlib.h>

#include "../pidns/pidns_util.h"
#include "kselftest_harness.h"

#define PID_MAX_LIMIT 4194304
#define NS_LAST_PID "/proc/sys/kernel/ns_last_pid"
#define PID_MAX "/proc/sys/kernel/pid_max"

/* Ascending; neighbours in one leaf, empty leaves and mids between. */
static const int sparse[] = {
	531, 601, 1201, 1801, 2401, 131071, 131072, 131073, 131584,
	262151, 2097152, PID_MAX_LIMIT - 513, PID_MAX_LIMIT - 1,
};

#define NR_SPARSE ((int)(sizeof(sparse) / sizeof(sparse[0])))

FIXTURE(sparse) {
	int pid_max;			/* to restore */
	pid_t pids[NR_SPARSE];
};

/* A child that waits to be killed. */
static pid_t spawn(void)
{
	pid_t pid = fork();

	if (pid == 0) {
		pause();
		_exit(0);
	}
	return pid;
}

/* A child at @nr, or -1: ns_last_pid can only ask, another task may win. */
static pid_t spawn_at(int nr)
{
	if (sysctl_write_int(NS_LAST_PID, nr - 1))
		return -1;
	return spawn();
}

static void kill_placed(FIXTURE_DATA(sparse) *self)
{
	int i;

	for (i = 0; i < NR_SPARSE; i++) {
		kill_and_reap(self->pids[i]);
		self->pids[i] = 0;
	}
}

FIXTURE_SETUP(sparse)
{
	const char *skip = raise_pid_max(&self->pid_max, PID_MAX_LIMIT);
	int i;

	memset(self->pids, 0, sizeof(self->pids));
	if (skip)
		SKIP(return, "%s", skip);
	for (i = 0; i < NR_SPARSE; i++) {
		self->pids[i] = spawn_at(sparse[i]);
		if (self->pids[i] == sparse[i])
			continue;
		/* The teardown does not run after a failed setup. */
		TH_LOG("asked for pid %d with ns_last_pid, got %d", sparse[i],
		       self->pids[i]);
		kill_placed(self);
		sysctl_write_int(PID_MAX, self->pid_max);
		ASSERT_TRUE(false);
	}
}

FIXTURE_TEARDOWN(sparse)
{
	kill_placed(self);
	if (self->pid_max > 0)
		sysctl_write_int(PID_MAX, self->pid_max);
}

/* readdir of /proc lists each placed task exactly once. */
TEST_F(sparse, proc_readdir_lists_every_task)
{
	int found[NR_SPARSE] = { 0 }, i, nr;
	struct dirent *de;
	DIR *d = opendir("/proc");

	ASSERT_NE(NULL, d);
	while ((de = readdir(d))) {
		nr = atoi(de->d_name);
		for (i = 0; i < NR_SPARSE; i++)
			if (nr == sparse[i])
				found[i]++;
	}
	closedir(d);
	for (i = 0; i < NR_SPARSE; i++) {
		if (found[i] != 1)
			TH_LOG("pid %d listed %d times", sparse[i], found[i]);
		EXPECT_EQ(1, found[i]);
	}
}

/* What getdents64 returns, without libc's fixed-size name. */
struct linux_dirent64 {
	uint64_t d_ino;
	int64_t d_off;
	unsigned short d_reclen;
	unsigned char d_type;
	char d_name[];
};

/* A listing resumed after every entry goes on to the next placed task. */
TEST_F(sparse, proc_readdir_resumes_in_small_reads)
{
	/* Room for one or two entries: every call resumes the listing. */
	uint64_t buf[8];
	int found[NR_SPARSE] = { 0 }, i, fd, n, off;
	struct linux_dirent64 *de;

	fd = open("/proc", O_RDONLY | O_DIRECTORY);
	ASSERT_GE(fd, 0);
	while ((n = syscall(SYS_getdents64, fd, buf, sizeof(buf))) > 0) {
		for (off = 0; off < n; off += de->d_reclen) {
			de = (struct linux_dirent64 *)((char *)buf + off);
			for (i = 0; i < NR_SPARSE; i++)
				found[i] += atoi(de->d_name) == sparse[i];
		}
	}
	close(fd);
	EXPECT_EQ(0, n);
	for (i = 0; i < NR_SPARSE; i++) {
		if (found[i] != 1)
			TH_LOG("pid %d listed %d times", sparse[i], found[i]);
		EXPECT_EQ(1, found[i]);
	}
}

/* Each placed task has its /proc directory and its own pid in it. */
TEST_F(sparse, found_by_number)
{
	char path[64];
	int i, val;

	for (i = 0; i < NR_SPARSE; i++) {
		snprintf(path, sizeof(path), "/proc/%d/status", sparse[i]);
		ASSERT_EQ(1, proc_read_ints(AT_FDCWD, path, "Pid", &val, 1));
		EXPECT_EQ(sparse[i], val);
		EXPECT_EQ(0, kill(sparse[i], 0));
	}
}

/* Near the top, forks take the last numbers, then wrap around to 300. */
TEST_F(sparse, wraps_from_the_top)
{
	pid_t a, b, c;

	kill_and_reap(self->pids[NR_SPARSE - 1]);
	self->pids[NR_SPARSE - 1] = 0;
	a = spawn_at(PID_MAX_LIMIT - 2);
	b = spawn();
	c = spawn();
	EXPECT_EQ(PID_MAX_LIMIT - 2, a);
	EXPECT_EQ(PID_MAX_LIMIT - 1, b);
	EXPECT_GE(c, 300);
	EXPECT_LT(c, sparse[0]);
	kill_and_reap(a);
	kill_and_reap(b);
	kill_and_reap(c);
}

TEST_HARNESS_MAIN
