// SPDX-License-Identifier: GPL-2.0
/*
 * util-linux as Debian 12 ships it (2.38.1): what unshare, nsenter and lsns
 * do and print, checked against what the kernel says (NSpid, the inodes of
 * /proc/PID/ns/pid and what NS_GET_PARENT and NS_GET_USERNS give, the proc
 * mount each namespace got):
 * - unshare --pid --fork --mount-proc: the child is pid 1 of a new
 *   namespace whose /proc lists only its tasks; nested two and three deep,
 *   each level's /proc lists its own tasks; as nobody with --user
 *   --map-root-user too, every namespace owned by the user namespace made
 *   with it;
 * - --kill-child: when unshare is SIGKILLed, every task of the namespace
 *   dies with it; without it, they outlive unshare;
 * - nsenter --pid --mount -t PID: the command sees the namespace's /proc
 *   with the init as pid 1, and is not pid 1 itself;
 * - lsns -t pid: each namespace by its inode, parent, owner, lowest pid
 *   and number of tasks;
 * - the same at high and sparse pids (pid_max 4194304): the namespace's
 *   init above 65536 in the initial namespace, a task at 70000 inside.
 * A missing tool fails its test: the suite exists to run them.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <linux/nsfs.h>
#include <sys/ioctl.h>

#include "clients.h"
#include "kselftest_harness.h"

#define UNSHARE "/usr/bin/unshare"
#define NSENTER "/usr/bin/nsenter"
#define LSNS "/usr/bin/lsns"
#define SH "/bin/sh"
#define SLEEP "/bin/sleep"
#define CAT "/bin/cat"
#define LS "/bin/ls"

/* Per test: tools under TCG take seconds each. */
#define TEST_SECS 600

#define MAX_DEPTH 3

RESTORE_PID_MAX_AT_EXIT()

/* ns_of - the inode of /proc/@pid/ns/@ns, or 0. */
static unsigned long ns_of(pid_t pid, const char *ns)
{
	char path[64];

	snprintf(path, sizeof(path), "/proc/%d/ns/%s", pid, ns);
	return ns_ino(AT_FDCWD, path);
}

/*
 * nsfs_rel - the inode of the namespace that the nsfs ioctl @req
 * (NS_GET_PARENT, NS_GET_USERNS) gives for /proc/@pid/ns/@ns, or 0.
 */
static unsigned long nsfs_rel(pid_t pid, const char *ns, unsigned long req)
{
	struct stat st;
	char path[64];
	int fd, nfd;

	snprintf(path, sizeof(path), "/proc/%d/ns/%s", pid, ns);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	nfd = ioctl(fd, req);
	close(fd);
	if (nfd < 0)
		return 0;
	if (fstat(nfd, &st))
		st.st_ino = 0;
	close(nfd);
	return st.st_ino;
}

/* line_of - the line of @out whose first word is the number @ino, into @buf. */
static int line_of(const char *out, unsigned long ino, char *buf, size_t size)
{
	const char *p = out;

	while (*p) {
		size_t len = strcspn(p, "\n");
		char *end;

		if (strtoul(p + strspn(p, " "), &end, 10) == ino && *end == ' ') {
			snprintf(buf, size, "%.*s", (int)len, p);
			return 0;
		}
		p += len;
		p += *p == '\n';
	}
	return -1;
}

/*
 * run_lsns - lsns with @args.  lsns 2.38.1 gives up, with exit status 1
 * and no output, when a task exits while it reads its /proc files (read
 * of /proc/PID/stat: ESRCH), as tasks do on a busy machine: try again a
 * few times.  The status.
 */
static int __attribute__((format(printf, 2, 3)))
run_lsns(struct tool_run *r, const char *fmt, ...)
{
	char args[256];
	va_list ap;
	int tries;

	va_start(ap, fmt);
	vsnprintf(args, sizeof(args), fmt, ap);
	va_end(ap);
	for (tries = 0; tries < 5; tries++)
		if (run_tool(r, TOOL_TIMEOUT_MS, LSNS " %s", args) != 1 || r->len)
			break;
	return r->status;
}

/*
 * A chain of unshares, one inside the other, parked: the innermost runs
 * sleep.  task[0] is the first unshare, task[k] the child of task[k - 1]:
 * the init of the k-th namespace down, and the next unshare.  As nobody,
 * each unshare makes a user namespace too, which it enters itself.
 */
