#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# `make bench`: build upstream, baseline and full with one config, boot each
# under QEMU TCG with -icount shift=0,sleep=off (guest time counts guest
# instructions) and one CPU, run selftests/bench/pidbench at several PID
# namespace depths, and write a report: a Markdown table per operation
# (median and min-max over the rounds, ratios full/baseline and
# full/upstream) and, when gnuplot is installed, a plot of fork+exit+wait
# against depth.  Then a scalability run in wall-clock time: -smp 2 without
# icount, fork+exit+wait in one and in two sibling namespaces at once.

set -euo pipefail

# shellcheck source=scripts/lib.sh disable=SC1091
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

KERNELS=(upstream baseline full)
EXTRA=""			# the name of the BENCH_EXTRA kernel, if any

usage() {
	cat <<EOF
Usage: $0 [-h]

Environment:
  QUICK=1       one depth (0), one round: proves the chain works (CI)
  DEPTHS        comma-separated depths (default 0,1,2,4,8,16,31)
  ROUNDS        repetitions per depth (default 5)
  SCALE         multiplies pidbench's iteration counts (default 1)
  SCALE_SECONDS length of each scalability run (default 5; QUICK: 1)
  RESULTS       where the report goes (default bench/results/<stamp>)
  BENCH_EXTRA   absolute path of a throw-away patch: a fourth kernel, full
                plus that patch, measured in the same run and reported
                beside full (for example another allocator)
  BENCH_EXTRA_NAME  its name in the report (default: extra)
  REPORT_ONLY=1 with RESULTS=dir: write dir/report.md again from the raw
                files there, building and booting nothing
  and the build settings of scripts/pidns.sh (KSRC, BUILD_DIR, ...).

Depths a kernel cannot reach (the baseline has no PID namespaces) are
reported as "n/a".  Exit status: 0 report written, 1 a kernel failed to
run the benchmark, 2 setup error, 124 timeout.
EOF
}

# as_kernel K COMMAND...: run COMMAND with the variant settings of kernel K.
as_kernel() {
	local k=$1

	shift
	if [[ -n $EXTRA && $k == "$EXTRA" ]]; then
		VARIANT=full EXTRA_PATCH=$BENCH_EXTRA EXTRA_NAME=$k "$@"
	else
		VARIANT=$k "$@"
	fi
}

# median_table raw...: "kernel op depth median min max" per group.
median_table() {
	awk '$1 == "pidbench" { print FILENAME, $2, $3, $5 }' "$@" |
		sed 's|^[^ ]*/raw-\([a-z][a-z0-9]*\)\.txt |\1 |' |
		sort -k1,1 -k2,2 -k3,3n -k4,4n |
		awk '
		function flush() {
			if (n == 0)
				return
			med = (n % 2) ? v[(n + 1) / 2] : int((v[n / 2] + v[n / 2 + 1]) / 2)
			print key, med, v[1], v[n]
			n = 0
		}
		{
			k = $1 " " $2 " " $3
			if (k != key)
				flush()
			key = k
			v[++n] = $4
		}
		END { flush() }'
}

