// SPDX-License-Identifier: GPL-2.0
/*
 * pidstress sequencer: random steps from a seed.  A batch runs as a plain
 * task of the stress namespace or as the init of a namespace of its own,
 * as root or, one batch in three, as a hostile user would: nobody, in a
 * user namespace of its own and a PID namespace that it owns, as that
 * namespace's init or a task below it.  Each step is one of
 *
 *  - a row of selftests/pidns/bad_input.h: the errno must be the table's;
 *  - clone3() with random flags, exit signal, set_tid array, size and
 *    argument pointer: the result must be a success or an errno from the
 *    set the syscall documents, a success must give the child the numbers
 *    set_tid asked for, and CLONE_NEWPID|CLONE_THREAD must never succeed;
 *  - a write to ns_last_pid, valid or not: EINVAL for the invalid ones, and
 *    after a valid one the next fork gets a pid just above it;
 *  - setns() with a random fd (namespace of the wrong type, pipe, pidfd,
 *    closed) and a random nstype: success or EINVAL, EBADF, EPERM.
 *
 * An unprivileged batch may also see EPERM from clone3(): a set_tid at a
 * level its user namespace does not own.
 *
 * The same seed gives the same steps ("pidstress --replay seq:SEED").
 */
#define _GNU_SOURCE
#include <linux/sched.h>

#include "stress.h"
/* A debug kernel under TCG and this load is slow: give the rows time. */
#define BI_TIMEOUT 120
#include "bad_input.h"
#include "unpriv.h"

#define NS_LAST_PID	"/proc/sys/kernel/ns_last_pid"

/* struct clone_args as of CLONE_ARGS_SIZE_VER2, whatever libc has. */
struct clone3_args {
	uint64_t flags, pidfd, child_tid, parent_tid, exit_signal;
	uint64_t stack, stack_size, tls, set_tid, set_tid_size, cgroup;
};

/*
 * clone3_exit_child - clone3() whose child, whatever the flags (CLONE_VM
 * without a stack, CLONE_THREAD, CLONE_VFORK), exits at once without
 * touching memory: the parent gets the raw result, a pid or -errno.
 */
static long clone3_exit_child(void *args, size_t size)
{
	long ret;

	asm volatile("syscall\n\t"
		     "test %%rax, %%rax\n\t"
		     "jnz 1f\n\t"
		     "mov $60, %%eax\n\t"	/* SYS_exit */
		     "xor %%edi, %%edi\n\t"
		     "syscall\n\t"
		     "1:"
		     : "=a"(ret)
		     : "0"((long)SYS_clone3), "D"(args), "S"(size)
		     : "rcx", "r11", "memory");
	return ret;
}

struct seq {
	struct ctx *c;
	int level;		/* of the batch's namespace */
	bool init;		/* the batch is its namespace's init */
	bool unpriv;		/* nobody, in a user namespace of its own */
	unsigned int step;
	int fds[12];
	unsigned int nfds;
};

static enum iter_result seq_row(struct seq *s)
{
	const struct bad_input *b = &bad_inputs[rng_below(&s->c->rng, BAD_INPUTS)];
	int err = b->run();

	if (err == -1)
		return ITER_OK;
	if (err != b->err)
		return fail(s->c, "step %u: %s with %s: %s, want %s", s->step,
			    b->call, b->arg, err ? strerror(err) : "success",
			    strerror(b->err));
	return ITER_OK;
}

static bool clone3_errno_ok(const struct seq *s, int err)
{
	switch (err) {
	case EPERM:
		return s->unpriv;
	case EINVAL:
	case EFAULT:
	case E2BIG:
	case EEXIST:
	case ENOSPC:
	case EAGAIN:
	case ENOMEM:
	case EBADF:
		return true;
	}
	return false;
}

static pid_t random_tid(struct seq *s)
{
	struct rng *r = &s->c->rng;
	int pid_max = s->c->pid_max;

	switch (rng_below(r, 8)) {
	case 0:
		return 1;
	case 1:
		return 0;
	case 2:
		return -1;
	case 3:
		return pid_max;
	case 4:
		return pid_max - 1 - rng_below(r, 100);
	default:
		return 2 + rng_below(r, pid_max - 2);
	}
}

