// SPDX-License-Identifier: GPL-2.0
/*
 * PID namespaces through nsfs.  /proc/PID/ns/pid and pid_for_children name
 * the namespace a task is in and the one its children go to: the same for
 * a task that has not unshared, none before the first child of an
 * unshare(CLONE_NEWPID).  setns(CLONE_NEWPID), with a namespace file or a
 * pidfd, sends the caller's next children into a namespace below its own
 * and refuses (EINVAL) any other.  The ioctls: NS_GET_PARENT walks up, but
 * not above the caller's namespace (EPERM); NS_GET_NSTYPE says
 * CLONE_NEWPID; NS_GET_{PID,TGID}_{FROM,IN}_PIDNS translate numbers
 * between the caller's namespace and another, ESRCH for a task one of the
 * two does not contain.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <linux/nsfs.h>

#include "pidns_util.h"
#include "kselftest_harness.h"

/* Seconds any task of a test may live. */
#define TASK_TIMEOUT 20

FIXTURE(nsfs) {
	pid_t init[2];		/* inits of namespaces below the test's */
	pid_t joiner;		/* a child of the test that calls setns() */
	int rep[2];		/* reports to the test */
	int hold[2];		/* tasks wait for the test to close hold[1] */
	int rootns;		/* the test's /proc/self/ns/pid */
	int fd;			/* per test: an fd for the tasks to use */
	int mepidfd;		/* a pidfd of the test */
	pid_t me;
};

FIXTURE_SETUP(nsfs)
{
	self->init[0] = self->init[1] = self->joiner = -1;
	self->rep[0] = self->rep[1] = self->hold[0] = self->hold[1] = -1;
	self->fd = self->mepidfd = -1;
	if (geteuid() != 0)
		SKIP(return, "CLONE_NEWPID needs CAP_SYS_ADMIN: run as root");
	self->me = getpid();
	ASSERT_EQ(0, pipe2(self->rep, O_CLOEXEC));
	ASSERT_EQ(0, pipe2(self->hold, O_CLOEXEC));
	self->rootns = open("/proc/self/ns/pid", O_RDONLY | O_CLOEXEC);
	ASSERT_GE(self->rootns, 0) {
		TH_LOG("/proc/self/ns/pid: %s", strerror(errno));
	}
	self->mepidfd = raw_pidfd_open(self->me, 0);
	ASSERT_GE(self->mepidfd, 0);
}

FIXTURE_TEARDOWN(nsfs)
{
	int i;

	if (self->hold[1] >= 0)
		close(self->hold[1]);
	kill_and_reap(self->joiner);
	for (i = 0; i < 2; i++) {
		kill_and_reap(self->init[i]);
		if (self->rep[i] >= 0)
			close(self->rep[i]);
	}
	if (self->hold[0] >= 0)
		close(self->hold[0]);
	if (self->fd >= 0)
		close(self->fd);
	if (self->mepidfd >= 0)
		close(self->mepidfd);
	if (self->rootns >= 0)
		close(self->rootns);
}

/* wait_hold - in a task: block until the test closes hold[1]. */
static void wait_hold(FIXTURE_DATA(nsfs) *self)
{
	char c;

	close(self->hold[1]);
	while (read(self->hold[0], &c, 1) < 0 && errno == EINTR)
		;
}

/*
 * sleeper - an init that only waits to be killed: it must outlive the
 * tasks that joined its namespace, which it would take with it.
 */
static int sleeper(FIXTURE_DATA(nsfs) *self)
{
	close(self->hold[1]);
	for (;;)
		pause();
	return 0;
}

/* start_init - fork the init of a new namespace to run @fn. */
static pid_t start_init(struct __test_metadata *_metadata,
			FIXTURE_DATA(nsfs) *self, int i,
			int (*fn)(FIXTURE_DATA(nsfs) *self))
{
	pid_t pid = fork_newpid();

	if (pid == 0) {
		ns_alarm(TASK_TIMEOUT);
		close(self->rep[0]);
		_exit(fn(self));
	}
	ASSERT_GT(pid, 0) {
		TH_LOG("clone(CLONE_NEWPID): %s", strerror(errno));
	}
	self->init[i] = pid;
	return pid;
}

