// SPDX-License-Identifier: GPL-2.0
/*
 * pidstress workers: one iteration of each kind of load.  They run at once,
 * in the stress namespace (level STRESS_LEVEL, with its own /proc), and
 * each checks what the kernel must guarantee whatever the others do.
 * Forks that fail with EAGAIN or ENOMEM (the exhaust worker takes every
 * pid now and then) make an iteration "busy", not failed.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <pthread.h>
#include <sched.h>
#include <sys/ioctl.h>

#include "stress.h"

#ifndef PIDFD_GET_PID_NAMESPACE
#define PIDFD_GET_PID_NAMESPACE	_IO(0xFF, 5)
#endif

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#define EXEC_CHECK_OK	42
#define EXEC_CHECK_BAD	43

int wait_child(struct ctx *c, pid_t pid, int *status, int secs)
{
	pid_t r = wait_timeout(pid, status, __WALL, secs * 1000);

	if (r == pid)
		return 0;
	if (r == 0)
		fail(c, "pid %d did not end within %ds", pid, secs);
	else
		fail(c, "waitpid(%d): %s", pid, strerror(errno));
	kill_and_reap(pid);
	return -1;
}

/* child_result - an iteration result passed up as a child's exit status. */
enum iter_result child_result(struct ctx *c, const char *what, int status)
{
	if (WIFSIGNALED(status))
		return fail(c, "%s killed by signal %d (%s)", what,
			    WTERMSIG(status), strsignal(WTERMSIG(status)));
	switch (WEXITSTATUS(status)) {
	case ITER_OK:
	case ITER_FAILED:
	case ITER_BUSY:
		return WEXITSTATUS(status);
	}
	return fail(c, "%s exited with status %d", what, WEXITSTATUS(status));
}

/* fork_failed - the result of a fork or clone that returned -1. */
static enum iter_result fork_failed(struct ctx *c, const char *what)
{
	if (busy_errno(errno))
		return ITER_BUSY;
	return fail(c, "%s: %s", what, strerror(errno));
}

int self_nspid(int *vals, int max)
{
	return proc_read_ints(AT_FDCWD, "/proc/self/status", "NSpid", vals, max);
}

/* nspid_string - the caller's NSpid numbers as "a b c", or "" on error. */
static void nspid_string(char *buf, size_t size)
{
	int v[MAX_LEVEL + 2], n, i;
	size_t len = 0;

	buf[0] = '\0';
	n = self_nspid(v, ARRAY_SIZE(v));
	for (i = 0; i < n && i < (int)ARRAY_SIZE(v) && len < size; i++)
		len += snprintf(buf + len, size - len, "%s%d", i ? " " : "", v[i]);
}

/* reap_all - an init's orphans: reap until none is left or @ms passed. */
void reap_all(int ms)
{
	while (wait_timeout(-1, NULL, __WALL, ms) > 0)
		;
}

/* ---- fork: fork/exit/wait at a random depth ---------------------------- */

static enum iter_result fork_leaf(struct ctx *c, int level)
{
	int v[MAX_LEVEL + 2], n, i, rounds, status;
	int want = level - STRESS_LEVEL + 1;

	n = self_nspid(v, ARRAY_SIZE(v));
	if (n != want)
		return fail(c, "level %d: NSpid has %d numbers, want %d", level,
			    n, want);
	if (v[n - 1] != getpid())
		return fail(c, "level %d: NSpid ends with %d but getpid() is %d",
			    level, v[n - 1], getpid());
	rounds = 1 + rng_below(&c->rng, 16);
	for (i = 0; i < rounds; i++) {
		bool orphan = rng_chance(&c->rng, 4);
		pid_t pid = fork();

		if (pid < 0)
			return fork_failed(c, "fork");
		if (pid == 0) {
			/* A grandchild left to the namespace's init. */
			if (orphan && fork() == 0) {
				usleep(1000);
				_exit(0);
			}
			_exit(i & 0x7f);
		}
		if (wait_child(c, pid, &status, 60))
			return ITER_FAILED;
		if (!WIFEXITED(status) || WEXITSTATUS(status) != (i & 0x7f))
			return fail(c, "level %d: child status %#x, want exit %d",
				    level, status, i & 0x7f);
	}
	if (getpid() == 1)
		reap_all(2000);
	return ITER_OK;
}

