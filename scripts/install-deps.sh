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
  check    make check: shellcheck, and what checkpatch.pl and getting the
           tree need (the tree itself, linux-source-6.12, is installed by
           scripts/fetch-source.sh at the version series names)
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
	check) echo shellcheck perl git xz-utils ;;
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
		printf '[%s] error: missing Debian packages for %s: %s\n' "$(_ts)" "$*" "${missing[*]}" >&2
		printf 'install them as root (sudo, or su -c), then run this again:\n' >&2
		printf '  apt-get update && apt-get install -y %s\n' "${missing[*]}" >&2
		exit "$EXIT_SETUP"
	fi
	command -v apt-get >/dev/null 2>&1 || die "apt-get not found: cannot install ${missing[*]}"
	# The run's log directory when a front door made one; otherwise a
	# file of its own, so that root does not create build/ for others.
	if [[ -n ${LOG_DIR:-} ]]; then
		mkdir -p "$LOG_DIR"
		logf=$LOG_DIR/deps.log
	else
		logf=$(mktemp -t pidns-deps.XXXXXX.log)
	fi
	stage_begin deps "installing ${missing[*]} (apt-get output: $logf)"
	run_logged "$logf" apt-get update -q ||
		die "apt-get update failed (log: $logf); check the network or /etc/apt/sources.list"
	# Wait for another apt (unattended-upgrades on a fresh machine);
	# never remove a package to make room for one of ours.
	DEBIAN_FRONTEND=noninteractive run_logged "$logf" \
		apt-get install -y -q --no-remove -o DPkg::Lock::Timeout=300 \
		"${missing[@]}" ||
		die "apt-get install ${missing[*]} failed (log: $logf)"
	for p in "${missing[@]}"; do
		installed "$p" || die "$p is still not installed after apt-get (log: $logf)"
	done
	stage_end "${#missing[@]} package(s)"
}

main "$@"
