// SPDX-License-Identifier: GPL-2.0
/*
 * CRIU 3.17.1 as Debian 12 ships it (/usr/sbin/criu) against the kernel:
 * - "criu check" finds every feature that dump and restore need;
 * - a process tree that is a PID namespace of its own, with tasks at
 *   sparse numbers inside it (1, 2, 600, 5000), comes back from
 *   "criu dump" and "criu restore -d" with the same numbers inside the
 *   namespace, the same parents, and runs on;
 * - the same for a tree that also has a mount namespace and a /proc of
 *   its own;
 * - the same for a tree whose numbers in the initial namespace lie above
 *   65536 (pid_max raised as systemd raises it), one of them inside too.
 * Each task writes a heartbeat file: what getpid() and /proc/self say and
 * a counter, which must go on from where the dump left it.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <fcntl.h>
#include <ftw.h>
#include <net/if.h>
#include <sys/ioctl.h>
#include <sys/socket.h>

#include "clients.h"
#include "kselftest_harness.h"

RESTORE_PID_MAX_AT_EXIT()

#define CRIU "/usr/sbin/criu"

/* A safety net: a tree task whose test died ends after this many seconds. */
#define TASK_TIMEOUT 900

/* How long a heartbeat may take to show up or advance, in ms (TCG guests). */
#define BEAT_TIMEOUT_MS 60000

/* The tree: init, two children of it, and a child of the second child. */
#define TREE_TASKS 4
#define MAX_LEVELS 8

static const char last_pid_path[] = "/proc/sys/kernel/ns_last_pid";

/* tree_parent - the index in the tree of task @i's parent, -1 for init. */
static int tree_parent(int i)
{
	static const int parent[TREE_TASKS] = { -1, 0, 0, 2 };

	return parent[i];
}

/* What the kernel says about one task of a tree. */
struct task_rec {
	pid_t outer;		/* its number in the test's namespace */
	int levels;		/* of NSpid */
	int nspid[MAX_LEVELS];	/* from the test's namespace down */
	int ppid;		/* in the test's namespace */
	pid_t inner_ppid;	/* the parent's innermost number, 0: outside */
};

/* What one heartbeat line holds. */
struct beat {
	int pid;		/* getpid() */
	int self;		/* readlink("/proc/self") */
	unsigned long n;	/* beats so far */
};

/* What the tree's init tells the test once the tree is built. */
struct tree_report {
	int err;		/* errno of the step that failed, or 0 */
	char what[96];		/* that step */
	pid_t got[TREE_TASKS];	/* the numbers the tasks got inside */
};

/* close_from - close every fd from @fd up. */
static void close_from(int fd)
{
	if (syscall(SYS_close_range, fd, ~0U, 0) == 0)
		return;
	for (; fd < 1024; fd++)
		close(fd);
}

/*
 * beat_forever - the life of a tree task: every 10 ms, overwrite
 * @dir/hb.<pid> (the pid it has now, so the same file after a restore)
 * with what it sees of itself and a counter.  Fixed width, so that the
 * file keeps its size, which CRIU checks when it reopens a file.
 */
static void __attribute__((noreturn)) beat_forever(const char *dir)
{
	struct timespec tick = { 0, 10 * 1000 * 1000 };
	char path[PATH_MAX], line[64], self[32];
	unsigned long n = 0;
	ssize_t len;
	int fd;

	snprintf(path, sizeof(path), "%s/hb.%d", dir, getpid());
	for (;;) {
		len = readlink("/proc/self", self, sizeof(self) - 1);
		self[len > 0 ? len : 0] = '\0';
		len = snprintf(line, sizeof(line), "%10d %10ld %20lu\n",
			       getpid(), atol(self), ++n);
		fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
		if (fd >= 0) {
			if (pwrite(fd, line, len, 0) != len)
				n--;
			close(fd);
		}
		nanosleep(&tick, NULL);
	}
}

/*
 * fork_at - fork a child at number @want of the caller's namespace:
 * ns_last_pid set to @want - 1 first.  Like fork(); -1 also when the
 * child got another number (it is killed then).
 */
