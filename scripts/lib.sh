# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# Shared helpers for the stage scripts: logging, errors, dependency checks,
# and the variant model (which tree, which patches, which object directory).
#
# Sourced, never run.  Every stage script sets "set -euo pipefail" itself.
#
# Environment understood by every stage:
#   VARIANT   upstream | baseline | full (default)
#   PATCH     NNNN: apply the series through patch NNNN (overrides VARIANT)
#   CONFIG    default | debug | faults | kcsan | defconfig: debug adds
#             scripts/debug.config (KASAN, lockdep, kmemleak, fault
#             injection); faults is the debug kernel running the
#             fault-injection sweep; kcsan adds scripts/kcsan.config;
#             defconfig starts from x86_64_defconfig instead of tinyconfig
#   EXTRA_PATCH, EXTRA_NAME
#             an experiment: the absolute path of one more patch applied
#             after the variant's, and the name its tree, objects and logs
#             go under instead of the variant's (make bench BENCH_EXTRA=)
#   KSRC      an existing Linux 6.12.y tree to use instead of Debian's
#             linux-source-6.12 (read, never modified)
#   BUILD_DIR where trees, objects, logs and results go (default: build/)
#   LOG_DIR   this run's log directory (set by the front door; default: a
#             new build/logs/<stamp>/)

# Exit codes shared by all scripts (and names they all use).
# shellcheck disable=SC2034
readonly EXIT_FAIL=1
readonly EXIT_SETUP=2
# shellcheck disable=SC2034
readonly EXIT_TIMEOUT=124

TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD_DIR=${BUILD_DIR:-$TOP/build}
SERIES=$TOP/series
# shellcheck disable=SC2034
PATCHES=$TOP/patches

# The comment line in `series` that ends Part 1; VARIANT=baseline stops there.
readonly BASELINE_MARKER='^#[[:space:]]*End of Part 1'

_ts() { date +%H:%M:%S; }

log() { printf '[%s] %s\n' "$(_ts)" "$*" >&2; }
warn() { printf '[%s] warning: %s\n' "$(_ts)" "$*" >&2; }

