/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The live struct pid and pid_namespace objects, from
 * /sys/kernel/slab/<cache>/objects (CONFIG_SLUB_DEBUG): for pidstress's
 * count check and the fault sweep's.
 *
 * The caches are "pid" (level 0), "pid_<level+1>" below it, and
 * "pid_namespace".  The pid cache also holds one pid per task of the
 * initial namespace, kernel threads included, whose number changes on its
 * own (workqueues start and stop kthreads): its count is taken less the
 * tasks.  The caller takes the counts itself, forking nothing meanwhile, so
 * that no short-lived helper process is counted.  The exact count needs
 * caches without per-CPU slabs: boot with "slab_nomerge slab_debug=U,pid*".
 */
#ifndef SLAB_COUNTS_H
#define SLAB_COUNTS_H

#include <dirent.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "pidns_util.h"

#define SLAB_DIR	"/sys/kernel/slab"
#define SLAB_MAX_CACHES	64

struct slab_counts {
	unsigned int n;
	char name[SLAB_MAX_CACHES][32];
	long objects[SLAB_MAX_CACHES];
};

static inline bool slab_counted_cache(const char *name)
{
	if (!strcmp(name, "pid") || !strcmp(name, "pid_namespace"))
		return true;
	return !strncmp(name, "pid_", 4) && name[4] >= '0' && name[4] <= '9';
}

/* slab_count_tasks - the tasks (threads) /proc shows, or -1. */
static inline long slab_count_tasks(void)
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

/* slab_snapshot - the counts now; false when the kernel cannot tell them. */
static inline bool slab_snapshot(struct slab_counts *c)
{
	struct dirent *e;
	char path[300];
	DIR *d;
	long v;

	c->n = 0;
	d = opendir(SLAB_DIR);
	if (!d)
		return false;
	while ((e = readdir(d)) && c->n < SLAB_MAX_CACHES) {
		if (!slab_counted_cache(e->d_name))
			continue;
		snprintf(path, sizeof(path), SLAB_DIR "/%s/objects", e->d_name);
		v = sysctl_read_int(path);	/* "N N0=N ...": its first number */
		if (v < 0)
			continue;
		snprintf(c->name[c->n], sizeof(c->name[0]), "%.31s", e->d_name);
		c->objects[c->n] = v;
		if (!strcmp(e->d_name, "pid"))
			c->objects[c->n] -= slab_count_tasks();
		c->n++;
	}
	closedir(d);
	return c->n > 0;
}

static inline void slab_write_str(const char *path, const char *s)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);

	if (fd >= 0) {
		write_full(fd, s, strlen(s));
		close(fd);
	}
}

/*
 * slab_settle - let freed pids and namespaces reach their caches: drop the
 * dentries and inodes (of /proc and pidfs) that hold pids, give RCU a
 * second, and shrink the caches, which also empties KASAN's quarantine.
 */
static inline void slab_settle(void)
{
	struct dirent *e;
	char path[300];
	DIR *d;

	slab_write_str("/proc/sys/vm/drop_caches", "2");
	sleep(1);
	d = opendir(SLAB_DIR);
	if (!d)
		return;
	while ((e = readdir(d))) {
		if (!slab_counted_cache(e->d_name))
			continue;
		snprintf(path, sizeof(path), SLAB_DIR "/%s/shrink", e->d_name);
		slab_write_str(path, "1");
	}
	closedir(d);
}

/* slab_count_of - @name's count in @c; 0 for a cache @c does not have. */
static inline long slab_count_of(const struct slab_counts *c, const char *name)
{
	unsigned int i;

	for (i = 0; i < c->n; i++)
		if (!strcmp(c->name[i], name))
			return c->objects[i];
	return 0;
}

/* slab_restored - every cache of @now back at its count in @then. */
static inline bool slab_restored(const struct slab_counts *now,
				 const struct slab_counts *then)
{
	unsigned int i;

	for (i = 0; i < now->n; i++)
		if (now->objects[i] != slab_count_of(then, now->name[i]))
			return false;
	return true;
}

/* slab_format - "name=count ..." of @c into @buf. */
static inline const char *slab_format(const struct slab_counts *c, char *buf,
				      size_t size)
{
	unsigned int i;
	size_t len = 0;

	buf[0] = '\0';
	for (i = 0; i < c->n && len < size; i++)
		len += snprintf(buf + len, size - len, "%s%s=%ld",
				i ? " " : "", c->name[i], c->objects[i]);
	return buf;
}

#endif /* SLAB_COUNTS_H */
