// SPDX-License-Identifier: GPL-2.0
/*
 * The pid-visibility matrix.  Every interface that hands user space a pid
 * numbers the task as the observer's PID namespace does: an observer
 * inside a namespace gets the namespace's numbers and never an outer one
 * (0 for a task the namespace does not contain), an observer outside gets
 * its own numbers for the tasks inside.  For the files of /proc the
 * observer is the proc instance, which numbers tasks as the namespace of
 * whoever mounted it: a proc mounted inside shows inner numbers, the outer
 * proc outer ones, whoever reads them.
 *
 * Each test has an agent: the init of a new namespace, with a proc of its
 * own, which runs the steps the test sends it and answers with what it
 * saw (a step is a function pointer: the agent is a fork of the test).
 * The test is the outer observer; in the "nested" variant it runs as the
 * init of a namespace of its own, so that outer numbers are not the root
 * namespace's.
 *
 * Interfaces: getppid(), /proc/PID/status and stat, /proc/self, si_pid of
 * kill() and SIGCHLD, waitid() and waitpid(), SCM_CREDENTIALS, SO_PEERCRED,
 * F_GETOWN, F_GETLK and /proc/locks, SysV shm, msg and sem pids and
 * /proc/sysvipc/shm, mq_notify() si_pid, pidfd fdinfo, TracerPid and
 * PTRACE_GETEVENTMSG after a fork event.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <mqueue.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/msg.h>
#include <sys/ptrace.h>
#include <sys/sem.h>
#include <sys/shm.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/un.h>
#include <sys/wait.h>

#include "pidns_util.h"
#include "kselftest_harness.h"

/* Seconds an agent may live; milliseconds a step may take. */
#define TASK_TIMEOUT 30
#define STEP_MS 10000

/* What /proc/PID/status says of a task. */
struct status_view {
	int pid, ppid, tgid, tracer;
	int n_nspid, nspid[4];
	int n_nstgid, nstgid[4];
};

/* The agent's answer to a step. */
struct reply {
	long ret;		/* the step's result: -1 on error */
	int err;		/* errno after the step */
	union {
		long v[12];
		struct status_view st;
	};
};

FIXTURE(matrix) {
	pid_t init;		/* the agent, as the test numbers it */
	pid_t me;		/* the test, as it numbers itself */
	int cmd[2];		/* the test's end, the agent's end */
	int outproc;		/* the test's /proc: the outer proc instance */
	int inproc;		/* in the agent: its own /proc */
	int pipefd[2];		/* for F_SETOWN */
	int lockfd;		/* an unlinked file in /tmp, for F_GETLK */
	int dgram[2];		/* for SCM_CREDENTIALS */
	int mepidfd;		/* a pidfd of the test */
	int shmid, msqid, semid;
	char name[64];		/* of the message queue and the socket */
	mqd_t mq;
};

/* The test runs in the root namespace, or as init of one of its own. */
FIXTURE_VARIANT(matrix) {
	bool nested;
};

FIXTURE_VARIANT_ADD(matrix, root) {
	.nested = false,
};

FIXTURE_VARIANT_ADD(matrix, nested) {
	.nested = true,
};

typedef long (*step_fn)(FIXTURE_DATA(matrix) *self, long arg,
			struct reply *r);

struct step {
	step_fn fn;
	long arg;
};

/* The agent's own state, in its memory. */
static int agent_sock = -1;	/* from step_listen() */
static mqd_t agent_mq = (mqd_t)-1;

/* take_signal - wait for the blocked @sig: its number, or -1. */
static int take_signal(int sig, siginfo_t *si)
{
	struct timespec ts = { STEP_MS / 1000, 0 };
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, sig);
	memset(si, 0, sizeof(*si));
	return sigtimedwait(&set, si, &ts);
}

/* read_status - /proc/@pid/status (@pid 0: self) in the proc at @dirfd. */
static int read_status(int dirfd, pid_t pid, struct status_view *s)
{
	char path[64];
	int v;

	if (pid)
		snprintf(path, sizeof(path), "%d/status", pid);
	else
		snprintf(path, sizeof(path), "self/status");
	memset(s, 0, sizeof(*s));
	s->pid = s->ppid = s->tgid = s->tracer = -1;
	if (proc_read_ints(dirfd, path, "Pid", &v, 1) != 1)
		return -1;
	s->pid = v;
	if (proc_read_ints(dirfd, path, "PPid", &v, 1) != 1)
		return -1;
	s->ppid = v;
	if (proc_read_ints(dirfd, path, "Tgid", &v, 1) != 1)
		return -1;
	s->tgid = v;
	if (proc_read_ints(dirfd, path, "TracerPid", &v, 1) != 1)
		return -1;
	s->tracer = v;
	s->n_nspid = proc_read_ints(dirfd, path, "NSpid", s->nspid, 4);
	s->n_nstgid = proc_read_ints(dirfd, path, "NStgid", s->nstgid, 4);
	return 0;
}

/* read_stat - pid, ppid, pgrp and session from /proc/@pid/stat at @dirfd. */
static int read_stat(int dirfd, pid_t pid, long *v)
{
	char path[64], buf[1024], *p;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "%d/stat", pid);
	fd = openat(dirfd, path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	p = strrchr(buf, ')');
	if (!p || sscanf(buf, "%ld", &v[0]) != 1 ||
	    sscanf(p + 2, "%*c %ld %ld %ld", &v[1], &v[2], &v[3]) != 3)
		return -1;
	return 0;
}

/* read_link_int - the number a /proc link such as "self" points to. */
static long read_link_int(int dirfd, const char *path)
{
	char buf[64];
	ssize_t n;

	n = readlinkat(dirfd, path, buf, sizeof(buf) - 1);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	return atol(buf);
}

/*
 * proc_locks - how many lines of /proc/locks at @dirfd are about @fd's
 * file, and the pid of the first one in *@pid.
 */
static int proc_locks(int dirfd, int fd, long *pid)
{
	unsigned int maj, min;
	unsigned long ino;
	char line[256];
	struct stat st;
	int count = 0, p, lfd;
	FILE *f;

	if (fstat(fd, &st))
		return -1;
	lfd = openat(dirfd, "locks", O_RDONLY | O_CLOEXEC);
	if (lfd < 0)
		return -1;
	f = fdopen(lfd, "r");
	if (!f) {
		close(lfd);
		return -1;
	}
	*pid = -1;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%*d: %*s %*s %*s %d %x:%x:%lu",
			   &p, &maj, &min, &ino) != 4)
			continue;
		if (ino != st.st_ino || maj != major(st.st_dev) ||
		    min != minor(st.st_dev))
			continue;
		if (!count++)
			*pid = p;
	}
	fclose(f);
	return count;
}

/* sysvipc_shm - cpid and lpid of segment @id in /proc/sysvipc/shm at @dirfd. */
static int sysvipc_shm(int dirfd, int id, long *cpid, long *lpid)
{
	int key, shmid, c, l, fd, ret = -1;
	unsigned long size;
	char line[512];
	unsigned int perms;
	FILE *f;

	fd = openat(dirfd, "sysvipc/shm", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	f = fdopen(fd, "r");
	if (!f) {
		close(fd);
		return -1;
	}
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%d %d %o %lu %d %d", &key, &shmid, &perms,
			   &size, &c, &l) == 6 && shmid == id) {
			*cpid = c;
			*lpid = l;
			ret = 0;
		}
	}
	fclose(f);
	return ret;
}

/* peer_pid - the pid of SO_PEERCRED on @fd, or -1. */
static long peer_pid(int fd)
{
	struct ucred cred;
	socklen_t len = sizeof(cred);

	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len))
		return -1;
	return cred.pid;
}

/* abstract_addr - the abstract unix address @name, and its length. */
static socklen_t abstract_addr(struct sockaddr_un *sun, const char *name)
{
	memset(sun, 0, sizeof(*sun));
	sun->sun_family = AF_UNIX;
	strncpy(sun->sun_path + 1, name, sizeof(sun->sun_path) - 2);
	return offsetof(struct sockaddr_un, sun_path) + 1 + strlen(name);
}

/* pidfd_fdinfo - Pid and NSpid of pidfd @fd, through the proc at @dirfd. */
static int pidfd_fdinfo(int dirfd, int fd, long *pid, int *nspid, int max)
{
	char path[64];
	int v;

	snprintf(path, sizeof(path), "self/fdinfo/%d", fd);
	if (proc_read_ints(dirfd, path, "Pid", &v, 1) != 1)
		return -1;
	*pid = v;
	return proc_read_ints(dirfd, path, "NSpid", nspid, max);
}

