// SPDX-License-Identifier: GPL-2.0
/*
 * What every kernel variant must keep doing, with or without PID
 * namespaces: fork, exec, wait, kill, threads, sessions, /proc and pidfds.
 * These pass on upstream, baseline and full alike; they guard the patches
 * that take struct pid apart (Part 1) and rebuild it (Part 2), and they are
 * what "make check-series" boots every patch with.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../pidns/pidns_util.h"
#include "kselftest_harness.h"

#ifndef P_PIDFD
#define P_PIDFD 3
#endif

static int sys_pidfd_open(pid_t pid, unsigned int flags)
{
	return syscall(SYS_pidfd_open, pid, flags);
}

/* Read "Key:\t<value>" from /proc/<pid>/status; -1 when absent. */
static long status_field(pid_t pid, const char *key, int *count)
{
	char path[64], line[256];
	long val = -1;
	size_t len = strlen(key);
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/status", pid);
	f = fopen(path, "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		char *p, *end;

		if (strncmp(line, key, len) || line[len] != ':')
			continue;
		p = line + len + 1;
		val = strtol(p, &end, 10);
		if (count) {
			*count = 0;
			for (p = line + len + 1; ; p = end) {
				strtol(p, &end, 10);
				if (end == p)
					break;
				(*count)++;
			}
		}
		break;
	}
	fclose(f);
	return val;
}

/* fork() returns the child's pid; wait4() reports that pid and its status. */
TEST(fork_wait_exit_status)
{
	int status;
	pid_t pid = fork();

	ASSERT_GE(pid, 0);
	if (pid == 0)
		_exit(42);
	EXPECT_GT(pid, 1);
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status));
	EXPECT_EQ(42, WEXITSTATUS(status));
}

/* The child's getppid() is the parent's getpid(), and exec keeps the pid. */
TEST(getppid_and_exec_keep_pids)
{
	int fds[2], status;
	pid_t pid, seen[2];
	char buf[64];
	ssize_t n;

	ASSERT_EQ(0, pipe(fds));
	pid = fork();
	ASSERT_GE(pid, 0);
	if (pid == 0) {
		pid_t ids[2] = { getpid(), getppid() };

		close(fds[0]);
		if (write_full(fds[1], ids, sizeof(ids)))
			_exit(1);
		/* After exec, the shell prints $$: the same pid. */
		dup2(fds[1], 1);
		execl("/bin/sh", "sh", "-c", "echo $$", (char *)NULL);
		_exit(127);
	}
	close(fds[1]);
	ASSERT_EQ(0, read_full(fds[0], seen, sizeof(seen)));
	n = read(fds[0], buf, sizeof(buf) - 1);
	close(fds[0]);
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_EQ(pid, seen[0]);
	EXPECT_EQ(getpid(), seen[1]);
	ASSERT_GT(n, 0);
	buf[n] = '\0';
	EXPECT_EQ(pid, atoi(buf));
}

/* SIGCHLD carries the child's pid; kill() by pid reaches the right task. */
TEST(kill_and_sigchld_si_pid)
{
	siginfo_t info;
	sigset_t set;
	pid_t pid;

	sigemptyset(&set);
	sigaddset(&set, SIGCHLD);
	ASSERT_EQ(0, sigprocmask(SIG_BLOCK, &set, NULL));
	pid = fork();
	ASSERT_GE(pid, 0);
	if (pid == 0) {
		pause();
		_exit(0);
	}
	EXPECT_EQ(0, kill(pid, 0));
	ASSERT_EQ(0, kill(pid, SIGKILL));
	ASSERT_EQ(SIGCHLD, sigwaitinfo(&set, &info));
	EXPECT_EQ(pid, info.si_pid);
	EXPECT_EQ(CLD_KILLED, info.si_code);
	ASSERT_EQ(0, waitid(P_PID, pid, &info, WEXITED));
	EXPECT_EQ(pid, info.si_pid);
	EXPECT_EQ(-1, kill(pid, 0));
	EXPECT_EQ(ESRCH, errno);
}

static void *thread_tid(void *arg)
{
	*(pid_t *)arg = gettid();
	return NULL;
}