static pid_t fork_at(pid_t want)
{
	pid_t pid;

	if (sysctl_write_int(last_pid_path, want - 1))
		return -1;
	pid = fork();
	if (pid > 0 && pid != want) {
		kill_and_reap(pid);
		errno = EADDRINUSE;
		return -1;
	}
	return pid;
}

/* tree_fail - for the tree's init: report the step that failed. */
static int tree_fail(int rep, struct tree_report *r, const char *what)
{
	r->err = errno ? errno : EINVAL;
	snprintf(r->what, sizeof(r->what), "%s", what);
	write_full(rep, r, sizeof(*r));
	return 1;
}

/* How the test starts a tree's init: "criu_test --criu-tree DIR N1 N2 N3". */
#define TREE_ARG "--criu-tree"
#define TREE_ARGC 6
/* The fd on which it reports, a pipe to the test. */
#define TREE_REP_FD 3

/*
 * tree_main - the init of the tree's namespace, in a program image of its
 * own (so that every file it maps lies in its mount namespace, which CRIU
 * requires): its own session, no controlling tty, stdio on /dev/null and
 * no other fd (so CRIU needs no --shell-job and no external pipe); then
 * the other tasks at the numbers in @argv, and beats.
 */
static int tree_main(char **argv)
{
	const char *dir = argv[2];
	int rep = TREE_REP_FD;
	struct tree_report r;
	pid_t inner[TREE_TASKS] = { 1 };
	int pfd[2], fd, i;
	pid_t pid;

	memset(&r, 0, sizeof(r));
	errno = 0;
	ns_alarm(TASK_TIMEOUT);
	for (i = 1; i < TREE_TASKS; i++)
		inner[i] = atoi(argv[2 + i]);
	r.got[0] = getpid();
	if (setsid() < 0)
		return tree_fail(rep, &r, "setsid()");
	fd = open("/dev/null", O_RDWR);
	if (fd < 0 || dup2(fd, 0) < 0 || dup2(fd, 1) < 0 || dup2(fd, 2) < 0)
		return tree_fail(rep, &r, "stdio to /dev/null");
	if (fd > 2 && fd != rep)
		close(fd);
	if (chdir(dir))
		return tree_fail(rep, &r, "chdir() to the test's directory");

	pid = fork_at(inner[1]);
	if (pid < 0)
		return tree_fail(rep, &r, "fork at the first child's number");
	if (pid == 0) {
		close_from(3);
		beat_forever(dir);
	}
	r.got[1] = pid;

	if (pipe2(pfd, O_CLOEXEC))
		return tree_fail(rep, &r, "pipe2()");
	pid = fork_at(inner[2]);
	if (pid < 0)
		return tree_fail(rep, &r, "fork at the second child's number");
	if (pid == 0) {
		/* The second child forks the grandchild, says at what. */
		close(rep);
		close(pfd[0]);
		pid = fork_at(inner[3]);
		if (pid == 0) {
			close_from(3);
			beat_forever(dir);
		}
		write_full(pfd[1], &pid, sizeof(pid));
		close_from(3);
		beat_forever(dir);
	}
	r.got[2] = pid;
	close(pfd[1]);
	if (read_full(pfd[0], &r.got[3], sizeof(r.got[3])) || r.got[3] < 0)
		return tree_fail(rep, &r, "fork at the grandchild's number");
	close(pfd[0]);

	if (write_full(rep, &r, sizeof(r)))
		return 1;
	close_from(3);
	beat_forever(dir);
}

/*
 * exec_tree - in the test's child that is the first task of a new PID
 * namespace: a mount namespace and /proc of its own if @mntns, then
 * tree_main() with @rep as its report fd.
 */
