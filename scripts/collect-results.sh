#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Stage "results": turn what a test guest wrote on its result channel into
# one TAP line per test case, plus the closing line
#   N passed, N failed, N skipped
# A test program that crashed, timed out or printed fewer results than its
# plan counts as a failure; so does a guest that stopped early, and a console
# with a kernel error report on it (one extra test line, "kernel console").

set -euo pipefail

# shellcheck source=scripts/lib.sh disable=SC1091
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

readonly PENDING=$TOP/selftests/pending
readonly BEYOND=$TOP/selftests/beyond-mainline

usage() {
	cat <<EOF
Usage: $0 [-h] CHANNEL_LOG CONSOLE_LOG

Print TAP and the closing line for a test run; the logs are the ones
scripts/boot-guest.sh test left in \$LOG_DIR.  A copy of the TAP goes to
CHANNEL_LOG's directory as results-<variant>.tap.

Exit status: 0 every test passed or skipped, 1 any failure, 2 bad usage.
EOF
}

# status_programs: the tree's test programs that print no TAP, whose exit
# status is their result: "suite/name" for each line of
# selftests/tree-selftests* marked "status".
status_programs() {
	local list suite src mode

	for list in "$TOP"/selftests/tree-selftests "$TOP"/selftests/tree-selftests-pidns; do
		suite=tree
		[[ $list != *-pidns ]] || suite=treens
		while read -r src mode; do
			[[ -n $src && $src != \#* && ${mode:-} == status ]] || continue
			src=${src##*/}
			printf '%s/%s ' "$suite" "${src%.c}"
		done <"$list"
	done
}

# kunit_suites_expected: the KUnit suites this variant's kernel runs at boot
# and whose results the guest reports (all suites, or TEST_SUITES with kunit).
kunit_suites_expected() {
	case " ${TEST_SUITES:-*} " in
	*" * "* | *" kunit "*) ;;
	*) return 0 ;;
	esac
	grep -qx 'CONFIG_PID_TABLE_KUNIT_TEST=y' "$OBJ/.config" 2>/dev/null &&
		printf 'pid_table\n'
	return 0
}

# tap CHANNEL: the per-test TAP lines and the summary, from the channel.
tap() {
	tr -d '\r' <"$1" | awk -v status_progs=" $(status_programs)" '
	function emit(ok, desc, directive) {
		n++
		line = (ok ? "ok " : "not ok ") n " " desc
		if (directive != "")
			line = line " # " directive
		print line
		if (directive ~ /^SKIP/)
			skipped++
		else if (ok)
			passed++
		else
			failed++
	}
	function close_prog(rc,    why) {
		why = ""
		if (seen == 0 && index(status_progs, " " prog " ")) {
			# A test that prints no TAP: its status is the result.
			emit(rc == 0, prog ": exit status " rc " (prints no TAP)", "")
			prog = ""
			return
		}
		if (seen == 0)
			why = "printed no results (status " rc ")"
		else if (seen < plan)
			why = "stopped after " seen " of " plan " results (status " rc ")"
		else if (rc != 0 && rc != 4 && prog_failed == 0)
			why = "exited with status " rc
		if (why != "")
			emit(0, prog ": " why, "")
		prog = ""
	}
	/^@@pidns begin / { prog = $3; plan = 0; seen = 0; prog_failed = 0; next }
	/^@@pidns end / { if (prog != "") close_prog($4); next }
	/^@@pidns done / { done = 1; next }
	prog != "" && /^1\.\.[0-9]+/ { plan = substr($1, 4) + 0; next }
	prog != "" && /^(not )?ok [0-9]+ / {
		ok = ($1 == "ok")
		rest = $0
		sub(/^(not )?ok [0-9]+ /, "", rest)
		directive = ""
		if (match(rest, / # /)) {
			directive = substr(rest, RSTART + 3)
			rest = substr(rest, 1, RSTART - 1)
		}
		if (!ok && directive !~ /^SKIP/)
			prog_failed++
		seen++
		emit(ok, prog ": " rest, directive)
		next
	}
	END {
		if (prog != "")
			close_prog("killed")
		if (!done)
			emit(0, "guest: stopped before reporting that all tests ran", "")
		printf "@@summary %d %d %d %d\n", n, passed, failed, skipped
	}'
}

# listed_reason LIST NAME: the reason NAME is listed in LIST, if it is.
listed_reason() {
	local list=$1 name=$2 line pat

	[[ -f $list ]] || return 1
	while IFS= read -r line; do
		[[ $line == *" # "* && $line != "#"* ]] || continue
		pat=${line%% # *}
		pat=${pat%"${pat##*[![:space:]]}"}
		# shellcheck disable=SC2053
		if [[ $name == $pat ]]; then
			printf '%s\n' "${line#* # }"
			return 0
		fi
	done <"$list"
	return 1
}

# pending_reason NAME: why NAME is in selftests/pending, on the variants
# that list applies to (full, PATCH=NNNN).
pending_reason() {
	[[ $VARIANT_KIND == full || $VARIANT_KIND == patch ]] || return 1
	listed_reason "$PENDING" "$1"
}

# beyond_reason NAME: what 6.12 does instead, if NAME is in
# selftests/beyond-mainline and the variant is upstream.
beyond_reason() {
	[[ $VARIANT_KIND == upstream ]] || return 1
	listed_reason "$BEYOND" "$1"
}

# apply_pending: rewrite the TAP lines of pending tests (see selftests/pending)
# and, on upstream, of tests beyond mainline (selftests/beyond-mainline) on
# stdin; adjusts passed, failed and skipped.
apply_pending() {
	local line num name why re='^(not )?ok ([0-9]+) (.*)$'

	while IFS= read -r line; do
		if [[ $line =~ $re && ${BASH_REMATCH[3]} != *" # "* ]] &&
			why=$(beyond_reason "${BASH_REMATCH[3]}"); then
			num=${BASH_REMATCH[2]}
			name=${BASH_REMATCH[3]}
			if [[ -n ${BASH_REMATCH[1]} ]]; then
				line="not ok $num $name # SKIP beyond mainline: $why"
				failed=$((failed - 1))
				skipped=$((skipped + 1))
				beyond=$((beyond + 1))
			else
				line="not ok $num $name: passes on upstream, but selftests/beyond-mainline says 6.12 lacks it; take it off the list"
				passed=$((passed - 1))
				failed=$((failed + 1))
			fi
		elif [[ $line =~ $re && ${BASH_REMATCH[3]} != *" # "* ]] &&
			why=$(pending_reason "${BASH_REMATCH[3]}"); then
			num=${BASH_REMATCH[2]}
			name=${BASH_REMATCH[3]}
			if [[ -n ${BASH_REMATCH[1]} ]]; then
				line="not ok $num $name # TODO pending: $why"
				failed=$((failed - 1))
				skipped=$((skipped + 1))
				pending=$((pending + 1))
			else
				line="not ok $num $name: passes, but selftests/pending says it cannot yet; take it off the list"
				passed=$((passed - 1))
				failed=$((failed + 1))
			fi
		fi
		printf '%s\n' "$line"
	done
}

main() {
	local chan console out tapf summary n passed failed skipped bad pending=0 beyond=0 suite

	[[ ${1:-} != -h && ${1:-} != --help ]] || { usage; exit 0; }
	[[ $# -eq 2 ]] || { usage >&2; exit "$EXIT_SETUP"; }
	chan=$1
	console=$2
	[[ -f $chan ]] || die "no result channel log at $chan"
	[[ -f $console ]] || die "no console log at $console"
	select_variant

	stage_begin results "$VARIANT_NAME: $chan"
	out=$(tap "$chan")
	summary=$(printf '%s\n' "$out" | sed -n 's/^@@summary //p')
	read -r n passed failed skipped <<<"$summary"
	out=$(printf '%s\n' "$out" | grep -v '^@@summary ')
	# Not in a pipeline: apply_pending updates the counters.
	out=$(apply_pending <<<"$out"; printf '@@counts %d %d %d %d %d\n' \
		"$passed" "$failed" "$skipped" "$pending" "$beyond")
	read -r passed failed skipped pending beyond <<<"$(sed -n 's/^@@counts //p' <<<"$out")"
	out=$(grep -v '^@@counts ' <<<"$out")
	# A KUnit suite the kernel was built with must have reported.
	for suite in $(kunit_suites_expected); do
		grep -q "^@@pidns begin kunit/$suite\b" "$chan" && continue
		n=$((n + 1))
		out+=$'\n'"not ok $n kunit/$suite: built in, but no results in the kernel log"
		failed=$((failed + 1))
	done
	bad=$(console_badness "$console")
	n=$((n + 1))
	if [[ -n $bad ]]; then
		out+=$'\n'"not ok $n kernel console: $(printf '%s\n' "$bad" | head -n 1)"
		failed=$((failed + 1))
	else
		out+=$'\n'"ok $n kernel console: no BUG, WARNING, KASAN, UBSAN, lockdep or RCU stall report"
		passed=$((passed + 1))
	fi
	tapf=$(dirname "$chan")/results-$VARIANT_NAME.tap
	{
		printf 'TAP version 13\n'
		printf '%s\n' "$out" | sed '/^$/d'
		printf '1..%d\n' "$n"
	} | tee "$tapf"
	stage_end "TAP in $tapf"
	if ((pending > 0)); then
		log "results:  $pending of the skipped are pending: tests of behaviour the series does not bring yet (selftests/pending); they must fail, and do"
	fi
	if ((beyond > 0)); then
		log "results:  $beyond of the skipped test behaviour beyond mainline 6.12 (selftests/beyond-mainline); upstream must fail them, and does"
	fi
	if ((skipped > 0)); then
		printf '%d passed, %d failed, %d skipped\n' "$passed" "$failed" "$skipped"
	else
		printf '%d passed, %d failed\n' "$passed" "$failed"
	fi
	((failed == 0)) || exit "$EXIT_FAIL"
}

main "$@"
