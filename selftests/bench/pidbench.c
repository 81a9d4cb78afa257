// SPDX-License-Identifier: GPL-2.0
/*
 * pidbench - the cost of pid operations at a given PID namespace depth.
 *
 * Usage: pidbench DEPTH ROUNDS [SCALE]
 *        pidbench --scale WORKERS SECONDS
 *        pidbench --mem COUNT
 *
 * Builds a chain of DEPTH nested PID namespaces with clone(CLONE_NEWPID)
 * (depth 0: the root namespace), gives the deepest a proc mount of its own,
 * and times each operation there, ROUNDS times.  Under QEMU with
 * -icount shift=0,sleep=off, one nanosecond of guest time is one guest
 * instruction, so the numbers are guest instructions per operation.  SCALE
 * (default 1) multiplies the iteration counts.
 *
 * Output, one line per operation and round:
 *   pidbench <op> <depth> <round> <instructions per op>
 * and "pidbench-error <depth> <reason>" when the chain cannot be built
 * (a kernel without PID namespaces, at depth > 0).  At each depth,
 *   pidbench-mem <depth> <cache> <object size> <slab size>
 * gives the bytes of a struct pid of that depth and of a pid namespace,
 * -1 where the kernel does not show them.  Exit status 0 on success, 1 on
 * an error.
 *
 * With --scale, WORKERS processes - each the init of a sibling PID
 * namespace when the kernel has them, plain children otherwise - loop on
 * fork+exit+wait for SECONDS of real time at once, and one line reports
 * "pidbench-scale <workers> <ns|nons> <total operations per second>".
 * That is wall-clock time: meant for -smp 2 without icount, and noisy.
 *
 * With --mem, the kernel memory a pid namespace costs, from /proc/meminfo
 * (MemTotal less MemFree, Buffers, Cached and AnonPages) after the page
 * cache is dropped and RCU has had time to free: COUNT plain sleeping children, then COUNT namespaces whose init
 * sleeps, and COUNT / 10 namespaces whose init first had a task at each of
 * 1,024 numbers spread over a pid_max of 4194304 (with ns_last_pid),
 * against as many fresh ones with the same two tasks.  Lines:
 *   pidbench-nsmem idle <bytes per namespace beyond its init's task>
 *   pidbench-nsmem fresh <bytes per namespace with two tasks>
 *   pidbench-nsmem churned <bytes per namespace with two tasks, after churn>
 * or "pidbench-nsmem error <reason>".
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define READDIR_TASKS	100

static int scale = 1;
static pid_t sleeper;			/* a live child: target of kill/proc */
static char stat_path[64];

static long long now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static pid_t fork_newpid(void)
{
	return syscall(SYS_clone, CLONE_NEWPID | SIGCHLD, 0, NULL, NULL, 0);
}

static pid_t spawn_sleeper(void)
{
	pid_t pid = fork();

	if (pid == 0) {
		pause();
		_exit(0);
	}
	return pid;
}

static void op_fork_exit_wait(void)
{
	pid_t pid = fork();

	if (pid == 0)
		_exit(0);
	waitpid(pid, NULL, 0);
}

static void op_vfork_exec(void)
{
	static char *const argv[] = { "true", NULL };
	pid_t pid = vfork();

	if (pid == 0) {
		execve("/bench/true", argv, NULL);
		_exit(127);
	}
	waitpid(pid, NULL, 0);
}

static void *thread_fn(void *arg)
{
	return arg;
}

static void op_pthread(void)
{
	pthread_t th;

	pthread_create(&th, NULL, thread_fn, NULL);
	pthread_join(th, NULL);
}

static void op_getpid(void)
{
	syscall(SYS_getpid);
}

static void op_getppid(void)
{
	syscall(SYS_getppid);
}

static void op_kill0(void)
{
	kill(sleeper, 0);
}

