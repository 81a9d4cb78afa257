// SPDX-License-Identifier: GPL-2.0
/*
 * Orphans in a PID namespace go to the namespace's init.  Inside a new
 * namespace a child of init forks a grandchild and exits (or is killed):
 * the grandchild's getppid() becomes 1, and init's wait() reaps it, with its
 * exit status.  The same holds in a namespace nested in another, and when
 * a child subreaper waits outside the namespace: orphans do not cross it.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>

#include "pidns_util.h"
#include "kselftest_harness.h"

/* Seconds any task of a test may live. */
#define TASK_TIMEOUT 20

/* The orphan's exit status, which init must get. */
#define ORPHAN_STATUS 42

/* What the init of the scenario's namespace saw. */
struct reparent_report {
	pid_t init_pid;		/* getpid() of the namespace's init */
	pid_t parent;		/* fork() in init: the orphan's parent */
	pid_t orphan;		/* fork() in the parent: the orphan */
	pid_t orphan_pid;	/* getpid() in the orphan */
	pid_t ppid_before;	/* the orphan's getppid() while its parent lives */
	pid_t ppid_after;	/* and once init has reaped its parent */
	pid_t parent_reaped;	/* init's waitpid() on the parent */
	int parent_status;
	pid_t orphan_reaped;	/* init's wait() after that */
	int orphan_status;
	int last_wait_err;	/* errno of one more wait(): ECHILD */
};

/*
 * The orphan: notes its parent and tells it so over @seen, waits for init
 * to have reaped that parent, then reports both parents.
 */
static void __attribute__((noreturn)) orphan(int info, int go, int seen)
{
	pid_t ids[3] = { getpid(), getppid() };
	char c;

	if (write_full(seen, "s", 1) || read(go, &c, 1) != 1)
		_exit(1);
	ids[2] = getppid();
	_exit(write_full(info, ids, sizeof(ids)) ? 1 : ORPHAN_STATUS);
}

/* The orphan's parent: starts it, tells init its pid, and goes. */
static void __attribute__((noreturn)) parent(int info, int go, bool wait)
{
	int seen[2];
	pid_t pid;
	char c;

	if (pipe(seen))
		_exit(1);
	pid = fork();
	if (pid == 0) {
		close(seen[0]);
		orphan(info, go, seen[1]);
	}
	close(seen[1]);
	/* Not before the orphan has seen who its parent was. */
	if (pid < 0 || read(seen[0], &c, 1) != 1 ||
	    write_full(info, &pid, sizeof(pid)))
		_exit(1);
	while (wait)
		pause();	/* until init kills it */
	_exit(0);
}

/*
 * scenario - run as the init of a namespace: start a child that starts a
 * grandchild, see the child die, then let the orphan report and reap it.
 */
static int scenario(int rep, bool kill_parent)
{
	struct reparent_report r = { .init_pid = getpid() };
	int info[2], go[2];
	pid_t ids[3];

	if (pipe(info) || pipe(go))
		return 1;
	r.parent = fork();
	if (r.parent == 0) {
		close(info[0]);
		close(go[1]);
		parent(info[1], go[0], kill_parent);
	}
	close(info[1]);
	close(go[0]);
	if (r.parent < 0 ||
	    read_timeout(info[0], &r.orphan, sizeof(r.orphan), 10000))
		return 1;
	if (kill_parent)
		kill(r.parent, SIGKILL);
	r.parent_reaped = waitpid(r.parent, &r.parent_status, 0);

	/* The parent is gone: the orphan may look who its parent is now. */
	if (write_full(go[1], "g", 1) ||
	    read_timeout(info[0], ids, sizeof(ids), 10000))
		return 1;
	r.orphan_pid = ids[0];
	r.ppid_before = ids[1];
	r.ppid_after = ids[2];
	r.orphan_reaped = wait(&r.orphan_status);
	if (wait(NULL) < 0)
		r.last_wait_err = errno;
	return write_full(rep, &r, sizeof(r)) ? 1 : 0;
}

FIXTURE(reparent) {
	int rep[2];		/* the scenario's init -> test */
	pid_t init;		/* in the test's namespace */
};

FIXTURE_VARIANT(reparent) {
	bool kill_parent;	/* SIGKILL the orphan's parent, or let it exit */
	bool nested;		/* run it in a namespace nested in the new one */
	bool subreaper;		/* the test is a child subreaper */
};

