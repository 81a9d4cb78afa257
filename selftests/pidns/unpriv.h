/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Running a test's steps as a hostile user would: nobody (when started as
 * root), in a user namespace of its own.
 */
#ifndef PIDNS_UNPRIV_H
#define PIDNS_UNPRIV_H

#include <fcntl.h>
#include <grp.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "pidns_util.h"

/* The uid and gid a test started as root drops to. */
#define NOBODY 65534

/* Exit statuses of a runner that could not become unprivileged. */
enum {
	RUNNER_FAILED = 1,	/* it could not send its report */
	RUNNER_NO_DROP,		/* root could not become nobody */
	RUNNER_NO_USERNS,	/* unshare(CLONE_NEWUSER) failed */
	RUNNER_NO_MAP,		/* the id maps could not be written */
};

static inline int write_str(const char *path, const char *s)
{
	int fd, ret;

	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	ret = write_full(fd, s, strlen(s));
	close(fd);
	return ret;
}

/*
 * become_unprivileged - what any user can do: if root, become nobody with
 * no groups, which leaves no capability in the initial user namespace;
 * then make a user namespace with that uid and gid mapped to 0.  The
 * caller then has every capability over the namespaces it creates, and
 * none over anything else.  0, or a RUNNER_ status.
 */
static inline int become_unprivileged(void)
{
	char map[32];
	uid_t uid;
	gid_t gid;

	if (geteuid() == 0) {
		if (setgroups(0, NULL) || setresgid(NOBODY, NOBODY, NOBODY) ||
		    setresuid(NOBODY, NOBODY, NOBODY))
			return RUNNER_NO_DROP;
		/*
		 * The uid change made the task undumpable, which gives its
		 * /proc/self files to root: uid_map could not be written.
		 */
		if (prctl(PR_SET_DUMPABLE, 1, 0, 0, 0))
			return RUNNER_NO_DROP;
	}
	uid = geteuid();
	gid = getegid();
	if (unshare(CLONE_NEWUSER))
		return RUNNER_NO_USERNS;
	snprintf(map, sizeof(map), "0 %u 1\n", uid);
	if (write_str("/proc/self/uid_map", map))
		return RUNNER_NO_MAP;
	snprintf(map, sizeof(map), "0 %u 1\n", gid);
	if (write_str("/proc/self/setgroups", "deny") ||
	    write_str("/proc/self/gid_map", map))
		return RUNNER_NO_MAP;
	return 0;
}

#endif /* PIDNS_UNPRIV_H */