static enum iter_result seq_clone3(struct seq *s)
{
	static const uint64_t pool[] = {
		CLONE_NEWPID, CLONE_THREAD, CLONE_SIGHAND, CLONE_VM,
		CLONE_PARENT, CLONE_PIDFD, CLONE_NEWUSER, CLONE_CLEAR_SIGHAND,
		CLONE_FILES, CLONE_VFORK, CLONE_PARENT_SETTID,
		CLONE_CHILD_CLEARTID,
	};
	static char big[4096 + 64];
	struct rng *r = &s->c->rng;
	struct clone3_args a = { 0 };
	pid_t tids[MAX_LEVEL + 4];
	int pidfd = -1, ptid = 0, ctid = 0, child_level, status;
	unsigned int i, n = 0;
	size_t size = CLONE_ARGS_SIZE_VER2;
	void *argp = &a;
	long ret;

	for (i = 0; i < sizeof(pool) / sizeof(pool[0]); i++)
		if (rng_chance(r, 4))
			a.flags |= pool[i];
	if (rng_chance(r, 32))
		a.flags |= 1ULL << rng_below(r, 64);
	switch (rng_below(r, 8)) {
	case 5:
		a.exit_signal = 0;
		break;
	case 6:
		a.exit_signal = SIGUSR1;
		break;
	case 7:
		a.exit_signal = rng_chance(r, 2) ? 65 : 1ULL << 40;
		break;
	default:
		a.exit_signal = SIGCHLD;
	}
	if (a.flags & CLONE_PIDFD)
		a.pidfd = rng_chance(r, 8) ? 8 : (uintptr_t)&pidfd;
	if (a.flags & CLONE_PARENT_SETTID)
		a.parent_tid = (uintptr_t)&ptid;
	if (a.flags & CLONE_CHILD_CLEARTID)
		a.child_tid = (uintptr_t)&ctid;
	child_level = s->level + !!(a.flags & CLONE_NEWPID);
	if (rng_chance(r, 2)) {
		n = rng_chance(r, 8) ? rng_below(r, MAX_LEVEL + 3) :
				       1 + rng_below(r, child_level + 1);
		for (i = 0; i < n; i++)
			tids[i] = random_tid(s);
		/* A new namespace's first task can only be pid 1 there. */
		if ((a.flags & CLONE_NEWPID) && n && !rng_chance(r, 4))
			tids[0] = 1;
		a.set_tid = rng_chance(r, 16) ? 16 : (uintptr_t)tids;
		a.set_tid_size = n;
		if (rng_chance(r, 16))
			a.set_tid = 0;
	} else if (rng_chance(r, 16)) {
		a.set_tid = (uintptr_t)tids;
	}
	switch (rng_below(r, 16)) {
	case 0:
		size = CLONE_ARGS_SIZE_VER0;
		break;
	case 1:
		size = CLONE_ARGS_SIZE_VER1;
		break;
	case 2:
		size = rng_below(r, CLONE_ARGS_SIZE_VER0);
		break;
	case 3:
		memset(big, 0, sizeof(big));
		memcpy(big, &a, sizeof(a));
		big[sizeof(big) - 1] = rng_chance(r, 2);
		argp = big;
		size = sizeof(big);
		break;
	}
	if (rng_chance(r, 32))
		argp = rng_chance(r, 2) ? NULL : (void *)0xffff888000000000UL;

