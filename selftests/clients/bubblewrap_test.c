// SPDX-License-Identifier: GPL-2.0
/*
 * bubblewrap (/usr/bin/bwrap) with a PID namespace of its own, run as root
 * and as nobody, who needs a user namespace (bwrap is not setuid in Debian):
 * - --unshare-pid: bwrap's reaper is pid 1, the command pid 2, and the
 *   sandbox's /proc lists those two and nothing else, and gives the
 *   command a one-field NSpid;
 * - --as-pid-1: the command itself is pid 1; bwrap refuses the option
 *   without --unshare-pid;
 * - the command's NSpid, read inside through the outer /proc, has two
 *   fields; the outer one is a task the test sees with that same NSpid, in
 *   another PID namespace, under a reaper whose NSpid ends in 1;
 * - --die-with-parent, with bwrap and its children placed above 70000 in
 *   the initial namespace: SIGKILL to the process that started bwrap ends
 *   the sandbox, and no task of its namespace is left.
 */
#define _GNU_SOURCE
#include <sys/prctl.h>

#include "clients.h"
#include "kselftest_harness.h"

#define BWRAP "/usr/bin/bwrap"

RESTORE_PID_MAX_AT_EXIT()

/* Every sandbox: the whole root bound read-only, a /dev of its own. */
#define SANDBOX "--chdir / --ro-bind / / --dev /dev"

/*
 * For the shell in the sandbox: $$, then what /proc lists, one line each,
 * then its own status file (opened by the shell, not by cat).
 */
#define SHOW_PIDS "'echo $$; echo /proc/[0-9]*; " \
	"exec 3</proc/self/status; /bin/cat <&3'"

FIXTURE(bwrap) {
	int pid_max;		/* to restore, or -1 */
	pid_t child;		/* bwrap, or the task that started it */
	pid_t reaper;		/* the sandbox's pid 1, seen from here */
	unsigned long ns;	/* the inode of the sandbox's PID namespace */
	int out;		/* the read end of the sandbox's output */
	char cmd[1024];		/* for the failure messages */
	char buf[8192];		/* what the sandbox printed */
};

FIXTURE_VARIANT(bwrap) {
	const char *as;		/* the command line's prefix: who runs bwrap */
	const char *userns;	/* bwrap's user namespace options */
	int outer_uid;		/* the command's uid in the initial namespace */
	int inner_uid;		/* and in the sandbox */
};

FIXTURE_VARIANT_ADD(bwrap, root) {
	.as = "",
	.userns = "",
	.outer_uid = 0,
	.inner_uid = 0,
};

FIXTURE_VARIANT_ADD(bwrap, nobody) {
	.as = AS_NOBODY,
	.userns = "--unshare-user ",
	.outer_uid = NOBODY,
	.inner_uid = NOBODY,
};

FIXTURE_VARIANT_ADD(bwrap, nobody_uid0) {
	.as = AS_NOBODY,
	.userns = "--unshare-user --uid 0 --gid 0 ",
	.outer_uid = NOBODY,
	.inner_uid = 0,
};

FIXTURE_SETUP(bwrap)
{
	bool nobody = variant->as[0];

	self->pid_max = -1;
	self->child = 0;
	self->reaper = 0;
	self->ns = 0;
	self->out = -1;
	self->cmd[0] = '\0';
	self->buf[0] = '\0';
	if (geteuid() != 0)
		SKIP(return, "the test starts as root, to run bwrap as root and as nobody");
	ASSERT_TOOL_PRESENT(BWRAP);
	if (nobody)
		ASSERT_TOOL_PRESENT(SETPRIV);
	if (probe_ns(false))
		SKIP(return, "no PID namespaces (CONFIG_PID_NS)");
	if (nobody && probe_ns(true) == RUNNER_NO_USERNS)
		SKIP(return, "nobody cannot make a user namespace (CONFIG_USER_NS)");
	/* What bwrap leaves when its parent dies comes to the test. */
	ASSERT_EQ(0, prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0));
}