/* The agent: init of the namespace, running the test's steps. */
static int agent(FIXTURE_DATA(matrix) *self)
{
	struct reply r;
	struct step s;

	ns_alarm(TASK_TIMEOUT);
	close(self->cmd[0]);
	memset(&r, 0, sizeof(r));
	if (mount_private_proc()) {
		r.ret = -1;
		r.err = errno;
	} else {
		self->inproc = open("/proc", O_DIRECTORY | O_CLOEXEC);
		if (self->inproc < 0) {
			r.ret = -1;
			r.err = errno;
		}
	}
	if (write_full(self->cmd[1], &r, sizeof(r)) || r.ret)
		return 1;
	while (!read_full(self->cmd[1], &s, sizeof(s))) {
		memset(&r, 0, sizeof(r));
		errno = 0;
		r.ret = s.fn(self, s.arg, &r);
		r.err = errno;
		if (write_full(self->cmd[1], &r, sizeof(r)))
			return 1;
	}
	return 0;
}

FIXTURE_SETUP(matrix)
{
	struct reply r;
	int ret;

	self->init = -1;
	self->cmd[0] = self->cmd[1] = -1;
	self->outproc = self->inproc = -1;
	self->pipefd[0] = self->pipefd[1] = -1;
	self->dgram[0] = self->dgram[1] = -1;
	self->lockfd = self->mepidfd = -1;
	self->shmid = self->msqid = self->semid = -1;
	self->mq = (mqd_t)-1;
	if (geteuid() != 0)
		SKIP(return, "CLONE_NEWPID needs CAP_SYS_ADMIN: run as root");
	snprintf(self->name, sizeof(self->name), "/pidns-matrix-%d",
		 getpid());

	if (variant->nested) {
		pid_t pid = fork_newpid();
		int status;

		ASSERT_GE(pid, 0) {
			TH_LOG("clone(CLONE_NEWPID): %s", strerror(errno));
		}
		if (pid > 0) {
			/*
			 * The test runs in the child, which shares _metadata;
			 * wait for it here, and pass on a crash.
			 */
			while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
				;
			_exit(WIFEXITED(status) && !WEXITSTATUS(status) ?
			      0 : KSFT_FAIL);
		}
		ASSERT_EQ(0, mount_private_proc()) {
			TH_LOG("mounting proc in the test's namespace: %s",
			       strerror(errno));
		}
	}
	self->me = getpid();
	ASSERT_EQ(0, socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0,
				self->cmd));
	self->outproc = open("/proc", O_DIRECTORY | O_CLOEXEC);
	ASSERT_GE(self->outproc, 0);
	ASSERT_EQ(0, pipe2(self->pipefd, O_CLOEXEC));
	ASSERT_EQ(0, socketpair(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0,
				self->dgram));
	self->lockfd = open("/tmp", O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
	ASSERT_GE(self->lockfd, 0) {
		TH_LOG("a file in /tmp: %s", strerror(errno));
	}
	self->mepidfd = raw_pidfd_open(self->me, 0);

	self->init = fork_newpid();
	if (self->init == 0)
		_exit(agent(self));
	ASSERT_GT(self->init, 0) {
		TH_LOG("clone(CLONE_NEWPID): %s", strerror(errno));
	}
	close(self->cmd[1]);
	self->cmd[1] = -1;
	ret = read_timeout(self->cmd[0], &r, sizeof(r), STEP_MS);
	if (ret || r.ret)
		kill_and_reap(self->init);
	ASSERT_EQ(0, ret) {
		TH_LOG("the agent did not start");
	}
	ASSERT_EQ(0, r.ret) {
		TH_LOG("mounting proc in the agent's namespace: %s",
		       strerror(r.err));
	}
}

FIXTURE_TEARDOWN(matrix)
{
	int i, status;

	/* The agent exits at the end of its steps; its namespace goes too. */
	if (self->cmd[0] >= 0)
		close(self->cmd[0]);
	if (self->init > 0 &&
	    wait_timeout(self->init, &status, __WALL, 5000) != self->init)
		kill_and_reap(self->init);
	for (i = 0; i < 2; i++) {
		if (self->pipefd[i] >= 0)
			close(self->pipefd[i]);
		if (self->dgram[i] >= 0)
			close(self->dgram[i]);
	}
	if (self->outproc >= 0)
		close(self->outproc);
	if (self->lockfd >= 0)
		close(self->lockfd);
	if (self->mepidfd >= 0)
		close(self->mepidfd);
	if (self->shmid >= 0)
		shmctl(self->shmid, IPC_RMID, NULL);
	if (self->msqid >= 0)
		msgctl(self->msqid, IPC_RMID, NULL);
	if (self->semid >= 0)
		semctl(self->semid, 0, IPC_RMID);
	if (self->mq != (mqd_t)-1) {
		mq_close(self->mq);
		mq_unlink(self->name);
	}
}

/* send_step - have the agent start @fn(@arg); get_reply() takes the answer. */
static void send_step(struct __test_metadata *_metadata,
		      FIXTURE_DATA(matrix) *self, step_fn fn, long arg)
{
	struct step s = { .fn = fn, .arg = arg };

	ASSERT_EQ(0, write_full(self->cmd[0], &s, sizeof(s)));
}

static void get_reply(struct __test_metadata *_metadata,
		      FIXTURE_DATA(matrix) *self, struct reply *r)
{
	ASSERT_EQ(0, read_timeout(self->cmd[0], r, sizeof(*r), STEP_MS)) {
		TH_LOG("no answer from the agent: %s", strerror(errno));
	}
}

/* run - have the agent run @fn(@arg), and return its answer. */
static struct reply run(struct __test_metadata *_metadata,
			FIXTURE_DATA(matrix) *self, step_fn fn, long arg)
{
	struct reply r;

	send_step(_metadata, self, fn, arg);
	get_reply(_metadata, self, &r);
	return r;
}

/* The agent's steps.  They run in init, and must not use ASSERT/EXPECT. */

/* getppid() in init, and in a child of init. */
static long step_getppid(FIXTURE_DATA(matrix) *self, long arg,
			 struct reply *r)
{
	pid_t pid, ppid;
	int fds[2];

	r->v[0] = getppid();
	if (pipe(fds))
		return -1;
	pid = fork();
	if (pid == 0) {
		ppid = getppid();
		_exit(write_full(fds[1], &ppid, sizeof(ppid)) ? 1 : 0);
	}
	close(fds[1]);
	if (pid < 0)
		return -1;
	r->v[2] = pid;
	r->v[1] = read_timeout(fds[0], &ppid, sizeof(ppid), STEP_MS) ? -1 : ppid;
	close(fds[0]);
	return waitpid(pid, NULL, 0) == pid ? 0 : -1;
}

/*
 * Start a child C of init, which stays: v[0] its number inside, v[1]
 * outside, read through the outer proc's "self".  With @arg, C asks to be
 * traced by init and stops.
 */
static long step_spawn(FIXTURE_DATA(matrix) *self, long arg, struct reply *r)
{
	int fds[2], status;
	pid_t pid;
	long out;

	if (pipe(fds))
		return -1;
	pid = fork();
	if (pid == 0) {
		close(fds[0]);
		out = read_link_int(self->outproc, "self");
		if (arg && ptrace(PTRACE_TRACEME, 0, 0, 0))
			out = -1;
		if (write_full(fds[1], &out, sizeof(out)))
			_exit(1);
		if (arg)
			raise(SIGSTOP);
		for (;;)
			pause();
	}
	close(fds[1]);
	if (pid < 0)
		return -1;
	r->v[0] = pid;
	if (read_timeout(fds[0], &out, sizeof(out), STEP_MS))
		out = -1;
	close(fds[0]);
	r->v[1] = out;
	if (arg && (wait_timeout(pid, &status, 0, STEP_MS) != pid ||
		    !WIFSTOPPED(status)))
		return -1;
	return out > 0 ? 0 : -1;
}

/* /proc/@arg/status through the agent's proc; @arg < 0: the outer proc. */
static long step_status(FIXTURE_DATA(matrix) *self, long arg,
			struct reply *r)
{
	if (arg < 0)
		return read_status(self->outproc, -arg, &r->st);
	return read_status(self->inproc, arg, &r->st);
}

/* /proc/@arg/stat through the agent's proc; @arg < 0: the outer proc. */
static long step_stat(FIXTURE_DATA(matrix) *self, long arg, struct reply *r)
{
	if (arg < 0)
		return read_stat(self->outproc, -arg, r->v);
	return read_stat(self->inproc, arg, r->v);
}

static long step_setsid(FIXTURE_DATA(matrix) *self, long arg,
			struct reply *r)
{
	return setsid();
}

