// SPDX-License-Identifier: GPL-2.0
/*
 * kill(-1, sig) from inside a PID namespace reaches the tasks of that
 * namespace and of the namespaces nested in it, and nothing outside: a
 * bystander forked by the test, with the default action for SIGUSR1, must
 * survive a kill(-1, SIGUSR1) sent by the namespace's init or by another
 * of its tasks.  As on the host, the sender itself and the namespace's
 * init, pid 1, are spared.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>

#include "pidns_util.h"
#include "kselftest_harness.h"

/* Seconds the tasks of the namespace may live. */
#define TASK_TIMEOUT 10

/* Exit status bits of the nested namespace's init. */
#define NESTED_INIT_HIT		0x10	/* its SIGUSR1 handler ran */
#define NESTED_CHILD_KILLED	0x01	/* SIGUSR1 killed its child */

/* What the namespace's init saw. */
struct scope_report {
	int kill_ret;		/* kill(-1, SIGUSR1) */
	int kill_err;		/* its errno */
	int victim_status;	/* a child of init, default action */
	int nested_status;	/* the nested namespace's init */
	int sender_status;	/* the child that sent, if init did not */
	int init_hit;		/* init's SIGUSR1 handler ran */
};

static volatile sig_atomic_t hit;

static void note_hit(int sig)
{
	hit = 1;
}

static int catch_usr1(void)
{
	struct sigaction sa = { .sa_handler = note_hit, .sa_flags = SA_RESTART };

	return sigaction(SIGUSR1, &sa, NULL);
}

/* A task with the default action for SIGUSR1 that waits to be killed. */
static void __attribute__((noreturn)) victim(int ready)
{
	signal(SIGUSR1, SIG_DFL);
	ns_alarm(TASK_TIMEOUT);
	if (write_full(ready, "v", 1))
		_exit(1);
	for (;;)
		pause();
}

/*
 * The init of a nested namespace, with a handler for SIGUSR1 and a child
 * without: it waits for the child's end, then for the sender to be done
 * (end of file on @done), and says in its exit status what happened.
 */
static void __attribute__((noreturn)) nested_init(int ready, int done)
{
	int status, ret = 0;
	pid_t pid;
	char c;

	ns_alarm(TASK_TIMEOUT);
	if (catch_usr1())
		_exit(2);
	pid = fork();
	if (pid == 0) {
		close(done);
		victim(ready);
	}
	if (pid < 0 || write_full(ready, "n", 1) ||
	    waitpid(pid, &status, 0) != pid)
		_exit(2);
	if (WIFSIGNALED(status) && WTERMSIG(status) == SIGUSR1)
		ret |= NESTED_CHILD_KILLED;
	while (read(done, &c, 1) > 0)
		;
	/* A signal queued before the sender was done has been handled. */
	if (hit)
		ret |= NESTED_INIT_HIT;
	_exit(ret);
}

/* kill(-1, SIGUSR1), but only where pid 1 is the test's namespace init. */
static int kill_all(int *err)
{
	bool in_ns = getpid() == 1 ? getppid() == 0 : getppid() == 1;

	if (!in_ns) {
		*err = EPERM;
		return -1;
	}
	if (kill(-1, SIGUSR1)) {
		*err = errno;
		return -1;
	}
	*err = 0;
	return 0;
}

/*
 * ns_init - start a victim and a nested namespace with a victim of its
 * own, then have kill(-1, SIGUSR1) sent by itself or by a child, and
 * report what came of it to @rep.
 */
static int ns_init(int rep, bool init_sends)
{
	struct scope_report r = { .sender_status = -1 };
	int ready[2], done[2], err;
	pid_t victim_pid, nested_pid, sender = -1;
	char c[3];

	ns_alarm(TASK_TIMEOUT + 5);
	if (catch_usr1() || pipe(ready) || pipe(done))
		return 1;
	victim_pid = fork();
	if (victim_pid == 0) {
		close(done[1]);
		victim(ready[1]);
	}
	nested_pid = fork_newpid();
	if (nested_pid == 0) {
		close(done[1]);
		nested_init(ready[1], done[0]);
	}
	close(done[0]);
	if (victim_pid < 0 || nested_pid < 0 ||
	    read_full(ready[0], c, sizeof(c)))
		return 1;

	if (init_sends) {
		r.kill_ret = kill_all(&r.kill_err);
	} else {
		sender = fork();
		if (sender == 0) {
			close(done[1]);
			_exit(kill_all(&err) ? err : 0);
		}
		if (sender < 0 ||
		    waitpid(sender, &r.sender_status, 0) != sender)
			return 1;
		r.kill_ret = r.sender_status ? -1 : 0;
		r.kill_err = WIFEXITED(r.sender_status) ?
			     WEXITSTATUS(r.sender_status) : EINTR;
	}
	/* The sender is done: any SIGUSR1 for init is handled by now. */
	r.init_hit = hit;
	close(done[1]);
	if (waitpid(victim_pid, &r.victim_status, 0) != victim_pid ||
	    waitpid(nested_pid, &r.nested_status, 0) != nested_pid)
		return 1;
	return write_full(rep, &r, sizeof(r)) ? 1 : 0;
}

