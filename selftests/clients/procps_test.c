// SPDX-License-Identifier: GPL-2.0
/*
 * procps as Debian 12 ships it (4.0.2: ps, pgrep, top) and pidof (sysvinit's
 * killall5), at high and sparse pids with pid_max at 4194304, checked
 * against what the kernel says (/proc, NSpid, /proc/PID/ns/pid inodes):
 * - ps -e lists every task, tasks parked at 600, 1025, 4097, 70001 and
 *   4194303 too; run in a new namespace (unshare --mount-proc, also as
 *   nobody in a user namespace of its own), only that namespace's tasks,
 *   placed there at the same numbers with ns_last_pid;
 * - ps -o pidns= gives the inode of /proc/PID/ns/pid, inside a child
 *   namespace and in the initial one;
 * - pgrep --ns PID --nslist pid lists exactly the tasks of PID's
 *   namespace by their pids outside, and not those in the caller's;
 * - pidof finds the parked tasks by name, top -b lists them.
 * A missing tool fails its test: the suite exists to run them.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <sys/prctl.h>

#include "clients.h"
#include "kselftest_harness.h"

#define PS "/usr/bin/ps"
#define PGREP "/usr/bin/pgrep"
#define PIDOF "/usr/bin/pidof"
#define TOP "/usr/bin/top"
#define UNSHARE "/usr/bin/unshare"
#define NSENTER "/usr/bin/nsenter"
#define SH "/bin/sh"
#define SLEEP "/bin/sleep"

/* top reads the terminal description even in batch mode (ncurses-base). */
#define DUMB_TERMINFO "/lib/terminfo/d/dumb"

/* Per test: tools under TCG take seconds each. */
#define TEST_SECS 600

RESTORE_PID_MAX_AT_EXIT()

/*
 * The marker: this program run again as MARKER, which only waits to be
 * killed, a name that no other task has, for pidof.
 */
#define MARKER "pidnsmarker"
#define MARKER_ENV "PIDNS_CLIENTS_MARKER"

static void __attribute__((constructor)) marker_main(void)
{
	if (!getenv(MARKER_ENV))
		return;
	prctl(PR_SET_NAME, MARKER, 0, 0, 0);
	for (;;)
		pause();
}

/*
 * park_marker - a child at the first free pid from @from up (clone3 with
 * set_tid) that runs the marker until it is killed or the caller dies.
 * Its pid, or -1.
 */
static pid_t park_marker(pid_t from)
{
	pid_t pid = fork_near(from, PID_MAX_LIMIT);

	if (pid == 0) {
		char *argv[] = { MARKER, NULL };
		char *envp[] = { MARKER_ENV "=1", NULL };

		prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
		execve("/proc/self/exe", argv, envp);
		_exit(127);
	}
	return pid;
}

/* Where tasks are parked: both sides of 512, 4096 and 65536, and the top. */
static const pid_t sparse[] = { 600, 1025, 4097, 70001, PID_MAX_LIMIT - 1 };

#define NR_SPARSE ((int)(sizeof(sparse) / sizeof(sparse[0])))

/* same_set - do @a and @b (@n each) hold the same numbers? */
static bool same_set(const long *a, const pid_t *b, int n)
{
	int i, j;

	for (i = 0; i < n; i++) {
		for (j = 0; j < n && a[j] != b[i]; j++)
			;
		if (j == n)
			return false;
	}
	return true;
}

/*
 * check_inner_ps - what ps -e -o pid= printed in a child namespace: @n
 * pids, 1 and the sparse ones among them (their numbers inside).
 */
static void check_inner_ps(struct __test_metadata *_metadata,
			   const struct tool_run *r, int n)
{
	long listed[64];
	int i;

	EXPECT_EQ(n, out_numbers(r->out, listed, 64)) TOOL_LOG(r);
	EXPECT_TRUE(out_has_number(r->out, 1)) TOOL_LOG(r);
	for (i = 0; i < NR_SPARSE; i++) {
		EXPECT_TRUE(out_has_number(r->out, sparse[i])) TOOL_LOG(r);
	}
}

/* Markers parked at the sparse pids of the initial namespace. */
FIXTURE(initial) {
	int pid_max;
	pid_t marker[NR_SPARSE];
};