FIXTURE_TEARDOWN(bwrap)
{
	/* The reaper's death ends the sandbox; bwrap then exits. */
	if (self->reaper > 0 && self->ns && pidns_ino(self->reaper) == self->ns)
		kill(self->reaper, SIGKILL);
	reap_children(30000);
	if (self->out >= 0)
		close(self->out);
	if (self->pid_max > 0)
		sysctl_write_int(pid_max_path, self->pid_max);
}

/*
 * bw_spawn - run "exec @self->cmd" with /bin/sh in the background, its
 * stdout and stderr into @self->out; with @parent, through a task that
 * starts it and waits for it: bwrap's parent, for --die-with-parent.
 * The task forked (bwrap itself without @parent), or -1.
 */
static pid_t bw_spawn(FIXTURE_DATA(bwrap) *self, bool parent)
{
	char line[sizeof(self->cmd) + 8];
	int p[2];
	pid_t pid;

	snprintf(line, sizeof(line), "exec %s", self->cmd);
	if (pipe2(p, O_CLOEXEC))
		return -1;
	pid = fork();
	if (pid == 0) {
		/* If the test dies, so does bwrap or its starter. */
		prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
		if (parent) {
			pid = fork();
			if (pid != 0) {
				close(p[1]);
				while (pid > 0 && waitpid(pid, NULL, 0) < 0 &&
				       errno == EINTR)
					;
				_exit(0);
			}
		}
		dup2(p[1], 1);
		dup2(p[1], 2);
		execl("/bin/sh", "sh", "-c", line, (char *)NULL);
		_exit(127);
	}
	close(p[1]);
	if (pid < 0) {
		close(p[0]);
		return -1;
	}
	self->out = p[0];
	return pid;
}

/*
 * bw_read_until - read the sandbox's output into @self->buf until it
 * holds @needle, for @ms at most: 0, or -1 (end of output or time out).
 */