/* Threads share the tgid and get tids of their own, visible in /proc. */
TEST(threads_share_tgid)
{
	pthread_t th;
	pid_t tid = 0;
	char path[64];

	ASSERT_EQ(0, pthread_create(&th, NULL, thread_tid, &tid));
	ASSERT_EQ(0, pthread_join(th, NULL));
	EXPECT_GT(tid, 0);
	EXPECT_NE(getpid(), tid);
	EXPECT_EQ(getpid(), gettid());
	snprintf(path, sizeof(path), "/proc/%d/task/%d", getpid(), getpid());
	EXPECT_EQ(0, access(path, F_OK));
}

/* setsid() makes the caller a session and group leader: sid = pgid = pid. */
TEST(setsid_makes_leader)
{
	int fds[2], status;
	pid_t ids[3], pid;

	ASSERT_EQ(0, pipe(fds));
	pid = fork();
	ASSERT_GE(pid, 0);
	if (pid == 0) {
		pid_t sid = setsid();

		ids[0] = sid;
		ids[1] = getsid(0);
		ids[2] = getpgid(0);
		_exit(write_full(fds[1], ids, sizeof(ids)) ? 1 : 0);
	}
	ASSERT_EQ(0, read_full(fds[0], ids, sizeof(ids)));
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_EQ(pid, ids[0]);
	EXPECT_EQ(pid, ids[1]);
	EXPECT_EQ(pid, ids[2]);
	close(fds[0]);
	close(fds[1]);
}

/* /proc/self and /proc/PID/status agree with getpid() and getppid(). */
TEST(proc_self_and_status)
{
	char buf[32];
	ssize_t n;
	int count = 0;

	n = readlink("/proc/self", buf, sizeof(buf) - 1);
	ASSERT_GT(n, 0);
	buf[n] = '\0';
	EXPECT_EQ(getpid(), atoi(buf));
	EXPECT_EQ(getpid(), status_field(getpid(), "Pid", NULL));
	EXPECT_EQ(getppid(), status_field(getpid(), "PPid", NULL));
	/* In the root namespace, NSpid holds exactly one number. */
	EXPECT_EQ(getpid(), status_field(getpid(), "NSpid", &count));
	EXPECT_EQ(1, count);
}

/* A pidfd polls readable when its process exits; waitid(P_PIDFD) reaps it. */
TEST(pidfd_poll_and_waitid)
{
	struct pollfd pfd;
	siginfo_t info;
	pid_t pid;
	int fd;

	pid = fork();
	ASSERT_GE(pid, 0);
	if (pid == 0) {
		usleep(100000);
		_exit(7);
	}
	fd = sys_pidfd_open(pid, 0);
	if (fd < 0 && errno == ENOSYS) {
		waitpid(pid, NULL, 0);
		SKIP(return, "pidfd_open() is not available");
	}
	ASSERT_GE(fd, 0);
	pfd.fd = fd;
	pfd.events = POLLIN;
	EXPECT_EQ(1, poll(&pfd, 1, 10000));
	memset(&info, 0, sizeof(info));
	ASSERT_EQ(0, waitid(P_PIDFD, fd, &info, WEXITED));
	EXPECT_EQ(pid, info.si_pid);
	EXPECT_EQ(7, info.si_status);
	close(fd);
}

/* clone3() with one set_tid entry: the child gets exactly that pid. */
TEST(clone3_set_tid_one_level)
{
	pid_t want, pid;
	int status;

	if (geteuid() != 0)
		SKIP(return, "set_tid needs CAP_CHECKPOINT_RESTORE: run as root");
	/* A free pid: one just released by a child we reaped. */
	want = fork();
	ASSERT_GE(want, 0);
	if (want == 0)
		_exit(0);
	ASSERT_EQ(want, waitpid(want, NULL, 0));

	pid = sys_clone3_set_tid(&want, 1);
	if (pid < 0 && errno == ENOSYS)
		SKIP(return, "clone3() is not available");
	ASSERT_GE(pid, 0) {
		TH_LOG("clone3(set_tid={%d}): %s", want, strerror(errno));
	}
	if (pid == 0)
		_exit(getpid() == want ? 0 : 1);
	EXPECT_EQ(want, pid);
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

/* In the root namespace, set_tid cannot name more than one level. */
TEST(clone3_set_tid_two_levels_in_root_is_einval)
{
	pid_t tids[2] = { 1000, 1000 };
	pid_t pid = sys_clone3_set_tid(tids, 2);

	if (pid == 0)
		_exit(0);
	if (pid < 0 && errno == ENOSYS)
		SKIP(return, "clone3() is not available");
	EXPECT_EQ(-1, pid);
	EXPECT_EQ(EINVAL, errno);
}

TEST_HARNESS_MAIN
