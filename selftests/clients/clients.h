/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Running the real tools (util-linux, procps, bubblewrap, crun, CRIU) from a
 * test: a command line through /bin/sh with its output captured, tasks
 * parked at chosen pid numbers, and what the kernel says about a task to
 * check the tools against.
 */
#ifndef PIDNS_CLIENTS_H
#define PIDNS_CLIENTS_H

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../pidns/pidns_util.h"
#include "../pidns/unpriv.h"

/* What one tool run gave: its exit status and its stdout and stderr. */
struct tool_run {
	char cmd[1024];
	int status;		/* exit status, 128 + signal, or -1: timed out */
	char out[16384];	/* stdout and stderr, NUL-terminated */
	size_t len;
};

/* Per tool run, in milliseconds: TCG guests are slow. */
#define TOOL_TIMEOUT_MS 120000

#define SETPRIV "/usr/bin/setpriv"

/* The prefix that runs a command line as nobody, with no groups. */
#define AS_NOBODY SETPRIV " --reuid 65534 --regid 65534 --clear-groups "

/*
 * AS_NOBODY, the command still killed when the test dies (the uid change
 * clears a parent-death signal, such as spawn_tool() sets).
 */
#define AS_NOBODY_PDEATHSIG AS_NOBODY "--pdeathsig SIGKILL "

#define NS_LAST_PID "/proc/sys/kernel/ns_last_pid"

/* pid_max as systemd sets it: the kernel's limit on 64-bit machines. */
#define PID_MAX_LIMIT 4194304

/* Where tests place tasks in the initial namespace: far above 511 and 65536. */
#define HIGH_PID 70000

/*
 * tool_missing - NULL if @path is an executable, else why not, for the
 * failure message: a tool that cannot run fails its test.
 */
static inline const char *tool_missing(const char *path)
{
	static char why[PATH_MAX + 64];

	if (access(path, X_OK) == 0)
		return NULL;
	snprintf(why, sizeof(why), "%s cannot run (%s): the initramfs lacks it",
		 path, strerror(errno));
	return why;
}

/*
 * run_tool - run a command line with /bin/sh -c, stdout and stderr into
 * @r->out, killed after @ms.  Returns @r->status.
 */
static inline int __attribute__((format(printf, 3, 4)))
run_tool(struct tool_run *r, int ms, const char *fmt, ...)
{
	struct timespec end = deadline_in(ms);
	int pfd[2], status;
	va_list ap;
	pid_t pid;
	ssize_t n;

	va_start(ap, fmt);
	vsnprintf(r->cmd, sizeof(r->cmd), fmt, ap);
	va_end(ap);
	r->len = 0;
	r->out[0] = '\0';
	r->status = -1;
	if (pipe2(pfd, O_CLOEXEC))
		return -1;
	pid = fork();
	if (pid < 0) {
		close(pfd[0]);
		close(pfd[1]);
		return -1;
	}
	if (pid == 0) {
		dup2(pfd[1], 1);
		dup2(pfd[1], 2);
		execl("/bin/sh", "sh", "-c", r->cmd, (char *)NULL);
		_exit(127);
	}
	close(pfd[1]);
	for (;;) {
		struct pollfd p = { .fd = pfd[0], .events = POLLIN };
		int ret = poll(&p, 1, ms_left(&end));

		if (ret < 0 && errno == EINTR)
			continue;
		if (ret <= 0)
			break;
		n = read(pfd[0], r->out + r->len, sizeof(r->out) - 1 - r->len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0 || (r->len += n) == sizeof(r->out) - 1)
			break;
	}
	r->out[r->len] = '\0';
	close(pfd[0]);
	if (wait_timeout(pid, &status, 0, ms_left(&end) > 0 ? ms_left(&end) : 1) != pid) {
		kill_and_reap(pid);
		r->status = -1;
	} else if (WIFEXITED(status)) {
		r->status = WEXITSTATUS(status);
	} else {
		r->status = 128 + WTERMSIG(status);
	}
	return r->status;
}

