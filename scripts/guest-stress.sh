#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# The guest side of "make stress" (busybox sh, run by /init as
# /bin/pidns-stress SECONDS SEED [PIDSTRESS FLAGS...]): start kmemleak afresh, run
# /stress/pidstress (which also checks that the live struct pid and
# pid_namespace objects come back to their count), then check that
# kmemleak reports nothing.  Every line meant for the host starts with
# "stress:" or "pidstress:"; the exit status is 0 when every check passed,
# 1 otherwise.

secs=${1:-120}
seed=${2:-0}
[ "$#" -ge 2 ] && shift 2
kml=/sys/kernel/debug/kmemleak
status=0

say() { echo "stress: $*"; }

# kmemleak, and the slab allocation traces pidstress shows on a mismatch.
mount -t debugfs debugfs /sys/kernel/debug 2>/dev/null

leaks=skip
if [ -e "$kml" ]; then
	# Boot-time suspects are not ours: scan, then mark them all seen.
	if echo scan >"$kml" 2>/dev/null && echo clear >"$kml"; then
		leaks=on
		say "kmemleak: on, boot-time suspects cleared"
	else
		say "kmemleak: FAIL, $kml refuses commands: kmemleak turned itself off (see the console)"
		status=1
	fi
else
	say "kmemleak: SKIP, not in this kernel (CONFIG=debug has it)"
fi

say "running pidstress for ${secs}s, seed $seed"
/stress/pidstress -t "$secs" -s "$seed" "$@" || status=1

if [ "$leaks" = on ]; then
	# An object is reported once it is older than 5s and unreferenced
	# in a scan; scan twice, some time apart.
	sleep 6
	echo scan >"$kml"
	sleep 6
	echo scan >"$kml"
	if [ -s "$kml" ]; then
		say "kmemleak: FAIL, suspected leaks:"
		cat "$kml"
		status=1
	else
		say "kmemleak: no leak reported"
	fi
fi

if [ "$status" -eq 0 ]; then
	say "ok"
else
	say "FAILED"
fi
exit "$status"