/* start_joiner - fork a child of the test, outside, to run @fn. */
static void start_joiner(struct __test_metadata *_metadata,
			 FIXTURE_DATA(nsfs) *self,
			 int (*fn)(FIXTURE_DATA(nsfs) *self))
{
	self->joiner = fork();
	if (self->joiner == 0) {
		alarm(TASK_TIMEOUT);
		close(self->rep[0]);
		_exit(fn(self));
	}
	ASSERT_GT(self->joiner, 0);
}

/* finish - let the tasks go; @pid must exit 0. */
static void finish(struct __test_metadata *_metadata, pid_t *pid,
		   FIXTURE_DATA(nsfs) *self)
{
	int status;

	close(self->hold[1]);
	self->hold[1] = -1;
	ASSERT_EQ(*pid, wait_timeout(*pid, &status, 0, 10000));
	*pid = -1;
	EXPECT_EQ(0, status) {
		TH_LOG("wait status 0x%x", status);
	}
}

/* ns_path - "/proc/@pid/ns/@name". */
static const char *ns_path(char *buf, size_t size, pid_t pid,
			   const char *name)
{
	snprintf(buf, size, "/proc/%d/ns/%s", pid, name);
	return buf;
}

static int open_ns(pid_t pid, const char *name)
{
	char path[64];

	return open(ns_path(path, sizeof(path), pid, name),
		    O_RDONLY | O_CLOEXEC);
}

static ino_t fd_ino(int fd)
{
	struct stat st;

	return fstat(fd, &st) ? 0 : st.st_ino;
}

/*
 * The test's pid and pid_for_children are one namespace; a namespace
 * init's are another, and both links read "pid:[inode]".
 */
TEST_F(nsfs, links_name_the_namespaces)
{
	char path[64], link[64], want[64];
	struct stat root, st;
	ino_t ns;
	ssize_t n;

	ASSERT_EQ(0, fstat(self->rootns, &root));
	EXPECT_EQ(root.st_ino,
		  ns_ino(AT_FDCWD, "/proc/self/ns/pid_for_children"));
	start_init(_metadata, self, 0, sleeper);

	ASSERT_EQ(0, stat(ns_path(path, sizeof(path), self->init[0], "pid"),
			  &st));
	ns = st.st_ino;
	EXPECT_NE(root.st_ino, ns);
	EXPECT_EQ(root.st_dev, st.st_dev) {
		TH_LOG("both should be nsfs inodes");
	}
	EXPECT_EQ(ns, ns_ino(AT_FDCWD, ns_path(path, sizeof(path),
					       self->init[0],
					       "pid_for_children")));
	snprintf(want, sizeof(want), "pid:[%lu]", (unsigned long)ns);
	n = readlink(ns_path(path, sizeof(path), self->init[0], "pid"), link,
		     sizeof(link) - 1);
	ASSERT_GT(n, 0);
	link[n] = '\0';
	EXPECT_STREQ(want, link);
	n = readlink(ns_path(path, sizeof(path), self->init[0],
			     "pid_for_children"), link, sizeof(link) - 1);
	ASSERT_GT(n, 0);
	link[n] = '\0';
	EXPECT_STREQ(want, link);
}

/* What a child of a task that called setns() reports. */
struct joined {
	int setns_err;		/* errno of setns(), 0 if it worked */
	pid_t pid;		/* the joiner's getpid() after setns() */
	ino_t ns, kids;		/* the joiner's pid and pid_for_children */
	pid_t forked;		/* what its fork() returned */
	pid_t kpid, kppid;	/* the child's getpid() and getppid() */
	ino_t kns;		/* the child's pid namespace */
};

/* The part of struct joined the child fills in. */
#define JOINED_CHILD_PART (sizeof(struct joined) - \
			   offsetof(struct joined, kpid))

/*
 * The joiner: setns() with self->fd, then fork a child that reports its
 * numbers and waits for the test.  @self->fd is a namespace file or a
 * pidfd.
 */
