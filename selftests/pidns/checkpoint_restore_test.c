// SPDX-License-Identifier: GPL-2.0
/*
 * What checkpoint/restore uses to recreate pids in PID namespaces.
 * /proc/sys/kernel/ns_last_pid is the last pid of the writer's own
 * namespace (the one current is in, whichever proc the file is in and
 * whoever opened it): writing N inside makes the next pid there N + 1 and
 * leaves the test's namespace alone; values out of 0..pid_max are EINVAL,
 * and without CAP_SYS_ADMIN/CAP_CHECKPOINT_RESTORE writing is EPERM.
 * clone3() set_tid gives one pid per level, innermost first: with
 * CLONE_NEWPID the first must be 1, an outer number in use is EEXIST, and
 * more entries than the child has levels is EINVAL.
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

static const char last_pid_path[] = "/proc/sys/kernel/ns_last_pid";

/* clone3_tids - clone3() with @flags and set_tid @tids; forks like fork(). */
static pid_t clone3_tids(uint64_t flags, const pid_t *tids, size_t n)
{
	struct clone_args args = {
		.flags = flags,
		.exit_signal = SIGCHLD,
		.set_tid = (uintptr_t)tids,
		.set_tid_size = n,
	};

	return syscall(SYS_clone3, &args, sizeof(args));
}

/* read_int_file - the number in a file, opened at @path or, if >= 0, @fd. */
static long read_int_file(const char *path, int fd)
{
	char buf[32] = "";
	int n, own = fd < 0;

	if (own)
		fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	n = pread(fd, buf, sizeof(buf) - 1, 0);
	if (own)
		close(fd);
	return n > 0 ? atol(buf) : -1;
}