static void op_proc_stat(void)
{
	char buf[512];
	int fd = open(stat_path, O_RDONLY);

	if (fd >= 0) {
		if (read(fd, buf, sizeof(buf)) < 0)
			perror("read");
		close(fd);
	}
}

static void op_readdir_proc(void)
{
	DIR *d = opendir("/proc");

	if (d) {
		while (readdir(d))
			;
		closedir(d);
	}
}

static int newpid_failed;

static void op_newpid(void)
{
	pid_t pid = fork_newpid();

	if (pid == 0)
		_exit(0);
	if (pid > 0)
		waitpid(pid, NULL, 0);
	else
		newpid_failed = errno;
}

/* Operations timed in a loop: name, iterations (times SCALE). */
static const struct {
	const char *name;
	void (*fn)(void);
	int iters;
} ops[] = {
	{ "fork_exit_wait",	op_fork_exit_wait,	200 },
	{ "vfork_exec",		op_vfork_exec,		100 },
	{ "pthread_create_join", op_pthread,		200 },
	{ "getpid",		op_getpid,		5000 },
	{ "getppid",		op_getppid,		5000 },
	{ "kill0",		op_kill0,		5000 },
	{ "proc_stat",		op_proc_stat,		500 },
	{ "readdir_proc_100",	op_readdir_proc,	20 },
	{ "newpid_exit",	op_newpid,		100 },
};

/* waitid() on a child that has already exited: only the reap is timed. */
static long long time_waitid(int iters)
{
	long long total = 0, t0;
	siginfo_t info;
	int i;

	for (i = 0; i < iters; i++) {
		pid_t pid = fork();

		if (pid == 0)
			_exit(0);
		waitid(P_PID, pid, &info, WEXITED | WNOWAIT);
		t0 = now();
		waitid(P_PID, pid, &info, WEXITED);
		total += now() - t0;
	}
	return total / iters;
}

/* Time operation @i (or waitid_exited, after the table) and print it. */
static int measure(unsigned int i, int depth, int round)
{
	int iters, k;
	long long t0;

	if (i == sizeof(ops) / sizeof(ops[0])) {
		printf("pidbench waitid_exited %d %d %lld\n", depth, round,
		       time_waitid(100 * scale));
		return 0;
	}
	iters = ops[i].iters * scale;
	ops[i].fn();	/* warm up */
	if (ops[i].fn == op_newpid && newpid_failed) {
		/* A failing syscall is no measurement. */
		printf("pidbench-error %d %s: %s\n", depth, ops[i].name,
		       strerror(newpid_failed));
		return 0;
	}
	t0 = now();
	for (k = 0; k < iters; k++)
		ops[i].fn();
	printf("pidbench %s %d %d %lld\n", ops[i].name, depth, round,
	       (now() - t0) / iters);
	return 0;
}

/*
 * The size of one object of slab cache @cache, as /sys/kernel/slab shows
 * it: @what is "object_size" (the structure) or "slab_size" (what each
 * object takes in its slab, alignment and metadata included).  -1 when the
 * kernel does not show it (SLUB_TINY, no sysfs) or has no such cache.
 */
static long slab_attr(const char *cache, const char *what)
{
	char path[128];
	long val = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/sys/kernel/slab/%s/%s", cache, what);
	f = fopen(path, "r");
	if (!f)
		return -1;
	if (fscanf(f, "%ld", &val) != 1)
		val = -1;
	fclose(f);
	return val;
}

/*
 * One line per cache: the struct pid of a task at @depth (cache "pid" at
 * depth 0, "pid_<depth + 1>" below, in mainline and in the series alike)
 * and struct pid_namespace.  Boot with slab_nomerge, or a cache merged
 * with another shows the larger object size of the two.
 */