FIXTURE(scope) {
	int rep[2];		/* init -> test */
	pid_t bystander;	/* the test's child, outside */
	pid_t init;		/* in the test's namespace */
};

FIXTURE_VARIANT(scope) {
	bool init_sends;	/* init sends, or a child of init */
};

FIXTURE_VARIANT_ADD(scope, from_init) {
	.init_sends = true,
};

FIXTURE_VARIANT_ADD(scope, from_child) {
	.init_sends = false,
};

FIXTURE_SETUP(scope)
{
	self->rep[0] = self->rep[1] = -1;
	self->bystander = -1;
	self->init = -1;
	if (geteuid() != 0)
		SKIP(return, "CLONE_NEWPID needs CAP_SYS_ADMIN: run as root");
	ASSERT_EQ(0, pipe2(self->rep, O_CLOEXEC));
	/* Outside the namespace, with the default action for SIGUSR1. */
	self->bystander = fork();
	if (self->bystander == 0) {
		signal(SIGUSR1, SIG_DFL);
		for (;;)
			pause();
	}
	ASSERT_GT(self->bystander, 0);
}

FIXTURE_TEARDOWN(scope)
{
	kill_and_reap(self->init);
	kill_and_reap(self->bystander);
	if (self->rep[0] >= 0)
		close(self->rep[0]);
	if (self->rep[1] >= 0)
		close(self->rep[1]);
}

/*
 * kill(-1, SIGUSR1) in the namespace kills a child of init and a task of a
 * nested namespace, reaches the nested init's handler, and spares init,
 * and the bystander outside.
 */
TEST_F_TIMEOUT(scope, reaches_only_its_namespace, TASK_TIMEOUT + 20)
{
	struct scope_report r;
	int status;

	self->init = fork_newpid();
	if (self->init == 0) {
		close(self->rep[0]);
		_exit(ns_init(self->rep[1], variant->init_sends));
	}
	ASSERT_GT(self->init, 0) {
		TH_LOG("clone(CLONE_NEWPID): %s", strerror(errno));
	}
	close(self->rep[1]);
	self->rep[1] = -1;
	ASSERT_EQ(0, read_timeout(self->rep[0], &r, sizeof(r),
				  (TASK_TIMEOUT + 10) * 1000)) {
		TH_LOG("no report from the namespace: %s", strerror(errno));
	}
	ASSERT_EQ(self->init, wait_timeout(self->init, &status, 0, 10000));
	self->init = -1;
	EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) {
		TH_LOG("init's wait status: 0x%x", status);
	}

	EXPECT_EQ(0, r.kill_ret) {
		TH_LOG("kill(-1, SIGUSR1): %s", strerror(r.kill_err));
	}
	EXPECT_TRUE(WIFSIGNALED(r.victim_status) &&
		    WTERMSIG(r.victim_status) == SIGUSR1) {
		TH_LOG("init's child: wait status 0x%x", r.victim_status);
	}
	EXPECT_TRUE(WIFEXITED(r.nested_status)) {
		TH_LOG("nested init: wait status 0x%x", r.nested_status);
	}
	EXPECT_TRUE(WEXITSTATUS(r.nested_status) & NESTED_INIT_HIT) {
		TH_LOG("the nested namespace's init did not get SIGUSR1");
	}
	EXPECT_TRUE(WEXITSTATUS(r.nested_status) & NESTED_CHILD_KILLED) {
		TH_LOG("the nested namespace's child did not die of SIGUSR1");
	}
	EXPECT_EQ(0, r.init_hit) {
		TH_LOG("kill(-1) reached the namespace's init");
	}

	/* The bystander lives: SIGTERM is the first thing that kills it. */
	ASSERT_EQ(0, kill(self->bystander, SIGTERM));
	ASSERT_EQ(self->bystander,
		  wait_timeout(self->bystander, &status, 0, 10000));
	self->bystander = -1;
	EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGTERM) {
		TH_LOG("the bystander outside: wait status 0x%x%s", status,
		       WIFSIGNALED(status) && WTERMSIG(status) == SIGUSR1 ?
		       ", killed by the namespace's kill(-1)" : "");
	}
}

TEST_HARNESS_MAIN
