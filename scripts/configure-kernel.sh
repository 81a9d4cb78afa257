#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Stage "config": tinyconfig (x86_64_defconfig for CONFIG=defconfig)
# + scripts/qemu.config + Kconfig.fragment
# (+ scripts/debug.config and faults.config for CONFIG=debug or faults,
# + scripts/kcsan.config for CONFIG=kcsan), merged with the tree's
# merge_config.sh, then checked: every requested option must be in the final
# .config as requested, because merge_config drops options whose
# dependencies are unmet without a word.

set -euo pipefail

# shellcheck source=scripts/lib.sh disable=SC1091
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

usage() {
	cat <<EOF
Usage: $0 [-h]

Configure build/<variant>/obj from tinyconfig (x86_64_defconfig for
CONFIG=defconfig) and the fragments, and verify
that every option the fragments ask for took effect.  Skipped when neither
the fragments nor the variant's tree changed since the last run.

Environment: VARIANT, PATCH, CONFIG, BUILD_DIR, LOG_DIR (see scripts/lib.sh).
Exit status: 0 ok, 2 a requested option is missing (listed) or make failed.
EOF
}

# defined_in_tree SYMBOL: does any Kconfig file of the tree define it?
defined_in_tree() {
	grep -rqsE "^[[:space:]]*(menu)?config[[:space:]]+$1[[:space:]]*$" \
		--include='Kconfig*' "$TREE"
}

# verify_config fragment...: every requested value is in $OBJ/.config.
verify_config() {
	local frag line sym want have missing=() absent=()

	for frag in "$@"; do
		while IFS= read -r line; do
			if [[ $line =~ ^(CONFIG_[A-Za-z0-9_]+)=(.*)$ ]]; then
				sym=${BASH_REMATCH[1]}
				want=${BASH_REMATCH[2]}
			elif [[ $line =~ ^#\ (CONFIG_[A-Za-z0-9_]+)\ is\ not\ set ]]; then
				sym=${BASH_REMATCH[1]}
				want=n
			else
				continue
			fi
			have=$(sed -n "s/^$sym=//p" "$OBJ/.config")
			have=${have:-n}
			[[ $have != "$want" ]] || continue
			if ! defined_in_tree "${sym#CONFIG_}"; then
				absent+=("$sym")
				continue
			fi
			missing+=("$sym=$want (got $have; from ${frag#"$TOP"/})")
		done <"$frag"
	done
	for sym in "${absent[@]}"; do
		warn "$sym is not defined by this tree's Kconfig; skipped (the baseline removes CONFIG_PID_NS, options the series adds exist only once their patch is applied; otherwise check for a typo)"
	done
	if [[ ${#missing[@]} -gt 0 ]]; then
		printf '  %s\n' "${missing[@]}" >&2
		die "${#missing[@]} requested option(s) did not take effect in $OBJ/.config (unmet dependencies?); fix the fragment"
	fi
}

main() {
	local frags logf stamp base=tinyconfig

	[[ ${1:-} != -h && ${1:-} != --help ]] || { usage; exit 0; }
	[[ $# -eq 0 ]] || { usage >&2; exit "$EXIT_SETUP"; }
	select_variant
	[[ -d $TREE/.git ]] || die "no tree at $TREE; run scripts/apply-series.sh first"
	frags=("$TOP/scripts/qemu.config" "$TOP/Kconfig.fragment")
	case $CONFIG in
	debug | faults) frags+=("$TOP/scripts/debug.config" "$TOP/scripts/faults.config") ;;
	kcsan) frags+=("$TOP/scripts/kcsan.config") ;;
	defconfig) base=x86_64_defconfig ;;
	esac
	for f in "${frags[@]}"; do
		[[ -f $f ]] || die "config fragment $f is missing"
	done

	stamp=$({ git -C "$TREE" rev-parse HEAD; echo "$base"; cat "${frags[@]}"; } | sha1sum | cut -d' ' -f1)
	if [[ -f $OBJ/.config && $(cat "$VDIR/config-stamp" 2>/dev/null) == "$stamp" ]]; then
		log "config:   $VARIANT_NAME: up to date"
		return
	fi

	log_dir
	logf=$LOG_DIR/config-$VARIANT_NAME.log
	stage_begin config "$VARIANT_NAME: $base + ${frags[*]##*/} (log: $logf)"
	mkdir -p "$OBJ"
	rm -f "$VDIR/config-stamp"
	run_logged "$logf" make -C "$TREE" O="$OBJ" ARCH=x86_64 "$base" ||
		die "make $base failed in $TREE"
	run_logged "$logf" "$TREE/scripts/kconfig/merge_config.sh" -m -O "$OBJ" \
		"$OBJ/.config" "${frags[@]}" || die "merge_config.sh failed"
	run_logged "$logf" make -C "$TREE" O="$OBJ" ARCH=x86_64 olddefconfig ||
		die "make olddefconfig failed in $TREE"
	verify_config "${frags[@]}"
	printf '%s\n' "$stamp" >"$VDIR/config-stamp"
	stage_end "$(grep -c '=y$' "$OBJ/.config") options set"
}

main "$@"
