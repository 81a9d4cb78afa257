#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Stage "apply": bring build/<variant>/linux to the pristine base plus the
# variant's patches, one git commit per patch, applied without fuzz.
# Patches already applied (same name, same content, same order) are kept, so
# unchanged files keep their timestamps and rebuilds stay incremental.

set -euo pipefail

# shellcheck source=scripts/lib.sh disable=SC1091
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

readonly GIT_ID=(-c user.name='pidns build' -c user.email=pidns-build@localhost)

usage() {
	cat <<EOF
Usage: $0 [-h] [BASE_REPO]

Make build/<variant>/linux the base tree plus the variant's patches from
series, one commit per patch.  BASE_REPO is the git repository printed by
scripts/fetch-source.sh (run here when not given).

Environment: VARIANT, PATCH, CONFIG, KSRC, BUILD_DIR (see scripts/lib.sh).
Exit status: 0 ok, 2 setup error: a missing patch, a patch that does not
apply with fuzz 0 (named, with its failing hunks), or a variant tree that
holds work of yours the stage would overwrite.
EOF
}

tgit() { git "${GIT_ID[@]}" -C "$TREE" "$@"; }

# explain_failure patch: show why a patch does not apply, hunk by hunk.
explain_failure() {
	local patch=$1
	printf -- '--- patch(1) --dry-run --fuzz=0 on %s ---\n' "$TREE" >&2
	(cd "$TREE" && patch -p1 --dry-run --fuzz=0 --batch -i "$patch" 2>&1 |
		grep -E '^(checking file|patching file|Hunk|[0-9]+ out of|.*FAILED|.*malformed|.*Only garbage)' |
		sed 's/^/  /') >&2 || true
	printf -- '--- end ---\n' >&2
}

# prepare_tree base_repo: clone the base, or check an existing tree is ours.
prepare_tree() {
	local repo=$1 base_commit tree_base expected head

	base_commit=$(git --git-dir="$repo" rev-parse HEAD) ||
		die "base repository $repo has no commit; remove it and run again"
	if [[ ! -d $TREE/.git ]]; then
		[[ ! -e $TREE ]] || safe_rm_tree "$TREE"
		log "apply: cloning the base into $TREE"
		mkdir -p "$VDIR"
		git clone -q --shared --no-checkout "$repo" "$TREE"
		tgit checkout -q -B pidns "$base_commit"
		printf '%s\n' "$base_commit" >"$VDIR/tree-base"
		: >"$VDIR/applied"
		return
	fi

	tree_base=$(cat "$VDIR/tree-base" 2>/dev/null || true)
	expected=$(awk 'END { if (NR) print $3 }' "$VDIR/applied" 2>/dev/null || true)
	expected=${expected:-$tree_base}
	head=$(tgit rev-parse HEAD)
	if [[ $head != "$expected" ]]; then
		die "$TREE has commits that did not come from series (HEAD $head, expected $expected); save them with 'git format-patch' and remove the tree, or use another BUILD_DIR"
	fi
	if ! tgit diff --quiet HEAD --; then
		die "$TREE has uncommitted changes to tracked files; commit or stash them (and export with 'git format-patch'), then run again"
	fi
	if [[ $tree_base != "$base_commit" ]]; then
		log "apply: the base changed; moving $TREE to $base_commit"
		tgit fetch -q "$repo" HEAD
		tgit reset -q --hard "$base_commit"
		printf '%s\n' "$base_commit" >"$VDIR/tree-base"
		: >"$VDIR/applied"
	fi
}

main() {
	local repo list wanted=() applied=() keep=0 target sum p i line

	[[ ${1:-} != -h && ${1:-} != --help ]] || { usage; exit 0; }
	[[ $# -le 1 ]] || { usage >&2; exit "$EXIT_SETUP"; }
	need_cmd git git
	need_cmd patch patch
	select_variant
	if [[ $# -eq 1 ]]; then
		repo=$1
	else
		repo=$("$TOP/scripts/fetch-source.sh")
	fi

	# Not "mapfile < <(...)": an error in variant_patches must stop us.
	list=$(variant_patches) || exit "$EXIT_SETUP"
	[[ -z $list ]] || mapfile -t wanted <<<"$list"
	for p in "${wanted[@]}"; do
		[[ -f $(patch_path "$p") ]] || die "series lists $p, but $(patch_path "$p") does not exist"
	done

	stage_begin apply "$VARIANT_NAME: ${#wanted[@]} patch(es) onto $(basename "$repo" .git)"
	prepare_tree "$repo"

	# Keep the longest prefix of patches already applied, unchanged.
	mapfile -t applied <"$VDIR/applied"
	while ((keep < ${#applied[@]} && keep < ${#wanted[@]})); do
		read -r sum p _ <<<"${applied[keep]}"
		[[ $p == "${wanted[keep]}" ]] || break
		[[ $sum == "$(sha1sum <"$(patch_path "$p")" | cut -d' ' -f1)" ]] || break
		keep=$((keep + 1))
	done
	if ((keep > 0)); then
		read -r _ _ target <<<"${applied[keep - 1]}"
	else
		target=$(cat "$VDIR/tree-base")
	fi
	if [[ $(tgit rev-parse HEAD) != "$target" ]]; then
		tgit reset -q --hard "$target"
	fi
	printf '%s' "" >"$VDIR/applied"
	for ((i = 0; i < keep; i++)); do
		printf '%s\n' "${applied[i]}" >>"$VDIR/applied"
	done

	for ((i = keep; i < ${#wanted[@]}; i++)); do
		p=${wanted[i]}
		if ! line=$(tgit am -q --whitespace=nowarn "$(patch_path "$p")" 2>&1); then
			tgit am --abort >/dev/null 2>&1 || true
			# git am's own reason; all of its output if it gave none
			# in the usual form ("Patch format detection failed.").
			if grep -qE '^(error|fatal)' <<<"$line"; then
				grep -E '^(error|fatal)' <<<"$line" |
					sed 's/^/  git am: /' >&2
			else
				printf '  git am: %s\n' "$line" >&2
			fi
			explain_failure "$(patch_path "$p")"
			die "patch $((i + 1))/${#wanted[@]} $(patch_path "$p") does not apply to $TREE with fuzz 0 (failing hunks above)"
		fi
		printf '%s %s %s\n' "$(sha1sum <"$(patch_path "$p")" | cut -d' ' -f1)" \
			"$p" "$(tgit rev-parse HEAD)" >>"$VDIR/applied"
	done
	stage_end "$keep kept, $((${#wanted[@]} - keep)) applied"
}

main "$@"