static void report_memory(int depth)
{
	char pid_cache[32];
	const char *caches[] = { pid_cache, "pid_namespace" };
	unsigned int i;

	if (depth == 0)
		snprintf(pid_cache, sizeof(pid_cache), "pid");
	else
		snprintf(pid_cache, sizeof(pid_cache), "pid_%d", depth + 1);
	for (i = 0; i < 2; i++)
		printf("pidbench-mem %d %s %ld %ld\n", depth, caches[i],
		       slab_attr(caches[i], "object_size"),
		       slab_attr(caches[i], "slab_size"));
	fflush(stdout);
}

static int run(int depth, int rounds)
{
	pid_t extra[READDIR_TASKS];
	unsigned int i;
	int r, n;

	/*
	 * A proc of our own namespace, in a mount namespace of our own: at
	 * every depth, 0 included, as a process in a mount namespace of its
	 * own pays several thousand instructions more per fork+exit+wait,
	 * which must not show as the cost of the first pid namespace level.
	 */
	if (unshare(CLONE_NEWNS) ||
	    mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) ||
	    mount("proc", "/proc", "proc", 0, NULL)) {
		printf("pidbench-error %d cannot mount proc: %s\n",
		       depth, strerror(errno));
		return 1;
	}
	report_memory(depth);
	sleeper = spawn_sleeper();
	snprintf(stat_path, sizeof(stat_path), "/proc/%d/stat", sleeper);
	for (n = 0; n < READDIR_TASKS; n++)
		extra[n] = spawn_sleeper();

	/*
	 * Each measurement runs in a worker forked from this process, which
	 * never starts a thread: fork's cost depends on the address space
	 * it copies, and a thread leaves glibc's stack cache mapped.
	 */
	for (r = 0; r < rounds; r++) {
		for (i = 0; i <= sizeof(ops) / sizeof(ops[0]); i++) {
			pid_t worker = fork();

			if (worker < 0) {
				perror("fork");
				return 1;
			}
			if (worker == 0)
				_exit(measure(i, depth, r));
			waitpid(worker, NULL, 0);
		}
	}
	for (n = 0; n < READDIR_TASKS; n++)
		kill(extra[n], SIGKILL);
	kill(sleeper, SIGKILL);
	while (wait(NULL) > 0)
		;
	return 0;
}

/*
 * Build the chain: each level's init creates the next level, and executes
 * pidbench afresh there (PIDBENCH_LEVEL tells it which level it is).  The
 * exec matters: a process that only forks inherits its ancestors' chains
 * of anonymous memory mappings, which grow with every generation and make
 * fork slower by itself; the deepest level must fork from a process whose
 * memory is as fresh at depth 31 as at depth 0, so that what grows with
 * the depth is the cost of the namespaces alone.
 */
static int descend(int level, int depth, int rounds, char **argv)
{
	char env[32];
	int status;
	pid_t pid;

	if (level == depth)
		return run(depth, rounds);
	pid = fork_newpid();
	if (pid < 0) {
		printf("pidbench-error %d clone(CLONE_NEWPID) at level %d: %s\n",
		       depth, level, strerror(errno));
		return 1;
	}
	if (pid == 0) {
		snprintf(env, sizeof(env), "%d", level + 1);
		setenv("PIDBENCH_LEVEL", env, 1);
		execv("/proc/self/exe", argv);
		printf("pidbench-error %d exec at level %d: %s\n",
		       depth, level + 1, strerror(errno));
		_exit(1);
	}
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		return 1;
	return WEXITSTATUS(status);
}

/* One --scale worker: fork+exit+wait until @secs have passed. */
static void scale_worker(int fd, int secs)
{
	long long end = now() + secs * 1000000000LL, ops = 0;

	while (now() < end) {
		op_fork_exit_wait();
		ops++;
	}
	if (write(fd, &ops, sizeof(ops)) != sizeof(ops))
		_exit(1);
	_exit(0);
}