static enum iter_result fork_chain(struct ctx *c, int level, int target)
{
	int status;
	pid_t pid;

	if (level == MAX_LEVEL) {
		pid = fork_newpid();
		if (pid == 0)
			_exit(0);
		if (pid > 0) {
			kill_and_reap(pid);
			return fail(c, "CLONE_NEWPID at level %d succeeded; the limit is %d",
				    level, MAX_LEVEL);
		}
		if (errno != ENOSPC && !busy_errno(errno))
			return fail(c, "CLONE_NEWPID at level %d: %s, want ENOSPC",
				    level, strerror(errno));
	}
	if (level == target)
		return fork_leaf(c, level);
	pid = fork_newpid();
	if (pid < 0)
		return fork_failed(c, "CLONE_NEWPID");
	if (pid == 0) {
		if (getpid() != 1)
			_exit(fail(c, "the first task at level %d has pid %d",
				   level + 1, getpid()));
		_exit(fork_chain(c, level + 1, target));
	}
	if (wait_child(c, pid, &status, 300))
		return ITER_FAILED;
	return child_result(c, "a namespace's init", status);
}

static enum iter_result fork_iter(struct ctx *c)
{
	int depth = rng_chance(&c->rng, 4) ?
		rng_below(&c->rng, MAX_LEVEL - STRESS_LEVEL + 1) :
		rng_below(&c->rng, 4);

	return fork_chain(c, STRESS_LEVEL, STRESS_LEVEL + depth);
}

/* ---- initkill: the init dies while its namespace forks ----------------- */

static void __attribute__((noreturn)) breeder(uint64_t seed)
{
	struct rng r = { seed };

	for (;;) {
		pid_t pid = rng_chance(&r, 8) ? fork_newpid() : fork();

		if (pid == 0) {
			if (getpid() == 1 && fork() == 0)
				pause();
			usleep(rng_below(&r, 2000));
			_exit(0);
		}
		if (pid < 0)
			usleep(1000);
		while (waitpid(-1, NULL, __WALL | WNOHANG) > 0)
			;
	}
}

static enum iter_result initkill_iter(struct ctx *c)
{
	bool by_exit = rng_chance(&c->rng, 3);
	unsigned int breeders = 1 + rng_below(&c->rng, 4);
	unsigned int delay_ms = rng_below(&c->rng, 300);
	int pipefd[2], pidfd, nsfd = -1, own, status, i;
	enum iter_result ret = ITER_OK;
	pid_t init, pid;
	ssize_t n;
	char b;

	own = open("/proc/self/ns/pid", O_RDONLY | O_CLOEXEC);
	if (own < 0 || pipe(pipefd))
		return fail(c, "setup: %s", strerror(errno));
	init = fork_newpid();
	if (init < 0)
		return fork_failed(c, "CLONE_NEWPID");
	if (init == 0) {
		close(pipefd[0]);
		for (i = 0; i < (int)breeders; i++)
			if (fork() == 0)
				breeder(c->seed + i);
		if (by_exit) {
			usleep(delay_ms * 1000);
			_exit(0);
		}
		for (;;)
			if (waitpid(-1, NULL, __WALL) < 0 && errno == ECHILD)
				pause();
	}
	close(pipefd[1]);
	pidfd = raw_pidfd_open(init, 0);
	if (pidfd >= 0)
		nsfd = ioctl(pidfd, PIDFD_GET_PID_NAMESPACE, 0);
	if (nsfd < 0 && !(by_exit && errno == ESRCH)) {
		ret = fail(c, "PIDFD_GET_PID_NAMESPACE of a live init: %s",
			   strerror(errno));
		kill_and_reap(init);
		return ret;
	}
	if (!by_exit) {
		usleep(delay_ms * 1000);
		kill(init, SIGKILL);
	}
	if (wait_child(c, init, &status, 300))
		return ITER_FAILED;
	if (by_exit ? !WIFEXITED(status) || WEXITSTATUS(status) :
		      !WIFSIGNALED(status) || WTERMSIG(status) != SIGKILL)
		return fail(c, "the init ended with status %#x, want %s", status,
			    by_exit ? "exit 0" : "SIGKILL");
	fcntl(pipefd[0], F_SETFL, O_NONBLOCK);
	n = read(pipefd[0], &b, 1);
	if (n != 0)
		return fail(c, "waitpid() returned the init (after %s) while a task of its namespace still held a pipe (read: %s)",
			    by_exit ? "exit" : "SIGKILL",
			    n < 0 ? strerror(errno) : "data");
	if (nsfd < 0)
		return ITER_OK;
	/* Joining the dead namespace works; forking into it must not. */
	if (setns(nsfd, CLONE_NEWPID))
		return fail(c, "setns() into the dead namespace: %s",
			    strerror(errno));
	pid = fork();
	if (pid == 0)
		_exit(0);
	if (pid > 0) {
		kill_and_reap(pid);
		return fail(c, "fork() into a namespace whose init is dead succeeded");
	}
	if (!busy_errno(errno))
		return fail(c, "fork() into a dead namespace: %s, want ENOMEM",
			    strerror(errno));
	if (setns(own, CLONE_NEWPID))
		return fail(c, "setns() back into our own namespace: %s",
			    strerror(errno));
	return ITER_OK;
}

