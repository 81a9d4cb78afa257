// SPDX-License-Identifier: GPL-2.0
/*
 * forkwait - an independent check of make bench, by hand.
 *
 * Written apart from selftests/bench/pidbench.c to check its numbers: as
 * the guest's /init, it builds a chain of 31 nested PID namespaces (each
 * level executing /init afresh), and at depth 0 and at depth 31 runs five
 * rounds of 200 fork+exit+wait in a mount namespace of its own with a
 * hundred sleeping children, then powers off.  Under QEMU with
 * -icount shift=0,sleep=off a nanosecond of CLOCK_MONOTONIC is one guest
 * instruction.
 *
 *   gcc -O2 -static -o init bench/hand/forkwait.c
 *   printf 'dir /dev 0755 0 0\nnod /dev/console 0600 0 0 c 5 1\nfile /init init 0755 0 0\n' >list
 *   build/full/gen_init_cpio list >hand.cpio
 *   qemu-system-x86_64 -accel tcg -cpu max -icount shift=0,sleep=off -m 512 \
 *       -smp 1 -nodefaults -display none -no-reboot \
 *       -kernel build/upstream/obj/arch/x86/boot/bzImage -initrd hand.cpio \
 *       -append "console=ttyS0 panic=-1 slab_nomerge" -serial stdio
 */
#define _GNU_SOURCE
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <sys/reboot.h>

static long long ns(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1000000000LL + t.tv_nsec;
}

int main(int argc, char **argv)
{
	int level = argc > 1 ? atoi(argv[1]) : 0;
	int depth = argc > 2 ? atoi(argv[2]) : -1;
	char a[16], b[16];

	if (depth < 0) {	/* as /init: run depth 0 and 31, then power off */
		int ds[] = { 0, 31 };
		for (int i = 0; i < 2; i++) {
			pid_t p = fork();
			if (p == 0) {
				snprintf(b, sizeof(b), "%d", ds[i]);
				execl("/init", "/init", "0", b, NULL);
				_exit(1);
			}
			waitpid(p, NULL, 0);
		}
		reboot(RB_POWER_OFF);
		return 0;
	}
	if (level < depth) {
		pid_t p = syscall(SYS_clone, CLONE_NEWPID | SIGCHLD, 0, 0, 0, 0);
		if (p == 0) {
			snprintf(a, sizeof(a), "%d", level + 1);
			snprintf(b, sizeof(b), "%d", depth);
			execl("/init", "/init", a, b, NULL);
			_exit(1);
		}
		waitpid(p, NULL, 0);
		_exit(0);
	}
	/* In a mount namespace of its own, as pidbench measures. */
	if (unshare(CLONE_NEWNS))
		perror("unshare");
	/* A hundred sleepers, as pidbench keeps in the namespace it measures. */
	for (int i = 0; i < 100; i++)
		if (fork() == 0)
			for (;;)
				pause();
	for (int r = 0; r < 5; r++) {
		int n = 200;
		long long t0 = ns();
		for (int i = 0; i < n; i++) {
			pid_t p = fork();
			if (p == 0)
				_exit(0);
			waitpid(p, NULL, 0);
		}
		printf("hand depth %d round %d: %lld instructions per fork+exit+wait\n", depth, r, (ns() - t0) / n);
	}
	fflush(stdout);
	_exit(0);
}
