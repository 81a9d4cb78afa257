#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Stage "boot": boot the variant's bzImage and initramfs under QEMU in one of
# three modes, and collect what the guest says.
#
# The console (ttyS0) goes to a log file (or the terminal, for the shell);
# the guest's result channel (ttyS1) goes to another.  The run fails when the
# guest never writes its "@@pidns done" line - a panic, a hang, a dead /init
# - or when the console shows a BUG, WARNING, KASAN, UBSAN, lockdep or RCU
# stall report.  A host-side timeout bounds every non-interactive run.

set -euo pipefail

# shellcheck source=scripts/lib.sh disable=SC1091
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

usage() {
	cat <<EOF
Usage: $0 [-h] [-n] MODE

Boot build/<variant> under QEMU.  MODE is one of
  shell   interactive busybox shell on this terminal (no timeout)
  demo    run the nested PID namespace demo, print its output
  test    run every selftest in the guest; the output is left in
          \$LOG_DIR/channel-<variant>-test.log for scripts/collect-results.sh
  bench   run pidbench (BENCH_ARGS="DEPTHS ROUNDS SCALE", depths
          comma-separated); output in \$LOG_DIR/channel-<variant>-bench.log
  scale   run pidbench --scale (BENCH_ARGS="WORKERS SECONDS", workers
          comma-separated); output in \$LOG_DIR/channel-<variant>-scale.log
  stress  run pidstress and the leak and object count checks
          (STRESS_ARGS="SECONDS SEED"); its lines are shown as they come

Options:
  -n      dry run: print the QEMU command and exit

Environment: VARIANT, PATCH, CONFIG, BUILD_DIR, LOG_DIR (see scripts/lib.sh),
  ACCEL         kvm or tcg (default: kvm only when /dev/kvm opens and the
                CPU shows vmx or svm, else tcg with -cpu max)
  BOOT_TIMEOUT  seconds before the guest is killed (default: 900, 300 for
                demo, four times that for CONFIG=debug, faults or kcsan;
                stress: its seconds plus 900, plus 1800 for those; none
                for shell)
  QEMU_MEM      guest memory in MiB (default: 512, 2048 for CONFIG=debug,
                faults or kcsan)
  QEMU_SMP      guest CPUs (default: 2)
  ICOUNT=1      -icount shift=0,sleep=off: guest time counts instructions
  KERNEL_ARGS   extra kernel command line arguments
  GUEST_TEST_TIMEOUT  seconds one test program may run in the guest
                (default 300, 1500 for CONFIG=debug, faults or kcsan)
  TEST_SUITES   test mode: the selftests/ suites to run, e.g. "sanity"
                (default: all but "hostile", which runs only when named)
  FAULT_SWEEP   CONFIG=faults: short (the operations CI sweeps) or full
                (default)
  BOOT_TAG      a word added to the log names, for a second boot of the
                same mode (console-<variant>-<mode>-<tag>.log)

Exit status: 0 the guest reported success (in test mode: reported at all),
1 it reported failure, died without reporting, or its console shows a
kernel error report; 2 setup error; 124 timeout.
EOF
}

# pick_accel: the QEMU accelerator arguments, honouring ACCEL.
pick_accel() {
	local accel=${ACCEL:-auto}

	if [[ $accel == auto ]]; then
		accel=tcg
		if [[ -r /dev/kvm && -w /dev/kvm ]] &&
			grep -qwE 'vmx|svm' /proc/cpuinfo; then
			accel=kvm
		fi
	fi
	case $accel in
	kvm)
		[[ -r /dev/kvm && -w /dev/kvm ]] || die "ACCEL=kvm, but /dev/kvm cannot be opened"
		ACCEL_ARGS=(-accel kvm -cpu host)
		;;
	tcg) ACCEL_ARGS=(-accel tcg -cpu max) ;;
	*) die "ACCEL='$accel': expected kvm or tcg" ;;
	esac
}

# follow chan mode pid: show the guest's channel while QEMU runs.
follow() {
	local chan=$1 mode=$2 pid=$3 line name st

	tail -n +1 -F --pid="$pid" "$chan" 2>/dev/null | while IFS= read -r line; do
		line=${line%$'\r'}
		case $mode:$line in
		test:"@@pidns begin "*)
			log "boot:     running ${line#@@pidns begin }" ;;
		test:"@@pidns end "*)
			read -r name st <<<"${line#@@pidns end }"
			log "boot:     finished $name (status $st)" ;;
		*:"@@pidns "*) ;;
		demo:* | stress:*) printf '%s\n' "$line" ;;
		esac
	done
}

