#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Stage "initramfs": compile the selftests and the demo statically against
# the variant's uapi headers, and pack them with busybox-static and
# scripts/guest-init.sh into build/<variant>/initramfs.cpio.  No root needed:
# the archive is described to the kernel's usr/gen_init_cpio, which sets
# owners and device nodes itself.

set -euo pipefail

# shellcheck source=scripts/lib.sh disable=SC1091
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

readonly BUSYBOX=/bin/busybox

# The real tools of the clients suite (selftests/clients), copied with their
# shared libraries to their Debian paths: the tests call them by these
# absolute paths, apart from busybox's applets in /bin.
readonly CLIENT_TOOLS=(/usr/bin/unshare /usr/bin/nsenter /usr/bin/lsns
	/usr/bin/setpriv /usr/bin/ps /usr/bin/pgrep /usr/bin/pidof /usr/bin/top
	/usr/bin/bwrap /usr/bin/crun /usr/sbin/criu)
# Files they read: top needs a terminfo entry even in batch mode.
readonly CLIENT_DATA=(/lib/terminfo/d/dumb)

usage() {
	cat <<EOF
Usage: $0 [-h]

Build build/<variant>/initramfs.cpio: /init, /bin/busybox, /bin/nested-pids,
every selftest as /tests/<suite>/<name>, /bench/pidbench, the stress
program /stress/pidstress with its guest script /bin/pidns-stress, and the
clients suite's real tools with their shared libraries:
  ${CLIENT_TOOLS[*]}

Environment: VARIANT, PATCH, CONFIG, BUILD_DIR, LOG_DIR (see scripts/lib.sh).
Exit status: 0 ok, 2 a missing tool or a compile error (log shown).
EOF
}

# cpio_list: the gen_init_cpio description of the archive.
cpio_list() {
	local guest=$1 f rel d

	cat <<EOF
dir /dev 0755 0 0
nod /dev/console 0600 0 0 c 5 1
dir /proc 0755 0 0
dir /sys 0755 0 0
dir /tmp 1777 0 0
dir /root 0700 0 0
dir /bin 0755 0 0
dir /sbin 0755 0 0
dir /usr 0755 0 0
dir /usr/bin 0755 0 0
dir /usr/sbin 0755 0 0
file /bin/busybox $BUSYBOX 0755 0 0
slink /bin/sh busybox 0777 0 0
file /init $TOP/scripts/guest-init.sh 0755 0 0
file /bin/nested-pids $guest/nested-pids 0755 0 0
dir /bench 0755 0 0
file /bench/pidbench $guest/pidbench 0755 0 0
file /bench/true $guest/true 0755 0 0
dir /stress 0755 0 0
file /stress/pidstress $guest/pidstress 0755 0 0
file /bin/pidns-stress $TOP/scripts/guest-stress.sh 0755 0 0
dir /tests 0755 0 0
dir /etc 0755 0 0
file /etc/passwd $guest/passwd 0644 0 0
file /etc/group $guest/group 0644 0 0
EOF
	client_tools_list "$guest/client-files"
	for d in "$guest"/tests/*/; do
		[[ -d $d ]] || continue
		rel=${d#"$guest"}
		printf 'dir /%s 0755 0 0\n' "${rel%/}"
	done
	for f in "$guest"/tests/*/*; do
		[[ -f $f && -x $f ]] || continue
		printf 'file /%s %s 0755 0 0\n' "${f#"$guest"/}" "$f"
	done
}