static int join_and_fork(FIXTURE_DATA(nsfs) *self)
{
	struct joined j = { .forked = -1, .kpid = -1, .kppid = -1 };
	int fds[2], status;

	close(self->hold[1]);
	if (pipe(fds))
		return 1;
	j.setns_err = setns(self->fd, CLONE_NEWPID) ? errno : 0;
	j.pid = getpid();
	j.ns = ns_ino(AT_FDCWD, "/proc/self/ns/pid");
	j.kids = ns_ino(AT_FDCWD, "/proc/self/ns/pid_for_children");
	j.forked = fork();
	if (j.forked == 0) {
		close(fds[0]);
		j.kpid = getpid();
		j.kppid = getppid();
		j.kns = ns_ino(AT_FDCWD, "/proc/self/ns/pid");
		if (write_full(fds[1], &j.kpid, JOINED_CHILD_PART))
			_exit(1);
		close(fds[1]);
		wait_hold(self);
		_exit(0);
	}
	close(fds[1]);
	if (j.forked > 0 && read_full(fds[0], &j.kpid, JOINED_CHILD_PART))
		return 1;
	if (write_full(self->rep[1], &j, sizeof(j)))
		return 1;
	if (j.forked < 0)
		return 0;
	if (waitpid(j.forked, &status, 0) != j.forked || status)
		return 1;
	return 0;
}

/* read_joined - the joiner's report, with the child's part. */
static void read_joined(struct __test_metadata *_metadata,
			FIXTURE_DATA(nsfs) *self, struct joined *j)
{
	ASSERT_EQ(0, read_timeout(self->rep[0], j, sizeof(*j), 10000));
	ASSERT_EQ(0, j->setns_err) {
		TH_LOG("setns(CLONE_NEWPID): %s", strerror(j->setns_err));
	}
	ASSERT_GT(j->forked, 0);
}

/*
 * setns() into a namespace below the caller's: the caller stays where it
 * is, its next child is the namespace's next pid (2), with parent 0, and
 * the nsfs ioctls agree on its two numbers.
 */
TEST_F(nsfs, setns_then_fork_joins_child_namespace)
{
	struct joined j;
	ino_t ns;
	int nsfd;

	start_init(_metadata, self, 0, sleeper);
	nsfd = open_ns(self->init[0], "pid");
	ASSERT_GE(nsfd, 0);
	ns = fd_ino(nsfd);
	self->fd = nsfd;
	start_joiner(_metadata, self, join_and_fork);
	read_joined(_metadata, self, &j);

	EXPECT_EQ(self->joiner, j.pid);
	EXPECT_EQ(fd_ino(self->rootns), j.ns) {
		TH_LOG("setns() moved the caller itself");
	}
	EXPECT_EQ(ns, j.kids);
	EXPECT_EQ(ns, j.kns);
	EXPECT_EQ(2, j.kpid);
	EXPECT_EQ(0, j.kppid) {
		TH_LOG("the child's parent is outside its namespace");
	}
	EXPECT_NE(j.kpid, j.forked);
	EXPECT_EQ(j.kpid, ioctl(nsfd, NS_GET_PID_IN_PIDNS,
				(unsigned long)j.forked));
	EXPECT_EQ(j.forked, ioctl(nsfd, NS_GET_PID_FROM_PIDNS,
				  (unsigned long)j.kpid));
	finish(_metadata, &self->joiner, self);
}

/* setns() with a pidfd of a namespace's init does the same. */
TEST_F(nsfs, setns_pidfd_joins_child_namespace)
{
	char path[64];
	struct joined j;
	ino_t ns;

	start_init(_metadata, self, 0, sleeper);
	ns = ns_ino(AT_FDCWD, ns_path(path, sizeof(path), self->init[0],
				      "pid"));
	ASSERT_NE((ino_t)0, ns);
	self->fd = raw_pidfd_open(self->init[0], 0);
	ASSERT_GE(self->fd, 0) {
		TH_LOG("pidfd_open(): %s", strerror(errno));
	}
	start_joiner(_metadata, self, join_and_fork);
	read_joined(_metadata, self, &j);
	EXPECT_EQ(ns, j.kids);
	EXPECT_EQ(ns, j.kns);
	EXPECT_EQ(2, j.kpid);
	EXPECT_EQ(0, j.kppid);
	finish(_metadata, &self->joiner, self);
}