# die [status] message...: print an error naming what failed and exit.
die() {
	local status=$EXIT_SETUP
	if [[ $# -gt 1 && $1 =~ ^[0-9]+$ ]]; then
		status=$1
		shift
	fi
	printf '[%s] error: %s\n' "$(_ts)" "$*" >&2
	exit "$status"
}

# need_cmd cmd package: fail early with the package to install.
need_cmd() {
	command -v "$1" >/dev/null 2>&1 ||
		die "'$1' not found; install it: apt-get install $2"
}

# Stage lines: one timestamped line when a stage starts, one when it ends,
# with its elapsed time.
_stage_name=
_stage_start=0
stage_begin() {
	_stage_name=$1
	shift
	_stage_start=$SECONDS
	printf '[%s] %-9s %s\n' "$(_ts)" "$_stage_name:" "$*" >&2
}
# stage_elapsed: seconds since the current stage began.
stage_elapsed() { printf '%d\n' $((SECONDS - _stage_start)); }

stage_end() {
	printf '[%s] %-9s done in %ds%s\n' "$(_ts)" "$_stage_name:" \
		$((SECONDS - _stage_start)) "${1:+ ($1)}" >&2
}

# log_dir: set LOG_DIR to this run's log directory and create it.  Call it
# in the script's own shell, not in $(...), so that LOG_DIR sticks.
log_dir() {
	if [[ -z ${LOG_DIR:-} ]]; then
		LOG_DIR=$BUILD_DIR/logs/$(date +%Y%m%d-%H%M%S)-$$
		export LOG_DIR
	fi
	mkdir -p "$LOG_DIR"
	ln -sfn "$LOG_DIR" "$BUILD_DIR/logs/latest"
}

# run_logged logfile cmd...: run a command with all its output in logfile;
# on failure show the last 30 lines and return its status.
run_logged() {
	local logfile=$1 status=0
	shift
	"$@" >>"$logfile" 2>&1 || status=$?
	if [[ $status -ne 0 ]]; then
		printf '[%s] command failed (status %d): %s\n' "$(_ts)" \
			"$status" "$*" >&2
		printf -- '--- last 30 lines of %s ---\n' "$logfile" >&2
		tail -n 30 "$logfile" >&2
		printf -- '--- end of log ---\n' >&2
	fi
	return "$status"
}

# safe_rm_tree dir: remove a directory that must lie inside BUILD_DIR.
safe_rm_tree() {
	local dir=$1
	[[ -n $dir && -n $BUILD_DIR && $dir == "$BUILD_DIR"/?* ]] ||
		die "refusing to remove '$dir': not inside BUILD_DIR ($BUILD_DIR)"
	rm -rf -- "$dir"
}

# series_patches: the patch names listed in `series`, in order.
series_patches() {
	[[ -f $SERIES ]] || die "no series file at $SERIES"
	awk '/^[[:space:]]*#/ || NF == 0 { next } { print $1 }' "$SERIES"
}

# series_base_version: the 6.12.N named by "# Base: ..." in `series`.
series_base_version() {
	sed -n 's/^#[[:space:]]*Base:.*[[:space:]]\(6\.12\.[0-9][0-9]*\).*$/\1/p' \
		"$SERIES" | head -n 1
}

# variant_patches: the patches the selected variant applies, in order.
variant_patches() {
	case $VARIANT_KIND in
	upstream)
		;;
	full)
		series_patches
		;;
	baseline)
		grep -q "$BASELINE_MARKER" "$SERIES" ||
			die "series has no 'End of Part 1' marker comment; cannot tell where the baseline ends"
		awk -v m="$BASELINE_MARKER" '$0 ~ m { exit }
			/^[[:space:]]*#/ || NF == 0 { next } { print $1 }' "$SERIES"
		;;
	patch)
		series_patches | awk -v n="$PATCH" '
			{ print } index($0, n "-") == 1 { found = 1; exit }
			END { exit !found }' ||
			die "PATCH=$PATCH: no patch named $PATCH-*.patch in series"
		;;
	esac
	# An experiment on top (EXTRA_PATCH): by its absolute path.
	[[ -z ${EXTRA_PATCH:-} ]] || printf '%s\n' "$EXTRA_PATCH"
}

