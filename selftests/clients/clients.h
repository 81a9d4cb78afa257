/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Running the real tools (util-linux, procps, bubblewrap, crun, CRIU) from a
 * test: a command line through /bin/sh with its output captured, tasks
 * parked at chosen pid numbers, and what the kernel says about a task to
 * check the tools against.
 */
#ifndef PIDNS_CLIENTS_H
#define PIDNS_CLIENTS_H

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

/* What one tool run gave: its exit status and its stdout and stderr. */
struct tool_run {
	char cmd[1024];
	int status;		/* exit status, 128 + signal, or -1: timed out */
	char out[16384];	/* stdout and stderr, NUL-terminated */
	size_t len;
};

/* Per tool run, in milliseconds: TCG guests are slow. */
#define TOOL_TIMEOUT_MS 120000

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

#endif /* PIDNS_CLIENTS_H */