FIXTURE(chain) {
	struct tool_bg bg;
	pid_t task[MAX_DEPTH + 1];
	unsigned long ino[MAX_DEPTH + 1];	/* their pid namespaces */
};

FIXTURE_VARIANT(chain) {
	int depth;
	bool nobody;
};

FIXTURE_VARIANT_ADD(chain, root_1) { .depth = 1 };
FIXTURE_VARIANT_ADD(chain, root_2) { .depth = 2 };
FIXTURE_VARIANT_ADD(chain, root_3) { .depth = 3 };
FIXTURE_VARIANT_ADD(chain, nobody_1) { .depth = 1, .nobody = true };
FIXTURE_VARIANT_ADD(chain, nobody_2) { .depth = 2, .nobody = true };

/* chain_cmd - the variant's chain of unshares running @tail. */
static void chain_cmd(char *buf, size_t size,
		      const FIXTURE_VARIANT(chain) *variant, const char *tail)
{
	size_t len;
	int k;

	len = snprintf(buf, size, "%s",
		       variant->nobody ? AS_NOBODY_PDEATHSIG : "");
	for (k = 0; k < variant->depth && len < size; k++)
		len += snprintf(buf + len, size - len,
				UNSHARE " %s--pid --fork --mount-proc --kill-child ",
				variant->nobody ? "--user --map-root-user " : "");
	if (len < size)
		snprintf(buf + len, size - len, "%s", tail);
}

FIXTURE_SETUP(chain)
{
	static const char * const tools[] = {
		UNSHARE, NSENTER, LSNS, SETPRIV, SLEEP, CAT, LS,
	};
	char cmd[sizeof(self->bg.cmd)];
	unsigned int i;
	int k;

	tool_bg_init(&self->bg);
	for (i = 0; i < sizeof(tools) / sizeof(tools[0]); i++)
		ASSERT_TOOL_PRESENT(tools[i]);
	ASSERT_EQ(0, prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0));
	chain_cmd(cmd, sizeof(cmd), variant, SLEEP " 1000");
	self->task[0] = spawn_tool(&self->bg, "%s", cmd);
	ASSERT_LT(0, self->task[0]);
	self->ino[0] = pidns_ino(self->task[0]);
	for (k = 1; k <= variant->depth; k++) {
		self->task[k] = child_of(self->task[k - 1], TOOL_TIMEOUT_MS);
		if (self->task[k] < 0)
			BG_LOG(&self->bg);
		ASSERT_LT(0, self->task[k]);
	}
	if (wait_comm(self->task[variant->depth], "sleep", TOOL_TIMEOUT_MS))
		BG_LOG(&self->bg);
	ASSERT_EQ(0, wait_comm(self->task[variant->depth], "sleep", 0));
	for (k = 1; k <= variant->depth; k++)
		self->ino[k] = pidns_ino(self->task[k]);
}

FIXTURE_TEARDOWN(chain)
{
	stop_tool(&self->bg);
	reap_children(TOOL_TIMEOUT_MS);
}

/*
 * Seen from outside: unshare's child is pid 1 of a namespace below the
 * caller's, NSpid counting down a level at a time, and each level's /proc
 * lists the tasks of that level and no other.
 */
TEST_F_TIMEOUT(chain, outside_view, TEST_SECS)
{
	int d = variant->depth, k, j, n, vals[MAX_DEPTH + 2];
	pid_t pids[64];
	char dir[64];

	EXPECT_EQ(pidns_ino(getpid()), self->ino[0]);
	for (k = 1; k <= d; k++) {
		/* Level j (j <= k) sees task[k] as its (k - j + 1)-th task. */
		n = status_ints(self->task[k], "NSpid", vals, MAX_DEPTH + 2);
		EXPECT_EQ(k + 1, n)
			TH_LOG("NSpid of task %d (level %d) has %d fields",
			       self->task[k], k, n);
		EXPECT_EQ(self->task[k], vals[0]);
		for (j = 1; j <= k && j < n; j++) {
			EXPECT_EQ(k - j + 1, vals[j])
				TH_LOG("task %d: pid %d at level %d, not %d",
				       self->task[k], vals[j], j, k - j + 1);
		}
		EXPECT_NE(self->ino[k - 1], self->ino[k]);
		EXPECT_EQ(self->ino[k - 1],
			  nsfs_rel(self->task[k], "pid", NS_GET_PARENT));
		n = pidns_members(self->ino[k], pids, 64);
		EXPECT_EQ(1, n);
		EXPECT_EQ(self->task[k], pids[0]);

		/* The proc that level k's unshare mounted. */
		snprintf(dir, sizeof(dir), "/proc/%d/root/proc", self->task[k - 1]);
		n = dir_pids(dir, pids, 64);
		EXPECT_EQ(d - k + 1, n)
			TH_LOG("%s lists %d tasks, level %d of %d", dir, n, k, d);
		for (j = 0; j < n && j < 64; j++)
			EXPECT_EQ(j + 1, pids[j]);
	}
}