# patch_path NAME: the file of a patch that variant_patches listed.
patch_path() {
	if [[ $1 == /* ]]; then
		printf '%s\n' "$1"
	else
		printf '%s\n' "$PATCHES/$1"
	fi
}

# select_variant: derive the variant's name and directories from the
# environment.  Sets VARIANT_KIND, VARIANT_NAME, VDIR, TREE, OBJ.
select_variant() {
	VARIANT=${VARIANT:-full}
	CONFIG=${CONFIG:-default}
	if [[ -n ${PATCH:-} ]]; then
		[[ $PATCH =~ ^[0-9]{4}$ ]] ||
			die "PATCH='$PATCH': expected four digits, e.g. PATCH=0003"
		VARIANT_KIND="patch"
		VARIANT_NAME=patch-$PATCH
	else
		case $VARIANT in
		upstream | baseline | full) ;;
		*) die "VARIANT='$VARIANT': expected upstream, baseline or full (or PATCH=NNNN)" ;;
		esac
		VARIANT_KIND=$VARIANT
		VARIANT_NAME=$VARIANT
	fi
	if [[ -n ${EXTRA_PATCH:-} ]]; then
		# A throw-away experiment on top of the variant, with a name
		# of its own so that its tree and objects are apart.
		[[ $EXTRA_PATCH == /* && -f $EXTRA_PATCH ]] ||
			die "EXTRA_PATCH='$EXTRA_PATCH': expected the absolute path of a patch file"
		[[ ${EXTRA_NAME:-} =~ ^[a-z][a-z0-9]*$ ]] ||
			die "EXTRA_NAME='${EXTRA_NAME:-}': expected a lower-case name for the experiment"
		case $EXTRA_NAME in
		upstream | baseline | full | src | logs | work | bench*)
			die "EXTRA_NAME=$EXTRA_NAME: taken by a variant or by a directory of BUILD_DIR" ;;
		esac
		VARIANT_NAME=$EXTRA_NAME
	fi
	case $CONFIG in
	default) ;;
	# The sweep needs only the debug kernel's options: one build.
	debug | faults) VARIANT_NAME=$VARIANT_NAME-debug ;;
	kcsan) VARIANT_NAME=$VARIANT_NAME-kcsan ;;
	defconfig) VARIANT_NAME=$VARIANT_NAME-defconfig ;;
	*) die "CONFIG='$CONFIG': expected default, debug, faults, kcsan or defconfig" ;;
	esac
	VDIR=$BUILD_DIR/$VARIANT_NAME
	TREE=$VDIR/linux
	OBJ=$VDIR/obj
	export VARIANT CONFIG VARIANT_KIND VARIANT_NAME VDIR TREE OBJ
}

# slow_config: is CONFIG a kernel whose checkers (KASAN, lockdep, KCSAN...)
# make the guest several times slower?
slow_config() {
	[[ $CONFIG == debug || $CONFIG == faults || $CONFIG == kcsan ]]
}

# kernel_version dir: "6.12.N" (or whatever the tree's Makefile says).
kernel_version() {
	local mk=$1/Makefile
	[[ -f $mk ]] || return 1
	awk -F' = ' '/^VERSION =/ { v = $2 } /^PATCHLEVEL =/ { p = $2 }
		/^SUBLEVEL =/ { s = $2 } /^EXTRAVERSION =/ { e = $2; exit }
		END { if (v == "") exit 1; printf "%s.%s.%s%s\n", v, p, s, e }' "$mk"
}

# nproc_jobs: parallel jobs for make.
nproc_jobs() { nproc 2>/dev/null || echo 2; }

# The kernel reports that fail a run, whatever the guest said.
readonly BADNESS_RE='BUG:|WARNING:|Call Trace:|KASAN:|UBSAN:|kmemleak: .*new suspected memory leak|possible (recursive|circular) locking|INFO: rcu|rcu: .*detected stall|Kernel panic|Oops:|general protection fault|INFO: task .* blocked for more than'

# console_badness console.log: print the console lines that fail a run.
# Under CONFIG=faults the reports of injected failures and the allocation
# failure warnings they cause are let through, under CONFIG=kcsan the data
# races that involve no pid code: scripts/console-filter.awk says exactly
# which blocks, and console_let_through lists them.
console_badness() {
	console_filter drop "$1" | grep -aE "$BADNESS_RE" || true
}

# console_let_through console.log: the blocks console_badness let through.
console_let_through() {
	console_filter keep "$1"
}

# console_filter drop|keep console.log: the console without (drop) or only
# with (keep) the blocks this CONFIG lets through.
console_filter() {
	local funcs=/dev/null

	if [[ $CONFIG == kcsan ]]; then
		funcs=$(mktemp)
		pid_functions >"$funcs"
	fi
	tr -d '\r' <"$2" | awk -v mode="$1" -v config="$CONFIG" -v funcs="$funcs" \
		-f "$TOP/scripts/console-filter.awk"
	[[ $funcs == /dev/null ]] || rm -f "$funcs"
}

# pid_functions: the functions of the pid code in the built kernel (for
# CONFIG=kcsan: a race that names one of them is the pid code's).
pid_functions() {
	local o objs=()

	for o in kernel/pid.o kernel/pid_table.o kernel/pid_namespace.o; do
		[[ ! -f $OBJ/$o ]] || objs+=("$OBJ/$o")
	done
	[[ ${#objs[@]} -gt 0 ]] || return 0
	nm --defined-only "${objs[@]}" 2>/dev/null |
		awk '$2 ~ /^[tTwW]$/ { sub(/\..*/, "", $3); print $3 }' | sort -u
}

# guest_done channel.log: the status in the guest's "@@pidns done" line, or
# nothing when the guest never reported.
guest_done() {
	tr -d '\r' <"$1" | sed -n 's/^@@pidns done \([0-9][0-9]*\)$/\1/p' | tail -n 1
}
