// SPDX-License-Identifier: GPL-2.0
/*
 * Pidfds across PID namespaces.  From outside, pidfd_open() takes the
 * outer number of a task inside, and pidfd_send_signal() reaches it with
 * si_pid 0, even when the sender names itself in a siginfo.  Inside, a
 * pidfd of a task outside (passed in with SCM_RIGHTS) cannot signal it:
 * EINVAL, the pidfd names a task outside the caller's namespace; its
 * fdinfo, read through the namespace's own proc, says Pid 0 and NSpid 0
 * alone.  waitid(P_PIDFD) gives the parent of an init the init's outer
 * number, and init its child's inner one.  The fdinfo NSpid of a task two
 * levels down lists its numbers from the proc's namespace down.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <linux/sched.h>

#include "pidns_util.h"
#include "kselftest_harness.h"

#ifndef P_PIDFD
#define P_PIDFD 3
#endif

/* Seconds any task of a test may live. */
#define TASK_TIMEOUT 20

FIXTURE(pidfdns) {
	pid_t init;		/* init of a namespace the test made */
	pid_t helper;		/* a child of the test, outside */
	int pidfd;		/* a pidfd the test holds, or -1 */
	int sock[2];		/* the test's end, init's end: SCM_RIGHTS */
	int rep[2];		/* reports from inside */
};

FIXTURE_SETUP(pidfdns)
{
	self->init = self->helper = -1;
	self->pidfd = -1;
	self->sock[0] = self->sock[1] = self->rep[0] = self->rep[1] = -1;
	if (geteuid() != 0)
		SKIP(return, "CLONE_NEWPID needs CAP_SYS_ADMIN: run as root");
	ASSERT_EQ(0, socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0,
				self->sock));
	ASSERT_EQ(0, pipe2(self->rep, O_CLOEXEC));
}

FIXTURE_TEARDOWN(pidfdns)
{
	int i;

	kill_and_reap(self->init);
	kill_and_reap(self->helper);
	if (self->pidfd >= 0)
		close(self->pidfd);
	for (i = 0; i < 2; i++) {
		if (self->sock[i] >= 0)
			close(self->sock[i]);
		if (self->rep[i] >= 0)
			close(self->rep[i]);
	}
}

/* start_init - fork the init of a new namespace to run @fn. */
static void start_init(struct __test_metadata *_metadata,
		       FIXTURE_DATA(pidfdns) *self,
		       int (*fn)(FIXTURE_DATA(pidfdns) *self))
{
	self->init = fork_newpid();
	if (self->init == 0) {
		ns_alarm(TASK_TIMEOUT);
		close(self->sock[0]);
		close(self->rep[0]);
		_exit(fn(self));
	}
	ASSERT_GT(self->init, 0) {
		TH_LOG("clone(CLONE_NEWPID): %s", strerror(errno));
	}
	close(self->sock[1]);
	self->sock[1] = -1;
	close(self->rep[1]);
	self->rep[1] = -1;
}

/* finish_init - init must exit 0. */
static void finish_init(struct __test_metadata *_metadata,
			FIXTURE_DATA(pidfdns) *self)
{
	int status;

	ASSERT_EQ(self->init, wait_timeout(self->init, &status, 0, 10000));
	self->init = -1;
	EXPECT_EQ(0, status) {
		TH_LOG("init's wait status 0x%x", status);
	}
}

/* send_fd - send @fd over @sock with SCM_RIGHTS. */
static int send_fd(int sock, int fd)
{
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} u;
	struct iovec iov = { .iov_base = "f", .iov_len = 1 };
	struct msghdr msg = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = u.buf, .msg_controllen = sizeof(u.buf),
	};
	struct cmsghdr *cmsg;

	memset(&u, 0, sizeof(u));
	cmsg = CMSG_FIRSTHDR(&msg);
	cmsg->cmsg_level = SOL_SOCKET;
	cmsg->cmsg_type = SCM_RIGHTS;
	cmsg->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(cmsg), &fd, sizeof(int));
	return sendmsg(sock, &msg, 0) == 1 ? 0 : -1;
}

/* recv_fd - an fd sent over @sock, within TASK_TIMEOUT; -1 on error. */
static int recv_fd(int sock)
{
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} u;
	char c;
	struct iovec iov = { .iov_base = &c, .iov_len = 1 };
	struct msghdr msg = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = u.buf, .msg_controllen = sizeof(u.buf),
	};
	struct pollfd pfd = { .fd = sock, .events = POLLIN };
	struct cmsghdr *cmsg;
	int fd;

	if (poll(&pfd, 1, TASK_TIMEOUT * 1000) != 1)
		return -1;
	if (recvmsg(sock, &msg, MSG_CMSG_CLOEXEC) != 1)
		return -1;
	cmsg = CMSG_FIRSTHDR(&msg);
	if (!cmsg || cmsg->cmsg_level != SOL_SOCKET ||
	    cmsg->cmsg_type != SCM_RIGHTS)
		return -1;
	memcpy(&fd, CMSG_DATA(cmsg), sizeof(int));
	return fd;
}