FIXTURE_VARIANT_ADD(reparent, parent_exits) {
	.kill_parent = false,
};

FIXTURE_VARIANT_ADD(reparent, parent_killed) {
	.kill_parent = true,
};

FIXTURE_VARIANT_ADD(reparent, nested) {
	.nested = true,
};

FIXTURE_VARIANT_ADD(reparent, subreaper_outside) {
	.subreaper = true,
};

FIXTURE_SETUP(reparent)
{
	self->rep[0] = self->rep[1] = -1;
	self->init = -1;
	if (geteuid() != 0)
		SKIP(return, "CLONE_NEWPID needs CAP_SYS_ADMIN: run as root");
	ASSERT_EQ(0, pipe2(self->rep, O_CLOEXEC));
}

FIXTURE_TEARDOWN(reparent)
{
	kill_and_reap(self->init);
	if (self->rep[0] >= 0)
		close(self->rep[0]);
	if (self->rep[1] >= 0)
		close(self->rep[1]);
}

/* The first task of the test's new namespace. */
static int ns_init(int rep, bool kill_parent, bool nested)
{
	pid_t pid;
	int status;

	ns_alarm(TASK_TIMEOUT);
	if (!nested)
		return scenario(rep, kill_parent);
	pid = fork_newpid();
	if (pid == 0) {
		ns_alarm(TASK_TIMEOUT);
		_exit(scenario(rep, kill_parent));
	}
	if (pid < 0 || waitpid(pid, &status, 0) != pid)
		return 1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 1;
}

/*
 * An orphan's parent becomes the namespace's init, pid 1, and init's wait()
 * returns the orphan's pid and exit status.
 */
TEST_F_TIMEOUT(reparent, orphan_goes_to_namespace_init, TASK_TIMEOUT + 10)
{
	struct reparent_report r;
	int status;

	if (variant->subreaper)
		ASSERT_EQ(0, prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0));
	self->init = fork_newpid();
	if (self->init == 0) {
		close(self->rep[0]);
		_exit(ns_init(self->rep[1], variant->kill_parent,
			      variant->nested));
	}
	ASSERT_GT(self->init, 0) {
		TH_LOG("clone(CLONE_NEWPID): %s", strerror(errno));
	}
	close(self->rep[1]);
	self->rep[1] = -1;
	ASSERT_EQ(0, read_timeout(self->rep[0], &r, sizeof(r), 15000)) {
		TH_LOG("no report from the namespace: %s", strerror(errno));
	}
	ASSERT_EQ(self->init, wait_timeout(self->init, &status, 0, 10000));
	self->init = -1;
	EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) {
		TH_LOG("init's wait status: 0x%x", status);
	}

	EXPECT_EQ(1, r.init_pid);
	/* Init's first child is 2, and that one's child 3. */
	EXPECT_EQ(2, r.parent);
	EXPECT_EQ(3, r.orphan);
	EXPECT_EQ(r.orphan, r.orphan_pid);
	EXPECT_EQ(r.parent, r.ppid_before);
	EXPECT_EQ(r.parent, r.parent_reaped);
	if (variant->kill_parent) {
		EXPECT_TRUE(WIFSIGNALED(r.parent_status) &&
			    WTERMSIG(r.parent_status) == SIGKILL) {
			TH_LOG("the parent's wait status: 0x%x",
			       r.parent_status);
		}
	} else {
		EXPECT_TRUE(WIFEXITED(r.parent_status) &&
			    WEXITSTATUS(r.parent_status) == 0) {
			TH_LOG("the parent's wait status: 0x%x",
			       r.parent_status);
		}
	}

	/* The orphan's new parent is the namespace's init... */
	EXPECT_EQ(1, r.ppid_after) {
		TH_LOG("the orphan's getppid() after its parent died");
	}
	/* ...whose wait() reaps it, and nothing else. */
	EXPECT_EQ(r.orphan, r.orphan_reaped);
	EXPECT_TRUE(WIFEXITED(r.orphan_status) &&
		    WEXITSTATUS(r.orphan_status) == ORPHAN_STATUS) {
		TH_LOG("the orphan's wait status in init: 0x%x",
		       r.orphan_status);
	}
	EXPECT_EQ(ECHILD, r.last_wait_err);
	/* Nothing came out of the namespace to the test but its init. */
	EXPECT_EQ(-1, waitpid(-1, NULL, WNOHANG));
	EXPECT_EQ(ECHILD, errno);
}

TEST_HARNESS_MAIN