/* /proc/self and /proc/thread-self through both procs. */
static long step_proc_self(FIXTURE_DATA(matrix) *self, long arg,
			   struct reply *r)
{
	char buf[64];
	ssize_t n;

	r->v[0] = read_link_int(self->inproc, "self");
	r->v[3] = read_link_int(self->outproc, "self");
	n = readlinkat(self->inproc, "thread-self", buf, sizeof(buf) - 1);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	if (sscanf(buf, "%ld/task/%ld", &r->v[1], &r->v[2]) != 2)
		return -1;
	return 0;
}

static long step_exit(FIXTURE_DATA(matrix) *self, long arg, struct reply *r)
{
	_exit(arg);
}

static long step_catch(FIXTURE_DATA(matrix) *self, long arg, struct reply *r)
{
	return catch_blocked(arg);
}

/* Take the blocked signal @arg: v[0] si_pid, v[1] si_code, v[2] si_status. */
static long step_take(FIXTURE_DATA(matrix) *self, long arg, struct reply *r)
{
	siginfo_t si;
	int ret = take_signal(arg, &si);

	r->v[0] = si.si_pid;
	r->v[1] = si.si_code;
	r->v[2] = si.si_status;
	return ret;
}

/*
 * fork_and_take - init forks a child that exits with what @child returns,
 * and takes the blocked @sig: v[0..2] as step_take(), v[3] the child.
 */
static long fork_and_take(FIXTURE_DATA(matrix) *self, int sig,
			  int (*child)(void), struct reply *r)
{
	pid_t pid;
	long ret;

	if (catch_blocked(sig))
		return -1;
	pid = fork();
	if (pid == 0)
		_exit(child());
	if (pid < 0)
		return -1;
	r->v[3] = pid;
	ret = step_take(self, sig, r);
	waitpid(pid, NULL, 0);
	return ret;
}

/* exit_6 - a child that just exits 6. */
static int exit_6(void)
{
	return 6;
}

/* A child of init exits 6: v[3] its pid, v[0..2] init's SIGCHLD. */
static long step_sigchld(FIXTURE_DATA(matrix) *self, long arg,
			 struct reply *r)
{
	return fork_and_take(self, SIGCHLD, exit_6, r);
}

/*
 * A child of init exits 7, another 8: v[0] and v[1] the first's pid and
 * waitid()'s si_pid, v[2] and v[3] the second's pid and waitpid()'s return.
 */
static long step_waitid(FIXTURE_DATA(matrix) *self, long arg,
			struct reply *r)
{
	siginfo_t si;
	pid_t pid;
	int i;

	for (i = 0; i < 2; i++) {
		pid = fork();
		if (pid == 0)
			_exit(7 + i);
		if (pid < 0)
			return -1;
		r->v[2 * i] = pid;
		if (i == 0) {
			memset(&si, 0, sizeof(si));
			if (waitid(P_ALL, 0, &si, WEXITED))
				return -1;
			r->v[1] = si.si_pid;
			r->v[4] = si.si_status;
		} else {
			int status;

			r->v[3] = waitpid(-1, &status, 0);
			r->v[5] = WEXITSTATUS(status);
		}
	}
	return 0;
}

/* kill_init - a child that sends init SIGUSR1: exits 0, or 1 on error. */
static int kill_init(void)
{
	return kill(1, SIGUSR1) ? 1 : 0;
}

/* A child of init sends init SIGUSR1: v[0..2] what init got, v[3] the child. */
static long step_kill_from_child(FIXTURE_DATA(matrix) *self, long arg,
				 struct reply *r)
{
	return fork_and_take(self, SIGUSR1, kill_init, r);
}

static long step_passcred(FIXTURE_DATA(matrix) *self, long arg,
			  struct reply *r)
{
	int on = 1;

	return setsockopt(self->dgram[1], SOL_SOCKET, SO_PASSCRED, &on,
			  sizeof(on));
}

/* Init sends a byte on dgram[1]: with its own pid as credentials if @arg. */
static long step_send_creds(FIXTURE_DATA(matrix) *self, long arg,
			    struct reply *r)
{
	return send_creds(self->dgram[1], arg ? getpid() : 0);
}

static long step_recv_creds(FIXTURE_DATA(matrix) *self, long arg,
			    struct reply *r)
{
	r->v[0] = recv_creds(self->dgram[1], STEP_MS);
	return r->v[0] == -1 ? -1 : 0;
}

/* A child of init sends a byte on dgram[0], to init: v[0] the child. */
static long step_child_sends_creds(FIXTURE_DATA(matrix) *self, long arg,
				   struct reply *r)
{
	int status;
	pid_t pid;

	pid = fork();
	if (pid == 0)
		_exit(send_creds(self->dgram[0], arg ? getpid() : 0) ? 1 : 0);
	if (pid < 0)
		return -1;
	r->v[0] = pid;
	if (waitpid(pid, &status, 0) != pid || status)
		return -1;
	return 0;
}

/* Init listens on the abstract socket self->name. */
static long step_listen(FIXTURE_DATA(matrix) *self, long arg,
			struct reply *r)
{
	struct sockaddr_un sun;
	socklen_t len = abstract_addr(&sun, self->name);

	agent_sock = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (agent_sock < 0 || bind(agent_sock, (void *)&sun, len) ||
	    listen(agent_sock, 1))
		return -1;
	return 0;
}

/* Init accepts on its listener: v[0] the peer's pid. */
static long step_accept(FIXTURE_DATA(matrix) *self, long arg,
			struct reply *r)
{
	int fd = accept4(agent_sock, NULL, NULL, SOCK_CLOEXEC);

	if (fd < 0)
		return -1;
	r->v[0] = peer_pid(fd);
	close(fd);
	return 0;
}

/* Init connects to the test's listener: v[0] the peer's pid. */
static long step_connect(FIXTURE_DATA(matrix) *self, long arg,
			 struct reply *r)
{
	struct sockaddr_un sun;
	socklen_t len = abstract_addr(&sun, self->name);
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	if (fd < 0 || connect(fd, (void *)&sun, len))
		return -1;
	r->v[0] = peer_pid(fd);
	close(fd);
	return 0;
}

/* F_GETOWN and F_GETOWN_EX of pipefd[@arg]: v[0], v[1] type, v[2] pid. */
static long step_getown(FIXTURE_DATA(matrix) *self, long arg,
			struct reply *r)
{
	struct f_owner_ex ex;

	r->v[0] = fcntl(self->pipefd[arg], F_GETOWN);
	if (fcntl(self->pipefd[arg], F_GETOWN_EX, &ex))
		return -1;
	r->v[1] = ex.type;
	r->v[2] = ex.pid;
	return 0;
}

/* F_SETOWN of pipefd[1] to @arg. */
static long step_setown(FIXTURE_DATA(matrix) *self, long arg,
			struct reply *r)
{
	return fcntl(self->pipefd[1], F_SETOWN, (int)arg);
}

/* F_GETLK for a write lock of the whole file: v[0] l_type, v[1] l_pid. */
static int getlk(int fd, long *v)
{
	struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET };

	if (fcntl(fd, F_GETLK, &fl))
		return -1;
	v[0] = fl.l_type;
	v[1] = fl.l_pid;
	return 0;
}

static int setlk(int fd)
{
	struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET };

	return fcntl(fd, F_SETLK, &fl);
}

static long step_getlk(FIXTURE_DATA(matrix) *self, long arg, struct reply *r)
{
	return getlk(self->lockfd, r->v);
}

static long step_setlk(FIXTURE_DATA(matrix) *self, long arg, struct reply *r)
{
	return setlk(self->lockfd);
}

/* A child of init does F_GETLK: v[0] l_type, v[1] l_pid. */
static long step_child_getlk(FIXTURE_DATA(matrix) *self, long arg,
			     struct reply *r)
{
	int fds[2];
	pid_t pid;
	long v[2] = { -1, -1 };

	if (pipe(fds))
		return -1;
	pid = fork();
	if (pid == 0) {
		getlk(self->lockfd, v);
		_exit(write_full(fds[1], v, sizeof(v)) ? 1 : 0);
	}
	close(fds[1]);
	if (pid < 0)
		return -1;
	if (read_timeout(fds[0], r->v, sizeof(v), STEP_MS))
		r->v[0] = r->v[1] = -1;
	close(fds[0]);
	return waitpid(pid, NULL, 0) == pid ? 0 : -1;
}