/*
 * Each namespace is owned by the user namespace its unshare made along
 * with it (as nobody, --user: one more level each time, which the unshare
 * enters itself), or else by the caller's; the tasks are nobody outside.
 */
TEST_F_TIMEOUT(chain, owners, TEST_SECS)
{
	unsigned long self_user = ns_of(getpid(), "user"), user;
	int d = variant->depth, k, uid[4];

	for (k = 1; k <= d; k++) {
		/* task[k - 1] is the unshare that made level k. */
		user = variant->nobody ? ns_of(self->task[k - 1], "user") : self_user;
		EXPECT_EQ(user, nsfs_rel(self->task[k], "pid", NS_GET_USERNS))
			TH_LOG("the owner of level %d", k);
		ASSERT_EQ(4, status_ints(self->task[k], "Uid", uid, 4));
		EXPECT_EQ(variant->nobody ? 65534 : 0, uid[0]);
		if (!variant->nobody)
			continue;
		EXPECT_NE(self_user, user);
		EXPECT_EQ(k == 1 ? self_user : ns_of(self->task[k - 2], "user"),
			  nsfs_rel(self->task[k - 1], "user", NS_GET_PARENT))
			TH_LOG("the parent of level %d's user namespace", k);
	}
	/* The innermost runs sleep, in the user namespace it was forked in. */
	EXPECT_EQ(ns_of(self->task[d - 1], "user"), ns_of(self->task[d], "user"));
}

/*
 * Seen from inside: the command unshare runs is pid 1, with no parent,
 * alone in its /proc (and root, as nobody with --map-root-user).
 */
TEST_F_TIMEOUT(chain, inside_view, TEST_SECS)
{
	struct tool_run *r = malloc(sizeof(*r));
	char cmd[sizeof(r->cmd)], buf[128];
	long v[8];

	ASSERT_NE(NULL, r);
	chain_cmd(cmd, sizeof(cmd), variant, CAT " /proc/self/status");
	run_tool(r, TOOL_TIMEOUT_MS, "%s", cmd);
	ASSERT_TOOL_OK(r);
	ASSERT_EQ(0, text_field(r->out, "Pid", buf, sizeof(buf))) TOOL_LOG(r);
	EXPECT_STREQ("1", buf) TOOL_LOG(r);
	ASSERT_EQ(0, text_field(r->out, "PPid", buf, sizeof(buf)));
	EXPECT_STREQ("0", buf) TOOL_LOG(r);
	ASSERT_EQ(0, text_field(r->out, "NSpid", buf, sizeof(buf)));
	EXPECT_STREQ("1", buf) TOOL_LOG(r);
	ASSERT_EQ(0, text_field(r->out, "Uid", buf, sizeof(buf)));
	EXPECT_EQ(0, atoi(buf)) TOOL_LOG(r);

	chain_cmd(cmd, sizeof(cmd), variant, LS " -1 /proc");
	run_tool(r, TOOL_TIMEOUT_MS, "%s", cmd);
	ASSERT_TOOL_OK(r);
	EXPECT_EQ(1, out_numbers(r->out, v, 8)) TOOL_LOG(r);
	EXPECT_EQ(1, v[0]) TOOL_LOG(r);
	free(r);
}

/*
 * nsenter --pid --mount into the innermost namespace: the command sees
 * that namespace's /proc, the init there as pid 1 and itself as another
 * pid; without --mount, the caller's /proc shows it a level further down.
 * As nobody, nsenter --user gets there too.
 */
