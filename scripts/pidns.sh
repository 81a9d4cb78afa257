#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The front door: run the stages in order for one variant.
#   fetch -> apply -> config -> build -> initramfs -> boot -> results

set -euo pipefail

# shellcheck source=scripts/lib.sh disable=SC1091
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

usage() {
	cat <<EOF
Usage: $0 [-h] COMMAND

Commands:
  build   get the tree, apply the series, configure, build, make initramfs
  run     build, then boot: a busybox shell on a terminal, otherwise the
          nested PID namespace demo (exit status 0 when it succeeds)
  test    build, then run every selftest in the guest: TAP per test and
          the closing line "N passed, N failed[, N skipped]"
  smoke   build, then run only the sanity suite (fork, exec, wait, kill,
          threads, /proc, pidfd): proves a kernel builds and boots, and
          works where PID namespaces are not involved
  stress  build, then run pidstress in the guest for STRESS_SECONDS (120)
          with STRESS_SEED (random, printed); then check the console, the
          kmemleak report and the pid and pid_namespace object counts;
          STRESS_FLAGS=-k keeps a pidfd of a dead task open through the
          count check, to show that the check fails then

Environment:
  VARIANT=upstream|baseline|full   which kernel (default: full)
  PATCH=NNNN     the series through patch NNNN (overrides VARIANT)
  CONFIG=debug   add KASAN, lockdep, KMEMLEAK, UBSAN, fault injection...
                 (scripts/debug.config, scripts/faults.config)
  CONFIG=faults  the debug kernel; test runs the fail-nth sweep
                 (selftests/faults) alone, FAULT_SWEEP=short|full
  CONFIG=kcsan   KCSAN_STRICT (scripts/kcsan.config); KCSAN reports that
                 name no pid function are listed, not failed
  CONFIG=defconfig  x86_64_defconfig instead of tinyconfig, with the same
                 fragments: the series among x86's default options
  KSRC=/path     use this Linux 6.12.y tree instead of Debian's linux-source
  BUILD_DIR      trees, objects and logs (default: build/)
  ACCEL, BOOT_TIMEOUT, QEMU_MEM, QEMU_SMP, ICOUNT, KERNEL_ARGS: see
                 scripts/boot-guest.sh -h; JOBS, NO_CCACHE: scripts/build-kernel.sh -h

Logs: build/logs/<stamp>/ (build/logs/latest points at the newest run).
Exit status: 0 pass, 1 test failure, 2 setup or build error, 124 timeout.
EOF
}

build_all() {
	local repo s="$TOP/scripts"

	repo=$("$s/fetch-source.sh")
	"$s/apply-series.sh" "$repo"
	"$s/configure-kernel.sh"
	"$s/build-kernel.sh"
	"$s/make-initramfs.sh"
}

# merge_boots NAME: the channels and consoles of the main test boot and of
# the hostile one as one pair, LOG_DIR/{channel,console}-VARIANT-NAME.log;
# the guest finished only if both boots said so.
merge_boots() {
	local base=$LOG_DIR/channel-$VARIANT_NAME-test c=$LOG_DIR/console-$VARIANT_NAME-test
	local out=$LOG_DIR/channel-$VARIANT_NAME-$1.log

	grep -v '^@@pidns done ' "$base.log" "$base-hostile.log" -h >"$out" || true
	if grep -q '^@@pidns done ' "$base.log" &&
		grep -q '^@@pidns done ' "$base-hostile.log"; then
		grep -h '^@@pidns done ' "$base-hostile.log" >>"$out"
	fi
	cat "$c.log" "$c-hostile.log" >"$LOG_DIR/console-$VARIANT_NAME-$1.log"
}

