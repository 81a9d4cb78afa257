// SPDX-License-Identifier: GPL-2.0
/*
 * The pid allocator of the root namespace, as user space sees it: the next
 * pid follows /proc/sys/kernel/ns_last_pid, wraps around at pid_max back to
 * RESERVED_PIDS (300), fails with EAGAIN when no number is free and serves
 * again once one is; clone3 set_tid of a taken pid is EEXIST; /proc lists
 * pids wherever they fall.  Pass on every variant: these guard the pid
 * table that replaces the IDR in Part 2.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../pidns/pidns_util.h"
#include "kselftest_harness.h"

#define RESERVED_PIDS 300

static int read_int(const char *path)
{
	char buf[32] = "";
	int fd, n;

	fd = open(path, O_RDONLY);
	if (fd < 0)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	return n > 0 ? atoi(buf) : -1;
}

static int write_int(const char *path, int val)
{
	char buf[32];
	int fd, n, len;

	len = snprintf(buf, sizeof(buf), "%d", val);
	fd = open(path, O_WRONLY);
	if (fd < 0)
		return -1;
	n = write(fd, buf, len);
	close(fd);
	return n == len ? 0 : -1;
}

/* Fork a child that waits for SIGKILL; return its pid or -errno. */
static pid_t spawn(void)
{
	pid_t pid = fork();

	if (pid == 0) {
		pause();
		_exit(0);
	}
	return pid < 0 ? -errno : pid;
}

static void reap(pid_t pid)
{
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
}

FIXTURE(alloc) {
	int pid_max;		/* to restore */
};

FIXTURE_SETUP(alloc)
{
	self->pid_max = -1;
	if (geteuid() != 0)
		SKIP(return, "writing ns_last_pid and pid_max needs root");
	if (access("/proc/sys/kernel/ns_last_pid", W_OK))
		SKIP(return, "no /proc/sys/kernel/ns_last_pid (CONFIG_CHECKPOINT_RESTORE)");
	self->pid_max = read_int("/proc/sys/kernel/pid_max");
	ASSERT_GT(self->pid_max, RESERVED_PIDS);
}

FIXTURE_TEARDOWN(alloc)
{
	if (self->pid_max > 0)
		write_int("/proc/sys/kernel/pid_max", self->pid_max);
}

/* The next fork gets ns_last_pid + 1, also far from the numbers in use. */
TEST_F(alloc, next_pid_follows_ns_last_pid)
{
	int want[] = { 1000, 20000, self->pid_max - 10 };
	unsigned int i;
	pid_t pid;

	for (i = 0; i < ARRAY_SIZE(want); i++) {
		ASSERT_EQ(0, write_int("/proc/sys/kernel/ns_last_pid", want[i] - 1));
		EXPECT_EQ(want[i] - 1, read_int("/proc/sys/kernel/ns_last_pid"));
		pid = spawn();
		ASSERT_GT(pid, 0);
		EXPECT_EQ(want[i], pid);
		EXPECT_EQ(pid, read_int("/proc/sys/kernel/ns_last_pid"));
		reap(pid);
	}
}

/* At pid_max the search wraps around to RESERVED_PIDS, not to 1. */
TEST_F(alloc, wraps_to_reserved_pids)
{
	pid_t pid;

	ASSERT_EQ(0, write_int("/proc/sys/kernel/ns_last_pid", self->pid_max - 1));
	pid = spawn();
	ASSERT_GT(pid, 0);
	EXPECT_GE(pid, RESERVED_PIDS);
	EXPECT_LT(pid, self->pid_max);
	reap(pid);
}

/* With every number taken, fork fails with EAGAIN; a freed one serves again. */
TEST_F(alloc, exhaustion_is_eagain_and_recovers)
{
	pid_t first, second, third;

	/* Only RESERVED_PIDS itself is left once the search has wrapped. */
	ASSERT_EQ(0, write_int("/proc/sys/kernel/pid_max", RESERVED_PIDS + 1));
	ASSERT_EQ(0, write_int("/proc/sys/kernel/ns_last_pid", RESERVED_PIDS));
	first = spawn();
	if (first == -EAGAIN)
		SKIP(return, "pid %d is in use by another task", RESERVED_PIDS);
	ASSERT_EQ(RESERVED_PIDS, first);
	second = spawn();
	EXPECT_EQ(-EAGAIN, second);
	if (second > 0)
		reap(second);
	reap(first);
	third = spawn();
	EXPECT_EQ(RESERVED_PIDS, third);
	if (third > 0)
		reap(third);
}

/* clone3 set_tid naming a pid in use is EEXIST. */
TEST_F(alloc, set_tid_taken_is_eexist)
{
	pid_t tid = getpid();
	pid_t pid = sys_clone3_set_tid(&tid, 1);

	if (pid == 0)
		_exit(0);
	if (pid < 0 && errno == ENOSYS)
		SKIP(return, "clone3() is not available");
	EXPECT_EQ(-1, pid);
	EXPECT_EQ(EEXIST, errno);
}

/* /proc lists every live pid, low or high, and no dead one. */
TEST_F(alloc, proc_readdir_lists_pids)
{
	int want[] = { 2000, 30000 };
	pid_t pids[2];
	int found[2] = { 0, 0 };
	struct dirent *de;
	unsigned int i;
	DIR *d;

	for (i = 0; i < 2; i++) {
		if (want[i] >= self->pid_max)
			SKIP(return, "pid_max %d is below %d", self->pid_max, want[i]);
		ASSERT_EQ(0, write_int("/proc/sys/kernel/ns_last_pid", want[i] - 1));
		pids[i] = spawn();
		ASSERT_GT(pids[i], 0);
	}
	reap(pids[1]);
	d = opendir("/proc");
	ASSERT_NE(NULL, d);
	while ((de = readdir(d))) {
		for (i = 0; i < 2; i++)
			if (atoi(de->d_name) == pids[i])
				found[i]++;
	}
	closedir(d);
	EXPECT_EQ(1, found[0]);
	EXPECT_EQ(0, found[1]);
	reap(pids[0]);
}

TEST_HARNESS_MAIN