TEST_F_TIMEOUT(chain, nsenter, TEST_SECS)
{
	pid_t init = self->task[variant->depth];
	struct tool_run *r = malloc(sizeof(*r));
	long v[MAX_DEPTH + 2], me;
	char buf[128];
	int n;

	ASSERT_NE(NULL, r);
	run_tool(r, TOOL_TIMEOUT_MS, NSENTER " --pid --mount -t %d " CAT
		 " /proc/1/comm", init);
	ASSERT_TOOL_OK(r);
	EXPECT_STREQ("sleep\n", r->out) TOOL_LOG(r);

	run_tool(r, TOOL_TIMEOUT_MS, NSENTER " --pid --mount -t %d " CAT
		 " /proc/self/status", init);
	ASSERT_TOOL_OK(r);
	ASSERT_EQ(0, text_field(r->out, "NSpid", buf, sizeof(buf))) TOOL_LOG(r);
	EXPECT_EQ(1, parse_ints(buf, v, 1)) TOOL_LOG(r);
	EXPECT_NE(1, v[0]) TOOL_LOG(r);
	me = v[0];
	ASSERT_EQ(0, text_field(r->out, "Pid", buf, sizeof(buf)));
	EXPECT_EQ(me, atol(buf)) TOOL_LOG(r);

	run_tool(r, TOOL_TIMEOUT_MS, NSENTER " --pid --mount -t %d " LS " -1 /proc",
		 init);
	ASSERT_TOOL_OK(r);
	n = out_numbers(r->out, v, MAX_DEPTH + 2);
	EXPECT_EQ(2, n) TOOL_LOG(r);
	EXPECT_TRUE(out_has_number(r->out, 1)) TOOL_LOG(r);

	run_tool(r, TOOL_TIMEOUT_MS, NSENTER " --pid -t %d " CAT " /proc/self/status",
		 init);
	ASSERT_TOOL_OK(r);
	ASSERT_EQ(0, text_field(r->out, "NSpid", buf, sizeof(buf))) TOOL_LOG(r);
	n = parse_ints(buf, v, MAX_DEPTH + 2);
	EXPECT_EQ(variant->depth + 1, n) TOOL_LOG(r);
	EXPECT_NE(1, v[n - 1]) TOOL_LOG(r);

	if (variant->nobody) {
		/*
		 * --preserve-credentials: nsenter's setgroups() would fail,
		 * --map-root-user denied it.  Mapped, nobody is root inside.
		 */
		run_tool(r, TOOL_TIMEOUT_MS, AS_NOBODY_PDEATHSIG NSENTER " --user"
			 " --preserve-credentials --pid --mount -t %d " CAT
			 " /proc/self/status", init);
		ASSERT_TOOL_OK(r);
		ASSERT_EQ(0, text_field(r->out, "NSpid", buf, sizeof(buf)))
			TOOL_LOG(r);
		EXPECT_EQ(1, parse_ints(buf, v, 1)) TOOL_LOG(r);
		EXPECT_NE(1, v[0]) TOOL_LOG(r);
		ASSERT_EQ(0, text_field(r->out, "Uid", buf, sizeof(buf)));
		EXPECT_EQ(0, atoi(buf)) TOOL_LOG(r);
	}
	free(r);
}

/*
 * lsns -t pid lists every level by its inode, with its parent and owner,
 * and with the one task whose namespace it is (lsns counts a task in its
 * own namespace only, not in the ancestors that see it too).
 */
