// SPDX-License-Identifier: GPL-2.0
/*
 * pidstress - many workers at once on PID namespaces, for a fixed time.
 *
 *   pidstress [-t SECONDS] [-s SEED] [-w COPIES] [-T ITER_TIMEOUT] [-k]
 *   pidstress --replay KIND:SEED
 *
 * Runs as root in the initial PID namespace.  It forks a sentinel there,
 * then the init of a "stress" namespace one level down, which mounts its own
 * /proc and runs COPIES workers of every kind in workers.c and sequencer.c
 * until the time is up.  Each worker repeats iterations; each iteration is
 * a process of its own with a seed drawn from the worker's generator, which
 * is seeded from SEED: a failure prints the kind and the iteration's seed,
 * and "--replay KIND:SEED" runs that one iteration again.
 *
 * At the end the sentinel must still be alive (no kill from inside the
 * stress namespace reached it), every worker must have exited 0, no
 * iteration may have failed, hung or crashed, and the live struct pid and
 * pid_namespace objects must be back to their count before (counts.c).
 * -k keeps a pidfd of a dead task open through that check, which must then
 * fail: it shows the check can see one struct pid too many.  The last line is
 * "pidstress: ok" or "pidstress: FAILED"; the exit status 0 or 1 (2 for a
 * usage or setup error).
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <getopt.h>
#include <signal.h>
#include <stdarg.h>
#include <sys/mman.h>
#include <sys/prctl.h>

#include "stress.h"

#define MAX_COPIES	8
#define MAX_WORKERS	(MAX_COPIES * 16)
/* Exhausting a namespace's pids should not take all the guest's memory. */
#define STRESS_PID_MAX	1024
#define PID_MAX_PATH	"/proc/sys/kernel/pid_max"

struct worker_stats {
	unsigned long iters, busy, failed;
};

/* Shared by every process of the run: an anonymous shared mapping. */
struct shared {
	int stop;
	unsigned int failures;
	struct worker_stats stats[MAX_WORKERS];
};

static struct shared *sh;
static struct worker_stats *my_stats;
static unsigned int iter_timeout = 300;

static void vreport(const char *tag, struct ctx *c, const char *fmt, va_list ap)
{
	char buf[1024];
	int n;

	n = snprintf(buf, sizeof(buf), "pidstress: %s %s seed %#llx: ", tag,
		     c->kind, (unsigned long long)c->seed);
	n += vsnprintf(buf + n, sizeof(buf) - n - 1, fmt, ap);
	if (n > (int)sizeof(buf) - 2)
		n = sizeof(buf) - 2;
	buf[n++] = '\n';
	/* One write per line, so that lines from many processes do not mix. */
	write_full(STDOUT_FILENO, buf, n);
}

enum iter_result fail(struct ctx *c, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vreport("FAIL", c, fmt, ap);
	va_end(ap);
	if (sh)
		__atomic_add_fetch(&sh->failures, 1, __ATOMIC_RELAXED);
	if (my_stats)
		__atomic_add_fetch(&my_stats->failed, 1, __ATOMIC_RELAXED);
	return ITER_FAILED;
}

void note(struct ctx *c, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vreport("note", c, fmt, ap);
	va_end(ap);
}

static void die(const char *fmt, ...)
{
	va_list ap;

	fputs("pidstress: error: ", stdout);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	exit(2);
}

static bool stopping(void)
{
	return __atomic_load_n(&sh->stop, __ATOMIC_RELAXED);
}

static const struct kind *find_kind(const char *name, size_t len)
{
	unsigned int i;

	for (i = 0; i < nr_stress_kinds; i++)
		if (strlen(stress_kinds[i].name) == len &&
		    !strncmp(stress_kinds[i].name, name, len))
			return &stress_kinds[i];
	return NULL;
}

static void run_iteration(const struct kind *k, uint64_t seed, int pid_max)
{
	struct ctx c = {
		.kind = k->name,
		.seed = seed,
		.rng = { seed },
		.pid_max = pid_max,
	};

	_exit(k->iter(&c));
}

static volatile sig_atomic_t alarmed;

static void on_alarm(int sig)
{
	alarmed = 1;
}

/*
 * worker_loop - iterations of one kind until the driver says stop.  The
 * iteration runs in a child, so that whatever it leaves behind (a changed
 * pid_ns_for_children, a user namespace, threads) ends with it; a hung
 * iteration is killed after iter_timeout seconds and counts as a failure.
 */
