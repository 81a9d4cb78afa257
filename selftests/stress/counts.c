// SPDX-License-Identifier: GPL-2.0
/*
 * pidstress object counts: the live struct pid and pid_namespace objects
 * before and after the run (selftests/pidns/slab_counts.h says how they
 * are taken).
 */
#define _GNU_SOURCE
#include <dirent.h>

#include "stress.h"
#include "slab_counts.h"

#define PID_LIMIT	32768	/* the guest's pid_max */

static struct slab_counts before;

/* A cache made during the run must be empty again. */
static long before_count(const char *name)
{
	return slab_count_of(&before, name);
}

static bool same(const struct slab_counts *a, const struct slab_counts *b)
{
	return a->n == b->n &&
	       !memcmp(a->objects, b->objects, a->n * sizeof(a->objects[0]));
}

static void print_counts(const char *what, const struct slab_counts *c,
			 const char *verdict)
{
	char line[2048];
	unsigned int i;
	int len;

	len = snprintf(line, sizeof(line), "pidstress: objects %s:", what);
	for (i = 0; i < c->n && len < (int)sizeof(line); i++)
		len += snprintf(line + len, sizeof(line) - len, " %s=%ld",
				c->name[i], c->objects[i]);
	printf("%s%s\n", line, verdict);
}

/* counts_before - true when the counts can be checked at all. */
bool counts_before(void)
{
	struct slab_counts again;
	int tries;

	slab_settle();
	if (!slab_snapshot(&before)) {
		printf("pidstress: objects: SKIP, no %s/*/objects (needs CONFIG_SLUB_DEBUG)\n",
		       SLAB_DIR);
		return false;
	}
	for (tries = 0; tries < 10; tries++) {
		slab_settle();
		slab_snapshot(&again);
		if (same(&again, &before))
			break;
		before = again;
	}
	print_counts("before", &before, " (pid: objects less tasks)");
	return true;
}

static void print_traces(const struct slab_counts *c)
{
	char path[128], buf[4096];
	unsigned int i;
	ssize_t n;
	int fd;

	for (i = 0; i < c->n; i++) {
		if (c->objects[i] == before_count(c->name[i]))
			continue;
		snprintf(path, sizeof(path),
			 "/sys/kernel/debug/slab/%s/alloc_traces", c->name[i]);
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			continue;
		printf("pidstress: where the %s objects left were allocated:\n",
		       c->name[i]);
		fflush(stdout);
		while ((n = read(fd, buf, sizeof(buf))) > 0)
			write_full(STDOUT_FILENO, buf, n);
		close(fd);
	}
}

/*
 * print_unlisted - the tasks /proc finds by number but its readdir does not
 * list: a pid table walk that skips live pids would show here.
 */
static void print_unlisted(void)
{
	static bool listed[PID_LIMIT];
	struct dirent *e;
	char path[64], comm[64];
	int pid, tgid, unlisted = 0;
	DIR *d = opendir("/proc");
	ssize_t n;
	int fd;

	while (d && (e = readdir(d))) {
		pid = atoi(e->d_name);
		if (pid > 0 && pid < PID_LIMIT)
			listed[pid] = true;
	}
	if (d)
		closedir(d);
	for (pid = 1; pid < PID_LIMIT; pid++) {
		if (listed[pid])
			continue;
		snprintf(path, sizeof(path), "/proc/%d/status", pid);
		if (proc_read_ints(AT_FDCWD, path, "Tgid", &tgid, 1) != 1 ||
		    tgid != pid)
			continue;
		snprintf(path, sizeof(path), "/proc/%d/comm", pid);
		fd = open(path, O_RDONLY | O_CLOEXEC);
		n = fd < 0 ? 0 : read(fd, comm, sizeof(comm) - 1);
		if (fd >= 0)
			close(fd);
		comm[n > 0 ? n - 1 : 0] = '\0';
		printf("pidstress: task %d (%s) is found by number but not listed by readdir of /proc\n",
		       pid, comm);
		unlisted++;
	}
	printf("pidstress: %d task(s) missing from the /proc listing\n",
	       unlisted);
}

/* counts_after - after every task of the run is gone: 0 if restored. */
int counts_after(void)
{
	struct slab_counts now;
	int tries;

	for (tries = 0; tries < 60; tries++) {
		slab_settle();
		slab_snapshot(&now);
		if (slab_restored(&now, &before)) {
			print_counts("after", &now, ": restored");
			return 0;
		}
	}
	print_counts("after", &now, ": FAIL, not back to the counts before");
	print_traces(&now);
	print_unlisted();
	return 1;
}