TEST_F_TIMEOUT(chain, lsns, TEST_SECS)
{
	struct tool_run *r = malloc(sizeof(*r));
	unsigned long ns, pns, ons;
	char line[512], type[16], user[32];
	int k, pid, nprocs;

	ASSERT_NE(NULL, r);
	run_lsns(r, "-t pid -o NS,PNS,ONS,PID,NPROCS,USER -n -r");
	ASSERT_TOOL_OK(r);
	for (k = 1; k <= variant->depth; k++) {
		ASSERT_EQ(0, line_of(r->out, self->ino[k], line, sizeof(line)))
			TOOL_LOG(r);
		ASSERT_EQ(6, sscanf(line, "%lu %lu %lu %d %d %31s", &ns, &pns,
				    &ons, &pid, &nprocs, user)) TOOL_LOG(r);
		EXPECT_EQ(self->ino[k - 1], pns) TOOL_LOG(r);
		EXPECT_EQ(nsfs_rel(self->task[k], "pid", NS_GET_USERNS), ons)
			TOOL_LOG(r);
		EXPECT_EQ(self->task[k], pid) TOOL_LOG(r);
		EXPECT_EQ(1, nprocs) TOOL_LOG(r);
		EXPECT_STREQ(variant->nobody ? "nobody" : "root", user) TOOL_LOG(r);
	}

	run_lsns(r, "-t pid");
	ASSERT_TOOL_OK(r);
	for (k = 1; k <= variant->depth; k++) {
		ASSERT_EQ(0, line_of(r->out, self->ino[k], line, sizeof(line)))
			TOOL_LOG(r);
		ASSERT_EQ(4, sscanf(line, "%lu %15s %d %d", &ns, type, &nprocs,
				    &pid)) TOOL_LOG(r);
		EXPECT_STREQ("pid", type);
		EXPECT_EQ(1, nprocs) TOOL_LOG(r);
		EXPECT_EQ(self->task[k], pid) TOOL_LOG(r);
	}
	free(r);
}

/*
 * unshare --kill-child: SIGKILL the unshare and its namespace goes, the
 * init and a task that init forked.  Without the option, the namespace
 * outlives unshare.  (Its sleeps end by themselves after LEASH seconds,
 * should the test die before killing them: nothing holds them.)
 */
#define LEASH 300

FIXTURE(kill_child) {
	struct tool_bg bg;
	pid_t init;
};

FIXTURE_VARIANT(kill_child) {
	const char *opt;
	bool dies;
};

FIXTURE_VARIANT_ADD(kill_child, sigkill) { .opt = "--kill-child=SIGKILL", .dies = true };
FIXTURE_VARIANT_ADD(kill_child, plain) { .opt = "--kill-child", .dies = true };
FIXTURE_VARIANT_ADD(kill_child, without) { .opt = "", .dies = false };

FIXTURE_SETUP(kill_child)
{
	tool_bg_init(&self->bg);
	self->init = -1;
	ASSERT_TOOL_PRESENT(UNSHARE);
	ASSERT_TOOL_PRESENT(SLEEP);
	ASSERT_EQ(0, prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0));
}

FIXTURE_TEARDOWN(kill_child)
{
	/* The init came to this subreaper if unshare died first. */
	if (self->init > 0)
		kill(self->init, SIGKILL);
	stop_tool(&self->bg);
	reap_children(TOOL_TIMEOUT_MS);
}

TEST_F_TIMEOUT(kill_child, unshare_sigkilled, TEST_SECS)
{
	struct timespec end;
	pid_t tasks[8];
	unsigned long ino;
	int n, i, gone;

	ASSERT_LT(0, spawn_tool(&self->bg, UNSHARE " --pid --fork --mount-proc %s "
				SH " -c '" SLEEP " %d & exec " SLEEP " %d'",
				variant->opt, LEASH, LEASH + 1));
	self->init = child_of(self->bg.pid, TOOL_TIMEOUT_MS);
	if (self->init < 0)
		BG_LOG(&self->bg);
	ASSERT_LT(0, self->init);
	ASSERT_EQ(0, wait_comm(self->init, "sleep", TOOL_TIMEOUT_MS)) BG_LOG(&self->bg);
	ino = pidns_ino(self->init);
	ASSERT_NE(0UL, ino);
	ASSERT_NE(pidns_ino(getpid()), ino);
	end = deadline_in(TOOL_TIMEOUT_MS);
	do {
		n = pidns_members(ino, tasks, 8);
		for (i = 0; n == 2 && i < n; i++)
			if (wait_comm(tasks[i], "sleep", 0))
				n = -1;
	} while (n != 2 && ms_left(&end) > 0);
	ASSERT_EQ(2, n) BG_LOG(&self->bg);

	/* From here on, no ASSERT: the harness would skip the teardown. */
	EXPECT_EQ(0, kill(self->bg.pid, SIGKILL));
	EXPECT_EQ(self->bg.pid, wait_timeout(self->bg.pid, NULL, 0, TOOL_TIMEOUT_MS));
	self->bg.pid = -1;
	if (variant->dies) {
		end = deadline_in(30000);
		for (;;) {
			for (gone = 0, i = 0; i < n; i++)
				gone += task_gone(tasks[i]);
			if (gone == n || !ms_left(&end))
				break;
			usleep(5000);
		}
		EXPECT_EQ(n, gone)
			TH_LOG("%d of the namespace's %d tasks outlived unshare",
			       n - gone, n);
	} else {
		usleep(500 * 1000);
		for (i = 0; i < n; i++) {
			EXPECT_FALSE(task_gone(tasks[i]))
				TH_LOG("task %d died with unshare", tasks[i]);
		}
	}
}

