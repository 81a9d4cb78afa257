// SPDX-License-Identifier: GPL-2.0
/*
 * reboot(2) in a PID namespace ends the namespace, not the machine.
 * RESTART and RESTART2 kill the namespace's init, whose wait status then
 * says killed by SIGHUP; POWER_OFF and HALT say SIGINT.  The caller need
 * not be init: reboot() does not return to any task of the namespace that
 * calls it, and init dies all the same, with every other task.  CAD_ON
 * and CAD_OFF are EINVAL in a namespace, and without CAP_SYS_BOOT
 * reboot() is EPERM; init lives on.
 *
 * In the root namespace reboot() would power the guest off: every call
 * here goes through ns_reboot(), which makes it only in a task that is
 * init or init's child in a namespace other than the test's.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <linux/reboot.h>

#include "pidns_util.h"
#include "kselftest_harness.h"

/* Seconds any task of a test may live. */
#define TASK_TIMEOUT 20

/* The errno ns_reboot() gives when it refuses to call reboot(). */
#define NOT_IN_TEST_NS ECANCELED

/* The test's pid, set before it starts a namespace: no task inside has it. */
static pid_t test_pid = -1;

/*
 * ns_reboot - reboot(@cmd), but only in a task that is pid 1, or a child
 * of pid 1, of a PID namespace that is not @test_ns, the test's, and in
 * which the test's pid names no task.  -1 with errno NOT_IN_TEST_NS if it
 * refuses; otherwise what reboot() does.
 */
static long ns_reboot(ino_t test_ns, unsigned int cmd)
{
	ino_t ns = ns_ino(AT_FDCWD, "/proc/self/ns/pid");

	if (!test_ns || !ns || ns == test_ns ||
	    (getpid() != 1 && getppid() != 1) || test_pid <= 2 ||
	    kill(test_pid, 0) == 0 || errno != ESRCH) {
		errno = NOT_IN_TEST_NS;
		return -1;
	}
	return syscall(SYS_reboot, LINUX_REBOOT_MAGIC1, LINUX_REBOOT_MAGIC2,
		       cmd, cmd == LINUX_REBOOT_CMD_RESTART2 ? "pidns" : NULL);
}

FIXTURE(rb) {
	ino_t test_ns;		/* the test's PID namespace */
	pid_t init;
	int rep[2];		/* errnos of reboot() calls that returned */
};

FIXTURE_VARIANT(rb) {
	unsigned int cmd;
	int sig;		/* what init's wait status should say */
};

FIXTURE_VARIANT_ADD(rb, restart) {
	.cmd = LINUX_REBOOT_CMD_RESTART,
	.sig = SIGHUP,
};

FIXTURE_VARIANT_ADD(rb, restart2) {
	.cmd = LINUX_REBOOT_CMD_RESTART2,
	.sig = SIGHUP,
};

FIXTURE_VARIANT_ADD(rb, power_off) {
	.cmd = LINUX_REBOOT_CMD_POWER_OFF,
	.sig = SIGINT,
};

FIXTURE_VARIANT_ADD(rb, halt) {
	.cmd = LINUX_REBOOT_CMD_HALT,
	.sig = SIGINT,
};

/* The setup, teardown and checks the two fixtures share. */
static void setup_common(struct __test_metadata *_metadata, ino_t *test_ns,
			 pid_t *init, int rep[2])
{
	*init = -1;
	rep[0] = rep[1] = -1;
	if (geteuid() != 0)
		SKIP(return, "CLONE_NEWPID needs CAP_SYS_ADMIN: run as root");
	test_pid = getpid();
	*test_ns = ns_ino(AT_FDCWD, "/proc/self/ns/pid");
	ASSERT_NE((ino_t)0, *test_ns) {
		TH_LOG("/proc/self/ns/pid: %s", strerror(errno));
	}
	ASSERT_EQ(0, pipe2(rep, O_CLOEXEC));
}

static void teardown_common(pid_t init, int rep[2])
{
	kill_and_reap(init);
	if (rep[0] >= 0)
		close(rep[0]);
	if (rep[1] >= 0)
		close(rep[1]);
}

FIXTURE_SETUP(rb)
{
	setup_common(_metadata, &self->test_ns, &self->init, self->rep);
}

FIXTURE_TEARDOWN(rb)
{
	teardown_common(self->init, self->rep);
}

/* start_init - fork a namespace's init running fn(@test_ns, @cmd, @rep). */
static pid_t start_init(struct __test_metadata *_metadata, int rep[2],
			ino_t test_ns, unsigned int cmd,
			int (*fn)(ino_t test_ns, unsigned int cmd, int rep))
{
	pid_t pid = fork_newpid();

	if (pid == 0) {
		ns_alarm(TASK_TIMEOUT);
		close(rep[0]);
		_exit(fn(test_ns, cmd, rep[1]));
	}
	ASSERT_GT(pid, 0) {
		TH_LOG("clone(CLONE_NEWPID): %s", strerror(errno));
	}
	close(rep[1]);
	rep[1] = -1;
	return pid;
}

/* call_reboot - ns_reboot(@cmd); if it returns, report errno on @rep. */
static int call_reboot(ino_t test_ns, unsigned int cmd, int rep)
{
	int err;

	ns_reboot(test_ns, cmd);
	err = errno;
	write_full(rep, &err, sizeof(err));
	return 1;
}

