// SPDX-License-Identifier: GPL-2.0
/*
 * pidstress object counts: the live struct pid and pid_namespace objects,
 * from /sys/kernel/slab/<cache>/objects (CONFIG_SLUB_DEBUG), before and
 * after the run.
 *
 * The caches are "pid" (level 0), "pid_<level+1>" below it, and
 * "pid_namespace".  The pid cache also holds one pid per task of the
 * initial namespace, kernel threads included, whose number changes on its
 * own (workqueues start and stop kthreads): its count is taken less the
 * tasks.  pidstress takes the counts itself, forking nothing meanwhile, so
 * that no short-lived helper process is counted.  The exact count needs
 * caches without per-CPU slabs: boot with "slab_nomerge slab_debug=U,pid*".
 */
#define _GNU_SOURCE
#include <dirent.h>

#include "stress.h"

#define SLAB_DIR	"/sys/kernel/slab"
#define MAX_CACHES	64
#define PID_LIMIT	32768	/* the guest's pid_max */

struct counts {
	unsigned int n;
	char name[MAX_CACHES][32];
	long objects[MAX_CACHES];
};

static struct counts before;

static bool counted_cache(const char *name)
{
	if (!strcmp(name, "pid") || !strcmp(name, "pid_namespace"))
		return true;
	return !strncmp(name, "pid_", 4) && name[4] >= '0' && name[4] <= '9';
}

static long count_tasks(void)
{
	struct dirent *e, *t;
	char path[300];
	long n = 0;
	DIR *d, *td;

	d = opendir("/proc");
	if (!d)
		return -1;
	while ((e = readdir(d))) {
		if (e->d_name[0] < '1' || e->d_name[0] > '9')
			continue;
		snprintf(path, sizeof(path), "/proc/%s/task", e->d_name);
		td = opendir(path);
		if (!td)
			continue;
		while ((t = readdir(td)))
			if (t->d_name[0] >= '1' && t->d_name[0] <= '9')
				n++;
		closedir(td);
	}
	closedir(d);
	return n;
}

/* snapshot - the counts now; false when the kernel cannot tell them. */
static bool snapshot(struct counts *c)
{
	struct dirent *e;
	char path[300], buf[64];
	DIR *d;

	c->n = 0;
	d = opendir(SLAB_DIR);
	if (!d)
		return false;
	while ((e = readdir(d)) && c->n < MAX_CACHES) {
		if (!counted_cache(e->d_name))
			continue;
		snprintf(path, sizeof(path), SLAB_DIR "/%s/objects", e->d_name);
		if (read_whole(path, buf, sizeof(buf)) || !buf[0])
			continue;
		snprintf(c->name[c->n], sizeof(c->name[0]), "%.31s", e->d_name);
		c->objects[c->n] = strtol(buf, NULL, 10);
		if (!strcmp(e->d_name, "pid"))
			c->objects[c->n] -= count_tasks();
		c->n++;
	}
	closedir(d);
	return c->n > 0;
}

static void write_str(const char *path, const char *s)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);

	if (fd >= 0) {
		write_full(fd, s, strlen(s));
		close(fd);
	}
}

/*
 * settle - let freed pids and namespaces reach their caches: drop the
 * dentries and inodes (of /proc and pidfs) that hold pids, give RCU a
 * second, and shrink the caches, which also empties KASAN's quarantine.
 */
static void settle(void)
{
	struct dirent *e;
	char path[300];
	DIR *d;

	write_str("/proc/sys/vm/drop_caches", "2");
	sleep(1);
	d = opendir(SLAB_DIR);
	if (!d)
		return;
	while ((e = readdir(d))) {
		if (!counted_cache(e->d_name))
			continue;
		snprintf(path, sizeof(path), SLAB_DIR "/%s/shrink", e->d_name);
		write_str(path, "1");
	}
	closedir(d);
}

static long before_count(const char *name)
{
	unsigned int i;

	for (i = 0; i < before.n; i++)
		if (!strcmp(before.name[i], name))
			return before.objects[i];
	return 0;	/* a cache made during the run must be empty again */
}

static bool restored(const struct counts *c)
{
	unsigned int i;

	for (i = 0; i < c->n; i++)
		if (c->objects[i] != before_count(c->name[i]))
			return false;
	return true;
}

static bool same(const struct counts *a, const struct counts *b)
{
	return a->n == b->n &&
	       !memcmp(a->objects, b->objects, a->n * sizeof(a->objects[0]));
}

static void print_counts(const char *what, const struct counts *c,
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
	struct counts again;
	int tries;

	settle();
	if (!snapshot(&before)) {
		printf("pidstress: objects: SKIP, no %s/*/objects (needs CONFIG_SLUB_DEBUG)\n",
		       SLAB_DIR);
		return false;
	}
	for (tries = 0; tries < 10; tries++) {
		settle();
		snapshot(&again);
		if (same(&again, &before))
			break;
		before = again;
	}
	print_counts("before", &before, " (pid: objects less tasks)");
	return true;
}

static void print_traces(const struct counts *c)
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
	struct counts now;
	int tries;

	for (tries = 0; tries < 60; tries++) {
		settle();
		snapshot(&now);
		if (restored(&now)) {
			print_counts("after", &now, ": restored");
			return 0;
		}
	}
	print_counts("after", &now, ": FAIL, not back to the counts before");
	print_traces(&now);
	print_unlisted();
	return 1;
}