/*
 * At high and sparse pids, pid_max at 4194304: unshare's child placed
 * above 65536 in the initial namespace (ns_last_pid), and a task at 70000
 * inside, placed through nsenter.
 */
FIXTURE(high) {
	int pid_max;
	struct tool_bg bg;
	pid_t init;		/* unshare's child, pid 1 inside */
	pid_t inner;		/* pid 70000 inside, by its pid outside */
	unsigned long ino;
};

#define INNER_PID 70000

FIXTURE_SETUP(high)
{
	const char *skip = raise_pid_max(&self->pid_max, PID_MAX_LIMIT);
	struct tool_run *r;
	pid_t tasks[8];
	int tries, n, vals[4];

	tool_bg_init(&self->bg);
	self->init = -1;
	if (skip)
		SKIP(return, "%s", skip);
	ASSERT_TOOL_PRESENT(UNSHARE);
	ASSERT_TOOL_PRESENT(NSENTER);
	ASSERT_TOOL_PRESENT(LSNS);
	ASSERT_EQ(0, prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0));

	/* unshare at @want, its child at @want + 1, unless others fork first. */
	for (tries = 0; tries < 5; tries++) {
		pid_t want = HIGH_PID + tries * 1000;

		while ((want = free_pid_near(want, PID_MAX_LIMIT)) > 0 &&
		       free_pid_near(want + 1, PID_MAX_LIMIT) != want + 1)
			want += 2;
		ASSERT_LT(0, want);
		ASSERT_EQ(0, sysctl_write_int(NS_LAST_PID, want - 1));
		ASSERT_LT(0, spawn_tool(&self->bg, UNSHARE " --pid --fork"
					" --mount-proc --kill-child " SLEEP " 1000"));
		self->init = child_of(self->bg.pid, TOOL_TIMEOUT_MS);
		if (self->init < 0)
			BG_LOG(&self->bg);
		ASSERT_LT(0, self->init);
		if (self->init >= want)
			break;
		TH_LOG("unshare's child got %d, not %d: another task forked",
		       self->init, want + 1);
		stop_tool(&self->bg);
		reap_children(TOOL_TIMEOUT_MS);
	}
	ASSERT_LT(HIGH_PID, self->init);
	ASSERT_EQ(0, wait_comm(self->init, "sleep", TOOL_TIMEOUT_MS)) BG_LOG(&self->bg);
	self->ino = pidns_ino(self->init);
	ASSERT_NE(0UL, self->ino);

	r = malloc(sizeof(*r));
	ASSERT_NE(NULL, r);
	run_tool(r, TOOL_TIMEOUT_MS, NSENTER " --pid --mount -t %d " SH " -c '"
		 "echo %d >" NS_LAST_PID " || exit 1; "
		 SLEEP " 1000 >/dev/null 2>&1 & echo placed $!'",
		 self->init, INNER_PID - 1);
	ASSERT_TOOL_OK(r);
	EXPECT_NE(NULL, strstr(r->out, "placed 70000\n")) TOOL_LOG(r);
	free(r);

	n = pidns_members(self->ino, tasks, 8);
	ASSERT_EQ(2, n);
	self->inner = tasks[0] == self->init ? tasks[1] : tasks[0];
	ASSERT_EQ(0, wait_comm(self->inner, "sleep", TOOL_TIMEOUT_MS));
	ASSERT_EQ(2, status_ints(self->inner, "NSpid", vals, 4));
	ASSERT_EQ(INNER_PID, vals[1]);
}