static int exec_tree(const char *dir, const pid_t *inner, bool mntns, int rep)
{
	char n[TREE_TASKS][16], exe[PATH_MAX];
	struct tree_report r;
	ssize_t len;
	int i;

	memset(&r, 0, sizeof(r));
	errno = 0;
	if (rep != TREE_REP_FD) {
		if (dup2(rep, TREE_REP_FD) < 0)
			return 1;
		close(rep);
	} else if (fcntl(rep, F_SETFD, 0)) {
		return 1;
	}
	rep = TREE_REP_FD;
	if (mntns && mount_private_proc())
		return tree_fail(rep, &r, "unshare(CLONE_NEWNS) and mount proc");
	/*
	 * By name: /proc/self/exe would open the file through the mount it
	 * was found on, which is in the test's mount namespace.
	 */
	len = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (len <= 0)
		return tree_fail(rep, &r, "readlink /proc/self/exe");
	exe[len] = '\0';
	for (i = 1; i < TREE_TASKS; i++)
		snprintf(n[i], sizeof(n[i]), "%d", inner[i]);
	execl(exe, "criu_test", TREE_ARG, dir, n[1], n[2], n[3], (char *)NULL);
	return tree_fail(rep, &r, "exec the test program");
}

/* lo_up - bring the loopback interface up: CRIU probes TCP over it. */
static int lo_up(void)
{
	struct ifreq ifr;
	int fd, ret = 0;

	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "lo");
	if (ioctl(fd, SIOCGIFFLAGS, &ifr)) {
		ret = -1;
	} else if (!(ifr.ifr_flags & IFF_UP)) {
		ifr.ifr_flags |= IFF_UP;
		ret = ioctl(fd, SIOCSIFFLAGS, &ifr);
	}
	close(fd);
	return ret;
}

/*
 * own_devpts - criu check opens /dev/ptmx, which needs a devpts mounted at
 * /dev/pts (the guest's /dev is a devtmpfs and no more).  If opening it
 * fails for want of one, give the caller a mount namespace of its own with
 * one: the system's mounts stay as they were.  0 if nothing was needed, 1
 * if done (*@made: /dev/pts was created, for drop_devpts()), -1 on error.
 */
static int own_devpts(bool *made)
{
	int fd = open("/dev/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC);

	*made = false;
	if (fd >= 0) {
		close(fd);
		return 0;
	}
	if (errno != ENOENT && errno != ENODEV)
		return 0;	/* for criu check to report */
	if (mkdir("/dev/pts", 0755) == 0)
		*made = true;
	else if (errno != EEXIST)
		return -1;
	if (unshare(CLONE_NEWNS) ||
	    mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) ||
	    mount("devpts", "/dev/pts", "devpts", MS_NOSUID | MS_NOEXEC,
		  "newinstance,ptmxmode=0666,mode=0620")) {
		int err = errno;

		if (*made)
			rmdir("/dev/pts");
		errno = err;
		return -1;
	}
	return 1;
}

/* drop_devpts - undo own_devpts(): the mount, and /dev/pts if it made it. */
static void drop_devpts(bool made)
{
	umount2("/dev/pts", MNT_DETACH);
	if (made)
		rmdir("/dev/pts");
}

/* read_file - up to @size - 1 bytes of @path, NUL-terminated: length or -1. */
static ssize_t read_file(const char *path, char *buf, size_t size)
{
	ssize_t len = 0, n;
	int fd;

	buf[0] = '\0';
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	while ((size_t)len < size - 1 &&
	       (n = read(fd, buf + len, size - 1 - len)) > 0)
		len += n;
	close(fd);
	buf[len] = '\0';
	return len;
}

/*
 * criu_too_old - why CRIU 3.17.1 cannot run on this kernel at all, or
 * NULL.  Kernels after 6.12 split the x86 vDSO's data pages into [vvar]
 * and [vvar_vclock]; CRIU 3.17.1 takes the gap between [vvar] and [vdso]
 * for a broken vDSO and stops in its kernel feature detection, whatever
 * it was asked to do.  A kernel condition, not a test or tool failure:
 * the guest's 6.12 kernel does not have it.
 */
static const char *criu_too_old(const char *out)
{
	static char maps[16384];

	if (!strstr(out, "vDSO") && !strstr(out, "vdso"))
		return NULL;
	if (read_file("/proc/self/maps", maps, sizeof(maps)) < 0 ||
	    !strstr(maps, "[vvar_vclock]"))
		return NULL;
	return "CRIU 3.17.1 cannot start: it takes [vvar_vclock] for a bad vDSO";
}