	ret = clone3_exit_child(argp, size);
	if (ret < 0) {
		if (!clone3_errno_ok(s, -ret))
			return fail(s->c, "step %u: clone3(flags %#llx, exit_signal %llu, set_tid_size %u, size %zu): %s",
				    s->step, (unsigned long long)a.flags,
				    (unsigned long long)a.exit_signal, n, size,
				    strerror(-ret));
		return ITER_OK;
	}
	if ((a.flags & (CLONE_NEWPID | CLONE_THREAD)) ==
	    (CLONE_NEWPID | CLONE_THREAD))
		return fail(s->c, "step %u: clone3(CLONE_NEWPID | CLONE_THREAD) succeeded",
			    s->step);
	/* The number in our namespace is set_tid[child_level - level]. */
	i = child_level - s->level;
	if (argp == &a && size >= CLONE_ARGS_SIZE_VER1 && a.set_tid && n > i && tids[i] != ret)
		return fail(s->c, "step %u: clone3 with set_tid[%u] = %d gave pid %ld",
			    s->step, i, tids[i], ret);
	if ((a.flags & CLONE_PARENT_SETTID) && argp == &a && ptid != ret)
		return fail(s->c, "step %u: CLONE_PARENT_SETTID stored %d, clone3 returned %ld",
			    s->step, ptid, ret);
	if (pidfd >= 0)
		close(pidfd);
	if (a.flags & (CLONE_THREAD | CLONE_PARENT))
		return ITER_OK;		/* not ours to reap */
	/*
	 * A new namespace's init that shares our signal handlers
	 * (CLONE_SIGHAND) sets SIGCHLD to SIG_IGN for both of us when it
	 * exits, in zap_pid_ns_processes(), so it may have been reaped on
	 * its own: mainline does the same.  Undo it for the next steps.
	 */
	if ((a.flags & (CLONE_NEWPID | CLONE_SIGHAND)) ==
	    (CLONE_NEWPID | CLONE_SIGHAND)) {
		if (wait_timeout(ret, &status, __WALL, 60 * 1000) < 0 &&
		    errno == ECHILD)
			status = 0;
		signal(SIGCHLD, SIG_DFL);
	} else if (wait_timeout(ret, &status, __WALL, 60 * 1000) != ret) {
		kill_and_reap(ret);
		return fail(s->c, "step %u: waiting for the child %ld of clone3(flags %#llx, exit_signal %llu, set_tid_size %u, size %zu): %s",
			    s->step, ret, (unsigned long long)a.flags,
			    (unsigned long long)a.exit_signal, n, size,
			    strerror(errno));
	}
	if (!WIFEXITED(status) || WEXITSTATUS(status))
		return fail(s->c, "step %u: the clone3 child ended with %#x",
			    s->step, status);
	return ITER_OK;
}

/*
 * seq_last_pid - write ns_last_pid.  Only a batch that is its namespace's
 * init does: elsewhere the write would move the stress namespace's cursor
 * under the other workers, which is legal but makes nothing checkable.
 */
static enum iter_result seq_last_pid(struct seq *s)
{
	struct rng *r = &s->c->rng;
	int pid_max = s->c->pid_max, fd, v = 0, len, err, status;
	bool valid = false;
	char buf[32];
	pid_t pid;

	switch (rng_below(r, 6)) {
	case 0:
		len = snprintf(buf, sizeof(buf), "-1");
		break;
	case 1:
		len = snprintf(buf, sizeof(buf), "%d", pid_max + 1 +
			       (int)rng_below(r, 1000));
		break;
	case 2:
		len = snprintf(buf, sizeof(buf), "pid");
		break;
	default:
		v = rng_below(r, pid_max + 1);
		len = snprintf(buf, sizeof(buf), "%d", v);
		valid = true;
	}
	fd = open(NS_LAST_PID, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return fail(s->c, "step %u: open %s: %s", s->step, NS_LAST_PID,
			    strerror(errno));
	err = write(fd, buf, len) == len ? 0 : errno;
	close(fd);
	if (!valid)
		return err == EINVAL ? ITER_OK :
			fail(s->c, "step %u: ns_last_pid \"%s\": %s, want EINVAL",
			     s->step, buf, err ? strerror(err) : "accepted");
	if (err)
		return fail(s->c, "step %u: ns_last_pid %d (pid_max %d): %s",
			    s->step, v, pid_max, strerror(err));
	if (v + 32 >= pid_max)
		return ITER_OK;
	pid = fork();
	if (pid < 0)
		return busy_errno(errno) ? ITER_OK :
			fail(s->c, "step %u: fork: %s", s->step, strerror(errno));
	if (pid == 0)
		_exit(0);
	if (wait_child(s->c, pid, &status, 60))
		return ITER_FAILED;
	/* Threads of earlier steps may still hold a number or two. */
	if (pid <= v || pid > v + 16)
		return fail(s->c, "step %u: after ns_last_pid %d the next fork got pid %d",
			    s->step, v, pid);
	return ITER_OK;
}

static void seq_open_fds(struct seq *s)
{
	static const char *const paths[] = {
		"/proc/self/ns/pid", "/proc/self/ns/pid_for_children",
		"/proc/self/ns/net", "/proc/self/ns/mnt", "/proc/self/ns/uts",
		"/proc/self/ns/user", "/dev/console",
	};
	int p[2];
	unsigned int i;

	for (i = 0; i < sizeof(paths) / sizeof(paths[0]); i++)
		s->fds[s->nfds++] = open(paths[i], O_RDONLY | O_CLOEXEC);
	if (!pipe(p)) {
		s->fds[s->nfds++] = p[0];
		close(p[1]);
	}
	s->fds[s->nfds++] = raw_pidfd_open(getpid(), 0);
	s->fds[s->nfds++] = -1;
	s->fds[s->nfds++] = 999;
}

static enum iter_result seq_setns(struct seq *s)
{
	static const int types[] = {
		0, CLONE_NEWPID, CLONE_NEWNET, CLONE_NEWNS, CLONE_NEWUSER,
		CLONE_NEWUTS, CLONE_NEWPID | CLONE_NEWUTS, -1,
	};
	struct rng *r = &s->c->rng;
	int fd = s->fds[rng_below(r, s->nfds)];
	int type = types[rng_below(r, sizeof(types) / sizeof(types[0]))];