# report medians depths: the Markdown report on stdout.
report() {
	local medians=$1 depths=$2

	awk -v depths="$depths" -v cmd="$BENCH_CMD" -v vers="$BENCH_VERSIONS" \
		-v kernels="${KERNELS[*]}" -v extra="$EXTRA" '
	{ med[$1, $2, $3] = $4; lo[$1, $2, $3] = $5; hi[$1, $2, $3] = $6; ops[$2] = 1 }
	function cell(k, o, d) {
		if (!((k, o, d) in med))
			return "n/a"
		return sprintf("%d (%d-%d)", med[k, o, d], lo[k, o, d], hi[k, o, d])
	}
	function ratio(a, b, o, d) {
		if (!((a, o, d) in med) || !((b, o, d) in med) || med[b, o, d] == 0)
			return "n/a"
		return sprintf("%.3f", med[a, o, d] / med[b, o, d])
	}
	END {
		print "# pidbench: cost of pid operations by PID namespace depth"
		print ""
		print "Unit: **guest instructions per operation**, counted by QEMU TCG with"
		print "`-icount shift=0,sleep=off` on one virtual CPU; repeatable within a few"
		print "percent. Each cell: median of the rounds (min-max)."
		print ""
		print "Kernels: " vers
		print ""
		print "Command: `" cmd "`"
		n = split(depths, ds, ",")
		print ""
		print "## Cost of one nesting level"
		print ""
		print "fork+exit+wait, (median at the deepest depth - median at depth 0) / depth:"
		print ""
		print "| kernel | per level | target |"
		print "|---|---:|---:|"
		dmax = ds[n]
		nk = split(kernels, ks, " ")
		for (j = 1; j <= nk; j++) {
			k = ks[j]
			if (dmax > 0 && (k, "fork_exit_wait", dmax) in med && (k, "fork_exit_wait", 0) in med)
				printf "| %s | %d | %s |\n", k, (med[k, "fork_exit_wait", dmax] - med[k, "fork_exit_wait", 0]) / dmax, k == "full" ? "<= 1000" : ""
			else
				printf "| %s | n/a | %s |\n", k, k == "full" ? "<= 1000" : ""
		}
		for (o in ops)
			names[++m] = o
		for (i = 2; i <= m; i++)	# insertion sort: mawk has no asort
			for (j = i; j > 1 && names[j - 1] > names[j]; j--) {
				t = names[j]; names[j] = names[j - 1]; names[j - 1] = t
			}
		for (i = 1; i <= m; i++) {
			o = names[i]
			print ""
			print "## " o
			print ""
			hdr = "| depth"
			sep = "|---:"
			for (j = 1; j <= nk; j++) {
				hdr = hdr " | " ks[j]
				sep = sep "|---:"
			}
			hdr = hdr " | full/baseline | full/upstream"
			sep = sep "|---:|---:"
			if (extra != "") {
				hdr = hdr " | " extra "/full"
				sep = sep "|---:"
			}
			print hdr " |"
			print sep "|"
			for (j = 1; j <= n; j++) {
				d = ds[j]
				line = "| " d
				for (x = 1; x <= nk; x++)
					line = line " | " cell(ks[x], o, d)
				line = line " | " ratio("full", "baseline", o, d) " | " ratio("full", "upstream", o, d)
				if (extra != "")
					line = line " | " ratio(extra, "full", o, d)
				print line " |"
			}
		}
	}' "$medians"
}