FIXTURE_SETUP(initial)
{
	const char *skip = raise_pid_max(&self->pid_max, PID_MAX_LIMIT);
	int i;

	for (i = 0; i < NR_SPARSE; i++)
		self->marker[i] = -1;
	if (skip)
		SKIP(return, "%s", skip);
	for (i = 0; i < NR_SPARSE; i++) {
		self->marker[i] = park_marker(sparse[i]);
		ASSERT_LT(0, self->marker[i])
			TH_LOG("no marker from %d up: %s", sparse[i], strerror(errno));
		if (self->marker[i] != sparse[i])
			TH_LOG("%d was taken: the marker is at %d", sparse[i],
			       self->marker[i]);
	}
	for (i = 0; i < NR_SPARSE; i++) {
		ASSERT_EQ(0, wait_comm(self->marker[i], MARKER, TOOL_TIMEOUT_MS))
			TH_LOG("marker %d did not start", self->marker[i]);
	}
	/* Nothing else can be up there: it must be exact. */
	ASSERT_EQ(PID_MAX_LIMIT - 1, self->marker[NR_SPARSE - 1]);
}

FIXTURE_TEARDOWN(initial)
{
	int i;

	if (self->pid_max > 0)
		sysctl_write_int(pid_max_path, self->pid_max);
	for (i = 0; i < NR_SPARSE; i++)
		kill_and_reap(self->marker[i]);
}

/*
 * ps -e -o pid= lists every task that was there before it ran and still
 * is after, each once, the markers among them.
 */
TEST_F_TIMEOUT(initial, ps_lists_every_task, TEST_SECS)
{
	static pid_t before[4096], after[4096];
	static long listed[8192];
	struct tool_run *r = malloc(sizeof(*r));
	int nb, na, nl, i, j, both = 0;

	ASSERT_TOOL_PRESENT(PS);
	ASSERT_NE(NULL, r);
	nb = dir_pids("/proc", before, 4096);
	run_tool(r, TOOL_TIMEOUT_MS, PS " -e -o pid=");
	na = dir_pids("/proc", after, 4096);
	ASSERT_TOOL_OK(r);
	ASSERT_LT(0, nb);
	ASSERT_GE(4096, nb);
	ASSERT_GE(4096, na);
	nl = out_numbers(r->out, listed, 8192);
	ASSERT_GE(8192, nl);
	for (i = 0; i < NR_SPARSE; i++) {
		EXPECT_TRUE(out_has_number(r->out, self->marker[i]))
			TH_LOG("ps -e does not list the marker at %d", self->marker[i]);
	}
	for (i = 0; i < nb; i++) {
		if (!bsearch(&before[i], after, na, sizeof(*after), pid_cmp))
			continue;
		both++;
		EXPECT_TRUE(out_has_number(r->out, before[i]))
			TH_LOG("ps -e does not list %d, which /proc lists", before[i]);
	}
	for (i = 0; i < nl; i++)
		for (j = i + 1; j < nl; j++) {
			EXPECT_NE(listed[i], listed[j])
				TH_LOG("ps -e lists %ld twice", listed[i]);
		}
	/* The rest: ps itself, its shell, whatever else came and went. */
	EXPECT_LE(both, nl);
	if (nl > both + 16)
		TH_LOG("ps listed %d tasks, /proc %d before and %d after",
		       nl, nb, na);
	free(r);
}

/* pidof finds every marker by its name, and nothing else. */
TEST_F_TIMEOUT(initial, pidof_finds_markers, TEST_SECS)
{
	struct tool_run *r = malloc(sizeof(*r));
	int i, words;
	long pids[64];

	ASSERT_TOOL_PRESENT(PIDOF);
	ASSERT_NE(NULL, r);
	run_tool(r, TOOL_TIMEOUT_MS, PIDOF " " MARKER);
	ASSERT_TOOL_OK(r);
	for (i = 0; i < NR_SPARSE; i++) {
		EXPECT_TRUE(out_has_word(r->out, self->marker[i]))
			TOOL_LOG(r);
	}
	words = parse_ints(r->out, pids, 64);
	EXPECT_EQ(NR_SPARSE, words) TOOL_LOG(r);
	free(r);
}

/* top -b, on a dumb terminal 512 columns wide, lists every marker. */
TEST_F_TIMEOUT(initial, top_lists_markers, TEST_SECS)
{
	struct tool_run *r = malloc(sizeof(*r));
	int i;

	ASSERT_TOOL_PRESENT(TOP);
	ASSERT_EQ(0, access(DUMB_TERMINFO, R_OK))
		TH_LOG("%s: %s; top -b needs it (setupterm(\"dumb\")), else it"
		       " exits 1 printing nothing: the initramfs lacks it",
		       DUMB_TERMINFO, strerror(errno));
	ASSERT_NE(NULL, r);
	run_tool(r, TOOL_TIMEOUT_MS, "TERM=dumb COLUMNS=512 LINES=1000 " TOP
		 " -bn1 -w 512");
	ASSERT_TOOL_OK(r);
	for (i = 0; i < NR_SPARSE; i++) {
		EXPECT_TRUE(out_has_number(r->out, self->marker[i]))
			TH_LOG("top does not list the marker at %d:\n%.3000s",
			       self->marker[i], r->out);
	}
	free(r);
}