# let_through console mode: say what console_badness let through, in a
# log of its own; under CONFIG=faults, the injected failures by operation
# and the function that met them.
let_through() {
	local out=$LOG_DIR/let-through-$VARIANT_NAME-$2${BOOT_TAG:+-$BOOT_TAG}.log n

	console_let_through "$1" >"$out"
	if [[ $CONFIG == faults ]]; then
		n=$(grep -c 'FAULT_INJECTION: forcing a failure' "$out" || true)
		log "console:  let through $n injected failure report(s) and $(grep -cE 'page allocation failure|vmalloc error|alloc_pages: ' "$out" || true) allocation warning(s) they caused ($out)"
		tr -d '\r' <"$1" | awk -f "$TOP/scripts/fault-sites.awk" >"$LOG_DIR/fault-sites-$VARIANT_NAME.txt"
		cat "$LOG_DIR/fault-sites-$VARIANT_NAME.txt"
	else
		n=$(grep -c 'BUG: KCSAN:' "$out" || true)
		log "console:  let through $n KCSAN report(s) that name no function of kernel/pid*.o ($out)"
		{ grep -h 'BUG: KCSAN:' "$out" || true; } | sed 's/^\[[ 0-9.]*\] //' |
			sort | uniq -c | sort -rn | head -n 20
	fi
}