/* /proc/locks through the agent's proc: v[0] lines, v[1] the first pid. */
static long step_proc_locks(FIXTURE_DATA(matrix) *self, long arg,
			    struct reply *r)
{
	r->v[0] = proc_locks(self->inproc, self->lockfd, &r->v[1]);
	return r->v[0] < 0 ? -1 : 0;
}

/* Make, attach and detach a segment: its id. */
static int shm_touch(int id)
{
	void *p;

	if (id < 0)
		id = shmget(IPC_PRIVATE, 4096, IPC_CREAT | 0600);
	if (id < 0)
		return -1;
	p = shmat(id, NULL, 0);
	if (p == (void *)-1 || shmdt(p))
		return -1;
	return id;
}

/* shm_stat - v[0] shm_cpid, v[1] shm_lpid, v[2..3] /proc/sysvipc/shm's. */
static int shm_stat(int dirfd, int id, long *v)
{
	struct shmid_ds ds;

	if (shmctl(id, IPC_STAT, &ds))
		return -1;
	v[0] = ds.shm_cpid;
	v[1] = ds.shm_lpid;
	return sysvipc_shm(dirfd, id, &v[2], &v[3]);
}

static long step_shm_touch(FIXTURE_DATA(matrix) *self, long arg,
			   struct reply *r)
{
	return shm_touch(arg);
}

static long step_shm_stat(FIXTURE_DATA(matrix) *self, long arg,
			  struct reply *r)
{
	return shm_stat(self->inproc, arg, r->v);
}

struct msgbuf1 {
	long mtype;
	char mtext[1];
};

static long step_msg_send(FIXTURE_DATA(matrix) *self, long arg,
			  struct reply *r)
{
	struct msgbuf1 m = { .mtype = 1, .mtext = "x" };

	return msgsnd(arg, &m, 1, IPC_NOWAIT);
}

static long step_msg_recv(FIXTURE_DATA(matrix) *self, long arg,
			  struct reply *r)
{
	struct msgbuf1 m;

	return msgrcv(arg, &m, 1, 0, IPC_NOWAIT) == 1 ? 0 : -1;
}

/* v[0] msg_lspid, v[1] msg_lrpid. */
static int msg_stat(int id, long *v)
{
	struct msqid_ds ds;

	if (msgctl(id, IPC_STAT, &ds))
		return -1;
	v[0] = ds.msg_lspid;
	v[1] = ds.msg_lrpid;
	return 0;
}

static long step_msg_stat(FIXTURE_DATA(matrix) *self, long arg,
			  struct reply *r)
{
	return msg_stat(arg, r->v);
}

static int sem_up(int id)
{
	struct sembuf op = { .sem_num = 0, .sem_op = 1 };

	return semop(id, &op, 1);
}

static long step_sem_up(FIXTURE_DATA(matrix) *self, long arg,
			struct reply *r)
{
	return sem_up(arg);
}

static long step_sem_getpid(FIXTURE_DATA(matrix) *self, long arg,
			    struct reply *r)
{
	return semctl(arg, 0, GETPID);
}

/* Init asks for SIGUSR1 when a message reaches the empty queue. */
static long step_mq_notify(FIXTURE_DATA(matrix) *self, long arg,
			   struct reply *r)
{
	struct sigevent sev = {
		.sigev_notify = SIGEV_SIGNAL,
		.sigev_signo = SIGUSR1,
	};

	if (agent_mq == (mqd_t)-1)
		agent_mq = mq_open(self->name, O_RDWR | O_NONBLOCK);
	if (agent_mq == (mqd_t)-1 || catch_blocked(SIGUSR1))
		return -1;
	return mq_notify(agent_mq, &sev);
}

/* Init (@arg 0) or a child of init (@arg 1, v[0]) sends a message. */
static long step_mq_send(FIXTURE_DATA(matrix) *self, long arg,
			 struct reply *r)
{
	int status;
	pid_t pid;

	if (agent_mq == (mqd_t)-1)
		agent_mq = mq_open(self->name, O_RDWR | O_NONBLOCK);
	if (agent_mq == (mqd_t)-1)
		return -1;
	if (!arg)
		return mq_send(agent_mq, "x", 1, 0);
	pid = fork();
	if (pid == 0)
		_exit(mq_send(agent_mq, "x", 1, 0) ? 1 : 0);
	if (pid < 0)
		return -1;
	r->v[0] = pid;
	if (waitpid(pid, &status, 0) != pid || status)
		return -1;
	return 0;
}

static long step_mq_drain(FIXTURE_DATA(matrix) *self, long arg,
			  struct reply *r)
{
	char buf[8192];

	return mq_receive(agent_mq, buf, sizeof(buf), NULL) == 1 ? 0 : -1;
}

/*
 * Pidfd fdinfo inside.  v[0], v[1..2]: Pid and NSpid of a pidfd of init
 * itself; v[3], v[4]: Pid and the first NSpid of the test's pidfd, v[5]
 * the count of NSpid entries; v[6]: Pid of the test's pidfd through the
 * outer proc.
 */
static long step_pidfd_fdinfo(FIXTURE_DATA(matrix) *self, long arg,
			      struct reply *r)
{
	int nspid[4], n, fd;

	fd = raw_pidfd_open(1, 0);
	if (fd < 0)
		return -1;
	n = pidfd_fdinfo(self->inproc, fd, &r->v[0], nspid, 4);
	close(fd);
	if (n != 1)
		return -1;
	r->v[1] = nspid[0];
	r->v[2] = n;
	n = pidfd_fdinfo(self->inproc, self->mepidfd, &r->v[3], nspid, 4);
	if (n < 1)
		return -1;
	r->v[4] = nspid[0];
	r->v[5] = n;
	n = pidfd_fdinfo(self->outproc, self->mepidfd, &r->v[6], nspid, 4);
	return n < 1 ? -1 : 0;
}

/* Fork a child that exits 0 at once: v[0] what fork() returned. */
static long step_fork(FIXTURE_DATA(matrix) *self, long arg, struct reply *r)
{
	pid_t pid = fork();

	if (pid == 0)
		_exit(0);
	if (pid < 0)
		return -1;
	r->v[0] = pid;
	return waitpid(pid, NULL, 0) == pid ? 0 : -1;
}

/*
 * Init traces a child, A, that forks B: v[0] PTRACE_GETEVENTMSG of the
 * fork event, v[1] what A's fork() returned, v[2] A.
 */
static long step_trace_fork(FIXTURE_DATA(matrix) *self, long arg,
			    struct reply *r)
{
	unsigned long msg = 0;
	int fds[2], status;
	pid_t a, b;

	if (pipe(fds))
		return -1;
	a = fork();
	if (a == 0) {
		close(fds[0]);
		if (ptrace(PTRACE_TRACEME, 0, 0, 0) || raise(SIGSTOP))
			_exit(1);
		b = fork();
		if (b == 0)
			_exit(0);
		if (write_full(fds[1], &b, sizeof(b)))
			_exit(1);
		_exit(waitpid(b, NULL, 0) == b ? 0 : 1);
	}
	close(fds[1]);
	if (a < 0)
		return -1;
	r->v[2] = a;
	if (wait_timeout(a, &status, 0, STEP_MS) != a || !WIFSTOPPED(status))
		goto fail;
	if (ptrace(PTRACE_SETOPTIONS, a, 0, PTRACE_O_TRACEFORK) ||
	    ptrace(PTRACE_CONT, a, 0, 0))
		goto fail;
	if (wait_timeout(a, &status, __WALL, STEP_MS) != a ||
	    status >> 8 != (SIGTRAP | (PTRACE_EVENT_FORK << 8)))
		goto fail;
	if (ptrace(PTRACE_GETEVENTMSG, a, 0, &msg))
		goto fail;
	r->v[0] = msg;
	/* B starts traced and stopped: let both go. */
	if (wait_timeout(msg, &status, __WALL, STEP_MS) != (pid_t)msg)
		goto fail;
	ptrace(PTRACE_DETACH, msg, 0, 0);
	ptrace(PTRACE_DETACH, a, 0, 0);
	if (read_timeout(fds[0], &b, sizeof(b), STEP_MS))
		goto fail;
	r->v[1] = b;
	close(fds[0]);
	if (wait_timeout(a, &status, 0, STEP_MS) != a || status)
		return -1;
	return 0;
fail:
	close(fds[0]);
	kill_and_reap(a);
	return -1;
}

/* Checks, in the test. */