/* ---- killstorm: kill(-1) and friends inside a namespace ---------------- */

static void __attribute__((noreturn)) stormer(uint64_t seed)
{
	static const int sigs[] = { SIGKILL, SIGTERM, SIGUSR1, SIGHUP, 0 };
	struct rng r = { seed };

	for (;;) {
		int sig = sigs[rng_below(&r, ARRAY_SIZE(sigs))];

		switch (rng_below(&r, 5)) {
		case 0:
			kill(-1, sig);
			break;
		case 1:
			kill(1, rng_chance(&r, 2) ? SIGKILL : sig);
			break;
		case 2:
			kill(0, sig);
			break;
		case 3:
			kill(2 + rng_below(&r, 40), sig);
			break;
		default:
			if (fork() == 0)
				_exit(0);
		}
		while (waitpid(-1, NULL, WNOHANG) > 0)
			;
	}
}

static void __attribute__((noreturn)) storm_init(uint64_t seed, unsigned int n)
{
	struct rng r = { seed };
	unsigned int i, respawns = 0;

	/* kill(0) must reach this namespace's group, not the worker's. */
	setsid();
	for (i = 0; i < n; i++)
		if (fork() == 0)
			stormer(rng_next(&r));
	for (;;) {
		pid_t pid = waitpid(-1, NULL, 0);

		if (pid < 0 && errno == ECHILD) {
			pause();
			continue;
		}
		if (pid > 0 && respawns++ < 200 && fork() == 0)
			stormer(rng_next(&r));
		if (rng_chance(&r, 16))
			kill(-1, SIGKILL);
	}
}

static enum iter_result killstorm_iter(struct ctx *c)
{
	unsigned int stormers = 2 + rng_below(&c->rng, 6);
	unsigned int storm_ms = 50 + rng_below(&c->rng, 400);
	enum iter_result ret = ITER_OK;
	pid_t sentinel, init;
	int status;

	sentinel = fork();
	if (sentinel < 0)
		return fork_failed(c, "fork");
	if (sentinel == 0) {
		for (;;)
			pause();
	}
	init = fork_newpid();
	if (init < 0) {
		kill_and_reap(sentinel);
		return fork_failed(c, "CLONE_NEWPID");
	}
	if (init == 0)
		storm_init(c->seed, stormers);
	usleep(storm_ms * 1000);
	if (waitpid(init, &status, WNOHANG) != 0)
		ret = fail(c, "the init died in a kill storm from inside its namespace (status %#x)",
			   status);
	if (waitpid(sentinel, &status, WNOHANG) != 0)
		ret = fail(c, "a kill storm inside a namespace killed a process outside it (status %#x)",
			   status);
	if (ret == ITER_OK) {
		kill(init, SIGKILL);
		if (wait_child(c, init, &status, 300))
			ret = ITER_FAILED;
		else if (!WIFSIGNALED(status) || WTERMSIG(status) != SIGKILL)
			ret = fail(c, "the storm's init ended with %#x, want SIGKILL",
				   status);
	}
	kill_and_reap(init);
	kill_and_reap(sentinel);
	return ret;
}