/* ASSERT_TOOL_PRESENT - fail, saying why, if the tool at @path cannot run. */
#define ASSERT_TOOL_PRESENT(path)					\
	do {								\
		const char *__why = tool_missing(path);			\
									\
		ASSERT_EQ(NULL, __why) TH_LOG("%s", __why);		\
	} while (0)

/* tool_report - the run as one line for TH_LOG: command, status, output. */
#define TOOL_LOG(r)							\
	TH_LOG("$ %s\nstatus %d, output:\n%.2000s", (r)->cmd, (r)->status, (r)->out)

/* tool_ok - assert that a run exited 0, showing it if not. */
#define ASSERT_TOOL_OK(r)						\
	do {								\
		if ((r)->status != 0)					\
			TOOL_LOG(r);					\
		ASSERT_EQ(0, (r)->status);				\
	} while (0)

/*
 * out_has_number - does a line of @out start (after blanks) with the
 * number @n?  For tools that print one pid per line (ps -o pid=, pgrep).
 */
static inline bool out_has_number(const char *out, long n)
{
	const char *p = out;

	while (*p) {
		char *end;
		long v;

		while (*p == ' ' || *p == '\t')
			p++;
		v = strtol(p, &end, 10);
		if (end != p && v == n && (*end == '\0' || *end == '\n' ||
					   *end == ' ' || *end == '\t'))
			return true;
		p = strchr(p, '\n');
		if (!p)
			break;
		p++;
	}
	return false;
}

/* count_lines - lines of @out that hold anything but blanks. */
static inline int count_lines(const char *out)
{
	int n = 0, seen = 0;

	for (; *out; out++) {
		if (*out == '\n') {
			n += seen;
			seen = 0;
		} else if (*out != ' ' && *out != '\t') {
			seen = 1;
		}
	}
	return n + seen;
}

/*
 * status_field - the value of "@key:" in /proc/@pid/status (e.g. "NSpid"),
 * tabs turned into spaces, into @buf.  0, or -1.
 */
static inline int status_field(pid_t pid, const char *key, char *buf, size_t size)
{
	char path[64], line[512];
	size_t klen = strlen(key);
	FILE *f;
	int ret = -1;

	snprintf(path, sizeof(path), "/proc/%d/status", pid);
	f = fopen(path, "re");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		char *v, *t;

		if (strncmp(line, key, klen) || line[klen] != ':')
			continue;
		v = line + klen + 1;
		while (*v == '\t' || *v == ' ')
			v++;
		v[strcspn(v, "\n")] = '\0';
		for (t = v; *t; t++)
			if (*t == '\t')
				*t = ' ';
		snprintf(buf, size, "%s", v);
		ret = 0;
		break;
	}
	fclose(f);
	return ret;
}

/* pidns_ino - the inode of /proc/@pid/ns/pid, or 0. */
static inline unsigned long pidns_ino(pid_t pid)
{
	char path[64];
	struct stat st;

	snprintf(path, sizeof(path), "/proc/%d/ns/pid", pid);
	return stat(path, &st) ? 0 : (unsigned long)st.st_ino;
}

/*
 * probe_ns - can the kernel make a PID namespace (@userns false), or can
 * nobody make a user namespace (become_unprivileged())?  The forked
 * probe's exit status: 0, or what it could not do (RUNNER_NO_USERNS...);
 * -1 if it could not be forked or did not end within a minute.
 */