/* expect_status - @s is what /proc/PID/status should say. */
static void expect_status(struct __test_metadata *_metadata, const char *what,
			  const struct status_view *s, int pid, int ppid,
			  int tracer, int n, const int *nspid)
{
	int i;

	EXPECT_EQ(pid, s->pid) {
		TH_LOG("%s: Pid", what);
	}
	EXPECT_EQ(pid, s->tgid) {
		TH_LOG("%s: Tgid", what);
	}
	EXPECT_EQ(ppid, s->ppid) {
		TH_LOG("%s: PPid", what);
	}
	EXPECT_EQ(tracer, s->tracer) {
		TH_LOG("%s: TracerPid", what);
	}
	ASSERT_EQ(n, s->n_nspid) {
		TH_LOG("%s: NSpid has %d numbers", what, s->n_nspid);
	}
	EXPECT_EQ(n, s->n_nstgid) {
		TH_LOG("%s: NStgid has %d numbers", what, s->n_nstgid);
	}
	for (i = 0; i < n; i++) {
		EXPECT_EQ(nspid[i], s->nspid[i]) {
			TH_LOG("%s: NSpid[%d]", what, i);
		}
		EXPECT_EQ(nspid[i], s->nstgid[i]) {
			TH_LOG("%s: NStgid[%d]", what, i);
		}
	}
}

/* spawn - start a child C of init: its numbers inside and outside. */
static void spawn(struct __test_metadata *_metadata,
		  FIXTURE_DATA(matrix) *self, bool traced, pid_t *in,
		  pid_t *out)
{
	struct reply r = run(_metadata, self, step_spawn, traced);

	ASSERT_EQ(0, r.ret) {
		TH_LOG("starting a child of init: %s", strerror(r.err));
	}
	*in = r.v[0];
	*out = r.v[1];
	EXPECT_GT(*out, 0);
	EXPECT_NE(*in, *out);
}

/* In the namespace, init's parent is 0 and init's child's is 1. */
TEST_F(matrix, getppid_inside)
{
	struct reply r = run(_metadata, self, step_getppid, 0);

	ASSERT_EQ(0, r.ret);
	EXPECT_EQ(0, r.v[0]) {
		TH_LOG("getppid() in init");
	}
	EXPECT_EQ(1, r.v[1]) {
		TH_LOG("getppid() in init's child, pid %ld", r.v[2]);
	}
}

/*
 * The agent's proc numbers tasks as the namespace does, whether init or
 * the test reads it: init is 1 with parent 0, its child 2 with parent 1,
 * NSpid has one level.
 */
TEST_F(matrix, proc_status_inner_proc)
{
	struct status_view s;
	struct reply r;
	char path[64];
	int one = 1, fd, ret;
	pid_t in, out;

	spawn(_metadata, self, false, &in, &out);
	r = run(_metadata, self, step_status, 1);
	ASSERT_EQ(0, r.ret);
	expect_status(_metadata, "init, read inside", &r.st, 1, 0, 0, 1,
		      &one);
	r = run(_metadata, self, step_status, in);
	ASSERT_EQ(0, r.ret);
	expect_status(_metadata, "init's child, read inside", &r.st, in, 1,
		      0, 1, &in);

	/* The same files, read by the test through the agent's root. */
	snprintf(path, sizeof(path), "%d/root/proc", self->init);
	fd = openat(self->outproc, path, O_DIRECTORY | O_CLOEXEC);
	ASSERT_GE(fd, 0);
	ret = read_status(fd, 1, &s);
	close(fd);
	ASSERT_EQ(0, ret);
	expect_status(_metadata, "init, read outside", &s, 1, 0, 0, 1, &one);
}

/*
 * The outer proc numbers the same tasks as the test's namespace does,
 * whether the test or init reads it: NSpid lists the outer number, then
 * the inner one.
 */
TEST_F(matrix, proc_status_outer_proc)
{
	struct status_view s;
	struct reply r;
	pid_t in, out;
	int init_ns[2] = { self->init, 1 }, child_ns[2];

	spawn(_metadata, self, false, &in, &out);
	child_ns[0] = out;
	child_ns[1] = in;
	ASSERT_EQ(0, read_status(self->outproc, self->init, &s));
	expect_status(_metadata, "init, read outside", &s, self->init,
		      self->me, 0, 2, init_ns);
	ASSERT_EQ(0, read_status(self->outproc, out, &s));
	expect_status(_metadata, "init's child, read outside", &s, out,
		      self->init, 0, 2, child_ns);

	r = run(_metadata, self, step_status, -self->init);
	ASSERT_EQ(0, r.ret);
	expect_status(_metadata, "init, read inside", &r.st, self->init,
		      self->me, 0, 2, init_ns);
	r = run(_metadata, self, step_status, -out);
	ASSERT_EQ(0, r.ret);
	expect_status(_metadata, "init's child, read inside", &r.st, out,
		      self->init, 0, 2, child_ns);
}

/*
 * /proc/PID/stat: pid, ppid, pgrp and session.  Init starts in the test's
 * process group and session, outside: 0 in its proc until setsid() makes
 * it the leader of both, 1.  The outer proc has the test's numbers.
 */
TEST_F(matrix, proc_stat_both_procs)
{
	struct reply r;
	long v[4];

	r = run(_metadata, self, step_stat, 1);
	ASSERT_EQ(0, r.ret);
	EXPECT_EQ(1, r.v[0]);
	EXPECT_EQ(0, r.v[1]) {
		TH_LOG("ppid of init, inside");
	}
	EXPECT_EQ(0, r.v[2]) {
		TH_LOG("pgrp of init, the test's, inside");
	}
	EXPECT_EQ(0, r.v[3]) {
		TH_LOG("session of init, the test's, inside");
	}
	ASSERT_EQ(0, read_stat(self->outproc, self->init, v));
	EXPECT_EQ(self->init, v[0]);
	EXPECT_EQ(self->me, v[1]);
	EXPECT_EQ(getpgrp(), v[2]);
	EXPECT_EQ(getsid(0), v[3]);

	r = run(_metadata, self, step_setsid, 0);
	ASSERT_EQ(1, r.ret) {
		TH_LOG("setsid() in init: %s", strerror(r.err));
	}
	r = run(_metadata, self, step_stat, 1);
	ASSERT_EQ(0, r.ret);
	EXPECT_EQ(1, r.v[2]);
	EXPECT_EQ(1, r.v[3]);
	r = run(_metadata, self, step_stat, -self->init);
	ASSERT_EQ(0, r.ret);
	EXPECT_EQ(self->init, r.v[0]);
	EXPECT_EQ(self->me, r.v[1]);
	EXPECT_EQ(self->init, r.v[2]);
	EXPECT_EQ(self->init, r.v[3]);
}

/* /proc/self and thread-self: 1 in init's proc, init's outer number outside. */
TEST_F(matrix, proc_self_both_procs)
{
	struct reply r = run(_metadata, self, step_proc_self, 0);

	ASSERT_EQ(0, r.ret);
	EXPECT_EQ(1, r.v[0]);
	EXPECT_EQ(1, r.v[1]);
	EXPECT_EQ(1, r.v[2]);
	EXPECT_EQ(self->init, r.v[3]);
}

/*
 * A tracer outside: init's TracerPid is 0 in its own proc, the test's
 * number in the outer one.
 */
TEST_F(matrix, tracerpid_tracer_outside)
{
	struct status_view s;
	struct reply r;
	int status;

	ASSERT_EQ(0, ptrace(PTRACE_SEIZE, self->init, 0, 0)) {
		TH_LOG("PTRACE_SEIZE of init: %s", strerror(errno));
	}
	r = run(_metadata, self, step_status, 1);
	ASSERT_EQ(0, r.ret);
	EXPECT_EQ(0, r.st.tracer) {
		TH_LOG("TracerPid of init in its proc");
	}
	ASSERT_EQ(0, read_status(self->outproc, self->init, &s));
	EXPECT_EQ(self->me, s.tracer) {
		TH_LOG("TracerPid of init in the outer proc");
	}
	ASSERT_EQ(0, ptrace(PTRACE_INTERRUPT, self->init, 0, 0));
	ASSERT_EQ(self->init, wait_timeout(self->init, &status, __WALL,
					   STEP_MS));
	EXPECT_EQ(0, ptrace(PTRACE_DETACH, self->init, 0, 0));
}

/*
 * A tracer inside: init traces its child, whose TracerPid is 1 in init's
 * proc and init's outer number in the outer proc.
 */
TEST_F(matrix, tracerpid_tracer_inside)
{
	struct status_view s;
	struct reply r;
	pid_t in, out;

	spawn(_metadata, self, true, &in, &out);
	r = run(_metadata, self, step_status, in);
	ASSERT_EQ(0, r.ret);
	EXPECT_EQ(1, r.st.tracer) {
		TH_LOG("TracerPid of init's child in init's proc");
	}
	ASSERT_EQ(0, read_status(self->outproc, out, &s));
	EXPECT_EQ(self->init, s.tracer) {
		TH_LOG("TracerPid of init's child in the outer proc");
	}
}

