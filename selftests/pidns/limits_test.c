// SPDX-License-Identifier: GPL-2.0
/*
 * The limits on PID namespaces.  Nesting: a namespace 32 levels below the
 * root is the deepest there is; from there clone(CLONE_NEWPID), clone3()
 * and unshare(CLONE_NEWPID) fail with ENOSPC, while plain fork() works.
 * Count: /proc/sys/user/max_pid_namespaces caps the namespaces a user has
 * at once; at 0, or at 1 with one alive, creating one is ENOSPC, and once
 * the old value is back it works again.  The sysctl is global: the test
 * saves it and puts it back, in its teardown and when the program exits.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <linux/nsfs.h>
#include <linux/sched.h>

#include "pidns_util.h"
#include "kselftest_harness.h"

/* Seconds any task of a test may live. */
#define TASK_TIMEOUT 20

/* Mainline's MAX_PID_NS_LEVEL: the root is level 0. */
#define MAX_LEVEL 32

/* clone3_newpid - clone3(CLONE_NEWPID), forking like fork(). */
static pid_t clone3_newpid(void)
{
	struct clone_args args = {
		.flags = CLONE_NEWPID,
		.exit_signal = SIGCHLD,
	};

	return syscall(SYS_clone3, &args, sizeof(args));
}

/* ns_level - the level of the caller's namespace (0: root), or -1. */
static int ns_level(void)
{
	int fd, parent, level = 0;

	fd = open("/proc/self/ns/pid", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	while ((parent = ioctl(fd, NS_GET_PARENT)) >= 0) {
		close(fd);
		fd = parent;
		level++;
	}
	close(fd);
	return errno == EPERM ? level : -1;
}

/* What the deepest level found. */
struct deepest {
	int level;		/* the deepest level reached */
	int clone_err;		/* errno of clone(CLONE_NEWPID) there */
	int clone3_err;		/* of clone3(CLONE_NEWPID) */
	int unshare_err;	/* of unshare(CLONE_NEWPID) */
	pid_t forked;		/* what fork() returned there */
	pid_t self;		/* getpid() there */
};

/* try_newpid - the errno of creating a namespace with @how, 0 if it worked. */
static int try_newpid(int how)
{
	pid_t pid;

	if (how == 2)
		return unshare(CLONE_NEWPID) ? errno : 0;
	pid = how ? clone3_newpid() : fork_newpid();
	if (pid == 0)
		_exit(0);
	if (pid < 0)
		return errno;
	waitpid(pid, NULL, 0);
	return 0;
}

/*
 * descend - at @level, start level + 1 until @last; at @last, try to go
 * one further and report to @rep.  Returns the exit status.
 */
static int descend(int level, int last, int rep)
{
	struct deepest d = { .level = level, .self = getpid() };
	int status;
	pid_t pid;

	if (level < last) {
		pid = fork_newpid();
		if (pid == 0) {
			ns_alarm(TASK_TIMEOUT);
			_exit(descend(level + 1, last, rep));
		}
		if (pid > 0) {
			if (waitpid(pid, &status, 0) != pid)
				return 1;
			return WIFEXITED(status) ? WEXITSTATUS(status) : 1;
		}
		/* Stuck short of the last level: say where, and why. */
		d.clone_err = errno;
		return write_full(rep, &d, sizeof(d)) ? 1 : 0;
	}
	d.clone_err = try_newpid(0);
	d.clone3_err = try_newpid(1);
	d.unshare_err = try_newpid(2);
	d.forked = fork();
	if (d.forked == 0)
		_exit(0);
	if (d.forked > 0)
		waitpid(d.forked, NULL, 0);
	return write_full(rep, &d, sizeof(d)) ? 1 : 0;
}

FIXTURE(nesting) {
	pid_t top;		/* init of the first level below the test's */
	int rep[2];		/* the deepest level's report */
};

FIXTURE_SETUP(nesting)
{
	self->top = -1;
	self->rep[0] = self->rep[1] = -1;
	if (geteuid() != 0)
		SKIP(return, "CLONE_NEWPID needs CAP_SYS_ADMIN: run as root");
	ASSERT_EQ(0, pipe2(self->rep, O_CLOEXEC));
}

FIXTURE_TEARDOWN(nesting)
{
	/* Killing the first level's init ends every level below it. */
	kill_and_reap(self->top);
	if (self->rep[0] >= 0)
		close(self->rep[0]);
	if (self->rep[1] >= 0)
		close(self->rep[1]);
}

/*
 * From the root, 32 nested namespaces can be made, down to level 32; the
 * 33rd is ENOSPC however it is asked for, and fork() still works there.
 */
TEST_F_TIMEOUT(nesting, stops_at_level_32, TASK_TIMEOUT + 20)
{
	struct deepest d;
	int level, status;

	level = ns_level();
	ASSERT_GE(level, 0) {
		TH_LOG("no level for /proc/self/ns/pid: %s", strerror(errno));
	}
	self->top = fork_newpid();
	if (self->top == 0) {
		close(self->rep[0]);
		ns_alarm(TASK_TIMEOUT);
		_exit(descend(level + 1, MAX_LEVEL, self->rep[1]));
	}
	ASSERT_GT(self->top, 0) {
		TH_LOG("clone(CLONE_NEWPID) at level %d: %s", level,
		       strerror(errno));
	}
	close(self->rep[1]);
	self->rep[1] = -1;
	ASSERT_EQ(0, read_timeout(self->rep[0], &d, sizeof(d),
				  TASK_TIMEOUT * 1000));
	ASSERT_EQ(self->top, wait_timeout(self->top, &status, 0, 10000));
	self->top = -1;
	EXPECT_EQ(0, status);
	ASSERT_EQ(MAX_LEVEL, d.level) {
		TH_LOG("clone(CLONE_NEWPID) at level %d: %s", d.level,
		       strerror(d.clone_err));
	}
	EXPECT_EQ(1, d.self);
	EXPECT_EQ(ENOSPC, d.clone_err) {
		TH_LOG("clone(CLONE_NEWPID) at level 32: %s",
		       d.clone_err ? strerror(d.clone_err) : "worked");
	}
	EXPECT_EQ(ENOSPC, d.clone3_err) {
		TH_LOG("clone3(CLONE_NEWPID) at level 32: %s",
		       d.clone3_err ? strerror(d.clone3_err) : "worked");
	}
	EXPECT_EQ(ENOSPC, d.unshare_err) {
		TH_LOG("unshare(CLONE_NEWPID) at level 32: %s",
		       d.unshare_err ? strerror(d.unshare_err) : "worked");
	}
	EXPECT_GT(d.forked, 1) {
		TH_LOG("fork() at level 32");
	}
}

static const char max_path[] = "/proc/sys/user/max_pid_namespaces";

/*
 * max_pid_namespaces is global: put it back when the program ends, whatever
 * became of the test (the harness kills a test that times out before its
 * teardown can run).
 */
static int boot_max = -1;

static void __attribute__((constructor)) save_max(void)
{
	boot_max = sysctl_read_int(max_path);
}

static void __attribute__((destructor)) restore_max(void)
{
	if (boot_max >= 0 && sysctl_read_int(max_path) != boot_max)
		sysctl_write_int(max_path, boot_max);
}

FIXTURE(maxns) {
	int saved;		/* max_pid_namespaces before the test */
	pid_t init;		/* a namespace kept alive, or -1 */
	int hold[2];		/* init lives until hold[1] closes */
	int rep[2];		/* init's report */
};

FIXTURE_SETUP(maxns)
{
	self->init = -1;
	self->hold[0] = self->hold[1] = self->rep[0] = self->rep[1] = -1;
	if (geteuid() != 0)
		SKIP(return, "CLONE_NEWPID needs CAP_SYS_ADMIN: run as root");
	self->saved = sysctl_read_int(max_path);
	ASSERT_GE(self->saved, 0) {
		TH_LOG("%s: %s", max_path, strerror(errno));
	}
	ASSERT_EQ(0, pipe2(self->hold, O_CLOEXEC));
	ASSERT_EQ(0, pipe2(self->rep, O_CLOEXEC));
}

FIXTURE_TEARDOWN(maxns)
{
	int i;

	if (self->saved >= 0 && sysctl_read_int(max_path) != self->saved)
		sysctl_write_int(max_path, self->saved);
	for (i = 0; i < 2; i++)
		if (self->hold[i] >= 0)
			close(self->hold[i]);
	kill_and_reap(self->init);
	for (i = 0; i < 2; i++)
		if (self->rep[i] >= 0)
			close(self->rep[i]);
}

/* expect_newpid - creating a namespace gives @err (0: it works). */
static void expect_newpid(struct __test_metadata *_metadata, int err,
			  const char *when)
{
	int got = try_newpid(0);

	EXPECT_EQ(err, got) {
		TH_LOG("clone(CLONE_NEWPID) %s: %s", when,
		       got ? strerror(got) : "worked");
	}
	got = try_newpid(1);
	EXPECT_EQ(err, got) {
		TH_LOG("clone3(CLONE_NEWPID) %s: %s", when,
		       got ? strerror(got) : "worked");
	}
}

/* At 0, no namespace can be made: ENOSPC; with the old value back, it can. */
TEST_F(maxns, zero_is_enospc_until_restored)
{
	int status;
	pid_t pid;

	expect_newpid(_metadata, 0, "before the limit");
	ASSERT_EQ(0, sysctl_write_int(max_path, 0));
	ASSERT_EQ(0, sysctl_read_int(max_path));
	expect_newpid(_metadata, ENOSPC, "with max_pid_namespaces 0");
	/* unshare() counts too; in a child, to keep the test where it is. */
	pid = fork();
	if (pid == 0)
		_exit(try_newpid(2));
	ASSERT_GT(pid, 0);
	ASSERT_EQ(pid, wait_timeout(pid, &status, 0, 10000));
	EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == ENOSPC) {
		TH_LOG("unshare(CLONE_NEWPID) with max_pid_namespaces 0: 0x%x",
		       status);
	}
	ASSERT_EQ(0, sysctl_write_int(max_path, self->saved));
	expect_newpid(_metadata, 0, "with the limit restored");
}