static inline int probe_ns(bool userns)
{
	int status;
	pid_t pid;

	pid = userns ? fork() : fork_newpid();
	if (pid < 0)
		return -1;
	if (pid == 0)
		_exit(userns ? become_unprivileged() : 0);
	if (wait_timeout(pid, &status, 0, 60000) != pid) {
		kill_and_reap(pid);
		return -1;
	}
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/*
 * park_at - fork a child that sleeps until killed (or until its parent
 * dies), at pid @want in the caller's namespace if @want > 0: clone3 with
 * set_tid, which needs root over the namespace.  The child's pid, or -1.
 */
static inline pid_t park_at(pid_t want)
{
	pid_t pid;

	pid = want > 0 ? sys_clone3_set_tid(&want, 1) : fork();
	if (pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
		for (;;)
			pause();
	}
	return pid;
}

/*
 * free_pid_near - the first number from @from up that no task of the
 * caller's namespace has (no /proc/N), for park_at(); -1 if none below
 * @limit.
 */
static inline pid_t free_pid_near(pid_t from, pid_t limit)
{
	char path[32];

	for (; from < limit; from++) {
		snprintf(path, sizeof(path), "/proc/%d", from);
		if (access(path, F_OK))
			return from;
	}
	return -1;
}

/*
 * free_pid_run - the first of @len free pids in a row (no /proc/N) from
 * @from up, below PID_MAX_LIMIT, or -1: room for a tool's tasks, placed
 * there with ns_last_pid.
 */
static inline pid_t free_pid_run(pid_t from, int len)
{
	char path[32];
	pid_t n;
	int i;

	for (n = from; n < PID_MAX_LIMIT - len; n += i + 1) {
		for (i = 0; i < len; i++) {
			snprintf(path, sizeof(path), "/proc/%d", n + i);
			if (!access(path, F_OK))
				break;
		}
		if (i == len)
			return n;
	}
	return -1;
}

/*
 * out_has_word - is the number @n one of the blank-separated words of
 * @out?  For tools that print their pids on one line (pidof).
 */
static inline bool out_has_word(const char *out, long n)
{
	const char *p = out;

	for (;;) {
		char *end;
		long v;

		p += strspn(p, " \t\n");
		if (!*p)
			return false;
		v = strtol(p, &end, 10);
		if (end != p && v == n && (*end == '\0' || strchr(" \t\n", *end)))
			return true;
		p += strcspn(p, " \t\n");
	}
}

/*
 * out_numbers - the numbers that start (after blanks) the lines of @out,
 * up to @max of them into @v.  How many lines start with one.
 */
static inline int out_numbers(const char *out, long *v, int max)
{
	const char *p = out;
	int n = 0;

	while (*p) {
		char *end;
		long x;

		p += strspn(p, " \t");
		x = strtol(p, &end, 10);
		if (end != p && (*end == '\0' || strchr(" \t\n", *end))) {
			if (n < max)
				v[n] = x;
			n++;
		}
		p = strchr(p, '\n');
		if (!p)
			break;
		p++;
	}
	return n;
}

/*
 * text_field - the value of "@key:" in @text, which a tool printed in the
 * format of /proc/PID/status, as status_field() gives it.  0, or -1.
 */
static inline int text_field(const char *text, const char *key, char *buf,
			     size_t size)
{
	size_t klen = strlen(key), len;
	const char *p = text, *v;
	char *t;

	while (strncmp(p, key, klen) || p[klen] != ':') {
		p = strchr(p, '\n');
		if (!p)
			return -1;
		p++;
	}
	v = p + klen + 1;
	v += strspn(v, " \t");
	len = strcspn(v, "\n");
	snprintf(buf, size, "%.*s", (int)len, v);
	for (t = buf; *t; t++)
		if (*t == '\t')
			*t = ' ';
	return 0;
}

/* parse_ints - the blank-separated numbers of @s: up to @max into @v, how many. */
static inline int parse_ints(const char *s, long *v, int max)
{
	int n = 0;

	for (;;) {
		char *end;
		long x = strtol(s, &end, 10);

		if (end == s)
			return n;
		if (n < max)
			v[n] = x;
		n++;
		s = end;
	}
}

/*
 * text_ints - the numbers of "@key:" in @text, a status file that a tool
 * printed (see text_field()), up to @max into @v.  How many, or -1
 * without such a line.
 */
static inline int text_ints(const char *text, const char *key, long *v, int max)
{
	char buf[512];

	if (text_field(text, key, buf, sizeof(buf)))
		return -1;
	return parse_ints(buf, v, max);
}

/*
 * status_ints - the numbers of "@key:" in /proc/@pid/status, up to @max
 * into @v.  How many, or -1 (no such task, or no such line).
 */
static inline int status_ints(pid_t pid, const char *key, int *v, int max)
{
	char path[64];

	snprintf(path, sizeof(path), "/proc/%d/status", pid);
	return proc_read_ints(AT_FDCWD, path, key, v, max);
}

/*
 * proc_listing_is - does @line, "/proc/N ..." as the shell expands
 * /proc/[0-9]*, name each pid of @want once and nothing else?
 */
static inline bool proc_listing_is(const char *line, const long *want,
				   int nwant)
{
	int seen = 0, i;
	char *end;

	for (; (line = strstr(line, "/proc/")); line = end) {
		long v = strtol(line + 6, &end, 10);

		for (i = 0; i < nwant && want[i] != v; i++)
			;
		if (i == nwant || (seen & (1 << i)))
			return false;
		seen |= 1 << i;
	}
	return seen == (1 << nwant) - 1;
}

static inline int pid_cmp(const void *a, const void *b)
{
	pid_t x = *(const pid_t *)a, y = *(const pid_t *)b;

	return (x > y) - (x < y);
}

/*
 * dir_pids - the entries of @dir, a proc mount such as /proc or
 * /proc/PID/root/proc, that are numbers: up to @max of them into @pids,
 * ascending.  How many, or -1 if @dir cannot be read.
 */
static inline int dir_pids(const char *dir, pid_t *pids, int max)
{
	struct dirent *de;
	int n = 0;
	DIR *d;

	d = opendir(dir);
	if (!d)
		return -1;
	while ((de = readdir(d))) {
		char *end;
		long v = strtol(de->d_name, &end, 10);

		if (end == de->d_name || *end || v <= 0)
			continue;
		if (n < max)
			pids[n] = v;
		n++;
	}
	closedir(d);
	qsort(pids, n < max ? n : max, sizeof(*pids), pid_cmp);
	return n;
}

/* ppid_of - the PPid of @pid in /proc, or -1. */
static inline pid_t ppid_of(pid_t pid)
{
	int ppid;

	return status_ints(pid, "PPid", &ppid, 1) == 1 ? ppid : -1;
}

/*
 * child_of - a child of @parent, waiting up to @ms for one to appear (a
 * tool that forks): its pid, or -1.
 */
static inline pid_t child_of(pid_t parent, int ms)
{
	struct timespec end = deadline_in(ms);
	struct timespec tick = { 0, 5 * 1000 * 1000 };
	pid_t pids[4096];
	int i, n;

	do {
		n = dir_pids("/proc", pids, 4096);
		for (i = 0; i < n && i < 4096; i++)
			if (ppid_of(pids[i]) == parent)
				return pids[i];
		nanosleep(&tick, NULL);
	} while (ms_left(&end) > 0);
	return -1;
}

/*
 * wait_comm - wait up to @ms for /proc/@pid/comm to read @comm: the task
 * has executed that program.  0, or -1.
 */
static inline int wait_comm(pid_t pid, const char *comm, int ms)
{
	struct timespec end = deadline_in(ms);
	struct timespec tick = { 0, 5 * 1000 * 1000 };
	char path[64], buf[64];

	snprintf(path, sizeof(path), "/proc/%d/comm", pid);
	do {
		int fd = open(path, O_RDONLY | O_CLOEXEC);
		ssize_t n = fd < 0 ? -1 : read(fd, buf, sizeof(buf) - 1);

		if (fd >= 0)
			close(fd);
		if (n > 0) {
			buf[n] = '\0';
			buf[strcspn(buf, "\n")] = '\0';
			if (!strcmp(buf, comm))
				return 0;
		}
		nanosleep(&tick, NULL);
	} while (ms_left(&end) > 0);
	return -1;
}

/*
 * pidns_members - the tasks whose /proc/PID/ns/pid is the namespace with
 * inode @ino, by their pids in the caller's namespace: up to @max into
 * @pids, ascending.  How many.
 */
static inline int pidns_members(unsigned long ino, pid_t *pids, int max)
{
	pid_t all[4096];
	int i, n, m = 0;

	n = dir_pids("/proc", all, 4096);
	for (i = 0; i < n && i < 4096; i++) {
		if (pidns_ino(all[i]) != ino)
			continue;
		if (m < max)
			pids[m] = all[i];
		m++;
	}
	return m;
}

/* task_gone - no task @pid is left, or only its zombie. */
static inline bool task_gone(pid_t pid)
{
	char path[64], buf[512], *p;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return true;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return true;
	buf[n] = '\0';
	p = strrchr(buf, ')');
	return p && (p[2] == 'Z' || p[2] == 'X');
}

/*
 * fork_near - fork at the first free pid from @from up, below @limit
 * (clone3 with set_tid), trying the next one when another task took it
 * first.  Like fork(): 0 in the child; the child's pid, or -1.
 */
static inline pid_t fork_near(pid_t from, pid_t limit)
{
	int tries;

	for (tries = 0; tries < 100; tries++) {
		pid_t want = free_pid_near(from, limit), pid;

		if (want < 0)
			return -1;
		pid = sys_clone3_set_tid(&want, 1);
		if (pid >= 0 || errno != EEXIST)
			return pid;
		from = want + 1;
	}
	return -1;
}

/*
 * park_near - a child parked as park_at() parks it, at the first free pid
 * from @from up, below @limit (fork_near()).  Its pid, or -1.
 */
static inline pid_t park_near(pid_t from, pid_t limit)
{
	pid_t pid = fork_near(from, limit);

	if (pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
		for (;;)
			pause();
	}
	return pid;
}

/*
 * park_in_pidns - park tasks in the PID namespace of @nstask, a namespace
 * one level below the caller's: a parker child enters it (setns, for its
 * children) and parks there a task at pid @inner[i] of the namespace for
 * each i < @n, also at the first free pid from @outer_from[i] up in the
 * caller's namespace if that is not 0 (clone3 with two set_tid levels),
 * then waits to be killed; the tasks die with it.  Their pids in the
 * caller's namespace go into @outer.  The parker's pid, or -1 (errno set).
 */
static inline pid_t park_in_pidns(pid_t nstask, const pid_t *inner,
				  const pid_t *outer_from, int n, pid_t *outer)
{
	char path[64];
	int pfd[2], i, err = 0;
	pid_t parker;

	if (pipe2(pfd, O_CLOEXEC))
		return -1;
	parker = fork();
	if (parker < 0) {
		close(pfd[0]);
		close(pfd[1]);
		return -1;
	}
	if (parker == 0) {
		int fd;

		prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
		close(pfd[0]);
		snprintf(path, sizeof(path), "/proc/%d/ns/pid", nstask);
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0 || setns(fd, CLONE_NEWPID))
			_exit(1);
		for (i = 0; i < n; i++) {
			pid_t tids[2] = { inner[i], outer_from[i] }, pid = -1;
			int tries;

			for (tries = 0; tries < 100; tries++) {
				if (tids[1])
					tids[1] = free_pid_near(tids[1], INT_MAX);
				pid = sys_clone3_set_tid(tids, tids[1] ? 2 : 1);
				if (pid >= 0 || errno != EEXIST || !tids[1] ||
				    kill(tids[1], 0) == -1)
					break;
				tids[1]++;
			}
			if (pid == 0) {
				prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
				for (;;)
					pause();
			}
			if (pid < 0)
				pid = -errno;
			if (write_full(pfd[1], &pid, sizeof(pid)))
				_exit(1);
		}
		for (;;)
			pause();
	}
	close(pfd[1]);
	for (i = 0; i < n; i++) {
		if (read_timeout(pfd[0], &outer[i], sizeof(*outer), TOOL_TIMEOUT_MS)) {
			err = errno;
			break;
		}
		if (outer[i] < 0) {
			err = -outer[i];
			break;
		}
	}
	close(pfd[0]);
	if (i < n) {
		kill_and_reap(parker);
		errno = err;
		return -1;
	}
	return parker;
}