/* ---- proc: /proc readers and NS* parsers ------------------------------- */

/* parse_ints - the numbers after "key:" in a status file read whole. */
static int parse_ints(const char *buf, const char *key, int *vals, int max)
{
	size_t keylen = strlen(key);
	const char *line = buf;
	int n = 0;

	while (line && *line) {
		if (!strncmp(line, key, keylen) && line[keylen] == ':') {
			char *end;

			line += keylen + 1;
			for (;;) {
				long v = strtol(line, &end, 10);

				if (end == line)
					return n;
				if (n < max)
					vals[n] = v;
				n++;
				line = end;
			}
		}
		line = strchr(line, '\n');
		if (line)
			line++;
	}
	return -1;
}

/* read_whole - a /proc or sysfs file in one buffer; -1 when it is gone. */
int read_whole(const char *path, char *buf, size_t size)
{
	ssize_t len = 0, n;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return -1;
	while ((n = read(fd, buf + len, size - 1 - len)) > 0)
		len += n;
	close(fd);
	if (n < 0)
		return -1;
	buf[len] = '\0';
	return 0;
}

/* proc_check - one /proc/TGID[/task/TID]/status: the NS* lines agree. */
static enum iter_result proc_check(struct ctx *c, const char *view, long tgid,
				   long tid)
{
	static const char *const keys[] = { "NStgid", "NSpid", "NSpgid", "NSsid" };
	int v[4][MAX_LEVEL + 2], n[4], pid, tg, i, j;
	char path[64], buf[4096];

	if (tid)
		snprintf(path, sizeof(path), "/proc/%ld/task/%ld/status", tgid, tid);
	else
		snprintf(path, sizeof(path), "/proc/%ld/status", tgid);
	if (read_whole(path, buf, sizeof(buf)))
		return ITER_OK;
	if (parse_ints(buf, "Pid", &pid, 1) != 1 ||
	    parse_ints(buf, "Tgid", &tg, 1) != 1)
		return fail(c, "%s %s: no Pid or Tgid line", view, path);
	for (i = 0; i < 4; i++) {
		n[i] = parse_ints(buf, keys[i], v[i], MAX_LEVEL + 2);
		if (n[i] < 1 || n[i] > MAX_LEVEL + 1)
			return fail(c, "%s %s: %s has %d numbers", view, path,
				    keys[i], n[i]);
		if (n[i] != n[0])
			return fail(c, "%s %s: %s has %d numbers, NStgid %d",
				    view, path, keys[i], n[i], n[0]);
	}
	/*
	 * The directory stands for one struct pid, so Pid is its number.
	 * Tgid is not checked against the listing: with pid_max at 1024 a
	 * number listed as a process may be a thread of another by the
	 * time its status is read.
	 */
	if (pid != (tid ? tid : tgid))
		return fail(c, "%s %s: Tgid %d Pid %d", view, path, tg, pid);
	if (v[0][0] != tg || v[1][0] != pid)
		return fail(c, "%s %s: NStgid starts %d, NSpid %d; Tgid %d, Pid %d",
			    view, path, v[0][0], v[1][0], tg, pid);
	for (j = 0; j < n[0]; j++)
		if (v[0][j] <= 0 || v[1][j] <= 0 || v[2][j] < 0 || v[3][j] < 0)
			return fail(c, "%s %s: number %d of the NS lines is %d %d %d %d",
				    view, path, j, v[0][j], v[1][j], v[2][j],
				    v[3][j]);
	return ITER_OK;
}

static enum iter_result proc_stat_check(struct ctx *c, const char *view,
					long tgid)
{
	char path[64], buf[1024];
	long first;

	snprintf(path, sizeof(path), "/proc/%ld/stat", tgid);
	if (read_whole(path, buf, sizeof(buf)))
		return ITER_OK;
	first = strtol(buf, NULL, 10);
	if (first != tgid)
		return fail(c, "%s %s starts with %ld", view, path, first);
	return ITER_OK;
}

/*
 * A scan stops after this long: under a debug kernel, with the exhaust
 * worker's thousand tasks, one scan could take minutes.
 */