/* kill() from outside reaches init with si_pid 0. */
TEST_F(matrix, si_pid_kill_outside_to_inside)
{
	struct reply r;

	ASSERT_EQ(0, run(_metadata, self, step_catch, SIGUSR1).ret);
	ASSERT_EQ(0, kill(self->init, SIGUSR1));
	r = run(_metadata, self, step_take, SIGUSR1);
	ASSERT_EQ(SIGUSR1, r.ret);
	EXPECT_EQ(SI_USER, r.v[1]);
	EXPECT_EQ(0, r.v[0]) {
		TH_LOG("si_pid of a signal from outside");
	}
}

/* kill() from init's child reaches init with the child's number. */
TEST_F(matrix, si_pid_kill_inside)
{
	struct reply r = run(_metadata, self, step_kill_from_child, 0);

	ASSERT_EQ(SIGUSR1, r.ret);
	EXPECT_EQ(SI_USER, r.v[1]);
	EXPECT_EQ(r.v[3], r.v[0]) {
		TH_LOG("si_pid of a signal from init's child");
	}
}

/* Init's SIGCHLD from its child names the child by its inner number. */
TEST_F(matrix, sigchld_inside)
{
	struct reply r = run(_metadata, self, step_sigchld, 0);

	ASSERT_EQ(SIGCHLD, r.ret);
	EXPECT_EQ(CLD_EXITED, r.v[1]);
	EXPECT_EQ(6, r.v[2]);
	EXPECT_EQ(r.v[3], r.v[0]) {
		TH_LOG("si_pid of SIGCHLD in init");
	}
}

/* The test's SIGCHLD from init names init by the test's number for it. */
TEST_F(matrix, sigchld_inside_to_outside)
{
	siginfo_t si;
	char c;

	ASSERT_EQ(0, catch_blocked(SIGCHLD));
	send_step(_metadata, self, step_exit, 5);
	EXPECT_NE(0, read_timeout(self->cmd[0], &c, 1, STEP_MS));
	ASSERT_EQ(SIGCHLD, take_signal(SIGCHLD, &si));
	EXPECT_EQ(CLD_EXITED, si.si_code);
	EXPECT_EQ(5, si.si_status);
	EXPECT_EQ(self->init, si.si_pid) {
		TH_LOG("si_pid of SIGCHLD from init");
	}
}

/* waitid() and waitpid() in init give its children's inner numbers. */
TEST_F(matrix, waitid_inside)
{
	struct reply r = run(_metadata, self, step_waitid, 0);

	ASSERT_EQ(0, r.ret);
	EXPECT_EQ(r.v[0], r.v[1]) {
		TH_LOG("si_pid from waitid() in init");
	}
	EXPECT_EQ(7, r.v[4]);
	EXPECT_EQ(r.v[2], r.v[3]) {
		TH_LOG("waitpid() in init");
	}
	EXPECT_EQ(8, r.v[5]);
}

/* waitid() and waitpid() in the test give init's outer number. */
TEST_F(matrix, waitid_inside_to_outside)
{
	siginfo_t si;
	int status;
	char c;

	send_step(_metadata, self, step_exit, 5);
	EXPECT_NE(0, read_timeout(self->cmd[0], &c, 1, STEP_MS));
	memset(&si, 0, sizeof(si));
	ASSERT_EQ(0, waitid(P_ALL, 0, &si, WEXITED | WNOWAIT));
	EXPECT_EQ(self->init, si.si_pid) {
		TH_LOG("si_pid from waitid() on init");
	}
	EXPECT_EQ(5, si.si_status);
	EXPECT_EQ(self->init, waitpid(-1, &status, 0));
	self->init = -1;
}

/*
 * SCM_CREDENTIALS from init reach the test with init's outer number,
 * whether the kernel fills them in or init names itself (pid 1).
 */
TEST_F(matrix, scm_credentials_inside_to_outside)
{
	int on = 1;

	ASSERT_EQ(0, setsockopt(self->dgram[0], SOL_SOCKET, SO_PASSCRED, &on,
				sizeof(on)));
	ASSERT_EQ(0, run(_metadata, self, step_send_creds, 0).ret);
	EXPECT_EQ(self->init, recv_creds(self->dgram[0], STEP_MS)) {
		TH_LOG("credentials the kernel added");
	}
	ASSERT_EQ(0, run(_metadata, self, step_send_creds, 1).ret);
	EXPECT_EQ(self->init, recv_creds(self->dgram[0], STEP_MS)) {
		TH_LOG("credentials init sent, as pid 1");
	}
}

/*
 * SCM_CREDENTIALS from the test reach init with pid 0; from init's child,
 * with the child's number.
 */
TEST_F(matrix, scm_credentials_outside_to_inside)
{
	struct reply r;
	pid_t child;
	int i;

	ASSERT_EQ(0, run(_metadata, self, step_passcred, 0).ret);
	for (i = 0; i < 2; i++) {
		ASSERT_EQ(0, send_creds(self->dgram[0], i ? self->me : 0));
		r = run(_metadata, self, step_recv_creds, 0);
		ASSERT_EQ(0, r.ret);
		EXPECT_EQ(0, r.v[0]) {
			TH_LOG("credentials from the test, %s",
			       i ? "naming itself" : "added by the kernel");
		}
	}
	r = run(_metadata, self, step_child_sends_creds, 1);
	ASSERT_EQ(0, r.ret);
	child = r.v[0];
	r = run(_metadata, self, step_recv_creds, 0);
	ASSERT_EQ(0, r.ret);
	EXPECT_EQ(child, r.v[0]) {
		TH_LOG("credentials from init's child");
	}
}

/*
 * SO_PEERCRED, init listening: the test's socket names init by its outer
 * number, init's accepted socket names the test 0.
 */
TEST_F(matrix, so_peercred_listener_inside)
{
	struct sockaddr_un sun;
	socklen_t len = abstract_addr(&sun, self->name);
	struct reply r;
	int fd;

	ASSERT_EQ(0, run(_metadata, self, step_listen, 0).ret);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	ASSERT_GE(fd, 0);
	ASSERT_EQ(0, connect(fd, (void *)&sun, len));
	EXPECT_EQ(self->init, peer_pid(fd)) {
		TH_LOG("SO_PEERCRED of the test's socket");
	}
	r = run(_metadata, self, step_accept, 0);
	close(fd);
	ASSERT_EQ(0, r.ret);
	EXPECT_EQ(0, r.v[0]) {
		TH_LOG("SO_PEERCRED of init's socket");
	}
}

/* SO_PEERCRED, the test listening: the same, the other way round. */
TEST_F(matrix, so_peercred_listener_outside)
{
	struct sockaddr_un sun;
	socklen_t len = abstract_addr(&sun, self->name);
	struct reply r;
	int lfd, fd;

	lfd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	ASSERT_GE(lfd, 0);
	ASSERT_EQ(0, bind(lfd, (void *)&sun, len));
	ASSERT_EQ(0, listen(lfd, 1));
	r = run(_metadata, self, step_connect, 0);
	ASSERT_EQ(0, r.ret);
	EXPECT_EQ(0, r.v[0]) {
		TH_LOG("SO_PEERCRED of init's socket");
	}
	fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
	close(lfd);
	ASSERT_GE(fd, 0);
	EXPECT_EQ(self->init, peer_pid(fd)) {
		TH_LOG("SO_PEERCRED of the test's socket");
	}
	close(fd);
}

/* A pipe the test owns: F_GETOWN in init says 0, in the test its pid. */
TEST_F(matrix, f_getown_outside_to_inside)
{
	struct reply r;

	ASSERT_EQ(0, fcntl(self->pipefd[0], F_SETOWN, self->me));
	EXPECT_EQ(self->me, fcntl(self->pipefd[0], F_GETOWN));
	r = run(_metadata, self, step_getown, 0);
	ASSERT_EQ(0, r.ret);
	EXPECT_EQ(0, r.v[0]) {
		TH_LOG("F_GETOWN in init");
	}
	EXPECT_EQ(F_OWNER_PID, r.v[1]);
	EXPECT_EQ(0, r.v[2]) {
		TH_LOG("F_GETOWN_EX in init");
	}
}

/*
 * A pipe init owns, then init's process group owns: F_GETOWN in init says
 * 1 and -1, in the test init's outer number and its negation.
 */