/* What init finds setns() does from inside its namespace. */
struct setns_errs {
	int parent;		/* into the test's namespace */
	int parent_pidfd;	/* into it, with a pidfd of the test */
	int sibling;		/* into another child namespace of the test's */
	int own;		/* into its own */
	int child;		/* into a namespace below its own */
	pid_t child_pid;	/* getpid() of a child forked after that */
};

static int setns_err(int fd)
{
	return setns(fd, CLONE_NEWPID) ? errno : 0;
}

/* Init tries setns() into the namespaces around it. */
static int try_setns(FIXTURE_DATA(nsfs) *self)
{
	struct setns_errs e;
	pid_t nested, pid;
	int fd, fds[2], status;
	char c;

	memset(&e, -1, sizeof(e));
	e.parent = setns_err(self->rootns);
	e.parent_pidfd = setns_err(self->mepidfd);
	e.sibling = setns_err(self->fd);
	fd = open("/proc/self/ns/pid", O_RDONLY | O_CLOEXEC);
	e.own = setns_err(fd);
	close(fd);

	/* A nested namespace, opened through a proc of this one. */
	if (mount_private_proc() || pipe(fds))
		return 1;
	nested = fork_newpid();
	if (nested == 0) {
		close(fds[1]);
		_exit(read(fds[0], &c, 1) < 0);
	}
	if (nested < 0)
		return 1;
	close(fds[0]);
	fd = open_ns(nested, "pid");
	e.child = setns_err(fd);
	close(fd);
	pid = fork();
	if (pid == 0)
		_exit(getpid());
	if (pid > 0 && waitpid(pid, &status, 0) == pid && WIFEXITED(status))
		e.child_pid = WEXITSTATUS(status);
	close(fds[1]);
	waitpid(nested, NULL, 0);
	return write_full(self->rep[1], &e, sizeof(e)) ? 1 : 0;
}

/*
 * From inside a namespace, setns(CLONE_NEWPID) into the parent namespace
 * or a sibling is EINVAL; into its own, or one below it, works.
 */
TEST_F(nsfs, setns_out_of_namespace_is_einval)
{
	struct setns_errs e;

	start_init(_metadata, self, 1, sleeper);
	self->fd = open_ns(self->init[1], "pid");
	ASSERT_GE(self->fd, 0);
	start_init(_metadata, self, 0, try_setns);
	ASSERT_EQ(0, read_timeout(self->rep[0], &e, sizeof(e), 10000));
	EXPECT_EQ(EINVAL, e.parent) {
		TH_LOG("setns() into the parent namespace: %s",
		       strerror(e.parent));
	}
	EXPECT_EQ(EINVAL, e.parent_pidfd) {
		TH_LOG("setns() with a pidfd of the test: %s",
		       strerror(e.parent_pidfd));
	}
	EXPECT_EQ(EINVAL, e.sibling) {
		TH_LOG("setns() into a sibling namespace: %s",
		       strerror(e.sibling));
	}
	EXPECT_EQ(0, e.own) {
		TH_LOG("setns() into its own namespace: %s", strerror(e.own));
	}
	EXPECT_EQ(0, e.child) {
		TH_LOG("setns() into a child namespace: %s",
		       strerror(e.child));
	}
	EXPECT_EQ(2, e.child_pid);
	finish(_metadata, &self->init[0], self);
}

/* What init finds of NS_GET_PARENT inside. */
struct parent_report {
	int own_err;		/* NS_GET_PARENT of its own namespace */
	ino_t own;		/* its namespace */
	ino_t kids;		/* pid_for_children, after unshare() and fork() */
	ino_t kids_parent;	/* NS_GET_PARENT of that */
};

