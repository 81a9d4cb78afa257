#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Run the tree's scripts/checkpatch.pl --strict on every patch in series,
# and check the series itself: every listed patch exists, every patch is
# listed, names and order agree, and each carries Subject and Signed-off-by.

set -euo pipefail

# shellcheck source=scripts/lib.sh disable=SC1091
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

readonly MAINTAINERS_WARNING='added, moved or deleted file(s), does MAINTAINERS need updating?'

usage() {
	cat <<EOF
Usage: $0 [-h]

checkpatch.pl --strict on each patch of series, using the checkpatch.pl of
the fetched base tree (scripts/fetch-source.sh runs first).

Exit status: 0 clean, 1 an error, a warning or a series problem, 2 setup.
EOF
}

main() {
	local repo p out bad=0 prev=""

	[[ ${1:-} != -h && ${1:-} != --help ]] || { usage; exit 0; }
	[[ $# -eq 0 ]] || { usage >&2; exit "$EXIT_SETUP"; }
	repo=$("$TOP/scripts/fetch-source.sh")
	CHECKPATCH=$(mktemp)
	trap 'rm -f "$CHECKPATCH"' EXIT
	git --git-dir="$repo" show HEAD:scripts/checkpatch.pl >"$CHECKPATCH" ||
		die "no scripts/checkpatch.pl in $repo"
	for p in $(series_patches); do
		if [[ ! -f $PATCHES/$p ]]; then
			printf 'not ok %s: listed in series, missing from patches/\n' "$p"
			bad=$((bad + 1))
			continue
		fi
		if [[ -n $prev && ! $p > $prev ]]; then
			printf 'not ok %s: listed after %s; names and order disagree\n' "$p" "$prev"
			bad=$((bad + 1))
		fi
		prev=$p
		if ! grep -q '^Subject: ' "$PATCHES/$p" ||
			! grep -q '^Signed-off-by: ' "$PATCHES/$p"; then
			printf 'not ok %s: no Subject or no Signed-off-by\n' "$p"
			bad=$((bad + 1))
		fi
		out=$(perl "$CHECKPATCH" --no-tree --strict --terse "$PATCHES/$p" 2>&1 || true)
		if grep -qF "$MAINTAINERS_WARNING" <<<"$out"; then
			# The pid core (kernel/pid*.c) has no MAINTAINERS entry
			# of its own; new files there cannot be added to one.
			printf '# %s: adds files; the pid core has no MAINTAINERS section (checkpatch warning accepted)\n' "$p"
			out=$(grep -vF "$MAINTAINERS_WARNING" <<<"$out" || true)
		fi
		if ! grep -qE 'ERROR|WARNING|CHECK' <<<"$out"; then
			printf 'ok %s\n' "$p"
		else
			printf 'not ok %s: checkpatch --strict\n' "$p"
			printf '%s\n' "$out" | sed 's/^/  /'
			bad=$((bad + 1))
		fi
	done
	for p in "$PATCHES"/*.patch; do
		[[ -e $p ]] || continue
		series_patches | grep -qxF "${p##*/}" || {
			printf 'not ok %s: in patches/ but not in series\n' "${p##*/}"
			bad=$((bad + 1))
		}
	done
	((bad == 0)) || die "$EXIT_FAIL" "$bad problem(s) in the series"
}

main "$@"