# memory dir depths: the bytes of a struct pid at each depth and of a pid
# namespace, from the pidbench-mem lines of dir/raw-<kernel>.txt.
memory() {
	local dir=$1 depths=$2

	awk -v depths="$depths" -v kernels="${KERNELS[*]}" '
	FNR == 1 { k = FILENAME; sub(/.*raw-/, "", k); sub(/[.]txt$/, "", k) }
	$1 == "pidbench-mem" && $4 > 0 {
		c = $3 == "pid_namespace" ? "ns" : "pid"
		obj[k, $2, c] = $4; sz[k, $2, c] = $5
	}
	$1 == "pidbench-nsmem" && $2 != "error" { nsmem[k, $2] = $3 }
	function cell(k, d, c) {
		if (!((k, d, c) in obj))
			return "n/a"
		return sprintf("%d / %d", obj[k, d, c], sz[k, d, c])
	}
	END {
		n = split(depths, ds, ",")
		dmax = ds[n]
		nk = split(kernels, ks, " ")
		print ""
		print "## Memory"
		print ""
		print "Bytes of one `struct pid` of a task at each depth and of one"
		print "`struct pid_namespace`, as `/sys/kernel/slab` shows them (booted with"
		print "`slab_nomerge`): object size / size the object takes in its slab,"
		print "alignment included."
		print ""
		hdr = "| depth"
		sep = "|---:"
		for (x = 1; x <= nk; x++) {
			hdr = hdr " | " ks[x]
			sep = sep "|---:"
		}
		print hdr " |"
		print sep "|"
		for (j = 1; j <= n; j++) {
			line = "| " ds[j]
			for (x = 1; x <= nk; x++)
				line = line " | " cell(ks[x], ds[j], "pid")
			print line " |"
		}
		line = "| pid_namespace"
		for (x = 1; x <= nk; x++)
			line = line " | " cell(ks[x], dmax, "ns")
		print line " |"
		print ""
		print "Kernel memory per pid namespace (`pidbench --mem`: MemTotal less"
		print "MemFree, the per-CPU free lists, Buffers, Cached and AnonPages, after"
		print "dropping caches, letting RCU free and shrinking the slab caches, divided"
		print "by the count; tasks are plain sleepers): *idle*, a namespace whose init sleeps, less a plain"
		print "sleeping task; *fresh*, a namespace with its init and one more task;"
		print "*churned*, the same after the init had a task at each of 1,024"
		print "numbers spread over a pid_max of 4194304. Bytes:"
		print ""
		print "| kernel | idle | fresh | churned | churned / fresh |"
		print "|---|---:|---:|---:|---:|"
		for (j = 1; j <= nk; j++) {
			k = ks[j]
			if (!((k, "idle") in nsmem)) {
				printf "| %s | n/a | n/a | n/a | n/a |\n", k
				continue
			}
			printf "| %s | %d | %d | %d | %.2f |\n", k, nsmem[k, "idle"],
				nsmem[k, "fresh"], nsmem[k, "churned"],
				(nsmem[k, "fresh"] > 0 ? nsmem[k, "churned"] / nsmem[k, "fresh"] : 0)
		}
		print ""
		print "Object bytes per extra level of struct pid, (depth " dmax " - depth 0) / " dmax ":"
		print ""
		print "| kernel | per level | target |"
		print "|---|---:|---:|"
		for (j = 1; j <= nk; j++) {
			k = ks[j]
			if (dmax > 0 && (k, dmax, "pid") in obj && (k, 0, "pid") in obj)
				printf "| %s | %.1f | %s |\n", k, (obj[k, dmax, "pid"] - obj[k, 0, "pid"]) / dmax, k == "full" ? "<= 16" : ""
			else
				printf "| %s | n/a | %s |\n", k, k == "full" ? "<= 16" : ""
		}
	}' "$dir"/raw-*.txt
}

# scalability dir: the wall-clock table from the scale-<kernel>.txt files.
scalability() {
	local dir=$1 k

	printf '\n## Scalability: fork+exit+wait per second, wall clock\n\n'
	printf 'QEMU TCG with -smp 2 and no icount: real time on a shared host, so\n'
	printf 'these numbers are noisy (host load, TCG thread scheduling) and only\n'
	printf 'the ratio within one kernel means much. Workers run in sibling PID\n'
	printf 'namespaces (ns) where the kernel has them, as plain siblings (nons)\n'
	printf 'where it does not.\n\n'
	printf '| kernel | workers in | 1 worker | 2 workers | 2 / 1 |\n'
	printf '|---|---|---:|---:|---:|\n'
	for k in "${KERNELS[@]}"; do
		[[ -f $dir/scale-$k.txt ]] || continue
		awk -v k="$k" '$1 == "pidbench-scale" { ops[$2] = $4; how = $3 }
		END {
			r = (1 in ops && 2 in ops && ops[1] > 0) ? sprintf("%.2f", ops[2] / ops[1]) : "n/a"
			printf "| %s | %s | %s | %s | %s |\n", k, how,
				(1 in ops) ? ops[1] : "n/a", (2 in ops) ? ops[2] : "n/a", r
		}' "$dir/scale-$k.txt"
	done
}