/* Init makes a namespace below its own with unshare() and a child. */
static int nest_and_report(FIXTURE_DATA(nsfs) *self)
{
	struct parent_report r;
	int fd, pfd, status;
	pid_t child;

	memset(&r, 0, sizeof(r));
	fd = open("/proc/self/ns/pid", O_RDONLY | O_CLOEXEC);
	r.own = fd_ino(fd);
	pfd = ioctl(fd, NS_GET_PARENT);
	r.own_err = pfd < 0 ? errno : 0;
	if (pfd >= 0)
		close(pfd);
	close(fd);
	if (unshare(CLONE_NEWPID))
		return 1;
	child = fork();
	if (child == 0) {
		wait_hold(self);
		_exit(0);
	}
	if (child < 0)
		return 1;
	fd = open("/proc/self/ns/pid_for_children", O_RDONLY | O_CLOEXEC);
	r.kids = fd_ino(fd);
	pfd = ioctl(fd, NS_GET_PARENT);
	r.kids_parent = pfd >= 0 ? fd_ino(pfd) : 0;
	if (write_full(self->rep[1], &r, sizeof(r)))
		return 1;
	wait_hold(self);
	if (waitpid(child, &status, 0) != child || status)
		return 1;
	return 0;
}

/*
 * NS_GET_PARENT walks up from a namespace two levels down to the test's
 * namespace, and no further: EPERM above it, for the test at the root and
 * for init on its own namespace.
 */
TEST_F(nsfs, ns_get_parent_stops_at_caller_namespace)
{
	struct parent_report r;
	int kfd, pfd, ppfd;

	start_init(_metadata, self, 0, nest_and_report);
	ASSERT_EQ(0, read_timeout(self->rep[0], &r, sizeof(r), 10000));
	EXPECT_EQ(EPERM, r.own_err) {
		TH_LOG("NS_GET_PARENT of init's own namespace, inside: %s",
		       strerror(r.own_err));
	}
	ASSERT_TRUE(r.kids && r.own);
	EXPECT_NE(r.own, r.kids);
	EXPECT_EQ(r.own, r.kids_parent) {
		TH_LOG("NS_GET_PARENT, inside, of the namespace below");
	}

	kfd = open_ns(self->init[0], "pid_for_children");
	ASSERT_GE(kfd, 0);
	EXPECT_EQ(r.kids, fd_ino(kfd));
	pfd = ioctl(kfd, NS_GET_PARENT);
	ASSERT_GE(pfd, 0) {
		TH_LOG("NS_GET_PARENT two levels down: %s", strerror(errno));
	}
	EXPECT_EQ(r.own, fd_ino(pfd));
	EXPECT_EQ(CLONE_NEWPID, ioctl(pfd, NS_GET_NSTYPE));
	ppfd = ioctl(pfd, NS_GET_PARENT);
	ASSERT_GE(ppfd, 0) {
		TH_LOG("NS_GET_PARENT one level down: %s", strerror(errno));
	}
	EXPECT_EQ(fd_ino(self->rootns), fd_ino(ppfd));
	EXPECT_EQ(-1, ioctl(ppfd, NS_GET_PARENT));
	EXPECT_EQ(EPERM, errno);
	EXPECT_EQ(-1, ioctl(self->rootns, NS_GET_PARENT));
	EXPECT_EQ(EPERM, errno);
	close(ppfd);
	close(pfd);
	close(kfd);
	finish(_metadata, &self->init[0], self);
}

/* NS_GET_NSTYPE of pid and pid_for_children is CLONE_NEWPID. */
TEST_F(nsfs, ns_get_nstype_is_clone_newpid)
{
	int fd;

	EXPECT_EQ(CLONE_NEWPID, ioctl(self->rootns, NS_GET_NSTYPE));
	start_init(_metadata, self, 0, sleeper);
	fd = open_ns(self->init[0], "pid");
	ASSERT_GE(fd, 0);
	EXPECT_EQ(CLONE_NEWPID, ioctl(fd, NS_GET_NSTYPE));
	close(fd);
	fd = open_ns(self->init[0], "pid_for_children");
	ASSERT_GE(fd, 0);
	EXPECT_EQ(CLONE_NEWPID, ioctl(fd, NS_GET_NSTYPE));
	close(fd);
}

