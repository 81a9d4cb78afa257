#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# `make check-series`: every prefix of the series must build and boot.  For
# each patch, build the series through it (PATCH=NNNN, its own tree under
# build/patch-NNNN) and boot it with the sanity suite (scripts/pidns.sh
# smoke).  One result line per patch, then the closing line.

set -euo pipefail

# shellcheck source=scripts/lib.sh disable=SC1091
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

usage() {
	cat <<EOF
Usage: $0 [-h] [FIRST [LAST]]

Build and boot the series through each patch from FIRST to LAST (four-digit
numbers; default: every patch in series).  Each prefix gets its own tree and
object directory, build/patch-NNNN; ccache makes the rebuilds cheap.

Environment: as scripts/pidns.sh (VARIANT and PATCH are ignored).
Exit status: 0 every prefix built and booted, 1 otherwise.
EOF
}

main() {
	local first=${1:-0000} last=${2:-9999} p n status start failed=0 passed=0
	local logs

	[[ ${1:-} != -h && ${1:-} != --help ]] || { usage; exit 0; }
	[[ $# -le 2 ]] || { usage >&2; exit "$EXIT_SETUP"; }
	[[ $first =~ ^[0-9]{4}$ && $last =~ ^[0-9]{4}$ ]] ||
		die "FIRST and LAST are four-digit patch numbers, e.g. 0001 0008"
	log_dir
	logs=$LOG_DIR
	# Once, before the loop: a missing package is a setup error, not a
	# failure of every patch.
	"$TOP/scripts/install-deps.sh" build boot clients
	for p in $(series_patches); do
		n=${p%%-*}
		[[ $n =~ ^[0-9]{4}$ ]] ||
			die "series entry '$p' does not start with a four-digit number"
		((10#$n >= 10#$first && 10#$n <= 10#$last)) || continue
		log "check-series: $p (log: $logs/check-$n.log)"
		start=$SECONDS
		status=0
		PATCH=$n LOG_DIR=$logs/patch-$n "$TOP/scripts/pidns.sh" smoke \
			>"$logs/check-$n.log" 2>&1 || status=$?
		if [[ $status -eq 0 ]]; then
			printf 'ok %s builds and boots (%ds)\n' "$p" $((SECONDS - start))
			passed=$((passed + 1))
		else
			printf 'not ok %s (status %d, log %s)\n' "$p" "$status" \
				"$logs/check-$n.log"
			tail -n 15 "$logs/check-$n.log" | sed 's/^/  /'
			failed=$((failed + 1))
		fi
	done
	printf 'check-series: %d passed, %d failed\n' "$passed" "$failed"
	((failed == 0 && passed > 0)) || exit "$EXIT_FAIL"
}

main "$@"