/* fdinfo - Pid and NSpid of pidfd @fd, through the proc at @procdir. */
static int fdinfo(const char *procdir, int fd, int *pid, int *nspid, int max)
{
	char path[64];

	snprintf(path, sizeof(path), "%s/self/fdinfo/%d", procdir, fd);
	if (proc_read_ints(AT_FDCWD, path, "Pid", pid, 1) != 1)
		return -1;
	return proc_read_ints(AT_FDCWD, path, "NSpid", nspid, max);
}

/* What init got of the signals the test sent it. */
struct got {
	int signo, code;
	pid_t pid;
};

/* Init takes SIGUSR1, then SIGUSR2, and reports what they said. */
static int take_two(FIXTURE_DATA(pidfdns) *self)
{
	struct timespec ts = { TASK_TIMEOUT, 0 };
	struct got got[2];
	siginfo_t si;
	sigset_t one;
	int i;

	if (catch_blocked(SIGUSR1) || catch_blocked(SIGUSR2) ||
	    write_full(self->rep[1], "r", 1))
		return 1;
	for (i = 0; i < 2; i++) {
		sigemptyset(&one);
		sigaddset(&one, i ? SIGUSR2 : SIGUSR1);
		memset(&got[i], 0, sizeof(got[i]));
		if (sigtimedwait(&one, &si, &ts) < 0)
			continue;
		got[i].signo = si.si_signo;
		got[i].code = si.si_code;
		got[i].pid = si.si_pid;
	}
	return write_full(self->rep[1], got, sizeof(got)) ? 1 : 0;
}

/*
 * pidfd_open() of init's outer number works, its fdinfo shows that
 * number and 1, and pidfd_send_signal() reaches init with si_pid 0, both
 * with the kernel's siginfo and with one the test fills with its own pid.
 */
TEST_F(pidfdns, signal_into_namespace)
{
	struct got got[2];
	int pid, nspid[4];
	siginfo_t si;
	char c;

	start_init(_metadata, self, take_two);
	ASSERT_EQ(0, read_timeout(self->rep[0], &c, 1, 10000));
	self->pidfd = raw_pidfd_open(self->init, 0);
	ASSERT_GE(self->pidfd, 0) {
		TH_LOG("pidfd_open() of init: %s", strerror(errno));
	}
	ASSERT_EQ(2, fdinfo("/proc", self->pidfd, &pid, nspid, 4));
	EXPECT_EQ(self->init, pid);
	EXPECT_EQ(self->init, nspid[0]);
	EXPECT_EQ(1, nspid[1]);

	ASSERT_EQ(0, raw_pidfd_send_signal(self->pidfd, SIGUSR1, NULL, 0)) {
		TH_LOG("pidfd_send_signal(): %s", strerror(errno));
	}
	memset(&si, 0, sizeof(si));
	si.si_signo = SIGUSR2;
	si.si_code = SI_QUEUE;
	si.si_pid = getpid();
	si.si_uid = getuid();
	ASSERT_EQ(0, raw_pidfd_send_signal(self->pidfd, SIGUSR2, &si, 0)) {
		TH_LOG("pidfd_send_signal() with a siginfo: %s",
		       strerror(errno));
	}
	ASSERT_EQ(0, read_timeout(self->rep[0], got, sizeof(got), 10000));
	finish_init(_metadata, self);
	EXPECT_EQ(SIGUSR1, got[0].signo);
	EXPECT_EQ(SI_USER, got[0].code);
	EXPECT_EQ(0, got[0].pid) {
		TH_LOG("si_pid of pidfd_send_signal() from outside");
	}
	EXPECT_EQ(SIGUSR2, got[1].signo);
	EXPECT_EQ(SI_QUEUE, got[1].code);
	EXPECT_EQ(0, got[1].pid) {
		TH_LOG("si_pid of a siginfo naming the sender, from outside");
	}
}

/* What init found it could do with a pidfd of a task outside. */
struct outside_report {
	int own_err;		/* pidfd_send_signal(0) to its own child */
	int out_err;		/* pidfd_send_signal(0) to the task outside */
	int out_kill_err;	/* the same with SIGUSR1 */
	int pid, n, nspid[4];	/* its fdinfo through init's proc */
};