/* criu_hint - what a known CRIU failure in @out asks of the kernel. */
static void criu_hint(struct __test_metadata *_metadata, const char *out)
{
	if (strstr(out, "MFD_HUGETLB"))
		TH_LOG("memfd_create(MFD_HUGETLB) is ENOSYS: CRIU 3.17.1 needs %s",
		       "CONFIG_HUGETLBFS=y");
	if (strstr(out, "/dev/ptmx"))
		TH_LOG("/dev/ptmx needs CONFIG_UNIX98_PTYS=y and a devpts on %s",
		       "/dev/pts");
}

/*
 * log_criu - show what a failed CRIU run logged: its Error and Warn lines
 * (the first 40) and the last 25 lines of the log at @path.
 */
static void log_criu(struct __test_metadata *_metadata, const char *path)
{
	static char log[1 << 20];
	char *line, *end, *tail;
	int shown = 0, lines = 0;
	ssize_t len;

	len = read_file(path, log, sizeof(log));
	if (len < 0) {
		TH_LOG("no CRIU log at %s: %s", path, strerror(errno));
		return;
	}
	for (tail = log + len; tail > log; tail--)
		if (tail[-1] == '\n' && ++lines > 25)
			break;
	for (line = log; line < log + len && shown < 40; line = end + 1) {
		end = memchr(line, '\n', log + len - line);
		if (!end)
			end = log + len;
		if (memmem(line, end - line, "Error", 5) ||
		    memmem(line, end - line, "Warn", 4)) {
			TH_LOG("%.*s", (int)(end - line), line);
			shown++;
		}
	}
	TH_LOG("%s, last lines:\n%s", path, tail);
	criu_hint(_metadata, log);
}

/* innermost - a record's number in the tree's own namespace. */
static pid_t innermost(const struct task_rec *t)
{
	return t->levels > 0 ? t->nspid[t->levels - 1] : -1;
}

static int cmp_inner(const void *a, const void *b)
{
	return innermost(a) - innermost(b);
}

/*
 * collect_ns - every task whose PID namespace is inode @ino, as the test
 * sees it, into @recs sorted by their innermost numbers.  How many there
 * are (more than @max: only @max stored).
 */
static int collect_ns(unsigned long ino, struct task_rec *recs, int max)
{
	struct dirent *de;
	char path[64];
	int n = 0, i, j;
	DIR *d;

	d = opendir("/proc");
	if (!d)
		return -1;
	while ((de = readdir(d))) {
		struct task_rec *t = &recs[n];
		char *end;
		long pid = strtol(de->d_name, &end, 10);

		if (*end || pid <= 0 || pidns_ino(pid) != ino)
			continue;
		if (n == max) {
			n++;
			break;
		}
		snprintf(path, sizeof(path), "/proc/%ld/status", pid);
		t->outer = pid;
		t->levels = proc_read_ints(AT_FDCWD, path, "NSpid", t->nspid,
					   MAX_LEVELS);
		if (proc_read_ints(AT_FDCWD, path, "PPid", &t->ppid, 1) != 1 ||
		    t->levels < 1 || t->levels > MAX_LEVELS)
			continue;	/* gone meanwhile */
		n++;
	}
	closedir(d);
	for (i = 0; i < n && i < max; i++) {
		recs[i].inner_ppid = 0;
		for (j = 0; j < n && j < max; j++)
			if (recs[j].outer == recs[i].ppid)
				recs[i].inner_ppid = innermost(&recs[j]);
	}
	qsort(recs, n < max ? n : max, sizeof(*recs), cmp_inner);
	return n;
}

/* read_beat - task @inner's last heartbeat in @dir: 0, or -1. */
static int read_beat(const char *dir, pid_t inner, struct beat *b)
{
	char path[PATH_MAX], buf[128];

	snprintf(path, sizeof(path), "%s/hb.%d", dir, inner);
	if (read_file(path, buf, sizeof(buf)) <= 0)
		return -1;
	return sscanf(buf, "%d %d %lu", &b->pid, &b->self, &b->n) == 3 ? 0 : -1;
}