#define PROC_SCAN_MS	(20 * 1000)

static enum iter_result proc_scan(struct ctx *c, const char *view)
{
	struct timespec deadline = deadline_in(PROC_SCAN_MS);
	enum iter_result ret = ITER_OK;
	struct dirent *e, *t;
	DIR *d, *td;

	d = opendir("/proc");
	if (!d)
		return fail(c, "%s opendir /proc: %s", view, strerror(errno));
	while (ret == ITER_OK && (e = readdir(d))) {
		char *end, path[64];
		long tgid = strtol(e->d_name, &end, 10);

		if (*end || tgid <= 0)
			continue;
		if (!ms_left(&deadline))
			break;
		ret = proc_check(c, view, tgid, 0);
		if (ret == ITER_OK)
			ret = proc_stat_check(c, view, tgid);
		if (ret != ITER_OK || !rng_chance(&c->rng, 4))
			continue;
		snprintf(path, sizeof(path), "/proc/%ld/task", tgid);
		td = opendir(path);
		if (!td)
			continue;
		while (ret == ITER_OK && (t = readdir(td))) {
			long tid = strtol(t->d_name, &end, 10);

			if (!*end && tid > 0)
				ret = proc_check(c, view, tgid, tid);
		}
		closedir(td);
	}
	closedir(d);
	return ret;
}

static enum iter_result proc_iter(struct ctx *c)
{
	unsigned int i, scans = 1 + rng_below(&c->rng, 4);
	enum iter_result ret = ITER_OK;
	int status;
	pid_t pid;

	if (!rng_chance(&c->rng, 3)) {
		for (i = 0; ret == ITER_OK && i < scans; i++)
			ret = proc_scan(c, "stress-ns /proc:");
		return ret;
	}
	/* A namespace's own view: its own proc, a few tasks of its own. */
	pid = fork_newpid();
	if (pid < 0)
		return fork_failed(c, "CLONE_NEWPID");
	if (pid == 0) {
		if (mount_private_proc())
			_exit(fail(c, "mounting a nested proc: %s",
				   strerror(errno)));
		for (i = 0; i < 3; i++)
			if (fork() == 0) {
				if (fork_newpid() == 0)
					pause();
				pause();
			}
		for (i = 0; ret == ITER_OK && i < scans; i++)
			ret = proc_scan(c, "nested /proc:");
		_exit(ret);
	}
	if (wait_child(c, pid, &status, 300))
		return ITER_FAILED;
	return child_result(c, "the nested proc reader", status);
}

/* ---- setns: unshare(CLONE_NEWPID), setns() there and back ------------- */

/* fork_count - fork a child that checks it has @want NSpid numbers. */
static enum iter_result fork_count(struct ctx *c, const char *when, int want)
{
	int v[MAX_LEVEL + 2], n, status;
	pid_t pid = fork();

	if (pid < 0)
		return fork_failed(c, "fork");
	if (pid == 0) {
		n = self_nspid(v, ARRAY_SIZE(v));
		if (n != want)
			_exit(fail(c, "%s: the child has %d NSpid numbers, want %d",
				   when, n, want));
		if (want > 1 && (v[n - 1] == 1 || getppid() != 0))
			_exit(fail(c, "%s: the child has pid %d and ppid %d; want neither 1 nor its parent visible",
				   when, v[n - 1], getppid()));
		_exit(ITER_OK);
	}
	if (wait_child(c, pid, &status, 60))
		return ITER_FAILED;
	return child_result(c, when, status);
}

static enum iter_result setns_iter(struct ctx *c)
{
	int own, nsfd, target, status, v[MAX_LEVEL + 2];
	enum iter_result ret;
	char path[64];
	pid_t init, pid;