static int use_outside_pidfd(FIXTURE_DATA(pidfdns) *self)
{
	struct outside_report r;
	pid_t child;
	int fd, cfd;

	memset(&r, 0, sizeof(r));
	if (mount_private_proc())
		return 1;
	child = fork();
	if (child == 0) {
		for (;;)
			pause();
	}
	if (child < 0)
		return 1;
	cfd = raw_pidfd_open(child, 0);
	r.own_err = raw_pidfd_send_signal(cfd, 0, NULL, 0) ? errno : 0;
	fd = recv_fd(self->sock[1]);
	if (fd < 0)
		return 1;
	r.out_err = raw_pidfd_send_signal(fd, 0, NULL, 0) ? errno : 0;
	r.out_kill_err = raw_pidfd_send_signal(fd, SIGUSR1, NULL, 0) ?
			 errno : 0;
	r.n = fdinfo("/proc", fd, &r.pid, r.nspid, 4);
	kill(child, SIGKILL);
	waitpid(child, NULL, 0);
	return write_full(self->rep[1], &r, sizeof(r)) ? 1 : 0;
}

/*
 * Inside, a pidfd of a task outside, sent in with SCM_RIGHTS, cannot
 * signal it (EINVAL, where a pidfd of init's own child can), and its
 * fdinfo in init's proc says Pid 0, NSpid 0 alone.
 */
TEST_F(pidfdns, pidfd_of_outside_task_inside)
{
	struct outside_report r;
	int status;

	self->helper = fork();
	if (self->helper == 0) {
		alarm(TASK_TIMEOUT);
		for (;;)
			pause();
	}
	ASSERT_GT(self->helper, 0);
	self->pidfd = raw_pidfd_open(self->helper, 0);
	ASSERT_GE(self->pidfd, 0);
	start_init(_metadata, self, use_outside_pidfd);
	ASSERT_EQ(0, send_fd(self->sock[0], self->pidfd));
	ASSERT_EQ(0, read_timeout(self->rep[0], &r, sizeof(r), 10000));
	finish_init(_metadata, self);
	EXPECT_EQ(0, r.own_err) {
		TH_LOG("pidfd_send_signal() to init's child: %s",
		       strerror(r.own_err));
	}
	EXPECT_EQ(EINVAL, r.out_err) {
		TH_LOG("pidfd_send_signal(0) outward: %s",
		       r.out_err ? strerror(r.out_err) : "worked");
	}
	EXPECT_EQ(EINVAL, r.out_kill_err) {
		TH_LOG("pidfd_send_signal(SIGUSR1) outward: %s",
		       r.out_kill_err ? strerror(r.out_kill_err) : "worked");
	}
	EXPECT_EQ(0, r.pid) {
		TH_LOG("fdinfo Pid inside of a task outside");
	}
	EXPECT_EQ(1, r.n) {
		TH_LOG("fdinfo NSpid inside has %d numbers", r.n);
	}
	EXPECT_EQ(0, r.nspid[0]);
	/* The helper is alive: no signal reached it. */
	EXPECT_EQ(0, wait_timeout(self->helper, &status, 0, 100));
}

/* What init's waitid(P_PIDFD) said of its child. */
struct waited {
	pid_t forked;
	pid_t pid;		/* si_pid */
	int code, status;	/* si_code, si_status */
};

static int init_waits_pidfd(FIXTURE_DATA(pidfdns) *self)
{
	struct waited w;
	siginfo_t si;
	int fd;

	memset(&w, 0, sizeof(w));
	w.forked = fork();
	if (w.forked == 0) {
		pause();
		_exit(0);
	}
	if (w.forked < 0)
		return 1;
	fd = raw_pidfd_open(w.forked, 0);
	if (fd < 0 || kill(w.forked, SIGTERM))
		return 1;
	memset(&si, 0, sizeof(si));
	if (waitid(P_PIDFD, fd, &si, WEXITED))
		return 1;
	w.pid = si.si_pid;
	w.code = si.si_code;
	w.status = si.si_status;
	if (write_full(self->rep[1], &w, sizeof(w)))
		return 1;
	return 3;
}

/*
 * waitid(P_PIDFD): the test, parent of an init it made with clone3()
 * CLONE_PIDFD, gets the init's outer number; init, waiting on a pidfd of
 * its child, gets the child's inner number.
 */