/* wait_beat - until task @inner's counter passes @above: 0, or -1. */
static int wait_beat(const char *dir, pid_t inner, unsigned long above,
		     struct beat *b)
{
	struct timespec end = deadline_in(BEAT_TIMEOUT_MS);
	struct timespec tick = { 0, 5 * 1000 * 1000 };

	do {
		if (read_beat(dir, inner, b) == 0 && b->n > above)
			return 0;
		nanosleep(&tick, NULL);
	} while (ms_left(&end));
	return -1;
}

/* rm_entry, rm_tree - rm -rf, for the test's directory. */
static int rm_entry(const char *path, const struct stat *st, int flag,
		    struct FTW *ftw)
{
	remove(path);
	return 0;
}

static void rm_tree(const char *dir)
{
	nftw(dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

/*
 * kill_children - SIGKILL and reap every child of the test: the tree's
 * init, and the restored one, which comes to the test (a subreaper) when
 * "criu restore -d" exits.  Killing an init ends its whole namespace.
 */
static void kill_children(void)
{
	char path[64], buf[4096], *p, *end;
	int round;
	long pid;

	snprintf(path, sizeof(path), "/proc/self/task/%d/children", getpid());
	for (round = 0; round < 100; round++) {
		if (read_file(path, buf, sizeof(buf)) <= 0)
			break;
		for (p = buf; (pid = strtol(p, &end, 10)) > 0; p = end)
			kill_and_reap(pid);
	}
	while (waitpid(-1, NULL, WNOHANG) > 0)
		;
}

/* Only for its timeout: criu check probes a lot, and TCG is slow. */
FIXTURE(check) {
};

FIXTURE_SETUP(check)
{
}

FIXTURE_TEARDOWN(check)
{
}

/*
 * criu check finds every feature that dump and restore need; --all also
 * probes the optional ones, whose report is shown but not required.
 */
TEST_F_TIMEOUT(check, features, 300)
{
	const char *why = tool_missing(CRIU);
	struct tool_run *r;
	bool made;
	int pts;

	if (geteuid() != 0)
		SKIP(return, "criu check needs root");
	ASSERT_EQ(NULL, why) {
		TH_LOG("%s", why);
	}
	ASSERT_EQ(0, lo_up()) {
		TH_LOG("cannot bring lo up: %s", strerror(errno));
	}
	pts = own_devpts(&made);
	ASSERT_LE(0, pts) {
		TH_LOG("no devpts at /dev/pts, and mounting one failed: %s",
		       strerror(errno));
	}
	if (pts)
		TH_LOG("no devpts at /dev/pts: mounted one for criu check only");
	r = malloc(sizeof(*r));
	ASSERT_NE(NULL, r);
	run_tool(r, TOOL_TIMEOUT_MS, CRIU " check");
	why = r->status ? criu_too_old(r->out) : NULL;
	if (why)
		SKIP(goto out, "%s", why);
	if (r->status || !strstr(r->out, "Looks good.")) {
		TOOL_LOG(r);
		criu_hint(_metadata, r->out);
	}
	EXPECT_EQ(0, r->status);
	EXPECT_NE(NULL, strstr(r->out, "Looks good."));

	run_tool(r, TOOL_TIMEOUT_MS, CRIU " check --all");
	if (r->status || !strstr(r->out, "Looks good."))
		TOOL_LOG(r);
out:
	free(r);
	if (pts)
		drop_devpts(made);
}

FIXTURE(criu) {
	char dir[64];		/* images, logs, heartbeats */
	char img[96];		/* -D: the images and CRIU's logs */
	pid_t init;		/* the tree's init until the dump, or 0 */
	int pid_max;		/* to put back, or -1 */
	struct task_rec before[TREE_TASKS];
	struct beat beat[TREE_TASKS];
};

FIXTURE_VARIANT(criu) {
	bool mntns;		/* the tree has a mount namespace and /proc */
	pid_t outer;		/* the init's number in the test's namespace */
	pid_t inner[TREE_TASKS];	/* the tasks' numbers inside */
};

/* A PID namespace of its own, numbers on both sides of 512 inside. */
FIXTURE_VARIANT_ADD(criu, pidns) {
	.inner = { 1, 2, 600, 5000 },
};

/* The same with a mount namespace and a /proc of its own. */
FIXTURE_VARIANT_ADD(criu, pidns_mntns) {
	.mntns = true,
	.inner = { 1, 2, 600, 5000 },
};

/* Numbers above 65536 outside (pid_max raised), and one inside. */
FIXTURE_VARIANT_ADD(criu, pidns_high) {
	.outer = 70000,
	.inner = { 1, 2, 600, 100000 },
};

FIXTURE_SETUP(criu)
{
	const char *why = tool_missing(CRIU);

	self->init = 0;
	self->pid_max = -1;
	self->dir[0] = '\0';
	if (geteuid() != 0)
		SKIP(return, "criu dump and restore need root");
	ASSERT_EQ(NULL, why) {
		TH_LOG("%s", why);
	}
	/* The restored tree's init comes to us when criu exits. */
	ASSERT_EQ(0, prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0));
	ASSERT_EQ(0, lo_up()) {
		TH_LOG("cannot bring lo up: %s", strerror(errno));
	}
	if (variant->outer || variant->inner[3] > 32768) {
		why = raise_pid_max(&self->pid_max, 4194304);
		if (why)
			SKIP(return, "%s", why);
	}
	snprintf(self->dir, sizeof(self->dir), "/tmp/criu_test.XXXXXX");
	ASSERT_NE(NULL, mkdtemp(self->dir)) {
		TH_LOG("mkdtemp(/tmp/criu_test.XXXXXX): %s", strerror(errno));
		self->dir[0] = '\0';
	}
	snprintf(self->img, sizeof(self->img), "%s/img", self->dir);
	ASSERT_EQ(0, mkdir(self->img, 0700));
}

FIXTURE_TEARDOWN(criu)
{
	kill_children();
	if (self->dir[0])
		rm_tree(self->dir);
	if (self->pid_max > 0)
		sysctl_write_int(pid_max_path, self->pid_max);
}

/*
 * start_tree - build the variant's tree: its init is the test's child at
 * variant->outer (or wherever) in the test's namespace.
 */
static void start_tree(struct __test_metadata *_metadata,
		       FIXTURE_DATA(criu) *self,
		       const FIXTURE_VARIANT(criu) *variant)
{
	struct tree_report r;
	int rep[2], i;

	ASSERT_EQ(0, pipe2(rep, O_CLOEXEC));
	if (variant->outer) {
		pid_t at = free_pid_near(variant->outer, variant->outer + 1000);

		ASSERT_GT(at, 0);
		ASSERT_EQ(0, sysctl_write_int(last_pid_path, at - 1));
	}
	self->init = fork_newpid();
	if (self->init == 0) {
		close(rep[0]);
		_exit(exec_tree(self->dir, variant->inner, variant->mntns,
				rep[1]));
	}
	close(rep[1]);
	ASSERT_GT(self->init, 0) {
		TH_LOG("clone(CLONE_NEWPID): %s", strerror(errno));
		close(rep[0]);
	}
	i = read_timeout(rep[0], &r, sizeof(r), BEAT_TIMEOUT_MS);
	close(rep[0]);
	ASSERT_EQ(0, i) {
		TH_LOG("no report from the tree's init: %s", strerror(errno));
	}
	ASSERT_EQ(0, r.err) {
		TH_LOG("the tree's init: %s: %s", r.what, strerror(r.err));
	}
	for (i = 0; i < TREE_TASKS; i++)
		ASSERT_EQ(variant->inner[i], r.got[i]);
}

/*
 * check_tree - the tasks of the namespace with inode @ino against the
 * variant: the numbers inside, the parents, and heartbeats that go on and
 * say what the tasks see of themselves: getpid() the number inside;
 * /proc/self the same with a /proc of their own, else the number in the
 * test's namespace.  Records the tasks in @recs, their beats, above
 * @prev if given, in @beat.
 */
static void check_tree(struct __test_metadata *_metadata,
		       FIXTURE_DATA(criu) *self,
		       const FIXTURE_VARIANT(criu) *variant, unsigned long ino,
		       struct task_rec *recs, struct beat *beat,
		       const struct beat *prev)
{
	unsigned long above;
	struct beat now;
	int n, i;

	n = collect_ns(ino, recs, TREE_TASKS);
	ASSERT_EQ(TREE_TASKS, n) {
		TH_LOG("%d tasks in pid namespace %lu, not %d", n, ino,
		       TREE_TASKS);
	}
	for (i = 0; i < TREE_TASKS; i++) {
		const struct task_rec *t = &recs[i];
		int p = tree_parent(i);
		pid_t in = variant->inner[i];

		EXPECT_EQ(in, innermost(t)) {
			TH_LOG("task %d: NSpid ends with %d, not %d", t->outer,
			       innermost(t), in);
		}
		EXPECT_EQ(p < 0 ? 0 : variant->inner[p], t->inner_ppid) {
			TH_LOG("task %d (%d inside): parent %d inside", t->outer,
			       in, t->inner_ppid);
		}
		above = prev ? prev[i].n : 0;
		/*
		 * After a restore, the beat that was in flight at the dump
		 * may hold what the task saw before it; two on, it cannot.
		 */
		if (prev && read_beat(self->dir, in, &now) == 0 &&
		    now.n + 1 > above)
			above = now.n + 1;
		ASSERT_EQ(0, wait_beat(self->dir, in, above, &beat[i])) {
			TH_LOG("task %d (%d inside): no heartbeat above %lu in %s",
			       t->outer, in, above, self->dir);
		}
		EXPECT_EQ(in, beat[i].pid);
		EXPECT_EQ(variant->mntns ? in : t->outer, beat[i].self) {
			TH_LOG("task %d (%d inside): /proc/self is %d", t->outer,
			       in, beat[i].self);
		}
	}
}

/*
 * Dump the tree, then restore it detached: the same numbers inside the
 * namespace at every level but the outermost, the same parents, and every
 * task runs on from where it was.
 */
TEST_F_TIMEOUT(criu, dump_restore, 600)
{
	/*
	 * dump: -t the tree's init, -D the images, -o the log (in -D), -v4
	 * so that a failure can be read from it.  No --shell-job: the tree
	 * is a session of its own with no tty.
	 * restore: -d detaches, --pidfile names the restored init.  CRIU
	 * clones it with CLONE_NEWPID and places its tasks only at the level
	 * inside (clone3 set_tid or ns_last_pid there), so their numbers in
	 * the test's namespace are whatever comes next: CRIU 3.17.1 has no
	 * way to ask for them, and they are not checked.
	 * With a mount namespace: --external mnt[] on dump makes every mount
	 * that the tree shares with criu's namespace (/, /dev, /sys, /tmp,
	 * the /proc under the tree's own) an external bind mount, so that
	 * CRIU neither tars a tmpfs or devtmpfs nor gives up on a filesystem
	 * it cannot dump; only the tree's own proc is dumped as a mount.  On
	 * restore, --external mnt[] binds them from the same paths again,
	 * and --root / roots the new namespace at criu's /: without --root,
	 * CRIU 3.17.1 unmounts the copied mounts first and then hits a BUG()
	 * in mount-v2, or in --mntns-compat-mode fails to mount its tmpfs
	 * yard on the /tmp it unmounted.
	 */
	const char *dump_flags = variant->mntns ? " --external 'mnt[]'" : "";
	const char *restore_flags = variant->mntns ?
				    " --external 'mnt[]' --root /" : "";
	struct task_rec after[TREE_TASKS];
	struct beat beat[TREE_TASKS];
	char path[PATH_MAX], buf[32];
	unsigned long ino, ino2;
	struct tool_run *r;
	const char *why;
	int status, i, l;
	pid_t restored;

	r = malloc(sizeof(*r));
	ASSERT_NE(NULL, r);
	start_tree(_metadata, self, variant);
	ino = pidns_ino(self->init);
	ASSERT_NE(0UL, ino);
	ASSERT_NE(pidns_ino(getpid()), ino);
	snprintf(path, sizeof(path), "/proc/%d/ns/mnt", self->init);
	if (variant->mntns)
		EXPECT_NE(ns_ino(AT_FDCWD, "/proc/self/ns/mnt"),
			  ns_ino(AT_FDCWD, path));
	check_tree(_metadata, self, variant, ino, self->before, self->beat,
		   NULL);
	if (variant->outer) {
		EXPECT_GE(self->before[0].outer, variant->outer);
		EXPECT_LT(self->before[0].outer, variant->outer + 1000);
		for (i = 1; i < TREE_TASKS; i++)
			EXPECT_GT(self->before[i].outer, variant->outer);
	}

	run_tool(r, TOOL_TIMEOUT_MS, CRIU " dump -t %d -D %s -o dump.log -v4%s",
		 self->init, self->img, dump_flags);
	if (r->status) {
		static char log[1 << 16];

		snprintf(path, sizeof(path), "%s/dump.log", self->img);
		why = criu_too_old(r->out);
		if (!why && read_file(path, log, sizeof(log)) > 0)
			why = criu_too_old(log);
		if (why)
			SKIP(return, "%s", why);
		TOOL_LOG(r);
		log_criu(_metadata, path);
		ASSERT_EQ(0, r->status);
	}
	/* criu dump kills the tree; its init is the test's to reap. */
	ASSERT_EQ(self->init, wait_timeout(self->init, &status, 0, 30000));
	self->init = 0;
	EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL) {
		TH_LOG("the dumped init's wait status 0x%x", status);
	}
	EXPECT_EQ(0, collect_ns(ino, after, TREE_TASKS));

	snprintf(path, sizeof(path), "%s/restored.pid", self->dir);
	run_tool(r, TOOL_TIMEOUT_MS,
		 CRIU " restore -D %s -o restore.log -v4 -d --pidfile %s%s",
		 self->img, path, restore_flags);
	if (r->status) {
		TOOL_LOG(r);
		snprintf(path, sizeof(path), "%s/restore.log", self->img);
		log_criu(_metadata, path);
		ASSERT_EQ(0, r->status);
	}
	ASSERT_LT(0, read_file(path, buf, sizeof(buf)));
	restored = atoi(buf);
	ASSERT_LT(0, restored);
	ino2 = pidns_ino(restored);
	ASSERT_NE(0UL, ino2);
	ASSERT_NE(pidns_ino(getpid()), ino2);
	snprintf(path, sizeof(path), "/proc/%d/ns/mnt", restored);
	if (variant->mntns)
		EXPECT_NE(ns_ino(AT_FDCWD, "/proc/self/ns/mnt"),
			  ns_ino(AT_FDCWD, path));

	check_tree(_metadata, self, variant, ino2, after, beat, self->beat);
	EXPECT_EQ(restored, after[0].outer);
	for (i = 0; i < TREE_TASKS; i++) {
		/* Every level but the outermost, which CRIU cannot choose. */
		EXPECT_EQ(self->before[i].levels, after[i].levels);
		for (l = 1; l < after[i].levels; l++)
			EXPECT_EQ(self->before[i].nspid[l], after[i].nspid[l]);
		TH_LOG("task %d inside: %d before, %d after, beat %lu then %lu",
		       variant->inner[i], self->before[i].outer, after[i].outer,
		       self->beat[i].n, beat[i].n);
	}
	/* And they keep running. */
	for (i = 0; i < TREE_TASKS; i++) {
		struct beat b;

		EXPECT_EQ(0, wait_beat(self->dir, variant->inner[i], beat[i].n,
				       &b));
	}
	free(r);

	/* The restored init is the test's child: killing it ends the tree. */
	EXPECT_EQ(0, kill(restored, SIGKILL));
	EXPECT_EQ(restored, wait_timeout(restored, &status, 0, 30000)) {
		TH_LOG("the restored init %d is not the test's to reap",
		       restored);
	}
	EXPECT_EQ(0, collect_ns(ino2, after, TREE_TASKS));
}

int main(int argc, char **argv)
{
	if (argc == TREE_ARGC && !strcmp(argv[1], TREE_ARG))
		return tree_main(argv);
	return test_harness_run(argc, argv);
}
