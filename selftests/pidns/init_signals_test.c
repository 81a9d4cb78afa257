// SPDX-License-Identifier: GPL-2.0
/*
 * A PID namespace's init is protected from signals.  From inside its
 * namespace (here, from a child of init), only the signals init has a
 * handler for reach it: kill(1, SIGKILL), kill(1, SIGSTOP) and a SIGTERM it
 * does not handle succeed but do nothing, and init keeps answering over a
 * pipe.  From an ancestor namespace (the test), SIGKILL kills it and
 * SIGSTOP stops it, while other signals still need a handler.
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

/* Milliseconds init has to answer a request. */
#define ANSWER_MS 5000

enum { OP_PING, OP_CHILD_KILLS };

struct request {
	int op;
	int sig;		/* for OP_CHILD_KILLS */
};

struct reply {
	int ret;		/* OP_CHILD_KILLS: what the child's kill() returned */
	int err;		/* and its errno */
	int handled;		/* how many signals init's handler caught */
};

static volatile sig_atomic_t handled;

static void count_signal(int sig)
{
	handled++;
}

/* child_kills - have a child of init do kill(1, sig); its result in @a. */
static void child_kills(int sig, struct reply *a)
{
	int res[2], fds[2];
	pid_t pid;

	a->ret = -1;
	a->err = EIO;
	if (pipe(fds))
		return;
	pid = fork();
	if (pid == 0) {
		res[0] = kill(1, sig);
		res[1] = errno;
		_exit(write_full(fds[1], res, sizeof(res)) ? 1 : 0);
	}
	close(fds[1]);
	if (pid > 0 && read_full(fds[0], res, sizeof(res)) == 0) {
		a->ret = res[0];
		a->err = res[0] ? res[1] : 0;
	}
	close(fds[0]);
	if (pid > 0)
		waitpid(pid, NULL, 0);
}

/*
 * ns_init - the namespace's init: with a handler for @sig if @handler,
 * answer requests until the test closes the request pipe, then exit 0.
 */
static int ns_init(int req, int rep, int sig, bool handler)
{
	struct sigaction sa = {
		.sa_handler = count_signal,
		.sa_flags = SA_RESTART,
	};

	ns_alarm(TASK_TIMEOUT);
	/* Only ever kill(1) from a namespace of our own. */
	if (getpid() != 1)
		return 2;
	if (handler && sigaction(sig, &sa, NULL))
		return 3;
	for (;;) {
		struct reply a = { 0 };
		struct request q;

		if (read_full(req, &q, sizeof(q)))
			return 0;
		if (q.op == OP_CHILD_KILLS)
			child_kills(q.sig, &a);
		a.handled = handled;
		if (write_full(rep, &a, sizeof(a)))
			return 4;
	}
}

FIXTURE(initsig) {
	int req[2];		/* test -> init */
	int rep[2];		/* init -> test */
	pid_t init;		/* in the test's namespace */
};

FIXTURE_VARIANT(initsig) {
	int sig;
	bool handler;		/* init has a handler for it */
};

FIXTURE_VARIANT_ADD(initsig, sigkill) {
	.sig = SIGKILL,
};

FIXTURE_VARIANT_ADD(initsig, sigstop) {
	.sig = SIGSTOP,
};

FIXTURE_VARIANT_ADD(initsig, sigterm) {
	.sig = SIGTERM,
};

FIXTURE_VARIANT_ADD(initsig, sigterm_handled) {
	.sig = SIGTERM,
	.handler = true,
};

FIXTURE_VARIANT_ADD(initsig, sigusr1_handled) {
	.sig = SIGUSR1,
	.handler = true,
};

/* ask - send init a request and wait @ms for its reply: 0, or -1. */
static int ask(FIXTURE_DATA(initsig) *self, int op, int sig,
	       struct reply *a, int ms)
{
	struct request q = { op, sig };

	if (write_full(self->req[1], &q, sizeof(q)))
		return -1;
	return read_timeout(self->rep[0], a, sizeof(*a), ms);
}

FIXTURE_SETUP(initsig)
{
	struct reply a;
	int err = 0;

	self->req[0] = self->req[1] = -1;
	self->rep[0] = self->rep[1] = -1;
	self->init = -1;
	if (geteuid() != 0)
		SKIP(return, "CLONE_NEWPID needs CAP_SYS_ADMIN: run as root");
	/* A request to a dead init must fail, not kill the test. */
	ASSERT_NE(SIG_ERR, signal(SIGPIPE, SIG_IGN));
	ASSERT_EQ(0, pipe2(self->req, O_CLOEXEC));
	ASSERT_EQ(0, pipe2(self->rep, O_CLOEXEC));
	self->init = fork_newpid();
	if (self->init == 0) {
		close(self->req[1]);
		close(self->rep[0]);
		_exit(ns_init(self->req[0], self->rep[1], variant->sig,
			      variant->handler));
	}
	ASSERT_GT(self->init, 0) {
		TH_LOG("clone(CLONE_NEWPID): %s", strerror(errno));
	}
	close(self->req[0]);
	self->req[0] = -1;
	close(self->rep[1]);
	self->rep[1] = -1;
	/*
	 * Its first answer says its handler, if any, is in place.  A failed
	 * setup has no teardown: do not leave init behind.
	 */
	if (ask(self, OP_PING, 0, &a, ANSWER_MS)) {
		err = errno;
		kill_and_reap(self->init);
		self->init = -1;
	}
	ASSERT_EQ(0, err) {
		TH_LOG("init did not answer: %s", strerror(err));
	}
}

