#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Stage "build": make bzImage and the uapi headers for the variant, with
# ccache when it is installed, printing a progress line every 30 seconds.

set -euo pipefail

# shellcheck source=scripts/lib.sh disable=SC1091
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

usage() {
	cat <<EOF
Usage: $0 [-h]

Build build/<variant>/obj/arch/x86/boot/bzImage and the sanitized uapi
headers (build/<variant>/obj/usr/include) the tests compile against.

Environment: VARIANT, PATCH, CONFIG, BUILD_DIR, LOG_DIR (see scripts/lib.sh),
  JOBS     parallel jobs (default: nproc)
  NO_CCACHE=1  do not use ccache even when it is installed
Exit status: 0 ok, 2 the build failed (last 30 lines of its log shown).
EOF
}

main() {
	local logf jobs cc=gcc pid status=0 objs

	[[ ${1:-} != -h && ${1:-} != --help ]] || { usage; exit 0; }
	[[ $# -eq 0 ]] || { usage >&2; exit "$EXIT_SETUP"; }
	select_variant
	need_cmd gcc build-essential
	need_cmd make make
	need_cmd flex flex
	need_cmd bison bison
	need_cmd bc bc
	[[ -f $OBJ/.config ]] || die "no $OBJ/.config; run scripts/configure-kernel.sh first"

	if [[ -z ${NO_CCACHE:-} ]] && command -v ccache >/dev/null 2>&1; then
		cc="ccache gcc"
		# Paths under BUILD_DIR become relative to the object directory,
		# so every variant's compile of an unchanged file hits the cache.
		export CCACHE_BASEDIR=$BUILD_DIR
	fi
	jobs=${JOBS:-$(nproc_jobs)}
	log_dir
	logf=$LOG_DIR/build-$VARIANT_NAME.log
	stage_begin build "$VARIANT_NAME: make -j$jobs CC='$cc' bzImage headers (log: $logf)"

	make -C "$TREE" O="$OBJ" ARCH=x86_64 -j"$jobs" CC="$cc" \
		bzImage headers >"$logf" 2>&1 &
	pid=$!
	# Ctrl-C or a stop of this script must not leave make running.
	trap 'kill "$pid" 2>/dev/null || true' EXIT
	while kill -0 "$pid" 2>/dev/null; do
		for _ in $(seq 30); do
			sleep 1
			kill -0 "$pid" 2>/dev/null || break
		done
		if kill -0 "$pid" 2>/dev/null; then
			objs=$(grep -cE '^  (CC|AS|LD|AR)' "$logf" || true)
			log "build:    $VARIANT_NAME: $(stage_elapsed)s, $objs steps so far"
		fi
	done
	wait "$pid" || status=$?
	trap - EXIT
	if [[ $status -ne 0 ]]; then
		printf -- '--- last 30 lines of %s ---\n' "$logf" >&2
		tail -n 30 "$logf" >&2
		printf -- '--- end of log ---\n' >&2
		die "kernel build of $VARIANT_NAME failed (status $status); full log: $logf"
	fi
	[[ -f $OBJ/arch/x86/boot/bzImage ]] || die "make succeeded but $OBJ/arch/x86/boot/bzImage is missing"
	stage_end "$(du -h "$OBJ/arch/x86/boot/bzImage" | cut -f1) bzImage"
}

main "$@"
