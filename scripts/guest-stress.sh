#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# The guest side of "make stress" (busy box sh, run by /init as
# /bin/pidns-stress SECONDS SEED): count the live struct pid and
# pid_namespace objects, start kmemleak afresh, run /stress/pidstress, then
# check that no kmemleak report appeared and that the counts came back.
# Every line meant for the host starts with "stress:"; the exit status is 0
# when every check passed, 1 otherwise.
#
# The counts are exact only when the pid caches keep no per-CPU slabs:
# scripts/stress.sh boots with slab_debug=U,pid* and slab_nomerge, and needs
# CONFIG_SLUB_DEBUG (CONFIG=debug has it) for /sys/kernel/slab/*/objects.

secs=${1:-120}
seed=${2:-0}
kml=/sys/kernel/debug/kmemleak
status=0

say() { echo "stress: $*"; }

# tasks: every task of the initial namespace (threads and kernel threads
# too), each of which holds one struct pid in the "pid" cache.  Shell
# builtins only: a forked reader would itself be a task.
tasks() {
	n=0
	for t in /proc/[0-9]*/task/[0-9]*; do
		[ -d "$t" ] && n=$((n + 1))
	done
	echo "$n"
}

# counts: "cache=objects ..." for the pid and pid_namespace caches.  The
# pid cache's count is less the number of tasks: kernel threads come and go
# on their own.  Nothing, when the kernel has no SLUB_DEBUG.
counts() {
	out=
	for c in /sys/kernel/slab/pid /sys/kernel/slab/pid_[0-9]* \
		/sys/kernel/slab/pid_namespace; do
		[ -r "$c/objects" ] || continue
		read -r n _ <"$c/objects"
		[ "${c##*/}" = pid ] && n=$((n - $(tasks)))
		out="$out ${c##*/}=$n"
	done
	echo "${out# }"
}

# settle: let freed pids and namespaces reach their caches: dentries and
# inodes of /proc and nsfs dropped, RCU callbacks run, KASAN's quarantine
# flushed by a shrink.
settle() {
	echo 2 >/proc/sys/vm/drop_caches
	sleep 1
	for c in /sys/kernel/slab/pid*; do
		[ -w "$c/shrink" ] && echo 1 >"$c/shrink"
	done
}

# same before after: compare two counts lines cache by cache; a cache that
# was not there before (a deeper level's) must be back to 0.
same() {
	for kv in $2; do
		k=${kv%%=*}
		want=0
		for b in $1; do
			[ "${b%%=*}" = "$k" ] && want=${b#*=}
		done
		[ "${kv#*=}" = "$want" ] || return 1
	done
	return 0
}

mount -t debugfs debugfs /sys/kernel/debug 2>/dev/null

# The count to come back to: two readings in a row that agree.
settle
before=$(counts)
tries=0
while [ "$tries" -lt 10 ]; do
	settle
	again=$(counts)
	[ "$again" = "$before" ] && break
	before=$again
	tries=$((tries + 1))
done
if [ -n "$before" ]; then
	say "objects before: $before (pid: objects less tasks)"
else
	say "objects: SKIP, no /sys/kernel/slab/*/objects (needs CONFIG_SLUB_DEBUG: CONFIG=debug)"
fi

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
/stress/pidstress -t "$secs" -s "$seed" || status=1

if [ -n "$before" ]; then
	# RCU and the workqueues may take a while under TCG and KASAN.
	tries=0
	after=$(counts)
	until same "$before" "$after" || [ "$tries" -ge 60 ]; do
		settle
		after=$(counts)
		tries=$((tries + 1))
	done
	if same "$before" "$after"; then
		say "objects after:  $after: restored"
	else
		say "objects after:  $after: FAIL, not back to $before after ${tries} tries"
		status=1
		# Where the objects left were allocated, and the tasks there are.
		for c in /sys/kernel/debug/slab/pid*; do
			[ -r "$c/alloc_traces" ] || continue
			say "allocations live in ${c##*/}:"
			cat "$c/alloc_traces"
		done
		say "tasks:"
		for t in /proc/[0-9]*/task/[0-9]*; do
			read -r comm <"$t/comm" && echo "${t#/proc/} $comm"
		done
	fi
fi

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