TEST_F(pidfdns, waitid_pidfd_both_sides)
{
	struct clone_args args = {
		.flags = CLONE_NEWPID | CLONE_PIDFD,
		.exit_signal = SIGCHLD,
	};
	struct waited w;
	siginfo_t si;
	int pidfd = -1;
	pid_t init;

	args.pidfd = (uintptr_t)&pidfd;
	self->init = syscall(SYS_clone3, &args, sizeof(args));
	if (self->init == 0) {
		ns_alarm(TASK_TIMEOUT);
		close(self->rep[0]);
		_exit(init_waits_pidfd(self));
	}
	if (self->init < 0 && errno == ENOSYS)
		SKIP(return, "no clone3()");
	ASSERT_GT(self->init, 0) {
		TH_LOG("clone3(CLONE_NEWPID | CLONE_PIDFD): %s",
		       strerror(errno));
	}
	init = self->init;
	self->pidfd = pidfd;
	close(self->rep[1]);
	self->rep[1] = -1;
	ASSERT_EQ(0, read_timeout(self->rep[0], &w, sizeof(w), 10000));
	EXPECT_EQ(2, w.forked);
	EXPECT_EQ(w.forked, w.pid) {
		TH_LOG("si_pid of waitid(P_PIDFD) in init");
	}
	EXPECT_EQ(CLD_KILLED, w.code);
	EXPECT_EQ(SIGTERM, w.status);

	memset(&si, 0, sizeof(si));
	ASSERT_EQ(0, waitid(P_PIDFD, self->pidfd, &si, WEXITED)) {
		TH_LOG("waitid(P_PIDFD) on init: %s", strerror(errno));
	}
	self->init = -1;
	EXPECT_EQ(init, si.si_pid) {
		TH_LOG("si_pid of waitid(P_PIDFD) on init");
	}
	EXPECT_EQ(CLD_EXITED, si.si_code);
	EXPECT_EQ(3, si.si_status);
}

/* What init, at level 1, saw of its nested init's pidfd. */
struct nested_report {
	pid_t forked;		/* the nested init, as init numbers it */
	int pid, n, nspid[4];	/* its fdinfo through init's proc */
};

static int init_with_nested(FIXTURE_DATA(pidfdns) *self)
{
	struct nested_report r;
	pid_t nested;
	int fd;
	char c;

	memset(&r, 0, sizeof(r));
	if (mount_private_proc())
		return 1;
	nested = fork_newpid();
	if (nested == 0) {
		for (;;)
			pause();
	}
	if (nested < 0)
		return 1;
	r.forked = nested;
	fd = raw_pidfd_open(nested, 0);
	if (fd < 0)
		return 1;
	r.n = fdinfo("/proc", fd, &r.pid, r.nspid, 4);
	if (send_fd(self->sock[1], fd) ||
	    write_full(self->rep[1], &r, sizeof(r)))
		return 1;
	/* The nested init lives until the test closes its end. */
	read_timeout(self->sock[1], &c, 1, TASK_TIMEOUT * 1000);
	kill(nested, SIGKILL);
	waitpid(nested, NULL, 0);
	return 0;
}

/*
 * A pidfd of an init two levels down: through init's proc (level 1) its
 * fdinfo says NSpid <level 1> 1; through the test's, <level 0> <level 1>
 * 1, the numbers /proc/PID/status gives too.
 */
TEST_F(pidfdns, fdinfo_nspid_lists_levels_below_proc)
{
	struct nested_report r;
	int pid, nspid[4], st[4];
	char path[64];

	start_init(_metadata, self, init_with_nested);
	self->pidfd = recv_fd(self->sock[0]);
	ASSERT_GE(self->pidfd, 0);
	ASSERT_EQ(0, read_timeout(self->rep[0], &r, sizeof(r), 10000));
	EXPECT_EQ(2, r.forked);
	EXPECT_EQ(2, r.n) {
		TH_LOG("NSpid through init's proc has %d numbers", r.n);
	}
	EXPECT_EQ(r.forked, r.pid);
	EXPECT_EQ(r.forked, r.nspid[0]);
	EXPECT_EQ(1, r.nspid[1]);

	ASSERT_EQ(3, fdinfo("/proc", self->pidfd, &pid, nspid, 4));
	EXPECT_EQ(pid, nspid[0]);
	EXPECT_EQ(r.forked, nspid[1]);
	EXPECT_EQ(1, nspid[2]);
	EXPECT_NE(self->init, pid);
	snprintf(path, sizeof(path), "/proc/%d/status", pid);
	ASSERT_EQ(3, proc_read_ints(AT_FDCWD, path, "NSpid", st, 4));
	EXPECT_EQ(0, memcmp(st, nspid, sizeof(int) * 3));
	close(self->sock[0]);
	self->sock[0] = -1;
	finish_init(_metadata, self);
}

TEST_HARNESS_MAIN