/* A namespace's init: tries to make one below, reports, and waits. */
static int nest_once(FIXTURE_DATA(maxns) *self)
{
	int err;
	char c;

	close(self->hold[1]);
	close(self->rep[0]);
	/* A byte on hold: the test has lowered the limit. */
	if (read(self->hold[0], &c, 1) != 1)
		return 1;
	err = try_newpid(0);
	if (write_full(self->rep[1], &err, sizeof(err)))
		return 1;
	return read(self->hold[0], &c, 1) == 0 ? 0 : 1;
}

/*
 * With one namespace alive and the limit at 1, neither the test nor that
 * namespace's init can make another: ENOSPC.  Restored, both can.
 */
TEST_F(maxns, live_namespace_counts)
{
	int err;

	self->init = fork_newpid();
	if (self->init == 0) {
		ns_alarm(TASK_TIMEOUT);
		_exit(nest_once(self));
	}
	ASSERT_GT(self->init, 0) {
		TH_LOG("clone(CLONE_NEWPID): %s", strerror(errno));
	}
	close(self->hold[0]);
	self->hold[0] = -1;
	close(self->rep[1]);
	self->rep[1] = -1;

	ASSERT_EQ(0, sysctl_write_int(max_path, 1));
	expect_newpid(_metadata, ENOSPC, "with one alive and the limit 1");
	ASSERT_EQ(0, write_full(self->hold[1], "x", 1));
	ASSERT_EQ(0, read_timeout(self->rep[0], &err, sizeof(err), 10000));
	EXPECT_EQ(ENOSPC, err) {
		TH_LOG("clone(CLONE_NEWPID) inside, limit 1: %s",
		       err ? strerror(err) : "worked");
	}
	ASSERT_EQ(0, sysctl_write_int(max_path, self->saved));
	expect_newpid(_metadata, 0, "with the limit restored");
}

TEST_HARNESS_MAIN