/* A tool left running in the background. */
struct tool_bg {
	char cmd[1024];
	pid_t pid;		/* the tool itself: /bin/sh execs it */
	int logfd;		/* its stdout and stderr: an unlinked file */
};

/* tool_bg_init - no tool yet, for fixture setups. */
static inline void tool_bg_init(struct tool_bg *bg)
{
	bg->cmd[0] = '\0';
	bg->pid = -1;
	bg->logfd = -1;
}

/*
 * spawn_tool - start a command line in the background with /bin/sh -c
 * 'exec ...', so that @bg->pid is the tool's own pid, its output into a
 * file for BG_LOG().  It gets SIGKILL when the caller dies, unless it
 * changes its credentials (setpriv --pdeathsig keeps it).  The pid, or -1.
 */
static inline pid_t __attribute__((format(printf, 2, 3)))
spawn_tool(struct tool_bg *bg, const char *fmt, ...)
{
	char cmd[sizeof(bg->cmd) + 8], log[] = "/tmp/clients-bg-XXXXXX";
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(bg->cmd, sizeof(bg->cmd), fmt, ap);
	va_end(ap);
	snprintf(cmd, sizeof(cmd), "exec %s", bg->cmd);
	bg->pid = -1;
	bg->logfd = mkostemp(log, O_CLOEXEC);
	if (bg->logfd < 0)
		return -1;
	unlink(log);
	bg->pid = fork();
	if (bg->pid == 0) {
		int fd = open("/dev/null", O_RDONLY | O_CLOEXEC);

		prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
		dup2(bg->logfd, 1);
		dup2(bg->logfd, 2);
		if (fd > 0)
			dup2(fd, 0);
		execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
		_exit(127);
	}
	return bg->pid;
}