# plot medians out.svg: fork+exit+wait against depth, one line per kernel.
plot() {
	local medians=$1 out=$2 k dat=()

	command -v gnuplot >/dev/null 2>&1 || {
		warn "gnuplot not installed (apt-get install gnuplot-nox): no plot"
		return 0
	}
	for k in "${KERNELS[@]}"; do
		awk -v k="$k" '$1 == k && $2 == "fork_exit_wait" { print $3, $4 }' \
			"$medians" >"$RESULTS/fork_exit_wait-$k.dat"
		[[ -s $RESULTS/fork_exit_wait-$k.dat ]] &&
			dat+=("'$RESULTS/fork_exit_wait-$k.dat' using 1:2 with linespoints title '$k'")
	done
	[[ ${#dat[@]} -gt 0 ]] || return 0
	gnuplot <<EOF
set terminal svg size 800,500
set output '$out'
set title 'fork+exit+wait by PID namespace depth'
set xlabel 'depth (nested PID namespaces)'
set ylabel 'guest instructions per operation'
set key left top
set grid
plot $(IFS=,; printf '%s' "${dat[*]}")
EOF
}

# write_report depths: RESULTS/medians.txt, report.md and the plot, from the
# raw and scale files in RESULTS.
write_report() {
	local medians=$RESULTS/medians.txt

	median_table "$RESULTS"/raw-*.txt >"$medians"
	report "$medians" "$1" >"$RESULTS/report.md"
	memory "$RESULTS" "$1" >>"$RESULTS/report.md"
	scalability "$RESULTS" >>"$RESULTS/report.md"
	plot "$medians" "$RESULTS/fork_exit_wait.svg"
}

# report_only: report.md again from RESULTS/raw-*.txt and scale-*.txt.
report_only() {
	local f k

	KERNELS=()
	for k in upstream baseline full; do
		[[ ! -f $RESULTS/raw-$k.txt ]] || KERNELS+=("$k")
	done
	for f in "$RESULTS"/raw-*.txt; do
		k=${f##*/raw-}
		k=${k%.txt}
		case $k in
		upstream | baseline | full) ;;
		*) EXTRA=$k; KERNELS+=("$k") ;;
		esac
	done
	depths=$(awk '$1 == "pidbench" { print $3 }' "$RESULTS"/raw-*.txt |
		sort -nu | paste -sd, -)
	[[ -n $depths ]] || die "no pidbench lines in $RESULTS/raw-*.txt"
	# shellcheck disable=SC2016 # the backquotes are Markdown, not a command
	BENCH_CMD=$(sed -n 's/^Command: `\(.*\)`$/\1/p' "$RESULTS/report.md" 2>/dev/null || true)
	BENCH_VERSIONS=$(sed -n 's/^Kernels: //p' "$RESULTS/report.md" 2>/dev/null || true)
	write_report "$depths"
	log "bench:    report written again: $RESULTS/report.md"
}

main() {
	local depths rounds scale k status=0 logs raw secs memcount

	[[ ${1:-} != -h && ${1:-} != --help ]] || { usage; exit 0; }
	[[ $# -eq 0 ]] || { usage >&2; exit "$EXIT_SETUP"; }
	depths=${DEPTHS:-0,1,2,4,8,16,31}
	rounds=${ROUNDS:-5}
	scale=${SCALE:-1}
	secs=${SCALE_SECONDS:-5}
	memcount=200
	if [[ -n ${QUICK:-} ]]; then
		depths=0
		rounds=1
		secs=1
		memcount=20
	fi
	[[ $depths =~ ^[0-9]+(,[0-9]+)*$ ]] || die "DEPTHS='$depths': expected e.g. 0,1,2"
	[[ $rounds =~ ^[1-9][0-9]*$ && $scale =~ ^[1-9][0-9]*$ &&
		$secs =~ ^[1-9][0-9]*$ ]] ||
		die "ROUNDS, SCALE and SCALE_SECONDS must be positive integers"
	unset PATCH EXTRA_PATCH EXTRA_NAME
	export CONFIG=default
	if [[ -n ${REPORT_ONLY:-} ]]; then
		[[ -n ${RESULTS:-} && -d $RESULTS ]] ||
			die "REPORT_ONLY needs RESULTS=<a results directory>"
		report_only
		return
	fi
	if [[ -n ${BENCH_EXTRA:-} ]]; then
		[[ $BENCH_EXTRA == /* && -f $BENCH_EXTRA ]] ||
			die "BENCH_EXTRA='$BENCH_EXTRA': expected the absolute path of a patch file"
		EXTRA=${BENCH_EXTRA_NAME:-extra}
		# The same checks as every stage's, before hours of work.
		(VARIANT=full EXTRA_PATCH=$BENCH_EXTRA EXTRA_NAME=$EXTRA select_variant) ||
			exit "$EXIT_SETUP"
		KERNELS+=("$EXTRA")
	fi
	log_dir
	logs=$LOG_DIR
	# gnuplot only draws the plot: as another user than root, a report
	# without it rather than no report.
	"$TOP/scripts/install-deps.sh" bench || warn "no gnuplot: the report will have no plot"
	RESULTS=${RESULTS:-$TOP/bench/results/$(date +%Y%m%d-%H%M%S)}
	mkdir -p "$RESULTS"
	BENCH_CMD="make bench DEPTHS=$depths ROUNDS=$rounds SCALE=$scale"
	BENCH_VERSIONS=""

	for k in "${KERNELS[@]}"; do
		log "bench:    $k: build"
		LOG_DIR=$logs/$k as_kernel "$k" "$TOP/scripts/pidns.sh" build ||
			die "building $k failed (logs: $logs/$k)"
		log "bench:    $k: depths $depths, $rounds round(s)"
		status=0
		LOG_DIR=$logs/$k ICOUNT=1 QEMU_SMP=1 \
			KERNEL_ARGS="${KERNEL_ARGS:-} slab_nomerge" \
			BENCH_ARGS="$depths $rounds $scale $memcount" \
			as_kernel "$k" "$TOP/scripts/boot-guest.sh" bench || status=$?
		[[ $status -ne $EXIT_TIMEOUT ]] || exit "$EXIT_TIMEOUT"
		raw=$RESULTS/raw-$k.txt
		tr -d '\r' <"$logs/$k/channel-$k-bench.log" | grep '^pidbench' >"$raw" || true
		# A kernel without PID namespaces cannot go below depth 0:
		# those depths are n/a.  No depth-0 result at all is a failure.
		tr -d '\r' <"$logs/$k/channel-$k-bench.log" | grep '^pidbench-error' |
			sed "s/^/  $k: /" >&2 || true
		if ! grep -q '^pidbench fork_exit_wait 0 ' "$raw"; then
			die "$EXIT_FAIL" "$k did not run the benchmark (status $status, logs: $logs/$k)"
		fi
		BENCH_VERSIONS+="$k: Linux $(kernel_version "$BUILD_DIR/$k/linux") + $(($(git -C "$BUILD_DIR/$k/linux" rev-list --count HEAD) - 1)) patch(es); "
	done

	for k in "${KERNELS[@]}"; do
		log "bench:    $k: scalability, 1 and 2 workers, ${secs}s each, -smp 2"
		status=0
		LOG_DIR=$logs/$k QEMU_SMP=2 BENCH_ARGS="1,2 $secs" \
			as_kernel "$k" "$TOP/scripts/boot-guest.sh" scale || status=$?
		[[ $status -ne $EXIT_TIMEOUT ]] || exit "$EXIT_TIMEOUT"
		tr -d '\r' <"$logs/$k/channel-$k-scale.log" |
			grep '^pidbench-scale' >"$RESULTS/scale-$k.txt" ||
			die "$EXIT_FAIL" "$k did not run the scalability benchmark (status $status, logs: $logs/$k)"
	done

	write_report "$depths"
	log "bench:    report: $RESULTS/report.md"
	cat "$RESULTS/report.md"
}

main "$@"