	own = open("/proc/self/ns/pid", O_RDONLY | O_CLOEXEC);
	if (own < 0)
		return fail(c, "open /proc/self/ns/pid: %s", strerror(errno));
	if (unshare(CLONE_NEWPID))
		return fork_failed(c, "unshare(CLONE_NEWPID)");
	if (unshare(CLONE_NEWPID) == 0 || errno != EINVAL)
		return fail(c, "a second unshare(CLONE_NEWPID): %s, want EINVAL",
			    strerror(errno));
	nsfd = open("/proc/self/ns/pid_for_children", O_RDONLY | O_CLOEXEC);
	if (nsfd >= 0 || errno != ENOENT)
		return fail(c, "pid_for_children before the namespace has an init: %s, want ENOENT",
			    nsfd >= 0 ? "opened" : strerror(errno));
	init = fork();
	if (init < 0)
		return fork_failed(c, "the first fork after unshare");
	if (init == 0) {
		for (;;)
			if (waitpid(-1, NULL, __WALL) < 0 && errno == ECHILD)
				pause();
	}
	snprintf(path, sizeof(path), "/proc/%d/status", init);
	if (proc_read_ints(AT_FDCWD, path, "NSpid", v, ARRAY_SIZE(v)) != 2 ||
	    v[0] != init || v[1] != 1) {
		kill_and_reap(init);
		return fail(c, "the first child after unshare is not pid 1 of a namespace one level down");
	}
	nsfd = open("/proc/self/ns/pid_for_children", O_RDONLY | O_CLOEXEC);
	if (nsfd < 0) {
		kill_and_reap(init);
		return fail(c, "pid_for_children: %s", strerror(errno));
	}
	ret = fork_count(c, "a second child after unshare", 2);
	if (ret == ITER_OK && setns(own, CLONE_NEWPID))
		ret = fail(c, "setns() back to our own namespace: %s",
			   strerror(errno));
	if (ret == ITER_OK)
		ret = fork_count(c, "after setns() back", 1);
	if (ret == ITER_OK) {
		/* In again, by the namespace's fd or by a pidfd of its init. */
		target = rng_chance(&c->rng, 2) ? raw_pidfd_open(init, 0) : nsfd;
		if (target < 0 || setns(target, CLONE_NEWPID))
			ret = fail(c, "setns() into the child namespace (%s): %s",
				   target == nsfd ? "nsfs fd" : "pidfd",
				   strerror(errno));
	}
	if (ret == ITER_OK)
		ret = fork_count(c, "after setns() into it", 2);
	kill(init, SIGKILL);
	if (wait_child(c, init, &status, 300))
		return ITER_FAILED;
	if (ret != ITER_OK)
		return ret;
	pid = fork();
	if (pid == 0)
		_exit(0);
	if (pid > 0) {
		kill_and_reap(pid);
		return fail(c, "fork() into the namespace after its init died succeeded");
	}
	if (!busy_errno(errno))
		return fail(c, "fork() into a dead namespace: %s", strerror(errno));
	if (setns(own, CLONE_NEWPID))
		return fail(c, "setns() home: %s", strerror(errno));
	ret = fork_count(c, "at home", 1);
	if (ret == ITER_OK && unshare(CLONE_NEWPID))
		ret = fork_failed(c, "unshare(CLONE_NEWPID) after coming home");
	return ret;
}

/* ---- exec: threads exit while the group execs -------------------------- */

struct exec_plan {
	char nspid[256];
	char *exe;
	unsigned int delay_us;
};

static void *exec_thread(void *arg)
{
	struct exec_plan *p = arg;
	char *argv[] = { p->exe, "--exec-check", p->nspid, NULL };

	usleep(p->delay_us);
	execv("/proc/thread-self/exe", argv);
	_exit(EXEC_CHECK_BAD);
}

static void *spin_thread(void *arg)
{
	for (;;)
		sched_yield();
	return NULL;
}

static void *exit_thread(void *arg)
{
	usleep((uintptr_t)arg);
	return NULL;
}

/*
 * exec_group - a thread group that execs: mode 0, a thread other than the
 * leader execs while the leader waits; mode 1, the leader exits first and
 * leaves a zombie leader; mode 2, the leader execs.  Others spin or exit.
 * The new image (exec_check) must have the old thread group's numbers.
 */