/* bg_output - what a background tool has printed so far, into @buf. */
static inline void bg_output(const struct tool_bg *bg, char *buf, size_t size)
{
	ssize_t n = bg->logfd < 0 ? -1 : pread(bg->logfd, buf, size - 1, 0);

	buf[n > 0 ? n : 0] = '\0';
}

/* BG_LOG - a background tool's command line and output, for TH_LOG. */
#define BG_LOG(bg)							\
	do {								\
		char __out[2048];					\
									\
		bg_output(bg, __out, sizeof(__out));			\
		TH_LOG("$ %s &\npid %d, output:\n%s", (bg)->cmd,	\
		       (bg)->pid, __out);				\
	} while (0)

/* stop_tool - for teardowns: SIGKILL a background tool and reap it. */
static inline void stop_tool(struct tool_bg *bg)
{
	if (bg->pid > 0)
		kill_and_reap(bg->pid);
	bg->pid = -1;
	if (bg->logfd >= 0)
		close(bg->logfd);
	bg->logfd = -1;
}

/*
 * reap_children - for teardowns of a test that made itself a child
 * subreaper (PR_SET_CHILD_SUBREAPER, so that the orphans of the tools it
 * ran come to it): SIGKILL every child of the caller and reap them all,
 * for at most @ms.
 */
static inline void reap_children(int ms)
{
	struct timespec end = deadline_in(ms);
	struct timespec tick = { 0, 5 * 1000 * 1000 };
	pid_t pids[4096], self = getpid(), pid;
	int i, n;

	do {
		n = dir_pids("/proc", pids, 4096);
		for (i = 0; i < n && i < 4096; i++)
			if (ppid_of(pids[i]) == self)
				kill(pids[i], SIGKILL);
		while ((pid = waitpid(-1, NULL, WNOHANG)) > 0)
			;
		if (pid < 0 && errno == ECHILD)
			return;
		nanosleep(&tick, NULL);
	} while (ms_left(&end) > 0);
}

#endif /* PIDNS_CLIENTS_H */