FIXTURE_TEARDOWN(high)
{
	if (self->pid_max > 0)
		sysctl_write_int(pid_max_path, self->pid_max);
	stop_tool(&self->bg);
	reap_children(TOOL_TIMEOUT_MS);
}

/* lsns names the namespace by its high init, whichever task it is asked about. */
TEST_F_TIMEOUT(high, lsns, TEST_SECS)
{
	struct tool_run *r = malloc(sizeof(*r));
	unsigned long ns;
	char line[512], type[16];
	int pid, nprocs;

	ASSERT_NE(NULL, r);
	run_lsns(r, "-t pid -o NS,PID,NPROCS -n -r");
	ASSERT_TOOL_OK(r);
	ASSERT_EQ(0, line_of(r->out, self->ino, line, sizeof(line))) TOOL_LOG(r);
	ASSERT_EQ(3, sscanf(line, "%lu %d %d", &ns, &pid, &nprocs)) TOOL_LOG(r);
	EXPECT_EQ(self->init, pid) TOOL_LOG(r);
	EXPECT_EQ(2, nprocs) TOOL_LOG(r);

	run_lsns(r, "-t pid");
	ASSERT_TOOL_OK(r);
	ASSERT_EQ(0, line_of(r->out, self->ino, line, sizeof(line))) TOOL_LOG(r);
	ASSERT_EQ(4, sscanf(line, "%lu %15s %d %d", &ns, type, &nprocs, &pid))
		TOOL_LOG(r);
	EXPECT_EQ(self->init, pid) TOOL_LOG(r);
	EXPECT_EQ(2, nprocs) TOOL_LOG(r);

	run_lsns(r, "-p %d -t pid -o NS,PID -n -r", self->inner);
	ASSERT_TOOL_OK(r);
	ASSERT_EQ(2, sscanf(r->out, "%lu %d", &ns, &pid)) TOOL_LOG(r);
	EXPECT_EQ(self->ino, ns) TOOL_LOG(r);
	EXPECT_EQ(self->init, pid) TOOL_LOG(r);
	free(r);
}

/*
 * nsenter by either high pid: the namespace's /proc lists 1, 70000 and the
 * command, which got the next number after 70000 (pids are handed out
 * cyclically); the caller's /proc shows it with its number inside.
 */
TEST_F_TIMEOUT(high, nsenter, TEST_SECS)
{
	struct tool_run *r = malloc(sizeof(*r));
	long v[8];
	char buf[128];
	int n;

	ASSERT_NE(NULL, r);
	run_tool(r, TOOL_TIMEOUT_MS, NSENTER " --pid --mount -t %d " LS " -1 /proc",
		 self->init);
	ASSERT_TOOL_OK(r);
	n = out_numbers(r->out, v, 8);
	EXPECT_EQ(3, n) TOOL_LOG(r);
	EXPECT_TRUE(out_has_number(r->out, 1)) TOOL_LOG(r);
	EXPECT_TRUE(out_has_number(r->out, INNER_PID)) TOOL_LOG(r);

	run_tool(r, TOOL_TIMEOUT_MS, NSENTER " --pid --mount -t %d " CAT
		 " /proc/self/status /proc/%d/comm", self->inner, INNER_PID);
	ASSERT_TOOL_OK(r);
	ASSERT_EQ(0, text_field(r->out, "NSpid", buf, sizeof(buf))) TOOL_LOG(r);
	EXPECT_EQ(1, parse_ints(buf, v, 8)) TOOL_LOG(r);
	EXPECT_LT(INNER_PID, v[0]) TOOL_LOG(r);
	EXPECT_NE(NULL, strstr(r->out, "\nsleep\n")) TOOL_LOG(r);

	run_tool(r, TOOL_TIMEOUT_MS, NSENTER " --pid -t %d " CAT " /proc/self/status",
		 self->inner);
	ASSERT_TOOL_OK(r);
	ASSERT_EQ(0, text_field(r->out, "NSpid", buf, sizeof(buf))) TOOL_LOG(r);
	EXPECT_EQ(2, parse_ints(buf, v, 8)) TOOL_LOG(r);
	EXPECT_LT(INNER_PID, v[1]) TOOL_LOG(r);
	free(r);
}

TEST_HARNESS_MAIN