static void __attribute__((noreturn)) exec_group(struct ctx *c, unsigned int mode)
{
	static struct exec_plan plan = { .exe = "pidstress" };
	unsigned int i, threads = 1 + rng_below(&c->rng, 5);
	char *argv[] = { plan.exe, "--exec-check", plan.nspid, NULL };
	pthread_t t;

	nspid_string(plan.nspid, sizeof(plan.nspid));
	plan.delay_us = rng_below(&c->rng, 3000);
	for (i = 0; i < threads; i++) {
		void *(*fn)(void *) = rng_chance(&c->rng, 2) ? spin_thread : exit_thread;

		if (pthread_create(&t, NULL, fn,
				   (void *)(uintptr_t)rng_below(&c->rng, 2000)))
			_exit(ITER_BUSY);
	}
	if (mode == 2) {
		usleep(plan.delay_us);
		execv("/proc/thread-self/exe", argv);
		_exit(EXEC_CHECK_BAD);
	}
	if (pthread_create(&t, NULL, exec_thread, &plan))
		_exit(ITER_BUSY);
	if (mode == 1)
		syscall(SYS_exit, 0);
	for (;;)
		pause();
}

static enum iter_result exec_iter(struct ctx *c)
{
	unsigned int mode = rng_below(&c->rng, 3);
	bool newns = rng_chance(&c->rng, 2);
	int status;
	pid_t pid;

	pid = newns ? fork_newpid() : fork();
	if (pid < 0)
		return fork_failed(c, newns ? "CLONE_NEWPID" : "fork");
	if (pid == 0)
		exec_group(c, mode);
	if (wait_child(c, pid, &status, 120))
		return ITER_FAILED;
	if (WIFEXITED(status) && WEXITSTATUS(status) == ITER_BUSY)
		return ITER_BUSY;
	if (!WIFEXITED(status) || WEXITSTATUS(status) != EXEC_CHECK_OK)
		return fail(c, "exec from a thread group (mode %u, %s): status %#x, want exit %d",
			    mode, newns ? "as a namespace's init" : "plain",
			    status, EXEC_CHECK_OK);
	return ITER_OK;
}

/*
 * exec_check - "pidstress --exec-check NSPID": the image a thread group
 * exec'd.  Its NSpid numbers must be the group's, and it is single-threaded
 * with tid == tgid.
 */
int exec_check(int argc, char **argv)
{
	char now[256];

	nspid_string(now, sizeof(now));
	if (argc != 3 || strcmp(now, argv[2]) || getpid() != gettid()) {
		printf("pidstress: FAIL exec: NSpid \"%s\" and tid %d after exec; before: \"%s\", tgid %d\n",
		       now, gettid(), argc == 3 ? argv[2] : "?", getpid());
		return EXEC_CHECK_BAD;
	}
	return EXEC_CHECK_OK;
}

/* ---- exhaust: take every pid of a namespace ---------------------------- */

static enum iter_result exhaust_iter(struct ctx *c)
{
	int pipefd[2], res[2], status, i;
	enum iter_result ret = ITER_OK;
	pid_t init, pid;

	if (pipe(pipefd))
		return fail(c, "pipe: %s", strerror(errno));
	init = fork_newpid();
	if (init < 0)
		return fork_failed(c, "CLONE_NEWPID");
	if (init == 0) {
		res[0] = 0;
		res[1] = 0;
		for (;;) {
			pid = fork();
			if (pid == 0) {
				for (;;)
					pause();
			}
			if (pid < 0) {
				res[1] = errno;
				break;
			}
			if (++res[0] > c->pid_max)
				break;
		}
		write_full(pipefd[1], res, sizeof(res));
		for (;;)
			pause();
	}
	close(pipefd[1]);
	if (read_timeout(pipefd[0], res, sizeof(res), 240 * 1000))
		ret = fail(c, "the exhausting init did not report within 240s: %s",
			   strerror(errno));
	else if (res[0] > c->pid_max)
		ret = fail(c, "forked %d tasks in one namespace with pid_max %d",
			   res[0], c->pid_max);
	else if (!busy_errno(res[1]))
		ret = fail(c, "fork failed with %s after %d tasks, want EAGAIN",
			   strerror(res[1]), res[0]);
	kill(init, SIGKILL);
	if (wait_child(c, init, &status, 300))
		return ITER_FAILED;
	if (ret != ITER_OK)
		return ret;
	/* The pids come back: a fork works again soon. */
	for (i = 0; i < 200; i++) {
		pid = fork();
		if (pid == 0)
			_exit(0);
		if (pid > 0) {
			waitpid(pid, NULL, 0);
			return ITER_OK;
		}
		usleep(50 * 1000);
	}
	return fail(c, "no fork succeeded for 10s after the exhausted namespace died");
}