# client_files: every file the clients suite's tools need, one per line as
# "PATH TARGET": PATH as the tool or the dynamic linker names it, TARGET the
# file it resolves to (the same unless PATH is a symbolic link).
client_files() {
	local t f out

	for t in "${CLIENT_TOOLS[@]}" "${CLIENT_DATA[@]}"; do
		printf '%s %s\n' "$t" "$(readlink -f "$t")"
		[[ -x $t ]] || continue
		# The guest has no ld.so.cache: only the default directories.
		out=$(env -u LD_LIBRARY_PATH -u LD_PRELOAD ldd "$t") ||
			die "ldd $t failed: cannot list the libraries it needs in the guest"
		! grep -q 'not found' <<<"$out" ||
			die "$t needs a library that ldd cannot find: $(grep 'not found' <<<"$out" | tr -s ' \t\n' ' ')"
		# ldd: "libx.so.1 => /lib/.../libx.so.1 (0x...)" and the
		# dynamic linker as "/lib64/ld-linux-x86-64.so.2 (0x...)".
		while read -r f; do
			case ${f%/*} in
			/lib/x86_64-linux-gnu | /usr/lib/x86_64-linux-gnu | /lib64) ;;
			*) die "$t loads $f, outside the directories the guest's dynamic linker searches" ;;
			esac
			printf '%s %s\n' "$f" "$(readlink -f "$f")"
		done < <(awk '$2 == "=>" && $3 ~ /^\// { print $3 }
			$1 ~ /^\// { print $1 }' <<<"$out")
	done | sort -u
}

# client_tools_list files: the gen_init_cpio lines for client_files's list
# in FILES: each
# directory once, each file at the path it resolves to, and a symbolic link
# to that file where the tools name it by another path.
client_tools_list() {
	local path target f d p parts mode
	local -A made=([/bin]=1 [/sbin]=1 [/usr]=1 [/usr/bin]=1 [/usr/sbin]=1
		[/etc]=1)

	while read -r path target; do
		for f in "$path" "$target"; do
			parts=()
			d=${f%/*}
			while [[ -n $d && -z ${made[$d]:-} ]]; do
				parts=("$d" "${parts[@]}")
				made[$d]=1
				d=${d%/*}
			done
			for p in "${parts[@]}"; do
				printf 'dir %s 0755 0 0\n' "$p"
			done
		done
		if [[ -z ${made[$target]:-} ]]; then
			mode=0644
			[[ ! -x $target ]] || mode=0755
			printf 'file %s %s %s 0 0\n' "$target" "$target" "$mode"
			made[$target]=1
		fi
		if [[ $path != "$target" && -z ${made[$path]:-} ]]; then
			printf 'slink %s %s 0777 0 0\n' "$path" "$target"
			made[$path]=1
		fi
	done <"$1"
}

# build_tree_selftests list outdir logfile: the tree's own selftests listed
# in selftests/<list>, built from the variant's tree.
build_tree_selftests() {
	local list=$1 out=$2 logf=$3 src dir name
	local st=$TREE/tools/testing/selftests

	mkdir -p "$out"
	while read -r src _; do
		[[ -n $src && $src != \#* ]] || continue
		[[ -f $st/$src ]] || die "selftests/$list lists $src, which $st does not have"
		dir=$(dirname "$src")
		name=$(basename "$src" .c)
		run_logged "$logf" gcc -O2 -static -w -isystem "$OBJ/usr/include" \
			-I"$st" -I"$st/$dir" -o "$out/$name" "$st/$src" -lpthread ||
			die "the tree's selftest $src failed to compile for $VARIANT_NAME"
	done <"$TOP/selftests/$list"
}

main() {
	local logf guest gen list out cflags t

	[[ ${1:-} != -h && ${1:-} != --help ]] || { usage; exit 0; }
	[[ $# -eq 0 ]] || { usage >&2; exit "$EXIT_SETUP"; }
	select_variant
	need_cmd gcc build-essential
	need_cmd file file
	if [[ ! -x $BUSYBOX ]] ||
		! file -L "$BUSYBOX" | grep -q 'statically linked'; then
		die "$BUSYBOX is missing or not static; install it: apt-get install busybox-static"
	fi
	[[ -f /usr/lib/x86_64-linux-gnu/libc.a ]] ||
		die "no static libc; install it: apt-get install libc6-dev"
	for t in "${CLIENT_DATA[@]}"; do
		[[ -f $t ]] || die "$t is missing: top reads it in the guest; install it: apt-get install ncurses-base"
	done
	for t in "${CLIENT_TOOLS[@]}"; do
		[[ -x $t ]] ||
			die "$t is missing: the clients suite runs it in the guest; install it: scripts/install-deps.sh clients (pidof: apt-get install sysvinit-utils)"
	done
	need_cmd ldd libc-bin
	[[ -d $OBJ/usr/include/linux ]] ||
		die "no uapi headers in $OBJ/usr/include; run scripts/build-kernel.sh first"

	log_dir
	logf=$LOG_DIR/initramfs-$VARIANT_NAME.log
	guest=$VDIR/guest
	out=$VDIR/initramfs.cpio
	stage_begin initramfs "$VARIANT_NAME: busybox, demo, selftests (log: $logf)"
	# From scratch: a test whose source is gone must not run from an old
	# binary.
	rm -rf "$guest/tests"
	mkdir -p "$guest/tests"

	# Compiled every time: cheap, and the uapi headers may have changed.
	run_logged "$logf" make -C "$TOP/selftests" -B OUTPUT="$guest/tests" \
		KHDR="$OBJ/usr/include" SELFTESTS="$TREE/tools/testing/selftests" ||
		die "selftests failed to compile against $VARIANT_NAME's headers"
	cflags=(-O2 -Wall -Wextra -static -isystem "$OBJ/usr/include")
	build_tree_selftests tree-selftests "$guest/tests/tree" "$logf"
	build_tree_selftests tree-selftests-pidns "$guest/tests/treens" "$logf"
	run_logged "$logf" gcc "${cflags[@]}" -o "$guest/nested-pids" \
		"$TOP/demo/nested_pids.c" || die "demo/nested_pids.c failed to compile"
	run_logged "$logf" gcc "${cflags[@]}" -pthread -o "$guest/pidbench" \
		"$TOP/selftests/bench/pidbench.c" ||
		die "selftests/bench/pidbench.c failed to compile"
	run_logged "$logf" gcc "${cflags[@]}" -Wno-unused-parameter -pthread \
		-I"$TOP/selftests/pidns" -o "$guest/pidstress" \
		"$TOP"/selftests/stress/*.c ||
		die "selftests/stress failed to compile"
	run_logged "$logf" gcc -O2 -nostdlib -static -o "$guest/true" \
		"$TOP/selftests/bench/true.c" || die "selftests/bench/true.c failed to compile"

	printf '%s\n' 'root:x:0:0:root:/root:/bin/sh' \
		'nobody:x:65534:65534:nobody:/nonexistent:/bin/false' >"$guest/passwd"
	printf '%s\n' 'root:x:0:' 'nogroup:x:65534:' >"$guest/group"

	gen=$VDIR/gen_init_cpio
	if [[ ! -x $gen || $gen -ot $TREE/usr/gen_init_cpio.c ]]; then
		run_logged "$logf" gcc -O2 -o "$gen" "$TREE/usr/gen_init_cpio.c" ||
			die "cannot build usr/gen_init_cpio from $TREE"
	fi
	# Apart, so that a tool whose libraries cannot be listed stops here.
	client_files >"$guest/client-files.tmp"
	mv "$guest/client-files.tmp" "$guest/client-files"
	list=$guest/initramfs.list
	cpio_list "$guest" >"$list"
	"$gen" "$list" >"$out.tmp" 2>>"$logf" ||
		die "gen_init_cpio failed on $list (log: $logf)"
	mv "$out.tmp" "$out"
	stage_end "$(find "$guest/tests" -type f -perm -u+x | wc -l) test program(s), $(du -h "$out" | cut -f1)"
}

main "$@"
