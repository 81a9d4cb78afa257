#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# /init of the test guest (busybox sh).  The mode comes as the first argument
# (kernel command line after "--"): shell, demo, test or bench.  test takes
# the suites to run as further arguments (default: every /tests/<suite>);
# bench takes DEPTHS (comma-separated), ROUNDS and SCALE for pidbench;
# scale takes WORKERS (comma-separated) and SECONDS for pidbench --scale;
# stress takes SECONDS, SEED and pidstress flags for /bin/pidns-stress.  Output meant for the
# host goes to the result channel, the second serial port /dev/ttyS1, and ends
# with "@@pidns done <status>"; then the guest powers off.  If this script
# dies, the kernel panics and QEMU exits (panic=-1, -no-reboot): the host
# sees no "done" line and counts the run as failed.

PATH=/bin:/sbin:/usr/bin:/usr/sbin
export PATH

# The initramfs's root is rootfs, which pivot_root(2) cannot leave: the
# clients suite's bubblewrap and crun need a root that is a mount of its
# own.  So every mode but the benchmarks (whose figures stay comparable)
# first moves to a tmpfs copy of the initramfs and starts again from there.
# copy_root: the tmpfs copy in /newroot; fails if any step fails.
copy_root() {
	/bin/busybox mkdir -p /newroot &&
		/bin/busybox mount -t tmpfs -o mode=0755 tmpfs /newroot || return 1
	for d in /*; do
		case $d in
		/newroot | /proc | /sys | /dev) ;;
		*) /bin/busybox cp -a "$d" /newroot/ || return 1 ;;
		esac
	done
	/bin/busybox mkdir -p /newroot/proc /newroot/sys /newroot/dev || return 1
	[ -x /newroot/init ] && [ -x /newroot/bin/busybox ]
}

tmpfs_failed=
if [ "$$" = 1 ] && [ -z "${pidns_tmpfs_root:-}" ]; then
	case ${1:-shell} in
	bench | scale) ;;
	*)
		if copy_root; then
			pidns_tmpfs_root=1
			export pidns_tmpfs_root
			exec /bin/busybox switch_root /newroot /init "$@"
		fi
		# Stay on rootfs, and say so: a test run reports it as a
		# failure (tmpfs_failed).
		echo "pidns-guest: the copy of the initramfs to a tmpfs root failed; staying on rootfs" >/dev/console
		/bin/busybox umount /newroot 2>/dev/null
		/bin/busybox rm -rf /newroot
		tmpfs_failed=1
		;;
	esac
fi

/bin/busybox --install -s /bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
# /dev/ptmx finds its devpts through /dev/pts: CRIU opens it in its checks.
mkdir -p /dev/pts
mount -t devpts devpts /dev/pts
mount -t tmpfs tmpfs /tmp

chan=/dev/ttyS1
stty -F "$chan" raw -echo 2>/dev/null

# Per test program, in seconds; the host has its own timeout for the whole run.
test_timeout=${pidns_test_timeout:-300}

# KUnit suites ran at boot, before this script; their KTAP is in the kernel
# log.  Hand each suite to the host as a test program of its own,
# kunit/<suite>, in the framing the host reads for /tests programs.
kunit_results() {
	dmesg | awk '
	{ sub(/^\[[^]]*\] ?/, "") }
	/^    # Subtest: / {
		# A suite that never closed crashed: it fails.
		if (suite != "")
			print "@@pidns end kunit/" suite " 1"
		suite = $3
		print "@@pidns begin kunit/" suite
		next
	}
	suite != "" && /^    1\.\.[0-9]+/ { print substr($0, 5); next }
	suite != "" && /^    (not )?ok [0-9]+ / { print substr($0, 5); next }
	suite != "" && /^(not )?ok [0-9]+ / {
		print "@@pidns end kunit/" suite " " ($1 == "ok" ? 0 : 1)
		suite = ""
	}
	END { if (suite != "") print "@@pidns end kunit/" suite " 1" }'
}

run_tests() {
	status=0
	if [ -n "$tmpfs_failed" ]; then
		echo "@@pidns begin guest/tmpfs-root"
		echo "1..1"
		echo "not ok 1 the initramfs could not be copied to a tmpfs root (see the console): bwrap and crun cannot pivot_root"
		echo "@@pidns end guest/tmpfs-root 1"
		status=1
	fi
	for s in "$@"; do
		case $s in
		'*' | kunit) kunit_results; break ;;
		esac
	done
	# Unquoted on purpose: a suite may be the pattern '*'.
	# shellcheck disable=SC2086
	for t in $(for s in "$@"; do echo /tests/$s/*; done); do
		if [ ! -f "$t" ] || [ ! -x "$t" ]; then
			continue
		fi
		# Tests that may oops an unfixed kernel, and the fault sweep,
		# run in a boot of their own, only when their suite is named.
		case " $* $t" in
		*" hostile "* | *" faults "*) ;;
		*/tests/hostile/* | */tests/faults/*) continue ;;
		esac
		name=${t#/tests/}
		echo "pidns-guest: running $name" >/dev/console
		echo "@@pidns begin $name"
		(cd "${t%/*}" && timeout -s KILL "$test_timeout" "$t")
		rc=$?
		echo "@@pidns end $name $rc"
		[ "$rc" -eq 0 ] || [ "$rc" -eq 4 ] || status=1
	done
	return "$status"
}

mode=${1:-shell}
case "$mode" in
shell)
	echo "pidns guest: busybox shell.  Leave with 'exit' (powers off) or Ctrl-a x."
	setsid cttyhack sh
	rc=$?
	;;
demo)
	/bin/nested-pids >"$chan" 2>&1
	rc=$?
	;;
test)
	shift
	[ "$#" -gt 0 ] || set -- '*'
	run_tests "$@" >"$chan" 2>&1
	rc=$?
	;;
bench)
	rc=0
	for d in $(echo "${2:-0}" | tr , ' '); do
		echo "pidns-guest: pidbench depth $d" >/dev/console
		/bench/pidbench "$d" "${3:-1}" "${4:-1}" >"$chan" 2>&1 || rc=1
	done
	# Memory per namespace; a kernel without PID namespaces says so in
	# a pidbench-nsmem error line, which is not a failed run.
	echo "pidns-guest: pidbench --mem ${5:-200}" >/dev/console
	timeout -s KILL 1200 /bench/pidbench --mem "${5:-200}" >"$chan" 2>&1 ||
		echo "pidbench-nsmem error status $?" >"$chan"
	;;
scale)
	rc=0
	for w in $(echo "${2:-1}" | tr , ' '); do
		echo "pidns-guest: pidbench --scale $w" >/dev/console
		/bench/pidbench --scale "$w" "${3:-5}" >"$chan" 2>&1 || rc=1
	done
	;;
stress)
	echo "pidns-guest: pidstress for ${2:-120}s, seed ${3:-0}" >/dev/console
	shift
	[ "$#" -ge 2 ] || set -- 120 0
	/bin/pidns-stress "$@" >"$chan" 2>&1
	rc=$?
	;;
*)
	echo "pidns-guest: unknown mode '$mode'" >"$chan"
	rc=2
	;;
esac
echo "@@pidns done $rc" >"$chan"
sync
poweroff -f