main() {
	local dry=0 mode kernel initrd console chan timeout_s mem status=0
	local cmd append rc bad qpid fpid

	[[ ${1:-} != -h && ${1:-} != --help ]] || { usage; exit 0; }
	if [[ ${1:-} == -n ]]; then
		dry=1
		shift
	fi
	[[ $# -eq 1 ]] || { usage >&2; exit "$EXIT_SETUP"; }
	mode=$1
	case $mode in
	shell | demo | test | bench | scale | stress) ;;
	*) die "MODE='$mode': expected shell, demo, test, bench, scale or stress" ;;
	esac
	select_variant
	need_cmd qemu-system-x86_64 qemu-system-x86
	need_cmd timeout coreutils
	kernel=$OBJ/arch/x86/boot/bzImage
	initrd=$VDIR/initramfs.cpio
	[[ -f $kernel ]] || die "no kernel at $kernel; run scripts/build-kernel.sh first"
	[[ -f $initrd ]] || die "no initramfs at $initrd; run scripts/make-initramfs.sh first"

	pick_accel
	mem=${QEMU_MEM:-512}
	# A log buffer that holds a debug boot and KUnit's KTAP, which /init
	# reads back from it.
	append="console=ttyS0 panic=-1 oops=panic log_buf_len=4M ${KERNEL_ARGS:-}"
	if slow_config; then
		# KASAN, lockdep, kmemleak or KCSAN make a test program several
		# times slower under TCG; the kernel hands key=value
		# arguments it does not know to /init as environment.
		mem=${QEMU_MEM:-2048}
		append+=" pidns_test_timeout=${GUEST_TEST_TIMEOUT:-1500}"
	elif [[ -n ${GUEST_TEST_TIMEOUT:-} ]]; then
		append+=" pidns_test_timeout=$GUEST_TEST_TIMEOUT"
	fi
	append+=" -- $mode"
	if [[ $CONFIG == faults ]]; then
		[[ ${FAULT_SWEEP:-full} =~ ^(short|full)$ ]] ||
			die "FAULT_SWEEP='$FAULT_SWEEP': expected short or full"
		append="${append/ -- / pidns_fault_sweep=${FAULT_SWEEP:-full} -- }"
	fi
	[[ $mode != test ]] || append+=" ${TEST_SUITES:-}"
	[[ $mode != bench ]] || append+=" ${BENCH_ARGS:-0 1 1}"
	[[ $mode != scale ]] || append+=" ${BENCH_ARGS:-1,2 5}"
	if [[ $mode == stress || $CONFIG == faults ]]; then
		# Exact object counts: no per-CPU slabs for the pid caches.
		append="${append/ -- / slab_nomerge slab_debug=U,pid* -- }"
	fi
	[[ $mode != stress ]] || append+=" ${STRESS_ARGS:-120 0}"
	cmd=(qemu-system-x86_64 "${ACCEL_ARGS[@]}" -m "$mem" -smp "${QEMU_SMP:-2}"
		-nodefaults -display none -no-reboot
		-kernel "$kernel" -initrd "$initrd" -append "$append")
	[[ -z ${ICOUNT:-} ]] || cmd+=(-icount "shift=0,sleep=off")

	log_dir
	console=$LOG_DIR/console-$VARIANT_NAME-$mode${BOOT_TAG:+-$BOOT_TAG}.log
	chan=$LOG_DIR/channel-$VARIANT_NAME-$mode${BOOT_TAG:+-$BOOT_TAG}.log

	if [[ $mode == shell ]]; then
		cmd+=(-serial mon:stdio -serial "file:$chan")
		log "boot:     $(printf '%q ' "${cmd[@]}")"
		((dry == 0)) || exit 0
		log "boot:     leave the guest with 'exit' (it powers off) or Ctrl-a x"
		"${cmd[@]}"
		return
	fi

	timeout_s=300
	[[ $mode == demo ]] || timeout_s=900
	! slow_config || timeout_s=$((timeout_s * 4))
	if [[ $mode == stress ]]; then
		read -r timeout_s _ <<<"${STRESS_ARGS:-120}"
		[[ $timeout_s =~ ^[0-9]+$ ]] || die "STRESS_ARGS='${STRESS_ARGS:-}': expected SECONDS SEED"
		timeout_s=$((timeout_s + 900))
		! slow_config || timeout_s=$((timeout_s + 1800))
	fi
	timeout_s=${BOOT_TIMEOUT:-$timeout_s}
	[[ $timeout_s =~ ^[0-9]+$ ]] || die "BOOT_TIMEOUT='$timeout_s': expected seconds"
	cmd+=(-serial "file:$console" -serial "file:$chan")
	stage_begin boot "$VARIANT_NAME: $mode, ${ACCEL_ARGS[1]}, timeout ${timeout_s}s (console: $console)"
	log "boot:     $(printf '%q ' "${cmd[@]}")"
	((dry == 0)) || exit 0

	: >"$console"
	: >"$chan"
	timeout -k 10 "$timeout_s" "${cmd[@]}" </dev/null >>"$console" 2>&1 &
	qpid=$!
	trap 'kill "$qpid" 2>/dev/null || true' EXIT
	follow "$chan" "$mode" "$qpid" &
	fpid=$!
	wait "$qpid" || status=$?
	wait "$fpid" || true
	trap - EXIT

	rc=$(guest_done "$chan")
	bad=$(console_badness "$console")
	if [[ $status -eq 124 || $status -eq 137 ]]; then
		printf -- '--- last 30 console lines (%s) ---\n' "$console" >&2
		tail -n 30 "$console" | tr -d '\r' >&2
		printf -- '--- end of console ---\n' >&2
		die "$EXIT_TIMEOUT" "the guest did not finish within ${timeout_s}s (BOOT_TIMEOUT); killed"
	fi
	if [[ -z $rc ]]; then
		printf -- '--- last 30 console lines (%s) ---\n' "$console" >&2
		tail -n 30 "$console" | tr -d '\r' >&2
		printf -- '--- end of console ---\n' >&2
		die "$EXIT_FAIL" "the guest stopped without reporting a result (QEMU status $status): a panic or a dead /init, see above"
	fi
	[[ $CONFIG != faults && $CONFIG != kcsan ]] || let_through "$console" "$mode"
	if [[ -n $bad ]]; then
		printf -- '--- kernel error reports on the console (%s) ---\n' "$console" >&2
		printf '%s\n' "$bad" | head -n 20 >&2
		printf -- '--- end ---\n' >&2
		stage_end "guest status $rc, console NOT clean"
		exit "$EXIT_FAIL"
	fi
	stage_end "guest status $rc"
	# In test mode the guest's status only says some test failed:
	# scripts/collect-results.sh judges the tests one by one.
	[[ $rc -eq 0 || $mode == test ]] || exit "$EXIT_FAIL"
}

main "$@"