TEST_F(matrix, f_getown_inside_to_outside)
{
	struct f_owner_ex ex;
	struct reply r;

	ASSERT_EQ(0, run(_metadata, self, step_setown, 1).ret);
	EXPECT_EQ(self->init, fcntl(self->pipefd[1], F_GETOWN));
	ASSERT_EQ(0, fcntl(self->pipefd[1], F_GETOWN_EX, &ex));
	EXPECT_EQ(F_OWNER_PID, (int)ex.type);
	EXPECT_EQ(self->init, ex.pid);
	r = run(_metadata, self, step_getown, 1);
	ASSERT_EQ(0, r.ret);
	EXPECT_EQ(1, r.v[0]);

	ASSERT_EQ(1, run(_metadata, self, step_setsid, 0).ret);
	ASSERT_EQ(0, run(_metadata, self, step_setown, -1).ret);
	EXPECT_EQ(-self->init, fcntl(self->pipefd[1], F_GETOWN));
	ASSERT_EQ(0, fcntl(self->pipefd[1], F_GETOWN_EX, &ex));
	EXPECT_EQ(F_OWNER_PGRP, (int)ex.type);
	EXPECT_EQ(self->init, ex.pid);
	r = run(_metadata, self, step_getown, 1);
	ASSERT_EQ(0, r.ret);
	EXPECT_EQ(-1, r.v[0]);
	EXPECT_EQ(F_OWNER_PGRP, r.v[1]);
	EXPECT_EQ(1, r.v[2]);
}

/*
 * A lock the test holds: F_GETLK in init says l_pid 0, and init's
 * /proc/locks leaves it out; the outer /proc/locks has the test's pid.
 */
TEST_F(matrix, f_getlk_outside_to_inside)
{
	struct reply r;
	long pid;

	ASSERT_EQ(0, setlk(self->lockfd));
	r = run(_metadata, self, step_getlk, 0);
	ASSERT_EQ(0, r.ret);
	EXPECT_EQ(F_WRLCK, r.v[0]);
	EXPECT_EQ(0, r.v[1]) {
		TH_LOG("l_pid in init of the test's lock");
	}
	r = run(_metadata, self, step_proc_locks, 0);
	ASSERT_EQ(0, r.ret);
	EXPECT_EQ(0, r.v[0]) {
		TH_LOG("init's /proc/locks shows the test's lock, pid %ld",
		       r.v[1]);
	}
	ASSERT_EQ(1, proc_locks(self->outproc, self->lockfd, &pid));
	EXPECT_EQ(self->me, pid);
}

/*
 * A lock init holds: F_GETLK says l_pid 1 in init's child, init's outer
 * number in the test; so do the two /proc/locks.
 */
TEST_F(matrix, f_getlk_inside_to_outside)
{
	struct reply r;
	long v[2], pid;

	ASSERT_EQ(0, run(_metadata, self, step_setlk, 0).ret);
	ASSERT_EQ(0, getlk(self->lockfd, v));
	EXPECT_EQ(F_WRLCK, v[0]);
	EXPECT_EQ(self->init, v[1]) {
		TH_LOG("l_pid in the test of init's lock");
	}
	r = run(_metadata, self, step_child_getlk, 0);
	ASSERT_EQ(0, r.ret);
	EXPECT_EQ(F_WRLCK, r.v[0]);
	EXPECT_EQ(1, r.v[1]) {
		TH_LOG("l_pid in init's child of init's lock");
	}
	r = run(_metadata, self, step_proc_locks, 0);
	ASSERT_EQ(0, r.ret);
	EXPECT_EQ(1, r.v[0]);
	EXPECT_EQ(1, r.v[1]);
	ASSERT_EQ(1, proc_locks(self->outproc, self->lockfd, &pid));
	EXPECT_EQ(self->init, pid);
}

/* skip_no_sysvipc - SysV IPC is a kernel option. */
#define skip_no_sysvipc(ret) do {					\
	if ((ret) < 0 && errno == ENOSYS)				\
		SKIP(return, "no SysV IPC (CONFIG_SYSVIPC)");		\
	ASSERT_GE((ret), 0) {						\
		TH_LOG("SysV IPC: %s", strerror(errno));		\
	}								\
} while (0)

/*
 * A segment the test made and attached: shm_cpid and shm_lpid are 0 in
 * init, the test's pid in the test; /proc/sysvipc/shm agrees.
 */
TEST_F(matrix, sysv_shm_outside_to_inside)
{
	struct reply r;
	long v[4];

	self->shmid = shm_touch(-1);
	skip_no_sysvipc(self->shmid);
	r = run(_metadata, self, step_shm_stat, self->shmid);
	ASSERT_EQ(0, r.ret);
	EXPECT_EQ(0, r.v[0]) {
		TH_LOG("shm_cpid in init");
	}
	EXPECT_EQ(0, r.v[1]) {
		TH_LOG("shm_lpid in init");
	}
	EXPECT_EQ(0, r.v[2]) {
		TH_LOG("cpid in init's /proc/sysvipc/shm");
	}
	EXPECT_EQ(0, r.v[3]) {
		TH_LOG("lpid in init's /proc/sysvipc/shm");
	}
	ASSERT_EQ(0, shm_stat(self->outproc, self->shmid, v));
	EXPECT_EQ(self->me, v[0]);
	EXPECT_EQ(self->me, v[1]);
	EXPECT_EQ(self->me, v[2]);
	EXPECT_EQ(self->me, v[3]);
}

/* A segment init made and attached: 1 in init, init's outer number outside. */
TEST_F(matrix, sysv_shm_inside_to_outside)
{
	struct reply r;
	long v[4];

	r = run(_metadata, self, step_shm_touch, -1);
	errno = r.err;
	skip_no_sysvipc(r.ret);
	self->shmid = r.ret;
	r = run(_metadata, self, step_shm_stat, self->shmid);
	ASSERT_EQ(0, r.ret);
	EXPECT_EQ(1, r.v[0]);
	EXPECT_EQ(1, r.v[1]);
	EXPECT_EQ(1, r.v[2]);
	EXPECT_EQ(1, r.v[3]);
	ASSERT_EQ(0, shm_stat(self->outproc, self->shmid, v));
	EXPECT_EQ(self->init, v[0]) {
		TH_LOG("shm_cpid in the test");
	}
	EXPECT_EQ(self->init, v[1]) {
		TH_LOG("shm_lpid in the test");
	}
	EXPECT_EQ(self->init, v[2]);
	EXPECT_EQ(self->init, v[3]);
}

/*
 * The test sends a message, init receives it: msg_lspid 0 and msg_lrpid 1
 * in init, the test's pid and init's outer number in the test.
 */
TEST_F(matrix, sysv_msg_outside_to_inside)
{
	struct msgbuf1 m = { .mtype = 1, .mtext = "x" };
	struct reply r;
	long v[2];

	self->msqid = msgget(IPC_PRIVATE, IPC_CREAT | 0600);
	skip_no_sysvipc(self->msqid);
	ASSERT_EQ(0, msgsnd(self->msqid, &m, 1, IPC_NOWAIT));
	ASSERT_EQ(0, run(_metadata, self, step_msg_recv, self->msqid).ret);
	r = run(_metadata, self, step_msg_stat, self->msqid);
	ASSERT_EQ(0, r.ret);
	EXPECT_EQ(0, r.v[0]) {
		TH_LOG("msg_lspid in init");
	}
	EXPECT_EQ(1, r.v[1]);
	ASSERT_EQ(0, msg_stat(self->msqid, v));
	EXPECT_EQ(self->me, v[0]);
	EXPECT_EQ(self->init, v[1]) {
		TH_LOG("msg_lrpid in the test");
	}
}

/* Init sends, the test receives: the same the other way round. */
TEST_F(matrix, sysv_msg_inside_to_outside)
{
	struct msgbuf1 m;
	struct reply r;
	long v[2];

	self->msqid = msgget(IPC_PRIVATE, IPC_CREAT | 0600);
	skip_no_sysvipc(self->msqid);
	ASSERT_EQ(0, run(_metadata, self, step_msg_send, self->msqid).ret);
	ASSERT_EQ(1, msgrcv(self->msqid, &m, 1, 0, IPC_NOWAIT));
	ASSERT_EQ(0, msg_stat(self->msqid, v));
	EXPECT_EQ(self->init, v[0]) {
		TH_LOG("msg_lspid in the test");
	}
	EXPECT_EQ(self->me, v[1]);
	r = run(_metadata, self, step_msg_stat, self->msqid);
	ASSERT_EQ(0, r.ret);
	EXPECT_EQ(1, r.v[0]);
	EXPECT_EQ(0, r.v[1]) {
		TH_LOG("msg_lrpid in init");
	}
}