/* ---- nslimit: user.max_pid_namespaces in a user namespace of its own --- */

/*
 * nslimit_chain - a chain of @limit namespaces, each created by the init of
 * the one before; the next must fail with ENOSPC.  ENOSPC earlier is a
 * failure when @strict, else "busy" (a namespace of an earlier round not
 * released yet).
 */
static enum iter_result nslimit_chain(struct ctx *c, int limit, int made,
				      bool strict)
{
	int status;
	pid_t pid = fork_newpid();

	if (made == limit) {
		if (pid == 0)
			_exit(0);
		if (pid > 0) {
			kill_and_reap(pid);
			return fail(c, "namespace %d was created with max_pid_namespaces %d",
				    made + 1, limit);
		}
		if (errno != ENOSPC)
			return fork_failed(c, "CLONE_NEWPID past the limit (want ENOSPC)");
		return ITER_OK;
	}
	if (pid < 0) {
		if (errno == ENOSPC && strict)
			return fail(c, "ENOSPC for namespace %d with max_pid_namespaces %d",
				    made + 1, limit);
		if (errno == ENOSPC)
			return ITER_BUSY;
		return fork_failed(c, "CLONE_NEWPID under the limit");
	}
	if (pid == 0)
		_exit(nslimit_chain(c, limit, made + 1, strict));
	if (wait_child(c, pid, &status, 300))
		return ITER_FAILED;
	return child_result(c, "a namespace under the limit", status);
}

static enum iter_result nslimit_iter(struct ctx *c)
{
	int limit = rng_below(&c->rng, 5), round, tries;
	enum iter_result ret = ITER_OK;

	if (unshare(CLONE_NEWUSER))
		return fork_failed(c, "unshare(CLONE_NEWUSER)");
	if (sysctl_write_int("/proc/sys/user/max_pid_namespaces", limit))
		return fail(c, "writing %d to max_pid_namespaces in a new user namespace: %s",
			    limit, strerror(errno));
	/*
	 * The first round must be exact.  The second checks the count came
	 * back; a namespace is released after an RCU grace period, so
	 * ENOSPC there ("busy") is retried for a while.
	 */
	for (round = 0; round < 2 && ret == ITER_OK; round++) {
		for (tries = 0; tries < 100; tries++) {
			ret = nslimit_chain(c, limit, 0, round == 0);
			if (ret != ITER_BUSY || round == 0)
				break;
			usleep(50 * 1000);
		}
		if (ret == ITER_BUSY && round == 1)
			ret = fail(c, "max_pid_namespaces %d: the count did not come back within 5s",
				   limit);
	}
	return ret;
}

/* ---------------------------------------------------------------------- */

const struct kind stress_kinds[] = {
	{ "fork", fork_iter, 0,
	  "fork/exit/wait, orphans, at a random depth up to level 32" },
	{ "initkill", initkill_iter, 0,
	  "a namespace's init dies while its tasks fork; fork into the dead namespace" },
	{ "killstorm", killstorm_iter, 0,
	  "kill(-1), kill(0), kill(1) inside a namespace; nothing outside is hit" },
	{ "proc", proc_iter, 0,
	  "/proc readers: NS* lines of every task and thread, stat" },
	{ "setns", setns_iter, 0,
	  "unshare(CLONE_NEWPID), setns() by nsfs fd and pidfd, and back" },
	{ "exec", exec_iter, 0,
	  "threads exit while the group execs, from any thread" },
	{ "exhaust", exhaust_iter, 3000,
	  "take every pid of a namespace, then give them back" },
	{ "nslimit", nslimit_iter, 0,
	  "user.max_pid_namespaces in a user namespace of its own" },
	{ "seq", seq_iter, 0,
	  "randomized sequencer: clone3, set_tid, ns_last_pid, setns, bad input" },
};

const unsigned int nr_stress_kinds = ARRAY_SIZE(stress_kinds);