static int run_scale(int workers, int secs)
{
	long long ops, total = 0;
	int fds[2], i, use_ns = 1;
	pid_t pid;

	if (workers < 1 || workers > 64 || secs < 1) {
		fprintf(stderr, "pidbench: --scale WORKERS 1..64 SECONDS >= 1\n");
		return 1;
	}
	if (pipe(fds))
		return 1;
	for (i = 0; i < workers; i++) {
		pid = use_ns ? fork_newpid() : fork();
		if (pid < 0 && use_ns && errno == EINVAL) {
			use_ns = 0;	/* no PID namespaces: plain siblings */
			pid = fork();
		}
		if (pid < 0)
			return 1;
		if (pid == 0)
			scale_worker(fds[1], secs);
	}
	for (i = 0; i < workers; i++) {
		if (read(fds[0], &ops, sizeof(ops)) != sizeof(ops))
			return 1;
		total += ops;
	}
	while (wait(NULL) > 0)
		;
	printf("pidbench-scale %d %s %lld\n", workers, use_ns ? "ns" : "nons",
	       total / secs);
	return 0;
}

static int write_int(const char *path, int val)
{
	char buf[32];
	int fd, len, ret;

	len = snprintf(buf, sizeof(buf), "%d\n", val);
	fd = open(path, O_WRONLY);
	if (fd < 0)
		return -1;
	ret = write(fd, buf, len) == len ? 0 : -1;
	close(fd);
	return ret;
}

/* What mem_of() returns when it could not measure (a delta may be < 0). */
#define MEM_ERROR	LLONG_MIN

/* Pages on the per-CPU free lists, which MemFree does not count. */
static long long pcp_pages(void)
{
	long long n, sum = 0;
	char line[128];
	FILE *f = fopen("/proc/zoneinfo", "r");

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, " count: %lld", &n) == 1)
			sum += n;
	fclose(f);
	return sum;
}

/* Give every slab cache's empty slabs back to the page allocator. */
static void shrink_slabs(void)
{
	struct dirent *de;
	char path[300];
	DIR *d = opendir("/sys/kernel/slab");

	if (!d)
		return;
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "/sys/kernel/slab/%s/shrink",
			 de->d_name);
		write_int(path, 1);
	}
	closedir(d);
}

/*
 * Kernel memory in use, in bytes: MemTotal less what is free (MemFree and
 * the per-CPU free lists), less the page cache and the anonymous pages of
 * processes, so that the pages a forked task touches do not count; after
 * dropping caches, waiting for RCU and shrinking the slab caches.  -1 if
 * /proc/meminfo does not say.
 */
static long long kernel_used(void)
{
	static const char *const keys[] = {
		"MemTotal:", "MemFree:", "Buffers:", "Cached:", "AnonPages:",
	};
	long long val[5] = { -1, -1, -1, -1, -1 }, kb;
	char line[128], key[32];
	unsigned int k;
	FILE *f;
	int i;

	for (i = 0; i < 3; i++) {
		write_int("/proc/sys/vm/drop_caches", 3);
		usleep(200 * 1000);
	}
	shrink_slabs();
	f = fopen("/proc/meminfo", "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%31s %lld", key, &kb) != 2)
			continue;
		for (k = 0; k < 5; k++)
			if (!strcmp(key, keys[k]))
				val[k] = kb;
	}
	fclose(f);
	for (k = 0; k < 5; k++)
		if (val[k] < 0)
			return -1;
	return (val[0] - val[1] - val[2] - val[3] - val[4]) * 1024 -
	       pcp_pages() * getpagesize();
}

/* The init of a --mem namespace: churn first if asked, then sleep. */
static void mem_init(int churn, int second, int ready)
{
	int i;

	for (i = 0; churn && i < 1024; i++) {
		pid_t pid;

		write_int("/proc/sys/kernel/ns_last_pid", 2 + i * 4096);
		pid = fork();
		if (pid == 0)
			_exit(0);
		if (pid > 0)
			waitpid(pid, NULL, 0);
	}
	/* The second task, pid 2 in fresh and churned namespaces alike. */
	if (second) {
		write_int("/proc/sys/kernel/ns_last_pid", 1);
		spawn_sleeper();
	}
	if (write(ready, "x", 1) != 1)
		_exit(1);
	pause();
	_exit(0);
}

