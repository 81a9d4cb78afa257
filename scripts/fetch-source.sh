#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Stage "fetch": provide a pristine Linux 6.12.y tree as a git repository
# under build/src/, and print that repository's path on stdout.

set -euo pipefail

# shellcheck source=scripts/lib.sh disable=SC1091
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

readonly PKG=linux-source-6.12
readonly TARBALL=/usr/src/linux-source-6.12.tar.xz
readonly GIT_ID=(-c user.name='pidns build' -c user.email=pidns-build@localhost)

usage() {
	cat <<EOF
Usage: $0 [-h]

Provide a pristine Linux 6.12.y source tree for the variants to clone, and
print the path of its git repository.

Source, in order of preference:
  KSRC=/path/to/linux   an existing 6.12.y tree: imported, never modified
  (default)             Debian's $PKG package, at the version named by
                        the "# Base:" line of series; the newest 6.12.y that
                        apt serves when that one is gone (with a warning)

Environment: KSRC, BUILD_DIR (see scripts/lib.sh).
Exit status: 0 ok, 2 setup error (wrong version, missing package, no root).
EOF
}

# import_tree repo worktree message: commit worktree's files into repo.
import_tree() {
	local repo=$1 work=$2 msg=$3
	local g=(git "${GIT_ID[@]}" --git-dir="$repo" --work-tree="$work")

	[[ -d $repo ]] || "${g[@]}" init -q
	# -f: Debian's tarball carries a .gitignore that ignores the whole
	# top level; a clean kernel tree has nothing else to ignore.
	"${g[@]}" add -A -f
	if ! "${g[@]}" rev-parse -q --verify HEAD >/dev/null ||
		! "${g[@]}" diff --cached --quiet; then
		"${g[@]}" commit -q -m "$msg"
	fi
}

fetch_ksrc() {
	local ver id repo

	[[ -d $KSRC ]] || die "KSRC=$KSRC: no such directory"
	KSRC=$(realpath "$KSRC")
	ver=$(kernel_version "$KSRC") ||
		die "KSRC=$KSRC: no kernel Makefile there; point KSRC at the top of a Linux 6.12.y tree"
	[[ $ver =~ ^6\.12\.[0-9]+$ ]] ||
		die "KSRC=$KSRC is Linux $ver, not 6.12.y; the series is for 6.12 LTS only"
	if [[ -e $KSRC/.config || -d $KSRC/include/config ]]; then
		die "KSRC=$KSRC has been configured or built in place; run 'make mrproper' there (or use a clean copy)"
	fi
	id=ksrc-$ver-$(printf '%s' "$KSRC" | sha1sum | cut -c1-8)
	repo=$BUILD_DIR/src/$id.git
	stage_begin fetch "KSRC=$KSRC (Linux $ver) -> $repo"
	import_tree "$repo" "$KSRC" "Linux $ver from $KSRC"
	stage_end
	printf '%s\n' "$repo"
}

# pick_package_version want: the Debian version of $PKG to use.
pick_package_version() {
	local want=$1 versions pick

	versions=$(apt-cache madison "$PKG" 2>/dev/null | awk -F'|' '{ gsub(/ /, "", $2); print $2 }')
	if [[ -z $versions && $EUID -eq 0 ]]; then
		log "fetch: apt lists do not know $PKG; running apt-get update"
		apt-get update -qq >&2 || die "apt-get update failed; check the network or apt sources"
		versions=$(apt-cache madison "$PKG" 2>/dev/null | awk -F'|' '{ gsub(/ /, "", $2); print $2 }')
	fi
	[[ -n $versions ]] ||
		die "apt knows no '$PKG' package; run 'apt-get update', or set KSRC=/path/to/linux-6.12.y"
	if [[ -n $want ]]; then
		pick=$(printf '%s\n' "$versions" | grep -F "$want-" | sort -V | tail -n 1 || true)
		if [[ -n $pick ]]; then
			printf '%s\n' "$pick"
			return
		fi
	fi
	pick=$(printf '%s\n' "$versions" | sort -V | tail -n 1)
	warn "apt no longer serves $PKG ${want:-(no Base: line in series)}; using the newest, ${pick}"
	printf '%s\n' "$pick"
}

fetch_debian() {
	local want installed pkgver ver repo unpack tmp

	need_cmd dpkg-query dpkg
	need_cmd apt-cache apt
	need_cmd xz xz-utils
	want=$(series_base_version)
	installed=$(dpkg-query -W -f='${Status} ${Version}\n' "$PKG" 2>/dev/null |
		awk '$3 == "installed" { print $4 }' || true)
	if [[ -n $installed && -n $want && ${installed%%-*} == "$want" ]]; then
		pkgver=$installed
	else
		pkgver=$(pick_package_version "$want")
	fi

	# "~" and ":" are legal in Debian versions but awkward in paths.
	repo=$BUILD_DIR/src/debian-${pkgver//[~:]/_}.git
	if [[ -f $repo/pidns-imported ]]; then
		printf '%s\n' "$repo"
		return
	fi

	stage_begin fetch "Debian $PKG $pkgver"
	if [[ $installed != "$pkgver" ]]; then
		[[ $EUID -eq 0 ]] ||
			die "$PKG $pkgver is not installed; run as root: apt-get install $PKG=$pkgver"
		log "fetch: apt-get install $PKG=$pkgver"
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
			--allow-downgrades "$PKG=$pkgver" >&2 ||
			die "apt-get install $PKG=$pkgver failed"
	fi
	[[ -f $TARBALL ]] || die "$PKG is installed but $TARBALL is missing; reinstall it"

	mkdir -p "$BUILD_DIR/src"
	tmp=$(mktemp -d "$BUILD_DIR/src/unpack.XXXXXX")
	log "fetch: unpacking $TARBALL"
	tar -xJf "$TARBALL" -C "$tmp" --strip-components=1 ||
		{ safe_rm_tree "$tmp"; die "cannot unpack $TARBALL"; }
	ver=$(kernel_version "$tmp") || { safe_rm_tree "$tmp"; die "$TARBALL holds no kernel tree"; }
	[[ $ver =~ ^6\.12\.[0-9]+$ ]] || { safe_rm_tree "$tmp"; die "$TARBALL is Linux $ver, not 6.12.y"; }
	unpack=$BUILD_DIR/src/linux-$ver
	[[ ! -e $unpack ]] || safe_rm_tree "$unpack"
	mv "$tmp" "$unpack"

	log "fetch: importing $unpack into $repo (once; about a minute)"
	[[ ! -e $repo ]] || safe_rm_tree "$repo"
	import_tree "$repo" "$unpack" "Linux $ver (Debian $PKG $pkgver)"
	touch "$repo/pidns-imported"
	stage_end "Linux $ver"
	printf '%s\n' "$repo"
}

main() {
	[[ ${1:-} != -h && ${1:-} != --help ]] || { usage; exit 0; }
	[[ $# -eq 0 ]] || { usage >&2; exit "$EXIT_SETUP"; }
	need_cmd git git
	mkdir -p "$BUILD_DIR/src"
	if [[ -n ${KSRC:-} ]]; then
		fetch_ksrc
	else
		fetch_debian
	fi
}

main "$@"