/* The test's semop(): semctl(GETPID) says 0 in init, the test's pid outside. */
TEST_F(matrix, sysv_sem_outside_to_inside)
{
	struct reply r;

	self->semid = semget(IPC_PRIVATE, 1, IPC_CREAT | 0600);
	skip_no_sysvipc(self->semid);
	ASSERT_EQ(0, sem_up(self->semid));
	EXPECT_EQ(self->me, semctl(self->semid, 0, GETPID));
	r = run(_metadata, self, step_sem_getpid, self->semid);
	EXPECT_EQ(0, r.ret) {
		TH_LOG("GETPID in init");
	}
}

/* Init's semop(): 1 in init, init's outer number in the test. */
TEST_F(matrix, sysv_sem_inside_to_outside)
{
	struct reply r;

	self->semid = semget(IPC_PRIVATE, 1, IPC_CREAT | 0600);
	skip_no_sysvipc(self->semid);
	ASSERT_EQ(0, run(_metadata, self, step_sem_up, self->semid).ret);
	EXPECT_EQ(self->init, semctl(self->semid, 0, GETPID)) {
		TH_LOG("GETPID in the test");
	}
	r = run(_metadata, self, step_sem_getpid, self->semid);
	EXPECT_EQ(1, r.ret);
}

/* open_mq - the test's message queue, made for the test. */
static void open_mq(struct __test_metadata *_metadata,
		    FIXTURE_DATA(matrix) *self)
{
	self->mq = mq_open(self->name, O_RDWR | O_CREAT | O_EXCL | O_NONBLOCK,
			   0600, NULL);
	if (self->mq == (mqd_t)-1 && errno == ENOSYS)
		SKIP(return, "no POSIX message queues (CONFIG_POSIX_MQUEUE)");
	ASSERT_NE((mqd_t)-1, self->mq) {
		TH_LOG("mq_open(%s): %s", self->name, strerror(errno));
	}
}

/* The test's message wakes init's mq_notify() with si_pid 0. */
TEST_F(matrix, mq_notify_outside_to_inside)
{
	struct reply r;

	open_mq(_metadata, self);
	ASSERT_EQ(0, run(_metadata, self, step_mq_notify, 0).ret);
	ASSERT_EQ(0, mq_send(self->mq, "x", 1, 0));
	r = run(_metadata, self, step_take, SIGUSR1);
	ASSERT_EQ(SIGUSR1, r.ret);
	EXPECT_EQ(SI_MESGQ, r.v[1]);
	EXPECT_EQ(0, r.v[0]) {
		TH_LOG("si_pid in init of the test's message");
	}
}

/*
 * Init's message wakes the test's mq_notify() with init's outer number;
 * a message from init's child wakes init's with the child's number.
 */
TEST_F(matrix, mq_notify_inside_to_outside)
{
	struct sigevent sev = {
		.sigev_notify = SIGEV_SIGNAL,
		.sigev_signo = SIGUSR2,
	};
	char buf[8192];
	struct reply r;
	siginfo_t si;
	pid_t child;

	open_mq(_metadata, self);
	ASSERT_EQ(0, catch_blocked(SIGUSR2));
	ASSERT_EQ(0, mq_notify(self->mq, &sev));
	ASSERT_EQ(0, run(_metadata, self, step_mq_send, 0).ret);
	ASSERT_EQ(SIGUSR2, take_signal(SIGUSR2, &si));
	EXPECT_EQ(SI_MESGQ, si.si_code);
	EXPECT_EQ(self->init, si.si_pid) {
		TH_LOG("si_pid in the test of init's message");
	}
	ASSERT_EQ(1, mq_receive(self->mq, buf, sizeof(buf), NULL));

	ASSERT_EQ(0, run(_metadata, self, step_mq_notify, 0).ret);
	r = run(_metadata, self, step_mq_send, 1);
	ASSERT_EQ(0, r.ret);
	child = r.v[0];
	r = run(_metadata, self, step_take, SIGUSR1);
	ASSERT_EQ(SIGUSR1, r.ret);
	EXPECT_EQ(child, r.v[0]) {
		TH_LOG("si_pid in init of its child's message");
	}
	ASSERT_EQ(0, run(_metadata, self, step_mq_drain, 0).ret);
}

/*
 * Pidfds of init and of its child, read in the test's proc: Pid is the
 * test's number, NSpid goes on down to the inner one.
 */
TEST_F(matrix, pidfd_fdinfo_outer_proc)
{
	int nspid[4], fd, n;
	pid_t in, out;
	long pid;

	spawn(_metadata, self, false, &in, &out);
	fd = raw_pidfd_open(self->init, 0);
	ASSERT_GE(fd, 0);
	n = pidfd_fdinfo(self->outproc, fd, &pid, nspid, 4);
	close(fd);
	ASSERT_EQ(2, n);
	EXPECT_EQ(self->init, pid);
	EXPECT_EQ(self->init, nspid[0]);
	EXPECT_EQ(1, nspid[1]);

	fd = raw_pidfd_open(out, 0);
	ASSERT_GE(fd, 0);
	n = pidfd_fdinfo(self->outproc, fd, &pid, nspid, 4);
	close(fd);
	ASSERT_EQ(2, n);
	EXPECT_EQ(out, pid);
	EXPECT_EQ(out, nspid[0]);
	EXPECT_EQ(in, nspid[1]);
}

/*
 * In init's proc, a pidfd of init says Pid 1, and the test's pidfd Pid 0
 * with NSpid 0 alone; through the outer proc, the test's pid.
 */
TEST_F(matrix, pidfd_fdinfo_inner_proc)
{
	struct reply r;

	ASSERT_GE(self->mepidfd, 0);
	r = run(_metadata, self, step_pidfd_fdinfo, 0);
	ASSERT_EQ(0, r.ret) {
		TH_LOG("reading fdinfo in init: %s", strerror(r.err));
	}
	EXPECT_EQ(1, r.v[0]);
	EXPECT_EQ(1, r.v[1]);
	EXPECT_EQ(0, r.v[3]) {
		TH_LOG("Pid of the test's pidfd in init's proc");
	}
	EXPECT_EQ(0, r.v[4]);
	EXPECT_EQ(1, r.v[5]) {
		TH_LOG("NSpid of the test's pidfd in init's proc");
	}
	EXPECT_EQ(self->me, r.v[6]) {
		TH_LOG("Pid of the test's pidfd in the outer proc");
	}
}

/*
 * The test traces init, which forks: PTRACE_GETEVENTMSG gives the test's
 * number of the new child, whose NSpid ends with the number init got.
 */
TEST_F(matrix, ptrace_eventmsg_tracer_outside)
{
	unsigned long msg = 0;
	struct status_view s;
	struct reply r;
	int status;

	ASSERT_EQ(0, ptrace(PTRACE_SEIZE, self->init, 0, PTRACE_O_TRACEFORK));
	send_step(_metadata, self, step_fork, 0);
	ASSERT_EQ(self->init, wait_timeout(self->init, &status, __WALL,
					   STEP_MS));
	ASSERT_EQ(SIGTRAP | (PTRACE_EVENT_FORK << 8), status >> 8) {
		TH_LOG("init's wait status 0x%x", status);
	}
	ASSERT_EQ(0, ptrace(PTRACE_GETEVENTMSG, self->init, 0, &msg));
	ASSERT_EQ((pid_t)msg, wait_timeout(msg, &status, __WALL, STEP_MS)) {
		TH_LOG("the event named %lu, not a new tracee", msg);
	}
	EXPECT_EQ(0, read_status(self->outproc, msg, &s));
	EXPECT_EQ(0, ptrace(PTRACE_DETACH, msg, 0, 0));
	EXPECT_EQ(0, ptrace(PTRACE_DETACH, self->init, 0, 0));
	get_reply(_metadata, self, &r);
	ASSERT_EQ(0, r.ret);
	EXPECT_EQ(2, s.n_nspid);
	EXPECT_EQ((pid_t)msg, s.nspid[0]);
	EXPECT_EQ(r.v[0], s.nspid[1]) {
		TH_LOG("init's fork() returned %ld", r.v[0]);
	}
	EXPECT_NE(r.v[0], (long)msg);
}

/* Init traces its child, which forks: the event gives the inner number. */
TEST_F(matrix, ptrace_eventmsg_tracer_inside)
{
	struct reply r = run(_metadata, self, step_trace_fork, 0);

	ASSERT_EQ(0, r.ret);
	EXPECT_EQ(r.v[1], r.v[0]) {
		TH_LOG("PTRACE_GETEVENTMSG in init; the tracee is %ld",
		       r.v[2]);
	}
}

TEST_HARNESS_MAIN