static void worker_loop(const struct kind *k, uint64_t wseed, int pid_max)
{
	struct sigaction sa = { .sa_handler = on_alarm };
	struct rng wr = { wseed };
	struct ctx c = { .kind = k->name };

	sigaction(SIGALRM, &sa, NULL);
	prctl(PR_SET_NAME, k->name);
	while (!stopping()) {
		int status;
		pid_t pid, r;

		c.seed = rng_next(&wr);
		pid = fork();
		if (pid < 0) {
			__atomic_add_fetch(&my_stats->busy, 1, __ATOMIC_RELAXED);
			usleep(50 * 1000);
			continue;
		}
		if (pid == 0)
			run_iteration(k, c.seed, pid_max);
		alarmed = 0;
		alarm(iter_timeout);
		do {
			r = waitpid(pid, &status, __WALL);
		} while (r < 0 && errno == EINTR && !alarmed);
		alarm(0);
		if (r != pid) {
			fail(&c, "iteration hung for more than %us; killed",
			     iter_timeout);
			kill_and_reap(pid);
			continue;
		}
		if (WIFSIGNALED(status)) {
			fail(&c, "iteration killed by signal %d (%s)",
			     WTERMSIG(status), strsignal(WTERMSIG(status)));
			continue;
		}
		switch (WEXITSTATUS(status)) {
		case ITER_OK:
			__atomic_add_fetch(&my_stats->iters, 1, __ATOMIC_RELAXED);
			break;
		case ITER_FAILED:
			break;
		case ITER_BUSY:
			__atomic_add_fetch(&my_stats->busy, 1, __ATOMIC_RELAXED);
			break;
		default:
			fail(&c, "iteration exited with status %d",
			     WEXITSTATUS(status));
		}
		if (k->pause_ms)
			usleep(1000 * (k->pause_ms / 2 +
				       rng_below(&wr, k->pause_ms)));
	}
	_exit(0);
}

/*
 * stress_init - pid 1 of the stress namespace: a /proc of its own, the
 * workers, and the reaping of every orphan until the workers are done.
 * Exits with the number of workers that did not exit 0.
 */
static int stress_init(unsigned int copies, uint64_t seed, int pid_max)
{
	pid_t workers[MAX_WORKERS];
	unsigned int i, n = 0, live, bad = 0;
	struct rng sr = { seed };

	if (getpid() != 1)
		die("the stress namespace's first task has pid %d", getpid());
	if (mount_private_proc())
		die("mounting a proc for the stress namespace: %s",
		    strerror(errno));
	for (i = 0; i < nr_stress_kinds * copies; i++) {
		const struct kind *k = &stress_kinds[i % nr_stress_kinds];
		uint64_t wseed = rng_next(&sr);

		workers[n] = fork();
		if (workers[n] < 0)
			die("forking worker %s: %s", k->name, strerror(errno));
		if (workers[n] == 0) {
			my_stats = &sh->stats[i];
			worker_loop(k, wseed, pid_max);
		}
		n++;
	}
	for (live = n; live;) {
		int status;
		pid_t r = waitpid(-1, &status, __WALL);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			break;
		for (i = 0; i < n; i++) {
			if (workers[i] != r)
				continue;
			live--;
			if (!WIFEXITED(status) || WEXITSTATUS(status)) {
				printf("pidstress: FAIL worker %s (pid %d) ended with status %#x\n",
				       stress_kinds[i % nr_stress_kinds].name, r,
				       status);
				bad++;
			}
		}
	}
	return bad > 100 ? 100 : bad;
}

/* print_file - a /proc file, prefixed, for the diagnosis of a hang. */
static void print_file(const char *prefix, const char *path)
{
	char buf[4096];

	if (!read_whole(path, buf, sizeof(buf)) && buf[0])
		printf("%s%s:\n%s", prefix, path, buf);
}

/*
 * dump_stuck - the stress namespace's init does not go away: show where it
 * and the first tasks still in its namespace wait, and how many are left.
 */