/* What init, with a second thread, finds of the translations inside. */
struct thread_report {
	pid_t tid;		/* the thread's gettid() */
	int test_from;		/* NS_GET_PID_FROM_PIDNS(test's ns, test) */
	int test_from_err;
	int init_in;		/* NS_GET_PID_IN_PIDNS(test's ns, 1) */
	int tid_in;		/* NS_GET_PID_IN_PIDNS(test's ns, tid) */
	int tgid_in;		/* NS_GET_TGID_IN_PIDNS(test's ns, tid) */
};

static FIXTURE_DATA(nsfs) *thread_self;
static int thread_fd;

static void *thread_fn(void *arg)
{
	pid_t tid = gettid();
	char c;

	if (write_full(thread_fd, &tid, sizeof(tid)))
		return NULL;
	while (read(thread_self->hold[0], &c, 1) < 0 && errno == EINTR)
		;
	return NULL;
}

static int threaded(FIXTURE_DATA(nsfs) *self)
{
	struct thread_report r;
	pthread_t thread;
	int fds[2];

	memset(&r, 0, sizeof(r));
	close(self->hold[1]);
	if (pipe(fds))
		return 1;
	thread_self = self;
	thread_fd = fds[1];
	if (pthread_create(&thread, NULL, thread_fn, NULL) ||
	    read_full(fds[0], &r.tid, sizeof(r.tid)))
		return 1;
	r.test_from = ioctl(self->rootns, NS_GET_PID_FROM_PIDNS,
			    (unsigned long)self->me);
	r.test_from_err = errno;
	r.init_in = ioctl(self->rootns, NS_GET_PID_IN_PIDNS, 1UL);
	r.tid_in = ioctl(self->rootns, NS_GET_PID_IN_PIDNS,
			 (unsigned long)r.tid);
	r.tgid_in = ioctl(self->rootns, NS_GET_TGID_IN_PIDNS,
			  (unsigned long)r.tid);
	if (write_full(self->rep[1], &r, sizeof(r)))
		return 1;
	pthread_join(thread, NULL);
	return 0;
}

/* other_task - the thread of @pid that is not @pid, from /proc/PID/task. */
static pid_t other_task(pid_t pid)
{
	char path[64];
	struct dirent *d;
	pid_t tid = -1;
	DIR *dir;

	snprintf(path, sizeof(path), "/proc/%d/task", pid);
	dir = opendir(path);
	if (!dir)
		return -1;
	while ((d = readdir(dir))) {
		if (d->d_name[0] != '.' && atoi(d->d_name) != pid)
			tid = atoi(d->d_name);
	}
	closedir(dir);
	return tid;
}

/*
 * Init (1) and its thread (2): the ioctls on init's namespace translate
 * both ways between its numbers and the test's, thread id or group id;
 * the test has no number inside, nor has any task 3 one.  Inside, the
 * same ioctls on the test's namespace agree, and the test is ESRCH.
 */