/*
 * @n children of the kind asked (-1 plain, 0 fresh namespace with two
 * tasks, 1 churned namespace, 2 idle namespace), started and asleep; the
 * MemFree they cost, then they are killed.
 */
static long long mem_of(int n, int kind)
{
	long long before, after;
	pid_t *pids = calloc(n, sizeof(*pids));
	int p[2], i, got = 0;
	char c;

	if (!pids || pipe(p))
		return MEM_ERROR;
	before = kernel_used();
	for (i = 0; i < n; i++) {
		pids[i] = kind < 0 ? fork() : fork_newpid();
		if (pids[i] == 0) {
			if (kind < 0) {
				pause();
				_exit(0);
			}
			mem_init(kind == 1, kind != 2, p[1]);
		}
		if (pids[i] < 0)
			break;
		if (kind >= 0 && read(p[0], &c, 1) == 1)
			got++;
	}
	after = kernel_used();
	for (i = 0; i < n && pids[i] > 0; i++)
		kill(pids[i], SIGKILL);
	while (wait(NULL) > 0)
		;
	close(p[0]);
	close(p[1]);
	free(pids);
	if (i < n || (kind >= 0 && got < n) || before < 0 || after < 0)
		return MEM_ERROR;
	return after - before;
}

static int run_mem(int n)
{
	long long plain, idle, fresh, churned;
	int pid_max = -1;
	FILE *f = fopen("/proc/sys/kernel/pid_max", "r");

	if (f) {
		if (fscanf(f, "%d", &pid_max) != 1)
			pid_max = -1;
		fclose(f);
	}
	if (n < 10) {
		fprintf(stderr, "pidbench: --mem COUNT >= 10\n");
		return 1;
	}
	if (write_int("/proc/sys/kernel/pid_max", 4194304)) {
		printf("pidbench-nsmem error cannot set pid_max to 4194304\n");
		return 1;
	}
	plain = mem_of(n, -1);
	idle = mem_of(n, 2);
	fresh = mem_of(n / 10, 0);
	churned = mem_of(n / 10, 1);
	if (pid_max > 0)
		write_int("/proc/sys/kernel/pid_max", pid_max);
	if (plain == MEM_ERROR || idle == MEM_ERROR || fresh == MEM_ERROR ||
	    churned == MEM_ERROR) {
		printf("pidbench-nsmem error no pid namespaces, or a fork failed\n");
		return 1;
	}
	printf("pidbench-nsmem idle %lld\n", (idle - plain) / n);
	printf("pidbench-nsmem fresh %lld\n", fresh / (n / 10));
	printf("pidbench-nsmem churned %lld\n", churned / (n / 10));
	return 0;
}

int main(int argc, char **argv)
{
	int depth, rounds, level;

	if (argc == 4 && !strcmp(argv[1], "--scale"))
		return run_scale(atoi(argv[2]), atoi(argv[3]));
	if (argc == 3 && !strcmp(argv[1], "--mem")) {
		setvbuf(stdout, NULL, _IOLBF, 0);
		return run_mem(atoi(argv[2]));
	}
	if (argc < 3) {
		fprintf(stderr, "usage: pidbench DEPTH ROUNDS [SCALE]\n");
		return 1;
	}
	depth = atoi(argv[1]);
	rounds = atoi(argv[2]);
	if (argc > 3)
		scale = atoi(argv[3]);
	if (depth < 0 || depth > 31 || rounds < 1 || scale < 1) {
		fprintf(stderr, "pidbench: DEPTH 0..31, ROUNDS and SCALE >= 1\n");
		return 1;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	level = getenv("PIDBENCH_LEVEL") ? atoi(getenv("PIDBENCH_LEVEL")) : 0;
	return descend(level, depth, rounds, argv);
}
