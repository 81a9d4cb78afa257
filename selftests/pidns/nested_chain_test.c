// SPDX-License-Identifier: GPL-2.0
/*
 * Chains of nested PID namespaces: 8 levels, and 32, mainline's limit, below
 * the root.  At every level the first task of the new namespace is pid 1 with
 * ppid 0, and the level above knows it by the number that level gave it: the
 * one clone() returned, which waitpid() returns too and which the kernel puts
 * in the SCM_CREDENTIALS of a message the child sends.  Every level writes a
 * report to a pipe that the test reads, so a failure names its level.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>

#include "pidns_util.h"
#include "kselftest_harness.h"

/* Seconds a level may take, its descendants included, before giving up. */
#define LEVEL_TIMEOUT 60

/* What level n (1..depth) reports; the test itself is level 0. */
struct level_report {
	int level;
	pid_t pid;		/* getpid() */
	pid_t ppid;		/* getppid() */
	pid_t child;		/* clone(CLONE_NEWPID), or -errno */
	pid_t cred;		/* SCM_CREDENTIALS pid of the child's message */
	pid_t waited;		/* waitpid(child) */
	int status;		/* the child's wait status */
};

static void __attribute__((noreturn))
run_level(int level, int depth, int rep, int sock);

/*
 * descend - from level @level, start level + 1 and record in @r how this
 * level sees it.  The child's report goes to @rep on its own.
 */
static void descend(int level, int depth, int rep, struct level_report *r)
{
	int one = 1, sv[2];

	r->cred = -1;
	r->waited = -1;
	r->status = -1;
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv)) {
		r->child = -errno;
		return;
	}
	if (setsockopt(sv[0], SOL_SOCKET, SO_PASSCRED, &one, sizeof(one))) {
		r->child = -errno;
		goto out;
	}
	r->child = fork_newpid();
	if (r->child == 0) {
		close(sv[0]);
		run_level(level + 1, depth, rep, sv[1]);
	}
	if (r->child < 0) {
		r->child = -errno;
		goto out;
	}
	close(sv[1]);
	sv[1] = -1;
	r->cred = recv_creds(sv[0], LEVEL_TIMEOUT * 1000);
	r->waited = waitpid(r->child, &r->status, 0);
out:
	close(sv[0]);
	if (sv[1] >= 0)
		close(sv[1]);
}

/*
 * run_level - the first task of namespace @level: tell the level above who
 * it is over @sock, start the next level unless this is the last, then
 * report.  Exits 0 when its own numbers and its child's are right.
 */
static void run_level(int level, int depth, int rep, int sock)
{
	struct level_report r = {
		.level = level,
		.pid = getpid(),
		.ppid = getppid(),
	};
	bool ok;

	ns_alarm(LEVEL_TIMEOUT);
	send_creds(sock, getpid());
	close(sock);
	ok = r.pid == 1 && r.ppid == 0;
	if (level < depth) {
		descend(level, depth, rep, &r);
		ok = ok && r.child > 0 && r.cred == r.child &&
		     r.waited == r.child && WIFEXITED(r.status) &&
		     WEXITSTATUS(r.status) == 0;
	}
	if (write_full(rep, &r, sizeof(r)))
		ok = false;
	_exit(ok ? 0 : 1);
}

FIXTURE(chain) {
	int rep[2];		/* every level -> test */
};

FIXTURE_VARIANT(chain) {
	int depth;
};

FIXTURE_VARIANT_ADD(chain, depth_8) {
	.depth = 8,
};

FIXTURE_VARIANT_ADD(chain, depth_32) {
	.depth = 32,
};

FIXTURE_SETUP(chain)
{
	self->rep[0] = self->rep[1] = -1;
	if (geteuid() != 0)
		SKIP(return, "CLONE_NEWPID needs CAP_SYS_ADMIN: run as root");
	ASSERT_EQ(0, pipe2(self->rep, O_CLOEXEC));
}

FIXTURE_TEARDOWN(chain)
{
	if (self->rep[0] >= 0)
		close(self->rep[0]);
	if (self->rep[1] >= 0)
		close(self->rep[1]);
}

/*
 * Each level's init is pid 1 with ppid 0, and the level above gets the
 * number it gave it from clone(), waitpid() and SCM_CREDENTIALS alike.
 */
TEST_F_TIMEOUT(chain, every_level_sees_its_own_numbers, LEVEL_TIMEOUT + 30)
{
	struct level_report top = { .level = 0 }, r, *seen;
	int depth = variant->depth, n;

	seen = calloc(depth + 1, sizeof(*seen));
	ASSERT_NE(NULL, seen);

	/* The test is level 0: start level 1 the way each level does. */
	descend(0, depth, self->rep[1], &top);
	close(self->rep[1]);
	self->rep[1] = -1;
	ASSERT_GT(top.child, 0) {
		TH_LOG("clone(CLONE_NEWPID): %s", strerror(-top.child));
	}
	EXPECT_EQ(top.child, top.cred) {
		TH_LOG("level 0: SCM_CREDENTIALS of level 1's init");
	}
	EXPECT_EQ(top.child, top.waited) {
		TH_LOG("level 0: waitpid() on level 1's init");
	}
	EXPECT_TRUE(WIFEXITED(top.status) && WEXITSTATUS(top.status) == 0) {
		TH_LOG("level 1's init: wait status 0x%x", top.status);
	}

	/* Every level reported once, before the pipe's last writer left. */
	while (read_timeout(self->rep[0], &r, sizeof(r), 5000) == 0) {
		ASSERT_TRUE(r.level >= 1 && r.level <= depth) {
			TH_LOG("a report from level %d", r.level);
		}
		EXPECT_EQ(0, seen[r.level].level) {
			TH_LOG("level %d reported twice", r.level);
		}
		seen[r.level] = r;
	}
	EXPECT_EQ(ENODATA, errno);

	for (n = 1; n <= depth; n++) {
		r = seen[n];
		EXPECT_EQ(n, r.level) {
			TH_LOG("level %d did not report", n);
		}
		if (r.level != n)
			continue;
		EXPECT_EQ(1, r.pid) {
			TH_LOG("level %d: getpid() of its init", n);
		}
		EXPECT_EQ(0, r.ppid) {
			TH_LOG("level %d: getppid() of its init", n);
		}
		if (n == depth)
			break;
		EXPECT_GT(r.child, 0) {
			TH_LOG("level %d: clone(CLONE_NEWPID): %s", n,
			       strerror(-r.child));
		}
		if (r.child <= 0)
			continue;
		/* Its init's first child: the namespace's second pid. */
		EXPECT_EQ(2, r.child) {
			TH_LOG("level %d: the number it gave level %d's init",
			       n, n + 1);
		}
		EXPECT_EQ(r.child, r.cred) {
			TH_LOG("level %d: SCM_CREDENTIALS of level %d's init",
			       n, n + 1);
		}
		EXPECT_EQ(r.child, r.waited) {
			TH_LOG("level %d: waitpid() on level %d's init",
			       n, n + 1);
		}
		/* A failed check below exits 1, and is reported already. */
		EXPECT_TRUE(WIFEXITED(r.status)) {
			TH_LOG("level %d's init: wait status 0x%x", n + 1,
			       r.status);
		}
	}
	free(seen);
}

TEST_HARNESS_MAIN