	if (!setns(fd, type))
		return ITER_OK;
	switch (errno) {
	case EINVAL:
	case EBADF:
	case EPERM:
		return ITER_OK;
	}
	return fail(s->c, "step %u: setns(fd %d, %#x): %s", s->step, fd, type,
		    strerror(errno));
}

static enum iter_result seq_batch(struct ctx *c, int level, bool init,
				   bool unpriv)
{
	struct seq s = { .c = c, .level = level, .init = init, .unpriv = unpriv };
	unsigned int steps = 10 + rng_below(&c->rng, 40);
	enum iter_result ret = ITER_OK;

	signal(SIGUSR1, SIG_IGN);
	bi_proc_level = STRESS_LEVEL;
	seq_open_fds(&s);
	for (s.step = 0; ret == ITER_OK && s.step < steps; s.step++) {
		switch (rng_below(&c->rng, 8)) {
		case 0:
		case 1:
		case 2:
			ret = seq_row(&s);
			break;
		case 3:
		case 4:
		case 5:
			ret = seq_clone3(&s);
			break;
		case 6:
			if (s.init)
				ret = seq_last_pid(&s);
			break;
		default:
			ret = seq_setns(&s);
		}
		/* Children made with exit_signal 0 or SIGUSR1 are ours too. */
		while (waitpid(-1, NULL, __WALL | WNOHANG) > 0)
			;
	}
	return ret;
}

/* wait_batch - the iteration result a batch's child passed up. */
static int wait_batch(struct ctx *c, pid_t pid, const char *what)
{
	int status;

	if (pid < 0)
		return busy_errno(errno) ? ITER_BUSY :
			fail(c, "an unprivileged batch: %s: %s", what,
			     strerror(errno));
	if (wait_child(c, pid, &status, 300))
		return ITER_FAILED;
	return WIFEXITED(status) ? WEXITSTATUS(status) : ITER_FAILED;
}

/*
 * unpriv_batch - in a child: become nobody in a user namespace of its own,
 * then run the batch in a PID namespace that user namespace owns, as its
 * init if @init, else in a child of the init.  (In the stress namespace,
 * which the initial user namespace owns, ns_last_pid would refuse every
 * write with EPERM before reading it.)
 */
static int unpriv_batch(struct ctx *c, bool init)
{
	pid_t pid;
	int ret;

	ret = become_unprivileged();
	if (ret)
		return fail(c, "an unprivileged batch: could not become nobody in a user namespace (%d)",
			    ret);
	pid = fork_newpid();
	if (pid == 0 && init)
		_exit(seq_batch(c, STRESS_LEVEL + 1, true, true));
	if (pid == 0) {
		pid = fork();
		if (pid == 0)
			_exit(seq_batch(c, STRESS_LEVEL + 1, false, true));
		_exit(wait_batch(c, pid, "fork"));
	}
	return wait_batch(c, pid, "clone(CLONE_NEWPID)");
}

enum iter_result seq_iter(struct ctx *c)
{
	bool init = rng_chance(&c->rng, 2);
	bool unpriv = rng_chance(&c->rng, 3);
	int status;
	pid_t pid;

	pid = init && !unpriv ? fork_newpid() : fork();
	if (pid < 0)
		return busy_errno(errno) ? ITER_BUSY :
			fail(c, "fork: %s", strerror(errno));
	if (pid == 0 && unpriv)
		_exit(unpriv_batch(c, init));
	if (pid == 0)
		_exit(seq_batch(c, STRESS_LEVEL + init, init, false));
	if (wait_child(c, pid, &status, 300))
		return ITER_FAILED;
	/* The batch's CLONE_PARENT children are ours. */
	reap_all(2000);
	return child_result(c, "a sequencer batch", status);
}