FIXTURE_TEARDOWN(initsig)
{
	int i;

	kill_and_reap(self->init);
	for (i = 0; i < 2; i++) {
		if (self->req[i] >= 0)
			close(self->req[i]);
		if (self->rep[i] >= 0)
			close(self->rep[i]);
	}
}

/* Let init exit on its own and check that it exits 0. */
static void end_init(struct __test_metadata *_metadata,
		     FIXTURE_DATA(initsig) *self)
{
	int status;

	close(self->req[1]);
	self->req[1] = -1;
	ASSERT_EQ(self->init, wait_timeout(self->init, &status, 0, ANSWER_MS));
	self->init = -1;
	EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) {
		TH_LOG("init's wait status: 0x%x", status);
	}
}

/*
 * From inside, kill(1, sig) returns 0 but reaches init only if it has a
 * handler: SIGKILL and SIGSTOP neither kill nor stop it.
 */
TEST_F(initsig, from_inside)
{
	struct reply a;
	int status;

	ASSERT_EQ(0, ask(self, OP_CHILD_KILLS, variant->sig, &a, ANSWER_MS)) {
		TH_LOG("init did not answer after kill(1, %s): %s",
		       strsignal(variant->sig), strerror(errno));
	}
	EXPECT_EQ(0, a.ret) {
		TH_LOG("kill(1, %s) in the namespace: %s",
		       strsignal(variant->sig), strerror(a.err));
	}
	EXPECT_EQ(variant->handler ? 1 : 0, a.handled) {
		TH_LOG("signals init's handler caught");
	}
	/* Still running: it answers, and has not stopped. */
	ASSERT_EQ(0, ask(self, OP_PING, 0, &a, ANSWER_MS)) {
		TH_LOG("init did not answer a second time: %s",
		       strerror(errno));
	}
	EXPECT_EQ(0, waitpid(self->init, &status, WUNTRACED | WNOHANG));
	end_init(_metadata, self);
}

/*
 * From the test, an ancestor: SIGKILL kills init and SIGSTOP stops it
 * (SIGCONT resumes it); any other signal needs a handler, as inside.
 */
TEST_F(initsig, from_outside)
{
	struct reply a;
	int status;

	ASSERT_EQ(0, kill(self->init, variant->sig));
	if (variant->sig == SIGKILL) {
		ASSERT_EQ(self->init,
			  wait_timeout(self->init, &status, 0, ANSWER_MS)) {
			TH_LOG("SIGKILL from outside did not kill init");
		}
		self->init = -1;
		EXPECT_TRUE(WIFSIGNALED(status) &&
			    WTERMSIG(status) == SIGKILL) {
			TH_LOG("init's wait status: 0x%x", status);
		}
		return;
	}
	if (variant->sig == SIGSTOP) {
		ASSERT_EQ(self->init, wait_timeout(self->init, &status,
						   WUNTRACED, ANSWER_MS)) {
			TH_LOG("SIGSTOP from outside did not stop init");
		}
		EXPECT_TRUE(WIFSTOPPED(status) &&
			    WSTOPSIG(status) == SIGSTOP) {
			TH_LOG("init's wait status: 0x%x", status);
		}
		/* Stopped, it cannot answer. */
		EXPECT_NE(0, ask(self, OP_PING, 0, &a, 300));
		EXPECT_EQ(ETIMEDOUT, errno);

		ASSERT_EQ(0, kill(self->init, SIGCONT));
		ASSERT_EQ(self->init, wait_timeout(self->init, &status,
						   WCONTINUED, ANSWER_MS));
		EXPECT_TRUE(WIFCONTINUED(status));
		/* The ping it got while stopped. */
		ASSERT_EQ(0, read_timeout(self->rep[0], &a, sizeof(a),
					  ANSWER_MS));
		ASSERT_EQ(0, ask(self, OP_PING, 0, &a, ANSWER_MS));

		ASSERT_EQ(0, kill(self->init, SIGKILL));
		ASSERT_EQ(self->init,
			  wait_timeout(self->init, &status, 0, ANSWER_MS));
		self->init = -1;
		EXPECT_TRUE(WIFSIGNALED(status) &&
			    WTERMSIG(status) == SIGKILL) {
			TH_LOG("init's wait status: 0x%x", status);
		}
		return;
	}
	ASSERT_EQ(0, ask(self, OP_PING, 0, &a, ANSWER_MS)) {
		TH_LOG("init did not answer after kill(init, %s): %s",
		       strsignal(variant->sig), strerror(errno));
	}
	EXPECT_EQ(variant->handler ? 1 : 0, a.handled) {
		TH_LOG("signals init's handler caught");
	}
	EXPECT_EQ(0, waitpid(self->init, &status, WUNTRACED | WNOHANG));
	end_init(_metadata, self);
}

TEST_HARNESS_MAIN