static int bw_read_until(FIXTURE_DATA(bwrap) *self, const char *needle, int ms)
{
	struct timespec end = deadline_in(ms);
	size_t len = strlen(self->buf);

	while (!strstr(self->buf, needle)) {
		struct pollfd p = { .fd = self->out, .events = POLLIN };
		ssize_t n;

		if (len == sizeof(self->buf) - 1 ||
		    poll(&p, 1, ms_left(&end)) <= 0)
			return -1;
		n = read(self->out, self->buf + len, sizeof(self->buf) - 1 - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		len += n;
		self->buf[len] = '\0';
	}
	return 0;
}

/* BW_LOG - the background command line and what it printed, for TH_LOG. */
#define BW_LOG(self)							\
	TH_LOG("$ %s &\noutput:\n%.2000s", (self)->cmd, (self)->buf)

/*
 * bw_check_pids - what SHOW_PIDS printed in @r: the shell is pid @pid,
 * /proc lists the @nwant pids of @want and no other, and the sandbox's own
 * /proc shows one level of NSpid, the pid in it.  @r shown if that fails.
 */
static void bw_check_pids(struct __test_metadata *_metadata,
			  const struct tool_run *r, long pid, const long *want,
			  int nwant)
{
	const char *second = strchr(r->out, '\n');
	long v[4] = { 0 };

	EXPECT_EQ(pid, atoi(r->out));
	EXPECT_TRUE(second && proc_listing_is(second, want, nwant));
	EXPECT_EQ(1, text_ints(r->out, "NSpid", v, 4));
	EXPECT_EQ(pid, v[0]);
	if (_metadata->exit_code != KSFT_PASS)
		TOOL_LOG(r);
}

/* --unshare-pid: the command is pid 2 under bwrap's pid 1, alone in /proc. */
TEST_F_TIMEOUT(bwrap, command_is_pid_2, 120)
{
	static const long want[] = { 1, 2 };
	struct tool_run r;

	run_tool(&r, TOOL_TIMEOUT_MS, "%s" BWRAP " %s--unshare-pid " SANDBOX
		 " --proc /proc /bin/sh -c " SHOW_PIDS,
		 variant->as, variant->userns);
	ASSERT_TOOL_OK(&r);
	bw_check_pids(_metadata, &r, 2, want, 2);
}

/* --as-pid-1: the command is the namespace's pid 1, the only task in it. */
TEST_F_TIMEOUT(bwrap, as_pid_1, 120)
{
	static const long want[] = { 1 };
	struct tool_run r;

	run_tool(&r, TOOL_TIMEOUT_MS, "%s" BWRAP " %s--unshare-pid --as-pid-1 "
		 SANDBOX " --proc /proc /bin/sh -c " SHOW_PIDS,
		 variant->as, variant->userns);
	ASSERT_TOOL_OK(&r);
	bw_check_pids(_metadata, &r, 1, want, 1);

	/* bwrap(1): "Specifying --as-pid-1 requires --unshare-pid". */
	run_tool(&r, TOOL_TIMEOUT_MS, "%s" BWRAP " %s--as-pid-1 " SANDBOX
		 " /bin/true", variant->as, variant->userns);
	EXPECT_NE(0, r.status);
	EXPECT_TRUE(strstr(r.out, "--unshare-pid") != NULL);
	if (_metadata->exit_code != KSFT_PASS)
		TOOL_LOG(&r);
}

/*
 * The command reads its NSpid through the outer /proc: two fields, its
 * pid here and 2.  Here that task has the same NSpid and another PID
 * namespace; its parent is the sandbox's reaper, NSpid ending in 1, whose
 * parent is bwrap.  Its uid is the variant's, inside and out.
 */
TEST_F_TIMEOUT(bwrap, nspid_seen_inside_and_out, 120)
{
	long in[4], in_uid[4];
	int out[4], out_uid[4];
	char path[64];
	pid_t cmd;

	/*
	 * No --proc: /proc is the outer one, bound with the root.  The shell
	 * opens its own status file (cat would show its own) and then
	 * becomes sleep, keeping its pid for the checks.
	 */
	snprintf(self->cmd, sizeof(self->cmd),
		 "%s" BWRAP " %s--unshare-pid " SANDBOX " /bin/sh -c "
		 "'exec 3</proc/self/status; /bin/cat <&3; exec 3<&-; "
		 "echo ready; exec /bin/sleep 600'", variant->as,
		 variant->userns);
	self->child = bw_spawn(self, false);
	ASSERT_LT(0, self->child);
	ASSERT_EQ(0, bw_read_until(self, "ready\n", TOOL_TIMEOUT_MS)) {
		BW_LOG(self);
	}
	ASSERT_EQ(2, text_ints(self->buf, "NSpid", in, 4)) {
		BW_LOG(self);
	}
	EXPECT_EQ(2, in[1]);
	cmd = in[0];
	ASSERT_EQ(2, status_ints(cmd, "NSpid", out, 4)) {
		TH_LOG("no task %d here with two NSpid fields", cmd);
	}
	EXPECT_EQ(cmd, out[0]);
	EXPECT_EQ(2, out[1]);
	self->ns = pidns_ino(cmd);
	EXPECT_NE(0UL, self->ns);
	EXPECT_NE(pidns_ino(getpid()), self->ns);

	self->reaper = ppid_of(cmd);
	ASSERT_LT(0, self->reaper);
	EXPECT_EQ(self->ns, pidns_ino(self->reaper));
	ASSERT_EQ(2, status_ints(self->reaper, "NSpid", out, 4));
	EXPECT_EQ(self->reaper, out[0]);
	EXPECT_EQ(1, out[1]);
	EXPECT_EQ(self->child, ppid_of(self->reaper));

	ASSERT_LT(0, text_ints(self->buf, "Uid", in_uid, 4));
	EXPECT_EQ(variant->inner_uid, in_uid[0]);
	ASSERT_LT(0, status_ints(cmd, "Uid", out_uid, 4));
	EXPECT_EQ(variant->outer_uid, out_uid[0]);
	snprintf(path, sizeof(path), "/proc/%d/ns/user", cmd);
	if (variant->userns[0])
		EXPECT_NE(ns_ino(AT_FDCWD, "/proc/self/ns/user"),
			  ns_ino(AT_FDCWD, path));
	if (_metadata->exit_code != KSFT_PASS)
		BW_LOG(self);
}

/*
 * --die-with-parent, bwrap's tasks far above 511 in the initial namespace:
 * SIGKILL to the process that started bwrap ends bwrap, its reaper and the
 * command, and no task of the sandbox's namespace is left.
 */
TEST_F_TIMEOUT(bwrap, die_with_parent_high_pids, 120)
{
	bool bwrap_gone = false, reaper_gone = false;
	pid_t first, parent, bwrap, cmd, pid;
	int left = -1, ms = TOOL_TIMEOUT_MS;
	struct timespec end;
	const char *why;
	int v[4];

	why = raise_pid_max(&self->pid_max, PID_MAX_LIMIT);
	if (why)
		SKIP(return, "%s", why);
	first = free_pid_run(HIGH_PID, 64);
	ASSERT_LT(0, first);
	ASSERT_EQ(0, sysctl_write_int(NS_LAST_PID, first - 1));

	snprintf(self->cmd, sizeof(self->cmd),
		 "%s" BWRAP " %s--unshare-pid --die-with-parent " SANDBOX
		 " /bin/sh -c 'echo ready; exec /bin/sleep 600'",
		 variant->as, variant->userns);
	parent = bw_spawn(self, true);
	self->child = parent;
	ASSERT_LE(first, parent);
	ASSERT_EQ(0, bw_read_until(self, "ready\n", ms)) {
		BW_LOG(self);
	}
	bwrap = child_of(parent, ms);
	self->reaper = child_of(bwrap, ms);
	cmd = child_of(self->reaper, ms);
	ASSERT_LT(0, cmd) {
		TH_LOG("parent %d, bwrap %d, reaper %d: no command",
		       parent, bwrap, self->reaper);
	}
	EXPECT_LT(first, bwrap);
	EXPECT_LT(first, self->reaper);
	EXPECT_LT(first, cmd);
	self->ns = pidns_ino(cmd);
	EXPECT_NE(pidns_ino(getpid()), self->ns);
	EXPECT_EQ(self->ns, pidns_ino(self->reaper));
	ASSERT_EQ(2, status_ints(self->reaper, "NSpid", v, 4));
	EXPECT_EQ(self->reaper, v[0]);
	EXPECT_EQ(1, v[1]);
	ASSERT_EQ(2, status_ints(cmd, "NSpid", v, 4));
	EXPECT_EQ(cmd, v[0]);
	EXPECT_EQ(2, v[1]);
	EXPECT_EQ(2, pidns_members(self->ns, NULL, 0));

	ASSERT_EQ(0, kill(parent, SIGKILL));
	ASSERT_EQ(parent, wait_timeout(parent, NULL, 0, ms));
	self->child = 0;
	/* bwrap and its reaper come to the subreaper test as they die. */
	end = deadline_in(ms);
	while (ms_left(&end)) {
		pid = wait_timeout(-1, NULL, 0, 100);
		bwrap_gone |= pid == bwrap;
		reaper_gone |= pid == self->reaper;
		left = pidns_members(self->ns, NULL, 0);
		if (bwrap_gone && reaper_gone && left == 0)
			break;
	}
	EXPECT_TRUE(bwrap_gone) {
		TH_LOG("bwrap %d outlived its parent %d", bwrap, parent);
	}
	EXPECT_TRUE(reaper_gone) {
		TH_LOG("the reaper %d outlived bwrap's parent", self->reaper);
	}
	EXPECT_EQ(0, left) {
		TH_LOG("%d tasks of the sandbox's namespace left", left);
	}
	if (_metadata->exit_code != KSFT_PASS) {
		TH_LOG("parent %d, bwrap %d, reaper %d, command %d",
		       parent, bwrap, self->reaper, cmd);
		BW_LOG(self);
	}
}

TEST_HARNESS_MAIN