/* A task that stays until the namespace ends. */
static pid_t fork_sleeper(void)
{
	pid_t pid = fork();

	if (pid == 0) {
		for (;;)
			pause();
	}
	return pid;
}

/* Init, with a child, calls reboot(). */
static int init_reboots(ino_t test_ns, unsigned int cmd, int rep)
{
	if (fork_sleeper() < 0)
		return 1;
	return call_reboot(test_ns, cmd, rep);
}

/* Init's child calls reboot(); init waits for the end. */
static int child_reboots(ino_t test_ns, unsigned int cmd, int rep)
{
	pid_t pid = fork();

	if (pid == 0)
		_exit(call_reboot(test_ns, cmd, rep));
	if (pid < 0)
		return 1;
	for (;;)
		pause();
}

/*
 * expect_ended - init died of @sig, and rep is at end of file with no
 * errno on it: no reboot() returned, and every task holding rep is gone.
 */
static void expect_ended(struct __test_metadata *_metadata, pid_t *init,
			 int rep, int sig)
{
	int status, err;

	ASSERT_EQ(*init, wait_timeout(*init, &status, 0, 10000));
	*init = -1;
	EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == sig) {
		TH_LOG("init's wait status 0x%x, not killed by %s", status,
		       strsignal(sig));
	}
	err = 0;
	EXPECT_NE(0, read_timeout(rep, &err, sizeof(err), 5000)) {
		TH_LOG("reboot() returned: %s", strerror(err));
	}
	EXPECT_EQ(ENODATA, errno) {
		TH_LOG("a task of the namespace outlived its init");
	}
}

/* Init's reboot() ends the namespace, and init's wait status says how. */
TEST_F(rb, from_init)
{
	self->init = start_init(_metadata, self->rep, self->test_ns,
				variant->cmd, init_reboots);
	expect_ended(_metadata, &self->init, self->rep[0], variant->sig);
}

/* So does a reboot() by another task of the namespace, which it ends. */
TEST_F(rb, from_child_of_init)
{
	self->init = start_init(_metadata, self->rep, self->test_ns,
				variant->cmd, child_reboots);
	expect_ended(_metadata, &self->init, self->rep[0], variant->sig);
}

FIXTURE(rbother) {
	ino_t test_ns;
	pid_t init;
	int rep[2];
};

FIXTURE_SETUP(rbother)
{
	setup_common(_metadata, &self->test_ns, &self->init, self->rep);
}

FIXTURE_TEARDOWN(rbother)
{
	teardown_common(self->init, self->rep);
}

/* Init tries CAD_ON and CAD_OFF; it reports both errnos, and lives. */
static int init_sets_cad(ino_t test_ns, unsigned int cmd, int rep)
{
	int err[2] = { 0, 0 };

	if (ns_reboot(test_ns, LINUX_REBOOT_CMD_CAD_ON) < 0)
		err[0] = errno;
	if (ns_reboot(test_ns, LINUX_REBOOT_CMD_CAD_OFF) < 0)
		err[1] = errno;
	return write_full(rep, err, sizeof(err)) ? 1 : 0;
}

/* finish_init - init must exit 0: the namespace did not end early. */
static void finish_init(struct __test_metadata *_metadata, pid_t *init)
{
	int status;

	ASSERT_EQ(*init, wait_timeout(*init, &status, 0, 10000));
	*init = -1;
	EXPECT_EQ(0, status) {
		TH_LOG("init's wait status 0x%x", status);
	}
}

/* In a namespace, CAD_ON and CAD_OFF are EINVAL. */
TEST_F(rbother, cad_is_einval)
{
	int err[2];

	self->init = start_init(_metadata, self->rep, self->test_ns, 0,
				init_sets_cad);
	ASSERT_EQ(0, read_timeout(self->rep[0], err, sizeof(err), 10000));
	EXPECT_EQ(EINVAL, err[0]) {
		TH_LOG("CAD_ON in a namespace: %s", strerror(err[0]));
	}
	EXPECT_EQ(EINVAL, err[1]) {
		TH_LOG("CAD_OFF in a namespace: %s", strerror(err[1]));
	}
	finish_init(_metadata, &self->init);
}

/* Init's child drops to nobody and calls reboot(RESTART). */
static int unprivileged_reboots(ino_t test_ns, unsigned int cmd, int rep)
{
	int status, err;
	pid_t pid;

	pid = fork();
	if (pid == 0) {
		if (setresgid(65534, 65534, 65534) ||
		    setresuid(65534, 65534, 65534))
			_exit(1);
		ns_reboot(test_ns, LINUX_REBOOT_CMD_RESTART);
		err = errno;
		_exit(write_full(rep, &err, sizeof(err)) ? 1 : 0);
	}
	if (pid < 0 || waitpid(pid, &status, 0) != pid)
		return 1;
	return status ? 1 : 0;
}

/* Without CAP_SYS_BOOT, reboot() in a namespace is EPERM, and ends nothing. */
TEST_F(rbother, unprivileged_is_eperm)
{
	int err;

	self->init = start_init(_metadata, self->rep, self->test_ns, 0,
				unprivileged_reboots);
	ASSERT_EQ(0, read_timeout(self->rep[0], &err, sizeof(err), 10000));
	EXPECT_EQ(EPERM, err) {
		TH_LOG("reboot() as nobody: %s", strerror(err));
	}
	finish_init(_metadata, &self->init);
}

TEST_HARNESS_MAIN
