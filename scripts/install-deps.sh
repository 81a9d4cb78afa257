#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Stage "deps": the Debian packages a target needs.  Every target that
# builds or boots runs this first.  As root, the missing packages are
# installed with apt-get (one line naming them; apt's own output goes to the
# log); otherwise the exact apt-get command is printed and the status is 2.

set -euo pipefail

# shellcheck source=scripts/lib.sh disable=SC1091
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

usage() {
	cat <<EOF
Usage: $0 [-h] [-n] GROUP...

Check that the Debian packages of each GROUP are installed; install the
missing ones when run as root.

Groups:
  build    build a kernel and the initramfs (compilers, kernel build tools,
           busybox-static, static libc)
  boot     boot it: QEMU
  clients  the real tools the clients suite copies into the guest
           (util-linux, procps, bubblewrap, crun, criu)
  check    make check: shellcheck (checkpatch.pl comes with the tree)
  bench    the report's plot: gnuplot
  cross    make check-configs: the powerpc64 cross compiler
  all      every group above

  -n       only check: list what is missing and exit 2 if anything is

Exit status: 0 everything installed, 2 something missing or apt-get failed.
EOF
}

# group_packages GROUP: the packages of one group.
group_packages() {
	case $1 in
	build)
		echo build-essential bc bison flex libelf-dev libssl-dev cpio \
			xz-utils file git patch quilt ccache busybox-static \
			libc6-dev libcap-dev kmod python3
		;;
	boot) echo qemu-system-x86 coreutils util-linux ;;
	clients) echo util-linux procps bubblewrap crun criu ;;
	check) echo shellcheck perl ;;
	bench) echo gnuplot-nox ;;
	cross) echo gcc-powerpc64-linux-gnu binutils-powerpc64-linux-gnu ;;
	all)
		local g
		for g in build boot clients check bench cross; do
			group_packages "$g"
		done
		;;
	*) die "unknown package group '$1' (see $0 -h)" ;;
	esac
}

# installed PKG: is the package installed?
installed() {
	dpkg-query -W -f='${Status}\n' "$1" 2>/dev/null | grep -q ' ok installed$'
}

main() {
	local check_only=0 g p missing=() want=() logf

	[[ ${1:-} != -h && ${1:-} != --help ]] || { usage; exit 0; }
	if [[ ${1:-} == -n ]]; then
		check_only=1
		shift
	fi
	[[ $# -gt 0 ]] || { usage >&2; exit "$EXIT_SETUP"; }
	command -v dpkg-query >/dev/null 2>&1 ||
		die "dpkg-query not found: this project expects Debian 12 (bookworm)"
	for g in "$@"; do
		# shellcheck disable=SC2207
		want+=($(group_packages "$g"))
	done
	for p in $(printf '%s\n' "${want[@]}" | sort -u); do
		installed "$p" || missing+=("$p")
	done
	[[ ${#missing[@]} -gt 0 ]] || return 0

	if [[ $check_only -eq 1 || $EUID -ne 0 ]]; then
		die "missing Debian packages for '$*': ${missing[*]}; install them as root: apt-get install ${missing[*]}"
	fi
	command -v apt-get >/dev/null 2>&1 || die "apt-get not found: cannot install ${missing[*]}"
	log_dir
	logf=$LOG_DIR/deps.log
	stage_begin deps "installing ${missing[*]} (apt-get output: $logf)"
	run_logged "$logf" apt-get update -q ||
		die "apt-get update failed (log: $logf); check the network or /etc/apt/sources.list"
	DEBIAN_FRONTEND=noninteractive run_logged "$logf" \
		apt-get install -y -q "${missing[@]}" ||
		die "apt-get install ${missing[*]} failed (log: $logf)"
	for p in "${missing[@]}"; do
		installed "$p" || die "$p is still not installed after apt-get (log: $logf)"
	done
	stage_end "${#missing[@]} package(s)"
}

main "$@"