static void dump_stuck(pid_t init)
{
	char path[64], state[64], *line;
	struct dirent *e;
	int v[MAX_LEVEL + 2], shown = 0, left = 0;
	DIR *d = opendir("/proc");

	snprintf(path, sizeof(path), "/proc/%d/stack", init);
	print_file("pidstress: stuck init ", path);
	while (d && (e = readdir(d))) {
		pid_t pid = atoi(e->d_name);
		char buf[4096];

		if (pid <= 0 || pid == init)
			continue;
		snprintf(path, sizeof(path), "/proc/%d/status", pid);
		if (proc_read_ints(AT_FDCWD, path, "NSpid", v, MAX_LEVEL + 2) < 2)
			continue;
		left++;
		if (shown >= 8)
			continue;
		if (read_whole(path, buf, sizeof(buf)))
			continue;
		line = strstr(buf, "State:");
		snprintf(state, sizeof(state), "%.40s", line ? line : "?");
		*strchrnul(state, '\n') = '\0';
		printf("pidstress: task %d of the stress namespace: %s\n", pid,
		       state);
		snprintf(path, sizeof(path), "/proc/%d/stack", pid);
		print_file("pidstress: ", path);
		shown++;
	}
	if (d)
		closedir(d);
	printf("pidstress: %d tasks left in the stress namespace\n", left);
	fflush(stdout);
}

/* hold_dead_pidfd - for -k: a struct pid that outlives its task. */
static void hold_dead_pidfd(void)
{
	pid_t pid = fork_newpid();
	int pidfd;

	if (pid == 0) {
		pause();
		_exit(0);
	}
	pidfd = pid > 0 ? raw_pidfd_open(pid, 0) : -1;
	kill_and_reap(pid);
	printf("pidstress: -k: holding pidfd %d of a dead task, one level down: the counts must not come back\n",
	       pidfd);
}

static void print_stats(unsigned int copies)
{
	unsigned int i, j;

	for (i = 0; i < nr_stress_kinds; i++) {
		struct worker_stats sum = { 0 };

		for (j = i; j < nr_stress_kinds * copies; j += nr_stress_kinds) {
			sum.iters += sh->stats[j].iters;
			sum.busy += sh->stats[j].busy;
			sum.failed += sh->stats[j].failed;
		}
		printf("pidstress: %-9s %6lu iterations %5lu busy %3lu failed  %s\n",
		       stress_kinds[i].name, sum.iters, sum.busy, sum.failed,
		       stress_kinds[i].what);
	}
}

/* check_initial_ns - pidstress counts levels from the initial namespace. */
static void check_initial_ns(void)
{
	int nspid[MAX_LEVEL + 1];

	if (self_nspid(nspid, MAX_LEVEL + 1) != 1)
		die("run pidstress in the initial PID namespace, with the initial namespace's /proc");
}

static int replay(const char *arg, int pid_max)
{
	const char *colon = strchr(arg, ':');
	const struct kind *k = colon ? find_kind(arg, colon - arg) : NULL;
	int status;
	pid_t init;

	if (!k)
		die("--replay KIND:SEED: no kind in '%s'", arg);
	init = fork_newpid();
	if (init < 0)
		die("CLONE_NEWPID: %s", strerror(errno));
	if (init == 0) {
		if (mount_private_proc())
			die("mounting a proc: %s", strerror(errno));
		run_iteration(k, strtoull(colon + 1, NULL, 0), pid_max);
	}
	while (waitpid(init, &status, 0) < 0 && errno == EINTR)
		;
	printf("pidstress: replay %s: status %#x, %u failures\n", arg, status,
	       sh->failures);
	return status == 0 && !sh->failures ? 0 : 1;
}

