// SPDX-License-Identifier: GPL-2.0
/*
 * pidbench - the cost of pid operations at a given PID namespace depth.
 *
 * Usage: pidbench DEPTH ROUNDS [SCALE]
 *        pidbench --scale WORKERS SECONDS
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
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
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

int main(int argc, char **argv)
{
	int depth, rounds, level;

	if (argc == 4 && !strcmp(argv[1], "--scale"))
		return run_scale(atoi(argv[2]), atoi(argv[3]));
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