/* write_last_pid - write @s to ns_last_pid (@fd if >= 0): 0 or errno. */
static int write_last_pid(int fd, const char *s)
{
	int own = fd < 0, err = 0;

	if (own)
		fd = open(last_pid_path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return errno;
	if (pwrite(fd, s, strlen(s), 0) < 0)
		err = errno;
	if (own)
		close(fd);
	return err;
}

/* free_pid - a pid number above @from not in use in the caller's namespace. */
static pid_t free_pid(pid_t from)
{
	char path[32];
	pid_t pid;

	for (pid = from; pid < from + 1000; pid++) {
		snprintf(path, sizeof(path), "/proc/%d", pid);
		if (kill(pid, 0) && errno == ESRCH && access(path, F_OK))
			return pid;
	}
	return -1;
}

FIXTURE(cr) {
	pid_t init;		/* of a namespace the test made */
	pid_t child;		/* another child of the test, or -1 */
	int rep[2];		/* reports from inside */
	int fd;			/* ns_last_pid, opened by the test */
	int pid_max;
	pid_t last;		/* the test's ns_last_pid at setup */
	pid_t far;		/* a number far above it, for inside */
};

FIXTURE_SETUP(cr)
{
	self->init = self->child = -1;
	self->rep[0] = self->rep[1] = self->fd = -1;
	if (geteuid() != 0)
		SKIP(return, "CLONE_NEWPID needs CAP_SYS_ADMIN: run as root");
	ASSERT_EQ(0, pipe2(self->rep, O_CLOEXEC));
	self->pid_max = read_int_file("/proc/sys/kernel/pid_max", -1);
	ASSERT_GT(self->pid_max, 0);
	self->last = read_int_file(last_pid_path, -1);
	/* A number no fork of the test's namespace will get meanwhile. */
	self->far = self->last + 5000 < self->pid_max - 10 ?
		    self->last + 5000 : self->last / 2;
}

FIXTURE_TEARDOWN(cr)
{
	kill_and_reap(self->child);
	kill_and_reap(self->init);
	if (self->rep[0] >= 0)
		close(self->rep[0]);
	if (self->rep[1] >= 0)
		close(self->rep[1]);
	if (self->fd >= 0)
		close(self->fd);
}

/* start_init - the init of a new namespace runs @fn. */
static void start_init(struct __test_metadata *_metadata,
		       FIXTURE_DATA(cr) *self, int (*fn)(FIXTURE_DATA(cr) *))
{
	self->init = fork_newpid();
	if (self->init == 0) {
		ns_alarm(TASK_TIMEOUT);
		close(self->rep[0]);
		_exit(fn(self));
	}
	ASSERT_GT(self->init, 0) {
		TH_LOG("clone(CLONE_NEWPID): %s", strerror(errno));
	}
	close(self->rep[1]);
	self->rep[1] = -1;
}

/* finish_init - init must exit 0. */
static void finish_init(struct __test_metadata *_metadata,
			FIXTURE_DATA(cr) *self)
{
	int status;

	ASSERT_EQ(self->init, wait_timeout(self->init, &status, 0, 10000));
	self->init = -1;
	EXPECT_EQ(0, status) {
		TH_LOG("init's wait status 0x%x", status);
	}
}

/* What init saw of ns_last_pid. */
struct last_pid_report {
	int missing;		/* no ns_last_pid: no CONFIG_CHECKPOINT_RESTORE */
	long first;		/* ns_last_pid as init found it */
	int err[2];		/* writing self->far through its proc, the fd */
	pid_t forked[2];	/* fork() after each write */
	long after;		/* ns_last_pid after the second fork */
};

/* fork_and_reap - fork a child that exits at once: what fork() returned. */
static pid_t fork_and_reap(void)
{
	pid_t pid = fork();

	if (pid == 0)
		_exit(0);
	if (pid > 0)
		waitpid(pid, NULL, 0);
	return pid;
}

/*
 * Init writes ns_last_pid through a proc of its own namespace, then
 * through the fd the test opened in its namespace, forking after each.
 */
static int set_last_pid(FIXTURE_DATA(cr) *self)
{
	struct last_pid_report r;
	char buf[32];

	memset(&r, 0, sizeof(r));
	if (mount_private_proc())
		return 1;
	r.first = read_int_file(last_pid_path, -1);
	if (r.first < 0 && errno == ENOENT) {
		r.missing = 1;
		return write_full(self->rep[1], &r, sizeof(r)) ? 1 : 0;
	}
	snprintf(buf, sizeof(buf), "%d", self->far);
	r.err[0] = write_last_pid(-1, buf);
	r.forked[0] = fork_and_reap();
	snprintf(buf, sizeof(buf), "%d", self->far + 100);
	r.err[1] = write_last_pid(self->fd, buf);
	r.forked[1] = fork_and_reap();
	r.after = read_int_file(last_pid_path, -1);
	return write_full(self->rep[1], &r, sizeof(r)) ? 1 : 0;
}

/*
 * Inside, ns_last_pid starts at 1, init's pid; writing N makes the next
 * child N + 1, through init's proc and through an fd the test opened
 * alike.  The test's namespace goes on from where it was.
 */
TEST_F(cr, ns_last_pid_is_per_namespace)
{
	struct last_pid_report r;
	pid_t pid;
	long last;

	self->fd = open(last_pid_path, O_RDWR | O_CLOEXEC);
	start_init(_metadata, self, set_last_pid);
	ASSERT_EQ(0, read_timeout(self->rep[0], &r, sizeof(r), 10000));
	finish_init(_metadata, self);
	if (r.missing)
		SKIP(return, "no ns_last_pid (CONFIG_CHECKPOINT_RESTORE)");
	ASSERT_GE(self->fd, 0);
	EXPECT_EQ(1, r.first) {
		TH_LOG("ns_last_pid as init found it");
	}
	EXPECT_EQ(0, r.err[0]) {
		TH_LOG("writing ns_last_pid inside: %s", strerror(r.err[0]));
	}
	EXPECT_EQ(self->far + 1, r.forked[0]);
	EXPECT_EQ(0, r.err[1]) {
		TH_LOG("writing the test's fd inside: %s", strerror(r.err[1]));
	}
	EXPECT_EQ(self->far + 101, r.forked[1]) {
		TH_LOG("the fd the test opened set another namespace's");
	}
	EXPECT_EQ(self->far + 101, r.after);

	last = read_int_file(last_pid_path, -1);
	EXPECT_LT(last, self->far) {
		TH_LOG("the test's ns_last_pid went from %d to %ld",
		       self->last, last);
	}
	pid = fork_and_reap();
	EXPECT_GT(pid, 0);
	EXPECT_LT(pid, self->far);
}

/* What writing ns_last_pid out of range, or unprivileged, did. */
struct range_report {
	int missing;
	int err_negative;	/* writing -1 */
	int err_above;		/* writing pid_max + 1 */
	int err_unpriv;		/* writing as nobody */
	long before, after;	/* ns_last_pid around the writes */
};

static int write_bad_values(FIXTURE_DATA(cr) *self)
{
	struct range_report r;
	char buf[32];
	int status;
	pid_t pid;

	memset(&r, 0, sizeof(r));
	if (mount_private_proc())
		return 1;
	r.before = read_int_file(last_pid_path, -1);
	if (r.before < 0 && errno == ENOENT) {
		r.missing = 1;
		return write_full(self->rep[1], &r, sizeof(r)) ? 1 : 0;
	}
	r.err_negative = write_last_pid(-1, "-1");
	snprintf(buf, sizeof(buf), "%d", self->pid_max + 1);
	r.err_above = write_last_pid(-1, buf);
	pid = fork();
	if (pid == 0) {
		if (setresgid(65534, 65534, 65534) ||
		    setresuid(65534, 65534, 65534))
			_exit(255);
		_exit(write_last_pid(-1, "100"));
	}
	if (pid < 0 || waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		return 1;
	r.err_unpriv = WEXITSTATUS(status);
	r.after = read_int_file(last_pid_path, -1);
	return write_full(self->rep[1], &r, sizeof(r)) ? 1 : 0;
}

/*
 * Inside, ns_last_pid takes 0..pid_max: -1 and pid_max + 1 are EINVAL, a
 * writer without privilege gets EPERM, and the value stays.
 */
TEST_F(cr, ns_last_pid_rejects_bad_writes)
{
	struct range_report r;

	start_init(_metadata, self, write_bad_values);
	ASSERT_EQ(0, read_timeout(self->rep[0], &r, sizeof(r), 10000));
	finish_init(_metadata, self);
	if (r.missing)
		SKIP(return, "no ns_last_pid (CONFIG_CHECKPOINT_RESTORE)");
	EXPECT_EQ(EINVAL, r.err_negative) {
		TH_LOG("writing -1: %s", strerror(r.err_negative));
	}
	EXPECT_EQ(EINVAL, r.err_above) {
		TH_LOG("writing pid_max + 1: %s", strerror(r.err_above));
	}
	EXPECT_EQ(EPERM, r.err_unpriv) {
		TH_LOG("writing as nobody: %s", strerror(r.err_unpriv));
	}
	/* Init is 1, the unprivileged writer 2. */
	EXPECT_EQ(1, r.before);
	EXPECT_EQ(2, r.after);
}

/* A child made with set_tid reports its pid and waits for the test. */
struct tid_child {
	pid_t pid;
	int hold[2];
};

/*
 * start_tid_child - clone3(@flags, @tids): the child writes its getpid()
 * to rep and waits for hold to close.  What clone3() returned.
 */
static pid_t start_tid_child(FIXTURE_DATA(cr) *self, uint64_t flags,
			     const pid_t *tids, size_t n, int hold[2])
{
	pid_t pid = clone3_tids(flags, tids, n);

	if (pid == 0) {
		pid_t me = getpid();
		char c;

		ns_alarm(TASK_TIMEOUT);
		close(hold[1]);
		if (write_full(self->rep[1], &me, sizeof(me)))
			_exit(1);
		_exit(read(hold[0], &c, 1) == 0 ? 0 : 1);
	}
	return pid;
}

/*
 * set_tid {1, free} with CLONE_NEWPID: the child is 1 inside and exactly
 * the free number outside, as clone3(), /proc and waitpid() say.
 */
TEST_F(cr, set_tid_newpid_gives_both_numbers)
{
	int hold[2], status, nspid[4];
	pid_t tids[2], inner;
	char path[64];

	tids[0] = 1;
	tids[1] = free_pid(self->far);
	ASSERT_GT(tids[1], 0);
	ASSERT_EQ(0, pipe2(hold, O_CLOEXEC));
	self->child = start_tid_child(self, CLONE_NEWPID, tids, 2, hold);
	close(hold[0]);
	if (self->child < 0 && errno == ENOSYS)
		SKIP(return, "no clone3()");
	ASSERT_EQ(tids[1], self->child) {
		TH_LOG("clone3(CLONE_NEWPID, set_tid {1, %d}): %s", tids[1],
		       self->child < 0 ? strerror(errno) : "another pid");
	}
	ASSERT_EQ(0, read_timeout(self->rep[0], &inner, sizeof(inner),
				  10000));
	EXPECT_EQ(1, inner);
	snprintf(path, sizeof(path), "/proc/%d/status", self->child);
	ASSERT_EQ(2, proc_read_ints(AT_FDCWD, path, "NSpid", nspid, 4));
	EXPECT_EQ(tids[1], nspid[0]);
	EXPECT_EQ(1, nspid[1]);
	close(hold[1]);
	EXPECT_EQ(tids[1], wait_timeout(self->child, &status, 0, 10000));
	self->child = -1;
	EXPECT_EQ(0, status);
}

/* set_tid {1, the test's own pid} with CLONE_NEWPID: EEXIST. */
TEST_F(cr, set_tid_outer_pid_in_use_is_eexist)
{
	pid_t tids[2] = { 1, getpid() };

	self->child = clone3_tids(CLONE_NEWPID, tids, 2);
	if (self->child == 0)
		_exit(0);
	if (self->child < 0 && errno == ENOSYS)
		SKIP(return, "no clone3()");
	EXPECT_EQ(-1, self->child);
	EXPECT_EQ(EEXIST, errno) {
		TH_LOG("set_tid {1, %d}: %s", tids[1], strerror(errno));
	}
}

/*
 * A new namespace starts at 1: set_tid {2, free} with CLONE_NEWPID is
 * EINVAL, while {1, free} makes the child.
 */
TEST_F(cr, set_tid_newpid_must_start_at_1)
{
	pid_t tids[2], pid;
	int status;

	tids[0] = 2;
	tids[1] = free_pid(self->far);
	ASSERT_GT(tids[1], 0);
	pid = clone3_tids(CLONE_NEWPID, tids, 2);
	if (pid == 0)
		_exit(0);
	if (pid < 0 && errno == ENOSYS)
		SKIP(return, "no clone3()");
	if (pid > 0)
		waitpid(pid, NULL, 0);
	EXPECT_EQ(-1, pid);
	EXPECT_EQ(EINVAL, errno) {
		TH_LOG("set_tid {2, %d}: %s", tids[1], strerror(errno));
	}
	tids[0] = 1;
	pid = clone3_tids(CLONE_NEWPID, tids, 2);
	if (pid == 0)
		_exit(getpid() == 1 ? 0 : 1);
	ASSERT_EQ(tids[1], pid) {
		TH_LOG("set_tid {1, %d}: %s", tids[1],
		       pid < 0 ? strerror(errno) : "another pid");
	}
	ASSERT_EQ(pid, wait_timeout(pid, &status, 0, 10000));
	EXPECT_EQ(0, status);
}

/* What init found set_tid allows at level 1. */
struct levels_report {
	pid_t got[4];		/* what clone3() returned, or -errno */
	int status[4];		/* the children's exit statuses */
};

/*
 * Init, at level 1, with the free outer numbers self->far.. : set_tid of
 * 2 entries without CLONE_NEWPID and 3 with it fit the levels; one more
 * is EINVAL.
 */
static int try_levels(FIXTURE_DATA(cr) *self)
{
	pid_t outer = self->far, tids[4];
	struct levels_report r;
	static const struct {
		uint64_t flags;
		int n;
		pid_t want;	/* the child's getpid() */
	} cases[4] = {
		{ 0, 2, 5 },
		{ 0, 3, -1 },
		{ CLONE_NEWPID, 3, 1 },
		{ CLONE_NEWPID, 4, -1 },
	};
	int i, status;

	memset(&r, 0, sizeof(r));
	for (i = 0; i < 4; i++) {
		int k = 0;

		if (cases[i].flags & CLONE_NEWPID)
			tids[k++] = 1;
		tids[k++] = 5;
		tids[k++] = outer;
		tids[k++] = outer + 1;
		r.got[i] = clone3_tids(cases[i].flags, tids, cases[i].n);
		if (r.got[i] == 0)
			_exit(getpid() == cases[i].want ? 0 : 1);
		if (r.got[i] < 0) {
			r.got[i] = -errno;
			continue;
		}
		if (waitpid(r.got[i], &status, 0) != r.got[i])
			return 1;
		r.status[i] = status;
	}
	return write_full(self->rep[1], &r, sizeof(r)) ? 1 : 0;
}

/*
 * From level 1, set_tid may name 2 levels for a child in the namespace, 3
 * with CLONE_NEWPID; one more entry than the child has levels is EINVAL.
 */
TEST_F(cr, set_tid_more_entries_than_levels_is_einval)
{
	struct levels_report r;

	/* Two free numbers in a row, for the test's level. */
	do {
		self->far = free_pid(self->far);
		ASSERT_GT(self->far, 0);
	} while (free_pid(self->far + 1) != self->far + 1 && ++self->far);
	start_init(_metadata, self, try_levels);
	ASSERT_EQ(0, read_timeout(self->rep[0], &r, sizeof(r), 10000));
	finish_init(_metadata, self);
	if (r.got[0] == -ENOSYS)
		SKIP(return, "no clone3()");
	EXPECT_EQ(5, r.got[0]) {
		TH_LOG("set_tid {5, %d} at level 1: %s", self->far,
		       r.got[0] < 0 ? strerror(-r.got[0]) : "another pid");
	}
	EXPECT_EQ(0, r.status[0]);
	EXPECT_EQ(-EINVAL, r.got[1]) {
		TH_LOG("set_tid of 3 at level 1: %d", r.got[1]);
	}
	EXPECT_EQ(5, r.got[2]) {
		TH_LOG("CLONE_NEWPID, set_tid {1, 5, %d} at level 1: %s",
		       self->far,
		       r.got[2] < 0 ? strerror(-r.got[2]) : "another pid");
	}
	EXPECT_EQ(0, r.status[2]);
	EXPECT_EQ(-EINVAL, r.got[3]) {
		TH_LOG("CLONE_NEWPID, set_tid of 4 at level 1: %d", r.got[3]);
	}
}

TEST_HARNESS_MAIN