/*
 * A child namespace made by unshare, its init parked, and tasks parked
 * in it at the sparse pids, at high sparse pids outside too.
 */
FIXTURE(childns) {
	int pid_max;
	struct tool_bg bg;
	pid_t init;			/* unshare's child, pid 1 inside */
	unsigned long ino;
	pid_t parker;
	pid_t outer[NR_SPARSE];		/* the tasks at sparse[] inside */
};

/* Where the tasks of the child namespace go in the initial one. */
static const pid_t outer_from[] = { 700, 1500, 5000, 80000, PID_MAX_LIMIT - 100 };

FIXTURE_SETUP(childns)
{
	const char *skip = raise_pid_max(&self->pid_max, PID_MAX_LIMIT);
	int i, vals[4];

	tool_bg_init(&self->bg);
	self->init = -1;
	self->parker = -1;
	if (skip)
		SKIP(return, "%s", skip);
	ASSERT_TOOL_PRESENT(UNSHARE);
	ASSERT_TOOL_PRESENT(SLEEP);
	ASSERT_EQ(0, prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0));
	ASSERT_LT(0, spawn_tool(&self->bg, UNSHARE " --pid --fork --mount-proc"
				" --kill-child " SLEEP " 1000"));
	self->init = child_of(self->bg.pid, TOOL_TIMEOUT_MS);
	if (self->init < 0)
		BG_LOG(&self->bg);
	ASSERT_LT(0, self->init);
	ASSERT_EQ(0, wait_comm(self->init, "sleep", TOOL_TIMEOUT_MS)) BG_LOG(&self->bg);
	self->ino = pidns_ino(self->init);
	ASSERT_NE(pidns_ino(getpid()), self->ino);

	self->parker = park_in_pidns(self->init, sparse, outer_from, NR_SPARSE,
				     self->outer);
	ASSERT_LT(0, self->parker) TH_LOG("parking in the namespace: %s",
					  strerror(errno));
	for (i = 0; i < NR_SPARSE; i++) {
		ASSERT_EQ(2, status_ints(self->outer[i], "NSpid", vals, 4));
		ASSERT_EQ(self->outer[i], vals[0]);
		ASSERT_EQ(sparse[i], vals[1]);
		ASSERT_EQ(self->ino, pidns_ino(self->outer[i]));
	}
}

FIXTURE_TEARDOWN(childns)
{
	if (self->pid_max > 0)
		sysctl_write_int(pid_max_path, self->pid_max);
	kill_and_reap(self->parker);
	stop_tool(&self->bg);
	reap_children(TOOL_TIMEOUT_MS);
}

/*
 * pgrep --ns PID --nslist pid: exactly the namespace's tasks, by their
 * pids outside, whichever of them PID is; with the caller's namespace,
 * none of them.
 */
TEST_F_TIMEOUT(childns, pgrep_ns, TEST_SECS)
{
	struct tool_run *r = malloc(sizeof(*r));
	pid_t members[NR_SPARSE + 1], by[2] = { self->init, self->outer[NR_SPARSE - 1] };
	long listed[64];
	int i, k, n;

	ASSERT_TOOL_PRESENT(PGREP);
	ASSERT_NE(NULL, r);
	members[0] = self->init;
	memcpy(members + 1, self->outer, sizeof(self->outer));
	for (k = 0; k < 2; k++) {
		run_tool(r, TOOL_TIMEOUT_MS, PGREP " --ns %d --nslist pid", by[k]);
		ASSERT_TOOL_OK(r);
		n = out_numbers(r->out, listed, 64);
		EXPECT_EQ(NR_SPARSE + 1, n) TOOL_LOG(r);
		if (n == NR_SPARSE + 1) {
			EXPECT_TRUE(same_set(listed, members, n)) TOOL_LOG(r);
		}
	}

	run_tool(r, TOOL_TIMEOUT_MS, PGREP " --ns %d --nslist pid", getpid());
	ASSERT_TOOL_OK(r);
	EXPECT_TRUE(out_has_number(r->out, getpid())) TOOL_LOG(r);
	EXPECT_TRUE(out_has_number(r->out, self->bg.pid)) TOOL_LOG(r);
	for (i = 0; i < NR_SPARSE + 1; i++) {
		EXPECT_FALSE(out_has_number(r->out, members[i]))
			TH_LOG("pgrep lists %d of the child namespace", members[i]);
	}
	free(r);
}