static void usage(void)
{
	unsigned int i;

	printf("usage: pidstress [-t SECONDS] [-s SEED] [-w COPIES] [-T ITER_TIMEOUT] [-k]\n"
	       "       pidstress --replay KIND:SEED\n"
	       "kinds:\n");
	for (i = 0; i < nr_stress_kinds; i++)
		printf("  %-9s %s\n", stress_kinds[i].name, stress_kinds[i].what);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "replay", required_argument, NULL, 'r' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	unsigned int seconds = 120, copies = 1, left, iters;
	const char *replay_arg = NULL;
	int opt, status, pid_max, saved_pid_max;
	bool counted, keep_pidfd = false;
	uint64_t seed;
	pid_t sentinel, init, r;
	struct timespec t;

	if (argc > 1 && !strcmp(argv[1], "--exec-check"))
		return exec_check(argc, argv);
	setvbuf(stdout, NULL, _IOLBF, 0);
	clock_gettime(CLOCK_REALTIME, &t);
	seed = (uint64_t)t.tv_sec * 1000003u ^ t.tv_nsec ^ getpid();
	while ((opt = getopt_long(argc, argv, "t:s:w:T:kh", opts, NULL)) != -1) {
		switch (opt) {
		case 'k':
			keep_pidfd = true;
			break;
		case 't':
			seconds = strtoul(optarg, NULL, 0);
			break;
		case 's':
			seed = strtoull(optarg, NULL, 0);
			break;
		case 'w':
			copies = strtoul(optarg, NULL, 0);
			break;
		case 'T':
			iter_timeout = strtoul(optarg, NULL, 0);
			break;
		case 'r':
			replay_arg = optarg;
			break;
		case 'h':
			usage();
			return 0;
		default:
			usage();
			return 2;
		}
	}
	if (copies < 1 || copies > MAX_COPIES || !iter_timeout)
		die("-w takes 1 to %d, -T more than 0", MAX_COPIES);
	if (nr_stress_kinds * copies > MAX_WORKERS)
		die("too many workers");
	check_initial_ns();
	sh = mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE,
		  MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (sh == MAP_FAILED)
		die("mmap: %s", strerror(errno));

	saved_pid_max = sysctl_read_int(PID_MAX_PATH);
	if (saved_pid_max < 0)
		die("cannot read %s", PID_MAX_PATH);
	pid_max = saved_pid_max;
	if (pid_max > STRESS_PID_MAX) {
		if (sysctl_write_int(PID_MAX_PATH, STRESS_PID_MAX))
			die("cannot lower %s: %s", PID_MAX_PATH, strerror(errno));
		pid_max = STRESS_PID_MAX;
	}
	if (replay_arg) {
		status = replay(replay_arg, pid_max);
		sysctl_write_int(PID_MAX_PATH, saved_pid_max);
		return status;
	}

	counted = counts_before();
	printf("pidstress: seed %#llx, %us, %u worker(s) of %u kinds, iteration timeout %us, pid_max %d\n",
	       (unsigned long long)seed, seconds, copies, nr_stress_kinds,
	       iter_timeout, pid_max);
	printf("pidstress: replay one failed iteration with: pidstress --replay KIND:SEED\n");

	sentinel = fork();
	if (sentinel < 0)
		die("fork: %s", strerror(errno));
	if (sentinel == 0) {
		for (;;)
			pause();
	}
	init = fork_newpid();
	if (init < 0)
		die("CLONE_NEWPID: %s", strerror(errno));
	if (init == 0)
		_exit(stress_init(copies, seed, pid_max));

	for (left = seconds; left; left--) {
		sleep(1);
		if (left % 30 == 0 && left != seconds) {
			for (iters = 0, opt = 0; opt < MAX_WORKERS; opt++)
				iters += sh->stats[opt].iters;
			printf("pidstress: %us left, %u iterations, %u failures\n",
			       left, iters, sh->failures);
		}
		if (waitpid(init, &status, WNOHANG) == init) {
			printf("pidstress: FAIL the stress namespace's init ended early, status %#x\n",
			       status);
			sh->failures++;
			init = 0;
			break;
		}
	}
	__atomic_store_n(&sh->stop, 1, __ATOMIC_RELAXED);
	printf("pidstress: time is up; waiting for the workers' last iterations\n");
	if (init) {
		r = wait_timeout(init, &status, 0, (iter_timeout + 60) * 1000);
		if (r == 0) {
			printf("pidstress: FAIL the workers did not stop within %us; killing the stress namespace\n",
			       iter_timeout + 60);
			sh->failures++;
			dump_stuck(init);
			kill(init, SIGKILL);
			r = wait_timeout(init, &status, 0, 120 * 1000);
			if (r == 0) {
				dump_stuck(init);
				die("the stress namespace's init did not die within 120s of SIGKILL");
			}
		}
		if (r < 0)
			die("waitpid(stress init): %s", strerror(errno));
		if (!WIFEXITED(status) || WEXITSTATUS(status)) {
			printf("pidstress: FAIL the stress namespace's init ended with status %#x\n",
			       status);
			sh->failures++;
		}
	}
	if (waitpid(sentinel, &status, WNOHANG) != 0 || kill(sentinel, 0)) {
		printf("pidstress: FAIL the sentinel outside the stress namespace is gone: a kill crossed the namespace\n");
		sh->failures++;
	}
	kill_and_reap(sentinel);
	if (sysctl_write_int(PID_MAX_PATH, saved_pid_max))
		printf("pidstress: warning: could not restore pid_max %d\n",
		       saved_pid_max);
	print_stats(copies);
	while (waitpid(-1, NULL, __WALL | WNOHANG) > 0)
		;
	if (keep_pidfd)
		hold_dead_pidfd();
	if (counted && counts_after())
		sh->failures++;
	printf("pidstress: seed %#llx, %u failures\n", (unsigned long long)seed,
	       sh->failures);
	printf("pidstress: %s\n", sh->failures ? "FAILED" : "ok");
	return sh->failures ? 1 : 0;
}