TEST_F(nsfs, ns_get_pid_translations)
{
	struct thread_report r;
	pid_t init, tid;
	int nsfd;

	init = start_init(_metadata, self, 0, threaded);
	ASSERT_EQ(0, read_timeout(self->rep[0], &r, sizeof(r), 10000));
	EXPECT_EQ(2, r.tid);
	nsfd = open_ns(init, "pid");
	ASSERT_GE(nsfd, 0);
	self->fd = nsfd;
	tid = other_task(init);
	ASSERT_GT(tid, 0);

	EXPECT_EQ(init, ioctl(nsfd, NS_GET_PID_FROM_PIDNS, 1UL));
	EXPECT_EQ(init, ioctl(nsfd, NS_GET_TGID_FROM_PIDNS, 1UL));
	EXPECT_EQ(tid, ioctl(nsfd, NS_GET_PID_FROM_PIDNS, 2UL));
	EXPECT_EQ(init, ioctl(nsfd, NS_GET_TGID_FROM_PIDNS, 2UL));
	EXPECT_EQ(1, ioctl(nsfd, NS_GET_PID_IN_PIDNS, (unsigned long)init));
	EXPECT_EQ(1, ioctl(nsfd, NS_GET_TGID_IN_PIDNS, (unsigned long)init));
	EXPECT_EQ(2, ioctl(nsfd, NS_GET_PID_IN_PIDNS, (unsigned long)tid));
	EXPECT_EQ(1, ioctl(nsfd, NS_GET_TGID_IN_PIDNS, (unsigned long)tid));
	EXPECT_EQ(-1, ioctl(nsfd, NS_GET_PID_IN_PIDNS,
			    (unsigned long)self->me));
	EXPECT_EQ(ESRCH, errno);
	EXPECT_EQ(-1, ioctl(nsfd, NS_GET_PID_FROM_PIDNS, 3UL));
	EXPECT_EQ(ESRCH, errno);

	EXPECT_EQ(-1, r.test_from) {
		TH_LOG("NS_GET_PID_FROM_PIDNS inside, of the test");
	}
	EXPECT_EQ(ESRCH, r.test_from_err);
	EXPECT_EQ(init, r.init_in);
	EXPECT_EQ(tid, r.tid_in);
	EXPECT_EQ(init, r.tgid_in);
	finish(_metadata, &self->init[0], self);
}

/*
 * After unshare(CLONE_NEWPID) the caller stays in its namespace, and
 * pid_for_children names nothing (ENOENT) until the first child has made
 * the new namespace live; then it names the child's namespace.
 */
TEST(pid_for_children_after_unshare)
{
	const char *kids_path = "/proc/self/ns/pid_for_children";
	char path[64], link[64], want[64];
	int hold[2], status;
	struct stat st;
	ino_t own, kids;
	pid_t child;
	ssize_t n;

	if (geteuid() != 0)
		SKIP(return, "CLONE_NEWPID needs CAP_SYS_ADMIN: run as root");
	own = ns_ino(AT_FDCWD, "/proc/self/ns/pid");
	ASSERT_NE((ino_t)0, own);
	ASSERT_EQ(0, unshare(CLONE_NEWPID)) {
		TH_LOG("unshare(CLONE_NEWPID): %s", strerror(errno));
	}
	EXPECT_EQ(own, ns_ino(AT_FDCWD, "/proc/self/ns/pid"));
	EXPECT_EQ(-1, readlink(kids_path, link, sizeof(link)));
	EXPECT_EQ(ENOENT, errno);
	EXPECT_EQ(-1, stat(kids_path, &st));
	EXPECT_EQ(ENOENT, errno);
	EXPECT_EQ(-1, open(kids_path, O_RDONLY | O_CLOEXEC));
	EXPECT_EQ(ENOENT, errno);

	ASSERT_EQ(0, pipe2(hold, O_CLOEXEC));
	child = fork();
	if (child == 0) {
		char c;

		ns_alarm(TASK_TIMEOUT);
		close(hold[1]);
		_exit(read(hold[0], &c, 1) == 0 && getpid() == 1 ? 0 : 1);
	}
	ASSERT_GT(child, 0);
	close(hold[0]);
	kids = ns_ino(AT_FDCWD, kids_path);
	EXPECT_NE((ino_t)0, kids);
	EXPECT_NE(own, kids);
	snprintf(path, sizeof(path), "/proc/%d/ns/pid", child);
	EXPECT_EQ(kids, ns_ino(AT_FDCWD, path));
	n = readlink(kids_path, link, sizeof(link) - 1);
	ASSERT_GT(n, 0);
	link[n] = '\0';
	snprintf(want, sizeof(want), "pid:[%lu]", (unsigned long)kids);
	EXPECT_STREQ(want, link);
	close(hold[1]);
	ASSERT_EQ(child, wait_timeout(child, &status, 0, 10000));
	EXPECT_EQ(0, status);
}

TEST_HARNESS_MAIN
