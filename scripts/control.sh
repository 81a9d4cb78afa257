#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# `make control`: prove that the suite can tell PID namespaces from their
# absence.  Run it on the baseline (the series through Part 1, no PID
# namespaces) and require every behaviour test (selftests/pidns) to FAIL
# there, and every test of what the baseline keeps (selftests/sanity and
# the tree's tests that need no namespace, suite "tree") to pass.  The
# tree's namespace tests (suite "treens") and the real tools' scenarios
# (suite "clients") are listed but not counted: they are not our oracle.
# The only pidns
# tests allowed to pass are those listed in selftests/pidns/baseline-passes,
# each with the reason the baseline gives the same answer (a rejection both
# kernels make); those must pass.  A skip proves nothing and fails the
# control, and so does a kernel error report or a guest that did not finish.

set -euo pipefail

# shellcheck source=scripts/lib.sh disable=SC1091
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

readonly ALLOWED=$TOP/selftests/pidns/baseline-passes

usage() {
	cat <<EOF
Usage: $0 [-h]

Run the selftests on VARIANT=baseline and check the verdicts: every test
fails, except those listed in ${ALLOWED#"$TOP"/}, which pass.

Environment: as scripts/pidns.sh (VARIANT and PATCH are ignored).
Exit status: 0 the control holds, 1 it does not, 2 setup error, 124 timeout.
EOF
}

# allowed_tests: the test names listed in the allow file.
allowed_tests() {
	[[ -f $ALLOWED ]] || return 0
	sed -e 's/[[:space:]]*#.*$//' -e '/^[[:space:]]*$/d' "$ALLOWED"
}

# expect ok|fail|skip NAME WHAT: count a test whose verdict must be the
# first argument (skip always counts against the control).
expect() {
	local want=$1 name=$2 what=$3

	if [[ $want == "$verdict" ]]; then
		printf 'ok - %s: %s\n' "$name" "$what"
		good=$((good + 1))
	else
		printf 'not ok - %s: expected %s, got %s: %s\n' "$name" "$want" \
			"$verdict" "$what"
		bad=$((bad + 1))
	fi
}

main() {
	local status=0 tap line name allowed

	[[ ${1:-} != -h && ${1:-} != --help ]] || { usage; exit 0; }
	[[ $# -eq 0 ]] || { usage >&2; exit "$EXIT_SETUP"; }
	unset PATCH
	export VARIANT=baseline
	select_variant
	log_dir

	"$TOP/scripts/pidns.sh" test || status=$?
	# Test failures are what we want; anything else is not a control run.
	[[ $status -ne $EXIT_SETUP && $status -ne $EXIT_TIMEOUT ]] || exit "$status"
	tap=$LOG_DIR/results-$VARIANT_NAME.tap
	[[ -f $tap ]] || die "no TAP from the baseline run at $tap"
	good=0
	bad=0
	allowed=$(allowed_tests)

	stage_begin control "every behaviour test must fail on the baseline"
	while IFS= read -r line; do
		[[ $line =~ ^(not\ )?ok\ [0-9]+\ (.*)$ ]] || continue
		verdict=ok
		[[ -z ${BASH_REMATCH[1]} ]] || verdict=fail
		[[ $line != *" # SKIP"* ]] || verdict=skipped
		name=${BASH_REMATCH[2]}
		if [[ $name == treens/* || $name == clients/* ]]; then
			# The tree's own namespace tests, and the real tools'
			# scenarios (selftests/clients), which mix namespaces
			# with plain listings: not our oracle, and without PID
			# namespaces most of them stop early.
			printf '  (not counted) %s\n' "$line"
		elif [[ $name == *" # SKIP"* ]]; then
			expect skip "${name%% # SKIP*}" "skipped, which proves nothing"
		elif [[ $name == "kernel console:"* || $name == "guest:"* ||
			$name == *": printed no results"* || $name == *": stopped after"* ]]; then
			expect ok "$name" "the baseline run itself"
		elif [[ $name != pidns/* && $name != hostile/* ]]; then
			# Other suites (sanity, tree) test what the baseline keeps.
			expect ok "$name" "passes on the baseline, as it must"
		elif grep -qxF -- "$name" <<<"$allowed"; then
			expect ok "$name" "passes, as listed (a rejection both kernels make)"
		else
			expect fail "$name" "fails on the baseline (a pass would mean it cannot tell PID namespaces from their absence)"
		fi
	done <"$tap"
	stage_end "$good held, $bad did not"
	printf 'control: %d passed, %d failed\n' "$good" "$bad"
	((bad == 0 && good > 0)) || exit "$EXIT_FAIL"
}

main "$@"
