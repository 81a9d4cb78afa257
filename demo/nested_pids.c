// SPDX-License-Identifier: GPL-2.0
/*
 * nested_pids - one process, its pid as seen from every namespace level.
 *
 * Builds a chain of DEPTH nested PID namespaces (default 4), each created
 * with clone(CLONE_NEWPID) by the init of the one above, and starts one
 * ordinary process in the deepest.  That process sends a datagram to each
 * level over a unix socket; the kernel attaches its credentials, and the
 * receiver at each level gets the sender's pid translated into the
 * receiver's own namespace (SO_PASSCRED).  The top prints the table:
 *
 *   level 0 (root)    pid 45
 *   level 1           pid 12
 *   ...
 *
 * Usage: nested_pids [DEPTH]     DEPTH from 1 to 31
 * Exit status: 0 when every level saw a pid and the deepest level's number
 * is the process's own getpid(); 1 otherwise.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#define MAX_DEPTH 31

struct seen {
	int level;
	pid_t pid;		/* the process as this level sees it */
	pid_t own;		/* the process's getpid(), as it sent it */
};

static int depth = 4;
static int sock[MAX_DEPTH + 1][2];	/* per level: [0] receives */
static int results[2];			/* every level -> level 0 */

static pid_t fork_newpid(void)
{
	return syscall(SYS_clone, CLONE_NEWPID | SIGCHLD, 0, NULL, NULL, 0);
}

static void die(const char *what)
{
	fprintf(stderr, "nested_pids: %s: %s\n", what, strerror(errno));
	exit(1);
}

/* The observed process: tell every level about itself, then exit. */
static void observed(void)
{
	pid_t self = getpid();
	char nspid[256] = "";
	char line[256];
	FILE *f;
	int i;

	for (i = 0; i <= depth; i++)
		if (send(sock[i][1], &self, sizeof(self), 0) != sizeof(self))
			die("send");
	/* Cross-check with /proc, mounted by the root namespace. */
	f = fopen("/proc/self/status", "r");
	while (f && fgets(line, sizeof(line), f))
		if (!strncmp(line, "NSpid:", 6))
			snprintf(nspid, sizeof(nspid), "%s", line + 6);
	if (f)
		fclose(f);
	printf("  the process: getpid() = %d; /proc/self/status NSpid:%s",
	       self, nspid[0] ? nspid : " (no such line)\n");
	fflush(stdout);
	exit(0);
}

/* Receive the observed process's credentials as this level sees them. */
static void receive_pid(int fd, struct seen *seen)
{
	char cbuf[CMSG_SPACE(sizeof(struct ucred))];
	struct iovec iov = { &seen->own, sizeof(seen->own) };
	struct msghdr msg = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = cbuf, .msg_controllen = sizeof(cbuf),
	};
	struct cmsghdr *c;
	struct ucred cred;

	if (recvmsg(fd, &msg, 0) != sizeof(seen->own))
		die("recvmsg");
	for (c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c)) {
		if (c->cmsg_level == SOL_SOCKET &&
		    c->cmsg_type == SCM_CREDENTIALS) {
			memcpy(&cred, CMSG_DATA(c), sizeof(cred));
			seen->pid = cred.pid;
			return;
		}
	}
	errno = ENOMSG;
	die("no SCM_CREDENTIALS");
}

/* One level of the chain: start the next, then report what it sees. */
static int run_level(int level)
{
	struct seen seen = { level, 0, 0 };
	int status, failed = 0;
	pid_t child;

	if (level < depth)
		child = fork_newpid();		/* init of level + 1 */
	else
		child = fork();			/* the observed process */
	if (child < 0 && level < depth && errno == EINVAL) {
		fprintf(stderr, "nested_pids: this kernel has no PID namespaces: clone(CLONE_NEWPID) fails with EINVAL (the baseline, or a series without Part 2)\n");
		exit(1);
	}
	if (child < 0)
		die(level < depth ? "clone(CLONE_NEWPID)" : "fork");
	if (child == 0) {
		if (level < depth)
			exit(run_level(level + 1));
		observed();
	}
	receive_pid(sock[level][0], &seen);
	if (write(results[1], &seen, sizeof(seen)) != sizeof(seen))
		die("write");
	if (waitpid(child, &status, 0) != child)
		die("waitpid");
	if (!WIFEXITED(status) || WEXITSTATUS(status))
		failed = 1;
	return failed;
}

int main(int argc, char **argv)
{
	struct seen all[MAX_DEPTH + 1], s;
	int i, failed, one = 1;

	if (argc > 1)
		depth = atoi(argv[1]);
	if (depth < 1 || depth > MAX_DEPTH) {
		fprintf(stderr, "usage: nested_pids [DEPTH], DEPTH 1..%d\n",
			MAX_DEPTH);
		return 1;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	for (i = 0; i <= depth; i++) {
		if (socketpair(AF_UNIX, SOCK_DGRAM, 0, sock[i]))
			die("socketpair");
		if (setsockopt(sock[i][0], SOL_SOCKET, SO_PASSCRED, &one,
			       sizeof(one)))
			die("SO_PASSCRED");
	}
	if (pipe(results))
		die("pipe");

	printf("nested PID namespaces: %d levels below the root; one process in the deepest, seen from each level\n",
	       depth);
	failed = run_level(0);
	memset(all, 0, sizeof(all));
	for (i = 0; i <= depth; i++) {
		if (read(results[0], &s, sizeof(s)) != sizeof(s))
			die("read");
		all[s.level] = s;
	}
	for (i = 0; i <= depth; i++) {
		printf("  level %2d %-6s sees it as pid %d\n", i,
		       i == 0 ? "(root)" : i == depth ? "(own)" : "",
		       all[i].pid);
		if (all[i].pid <= 0)
			failed = 1;
	}
	if (all[depth].pid != all[depth].own) {
		printf("FAILED: its own level says %d, getpid() said %d\n",
		       all[depth].pid, all[depth].own);
		failed = 1;
	}
	printf("%s\n", failed ? "FAILED" :
	       "ok: each level knows the process by a number of its own");
	return failed;
}