/*
 * ps -o pidns= prints the inode of /proc/PID/ns/pid: for the child
 * namespace's init and a task high in it, and for this test itself.
 */
TEST_F_TIMEOUT(childns, ps_pidns, TEST_SECS)
{
	struct tool_run *r = malloc(sizeof(*r));
	pid_t who[3] = { self->init, self->outer[NR_SPARSE - 1], getpid() };
	int k;

	ASSERT_TOOL_PRESENT(PS);
	ASSERT_NE(NULL, r);
	for (k = 0; k < 3; k++) {
		run_tool(r, TOOL_TIMEOUT_MS, PS " -o pidns= -p %d", who[k]);
		ASSERT_TOOL_OK(r);
		EXPECT_EQ(pidns_ino(who[k]), strtoul(r->out, NULL, 10)) TOOL_LOG(r);
	}
	EXPECT_NE(pidns_ino(who[0]), pidns_ino(who[2]));
	free(r);
}

/*
 * ps -e run inside through nsenter lists the init, every task parked at
 * the sparse pids and itself: by their numbers inside, nothing else.
 */
TEST_F_TIMEOUT(childns, ps_via_nsenter, TEST_SECS)
{
	struct tool_run *r = malloc(sizeof(*r));

	ASSERT_TOOL_PRESENT(PS);
	ASSERT_TOOL_PRESENT(NSENTER);
	ASSERT_NE(NULL, r);
	run_tool(r, TOOL_TIMEOUT_MS, NSENTER " --pid --mount -t %d " PS " -e -o pid=",
		 self->init);
	ASSERT_TOOL_OK(r);
	check_inner_ps(_metadata, r, NR_SPARSE + 2);
	free(r);
}

/*
 * unshare --pid --fork --mount-proc running a shell that places sleeps at
 * the sparse pids (ns_last_pid inside) and then becomes ps -e: ps lists
 * exactly itself as 1 and the sleeps, no task of the initial namespace.
 * As nobody too, in a user namespace of its own, which owns the pid
 * namespace and so may write its ns_last_pid.
 */
FIXTURE(newns) {
	int pid_max;
};

FIXTURE_VARIANT(newns) {
	bool nobody;
};

FIXTURE_VARIANT_ADD(newns, root) { .nobody = false };
FIXTURE_VARIANT_ADD(newns, nobody) { .nobody = true };

FIXTURE_SETUP(newns)
{
	const char *skip = raise_pid_max(&self->pid_max, PID_MAX_LIMIT);

	if (skip)
		SKIP(return, "%s", skip);
	ASSERT_TOOL_PRESENT(UNSHARE);
	ASSERT_TOOL_PRESENT(SETPRIV);
	ASSERT_TOOL_PRESENT(PS);
	ASSERT_TOOL_PRESENT(SLEEP);
}

FIXTURE_TEARDOWN(newns)
{
	if (self->pid_max > 0)
		sysctl_write_int(pid_max_path, self->pid_max);
}

TEST_F_TIMEOUT(newns, ps_sees_only_its_namespace, TEST_SECS)
{
	struct tool_run *r = malloc(sizeof(*r));
	char placed[32];
	int i;

	ASSERT_NE(NULL, r);
	/* The sleeps die with ps, the namespace's init. */
	run_tool(r, TOOL_TIMEOUT_MS, "%s" UNSHARE " %s--pid --fork --mount-proc "
		 SH " -c 'for n in %d %d %d %d %d; do "
		 "echo $((n - 1)) >/proc/sys/kernel/ns_last_pid || exit 1; "
		 SLEEP " 300 >/dev/null 2>&1 & echo placed $!; done; "
		 "exec " PS " -e -o pid='",
		 variant->nobody ? AS_NOBODY_PDEATHSIG : "",
		 variant->nobody ? "--user --map-root-user " : "",
		 sparse[0], sparse[1], sparse[2], sparse[3], sparse[4]);
	ASSERT_TOOL_OK(r);
	for (i = 0; i < NR_SPARSE; i++) {
		snprintf(placed, sizeof(placed), "placed %d\n", sparse[i]);
		EXPECT_NE(NULL, strstr(r->out, placed)) TOOL_LOG(r);
	}
	check_inner_ps(_metadata, r, NR_SPARSE + 1);
	free(r);
}

TEST_HARNESS_MAIN