run_tests() {
	local boot=0 boot2=0 results=0 name=test

	# CONFIG=faults is the sweep, on its own.
	[[ $CONFIG != faults ]] || TEST_SUITES=${TEST_SUITES:-faults}
	export TEST_SUITES

	"$TOP/scripts/boot-guest.sh" test || boot=$?
	[[ $boot -ne $EXIT_SETUP ]] || exit "$EXIT_SETUP"
	# Unless suites were named, the tests that may oops an unfixed kernel
	# (selftests/hostile) follow in a boot of their own: a crash there
	# stops that boot at once (oops=panic, -no-reboot) and costs no other
	# result.
	if [[ -z ${TEST_SUITES:-} || " $TEST_SUITES " == *" * "* ]]; then
		log "tests:    the hostile suite, in a boot of its own"
		TEST_SUITES=hostile BOOT_TAG=hostile "$TOP/scripts/boot-guest.sh" test || boot2=$?
		[[ $boot2 -ne $EXIT_SETUP ]] || exit "$EXIT_SETUP"
		[[ $boot -ne 0 ]] || boot=$boot2
		name=test-all
		merge_boots "$name"
	fi
	"$TOP/scripts/collect-results.sh" \
		"$LOG_DIR/channel-$VARIANT_NAME-$name.log" \
		"$LOG_DIR/console-$VARIANT_NAME-$name.log" || results=$?
	log "logs:     $LOG_DIR"
	[[ $boot -ne $EXIT_TIMEOUT ]] || exit "$EXIT_TIMEOUT"
	[[ $boot -eq 0 && $results -eq 0 ]] || exit "$EXIT_FAIL"
}

# run_stress: boot the stress mode; its lines show as they come.
run_stress() {
	local secs=${STRESS_SECONDS:-120} seed=${STRESS_SEED:-} status=0

	[[ $secs =~ ^[0-9]+$ && $secs -gt 0 ]] ||
		die "SECONDS='$secs': expected a number of seconds"
	[[ -n $seed ]] || seed=$(od -An -N4 -tu4 /dev/urandom | tr -d ' ')
	[[ $seed =~ ^(0[xX][0-9a-fA-F]+|[0-9]+)$ ]] ||
		die "SEED='$seed': expected a number"
	log "stress:   ${secs}s, seed $seed; the same run again: make stress SECONDS=$secs SEED=$seed VARIANT=$VARIANT CONFIG=$CONFIG"
	STRESS_ARGS="$secs $seed ${STRESS_FLAGS:-}" "$TOP/scripts/boot-guest.sh" stress || status=$?
	log "logs:     $LOG_DIR"
	[[ $status -ne $EXIT_SETUP && $status -ne $EXIT_TIMEOUT ]] || exit "$status"
	if [[ $status -ne 0 ]]; then
		log "stress:   FAILED on $VARIANT_NAME, seed $seed (see the lines above)"
		exit "$EXIT_FAIL"
	fi
	log "stress:   passed on $VARIANT_NAME, seed $seed"
}

main() {
	local cmd=${1:-}

	[[ $cmd != -h && $cmd != --help ]] || { usage; exit 0; }
	[[ $# -eq 1 ]] || { usage >&2; exit "$EXIT_SETUP"; }
	select_variant
	mkdir -p "$BUILD_DIR"
	exec 9>"$BUILD_DIR/.$VARIANT_NAME.lock"
	flock -n 9 || die "another run is using variant $VARIANT_NAME ($VDIR); wait for it to finish"
	log_dir
	log "pidns:    $cmd, variant $VARIANT_NAME, logs in $LOG_DIR"
	# Every command builds, and the initramfs carries the clients suite's
	# tools: the same packages for all of them.
	"$TOP/scripts/install-deps.sh" build boot clients
	case $cmd in
	build)
		build_all
		;;
	run)
		build_all
		if [[ -t 0 && -t 1 ]]; then
			"$TOP/scripts/boot-guest.sh" shell
		else
			"$TOP/scripts/boot-guest.sh" demo
		fi
		;;
	test)
		build_all
		run_tests
		;;
	smoke)
		build_all
		TEST_SUITES=sanity run_tests
		;;
	stress)
		build_all
		run_stress
		;;
	*)
		usage >&2
		exit "$EXIT_SETUP"
		;;
	esac
}

main "$@"
