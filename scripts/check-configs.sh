#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# `make check-configs`: the series against kernel configurations the test
# kernel does not cover.  Every object that uses the part of the pid API the
# series touches is compiled in an x86_64 allmodconfig of upstream and of the
# variant, and the variant fails on a compiler diagnostic upstream does not
# have, or on a modular object that needs a symbol nothing exports.  Then the
# one modular user of the pid API outside x86, spufs, is cross-compiled for
# powerpc (ppc64_defconfig) with the same two checks.

set -euo pipefail

# shellcheck source=scripts/lib.sh disable=SC1091
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

usage() {
	cat <<EOF
Usage: $0 [-h]

1. Objects: the .c files of upstream and of the variant (not tools/,
   scripts/, Documentation/, samples/, usr/, nor arch/ other than x86)
   that use the pid API, or a declaration that the series adds, removes or
   changes in include/linux/pid*.h, sched.h or sched/*.h; a .c file that
   another one #includes stands for the file that includes it.
2. Diagnostics: each object is compiled (make -k W=0 dir/file.o, after
   make prepare) in an x86_64 allmodconfig with CONFIG_WERROR off, once per
   tree.  kbuild compiles a single target even when the configuration
   leaves it out; any W= value also runs scripts/kernel-doc on the file.
   The warnings and errors (compiler, objtool, kernel-doc) are compared by
   object, file and message (line numbers left out), counting repeats: one
   the variant has more often than upstream fails the check.
3. Exports: the undefined symbols (nm -u) of each object that is part of
   a module must be exported by the tree (EXPORT_SYMBOL*) or defined by
   another compiled object of the same module; one unresolved on the
   variant and not on upstream fails the check.
4. powerpc: $SPUFS_DIR/ (spufs.ko, CONFIG_SPU_FS=m on
   ppc64_defconfig) is cross-compiled with ${PPC_CROSS}gcc on both trees,
   and spufs.o goes through checks 2 and 3.

Objects that do not build on upstream either are reported, not failed.
Objects: build/check-configs/<variant>/{x86,powerpc}/obj (the variants'
own build/<variant>/obj are not touched); next to them results/ (status,
diags, unresolved, exports); the object list and the patterns that chose
it: build/check-configs/{objects,patterns}; make's logs: LOG_DIR.

Environment: VARIANT, PATCH, EXTRA_PATCH, EXTRA_NAME, BUILD_DIR, LOG_DIR (see
scripts/lib.sh; the variant is compared with upstream; CONFIG is ignored),
  JOBS       parallel jobs (default: nproc)
  LIMIT=N    compile only the first N objects of the list (a quick run;
             spufs is always compiled)
  NO_CCACHE=1  do not use ccache even when it is installed
Exit status: 0 no new diagnostic nor unresolved symbol, 1 some (listed),
2 setup error (a tree missing, a configuration or make prepare failed).
EOF
}

readonly SPUFS_DIR=arch/powerpc/platforms/cell/spufs
readonly PPC_CROSS=powerpc64-linux-gnu-

# The pid API the series touches (Perl regular expressions): whatever the
# header comparison finds, these users are compiled.
readonly PID_API_RE=(
	'\b(find_pid_ns|find_vpid|find_task_by_pid_ns|find_task_by_vpid|find_get_pid)\b'
	'\b(pid_nr_ns|pid_vnr|pid_nr)\b'
	'\btask_(pid|tgid|pgrp|session|ppid)_nr_ns\b'
	'\btask_(pid|tgid)_vnr\b'
	'\b(task_active_pid_ns|ns_of_pid)\b'
	'pid_ns'
	'\bstruct upid\b'
	'\bnumbers\['
	'\b\w*(pid|ns)\w*->level\b'
	'\bpid_namespace\b'
	'\binit_pid_ns\b'
	'\b(alloc_pid|free_pid|put_pid|get_pid)\b'
	'\bpidfd_'
	'\bidr_get_cursor\b'
	'\bpid_table_'
)

# The headers whose declarations the series' changes are read from.
readonly API_HEADERS=('include/linux/pid*.h' 'include/linux/sched.h'
	'include/linux/sched/*.h')

# Where the users are looked for (git pathspecs).
readonly SOURCES=('*.c' ':!tools/' ':!scripts/' ':!Documentation/'
	':!samples/' ':!usr/')

# Undefined symbols of a module that the module's own build resolves.
readonly MODPOST_PROVIDES='^(__this_module|[.]?TOC[.])$'

# The declarations of a C header without its comments, one a line:
# "kind TAB name TAB #if-conditions|text", text with its blanks normalised.
# Kinds: M macro, F function, V variable or typedef, S struct, union or
# enum (name "struct foo"), m member (name "struct foo.member"), E
# enumerator.  A declaration that two trees print differently changed.
# shellcheck disable=SC2016
readonly DECLS_AWK='
function norm(s) {
	gsub(/[ \t]+/, " ", s)
	while (match(s, / [][(){}*,;=]|[][(){}*,;=] /)) {
		if (substr(s, RSTART, 1) == " ")
			s = substr(s, 1, RSTART - 1) substr(s, RSTART + 1)
		else
			s = substr(s, 1, RSTART) substr(s, RSTART + 2)
	}
	gsub(/(^| )extern /, " ", s)
	sub(/^ +/, "", s)
	sub(/ +$/, "", s)
	return s
}
function cond(   i, c) {
	c = ""
	for (i = 1; i <= ncond; i++)
		c = c (i > 1 ? " && " : "") condv[i]
	return c
}
function out(kind, name, text) {
	printf "%s\t%s\t%s|%s\n", kind, name, cond(), norm(text)
}
function directive(d,   w, rest, name) {
	d = norm(d)
	sub(/^# ?/, "", d)
	w = d
	sub(/ .*/, "", w)
	rest = d
	sub(/^[a-z]+ ?/, "", rest)
	if (w == "ifdef" || w == "if")
		condv[++ncond] = rest
	else if (w == "ifndef")
		condv[++ncond] = "!" rest
	else if (w == "elif")
		condv[ncond] = "elif " rest
	else if (w == "else")
		condv[ncond] = "else " condv[ncond]
	else if (w == "endif")
		ncond--
	else if (w == "define") {
		name = rest
		sub(/[( ].*/, "", name)
		out("M", name, "#define " rest)
	}
}
function member_name(t,   n) {
	t = norm(t)
	if (match(t, /\(\*[A-Za-z_][A-Za-z0-9_]*\)/))
		return substr(t, RSTART + 2, RLENGTH - 3)
	if (match(t, /^[A-Z_][A-Z0-9_]*\([A-Za-z_][A-Za-z0-9_]*/)) {
		n = substr(t, RSTART, RLENGTH)
		sub(/.*\(/, "", n)
		return n
	}
	gsub(/\[[^]]*\]/, "", t)
	gsub(/__attribute__\(\(.*\)\)/, "", t)
	sub(/:[^:]*$/, "", t)
	while (match(t, / __[A-Za-z0-9_]*(\([^)]*\))?$/))
		t = substr(t, 1, RSTART - 1)
	if (match(t, /[A-Za-z_][A-Za-z0-9_]*$/))
		return substr(t, RSTART, RLENGTH)
	return ""
}
function enumerator(t,   n) {
	n = norm(t)
	sub(/=.*/, "", n)
	sub(/ +$/, "", n)
	if (n != "")
		out("E", n, t)
}
function statement(s,   t, head) {
	t = norm(s)
	if (t == "" || t == ";")
		return
	if (agg != "") {
		out("S", agg, "")
		return
	}
	if (t ~ /^(struct|union|enum) [A-Za-z_][A-Za-z0-9_]*;$/)
		return
	head = t
	if (index(head, "(")) {
		head = substr(head, 1, index(head, "(") - 1)
		if (match(head, /[A-Za-z_][A-Za-z0-9_]*$/))
			out("F", substr(head, RSTART, RLENGTH), t)
		return
	}
	sub(/;$/, "", head)
	sub(/=.*/, "", head)
	gsub(/\[[^]]*\]/, "", head)
	if (match(head, /[A-Za-z_][A-Za-z0-9_]*$/))
		out("V", substr(head, RSTART, RLENGTH), t)
}
{
	line = $0
	if (cont || (line ~ /^[ \t]*#/)) {
		dir = cont ? dir " " line : line
		cont = sub(/\\$/, "", dir)
		if (!cont)
			directive(dir)
		next
	}
	n = length(line)
	for (i = 1; i <= n; i++) {
		c = substr(line, i, 1)
		buf = buf c
		if (depth >= 1 && agg != "")
			mbuf = mbuf c
		if (c == "(")
			pdepth++
		else if (c == ")")
			pdepth--
		else if (c == "{") {
			if (depth == 0) {
				head = norm(substr(buf, 1, length(buf) - 1))
				agg = ""
				isenum = 0
				body = ""
				if (match(head, /^(typedef )?(struct|union|enum) [A-Za-z_][A-Za-z0-9_]*$/)) {
					agg = head
					sub(/^typedef /, "", agg)
					isenum = agg ~ /^enum /
				} else if (head ~ /\)/)
					body = "function"
			}
			depth++
			mbuf = ""
		} else if (c == "}") {
			if (depth == 1 && isenum)
				enumerator(substr(mbuf, 1, length(mbuf) - 1))
			depth--
			mbuf = ""
			if (depth == 0 && body == "function") {
				statement(buf)
				buf = ""
				body = ""
			}
		} else if (c == ";" && pdepth == 0) {
			if (depth == 0) {
				statement(buf)
				buf = ""
				agg = ""
				isenum = 0
			} else if (agg != "" && !isenum) {
				m = member_name(substr(mbuf, 1, length(mbuf) - 1))
				if (m != "")
					out("m", agg "." m, mbuf)
				mbuf = ""
			}
		} else if (c == "," && depth == 1 && isenum && pdepth == 0) {
			enumerator(substr(mbuf, 1, length(mbuf) - 1))
			mbuf = ""
		}
	}
	buf = buf " "
	if (depth >= 1 && agg != "")
		mbuf = mbuf " "
}'

# The compiler's diagnostics in a make log (make -Otarget: the output of one
# object's recipe stays together after its "  CC  path.o" line), one a line:
# "object TAB file: severity: message", without the tree's path, line and
# column numbers and objtool's offsets.
# shellcheck disable=SC2016
readonly DIAGS_AWK='
function strip(s, p,   i) {
	while (p != "" && (i = index(s, p)) > 0)
		s = substr(s, 1, i - 1) substr(s, i + length(p))
	return s
}
/^  [A-Z][A-Z0-9_]* +(\[M\] +)?[^ ]+$/ { obj = $NF; next }
/^make(\[[0-9]+\])?: / { next }
/(^|: )(fatal error|error|warning): / {
	s = strip(strip(strip($0, tree "/"), objdir "/"), rel "/")
	sub(/^\.\//, "", s)
	sub(/^[^ :]+:[0-9]+:[0-9]+: /, "&\001", s)
	sub(/:[0-9]+:[0-9]+: \001/, ": ", s)
	sub(/^[^ :]+:[0-9]+: /, "&\001", s)
	sub(/:[0-9]+: \001/, ": ", s)
	gsub(/\+0x[0-9a-f]+(\/0x[0-9a-f]+)?/, "", s)
	sub(/[ \t]+$/, "", s)
	printf "%s\t%s\n", (obj == "" ? "-" : obj), s
}'

# The variant and the trees; the output directory, make's parallelism and
# compilers; the make running in the background and the scratch directory.
NEW_NAME='' NEW_TREE='' UP_TREE=''
OUT='' JOBS_N='' CC_X86='' CC_PPC=''
MAKE_PID='' TMP=''
MK=()

# shellcheck disable=SC2317  # run by the EXIT trap
cleanup() {
	[[ -z $MAKE_PID ]] || kill "$MAKE_PID" 2>/dev/null || true
	[[ -z $TMP ]] || rm -rf -- "$TMP"
}

# tgrep tree args...: git grep in the tree; no match is not an error.
tgrep() {
	local tree=$1 status=0
	shift
	git -C "$tree" grep "$@" || status=$?
	[[ $status -le 1 ]] || die "git grep $* failed in $tree (status $status)"
}

# make_cmd arch tree objdir: set MK to the make command for the tree.
make_cmd() {
	case $1 in
	x86) MK=(make -C "$2" O="$3" ARCH=x86_64 CC="$CC_X86" -j"$JOBS_N") ;;
	powerpc) MK=(make -C "$2" O="$3" ARCH=powerpc CROSS_COMPILE="$PPC_CROSS"
		CC="$CC_PPC" -j"$JOBS_N") ;;
	esac
}

# run_make logfile what make-args...: make in the background, its output in
# logfile, a progress line every 30 seconds; returns make's status.
run_make() {
	local logf=$1 what=$2 status=0 n
	shift 2
	"$@" >>"$logf" 2>&1 &
	MAKE_PID=$!
	while kill -0 "$MAKE_PID" 2>/dev/null; do
		for _ in $(seq 30); do
			sleep 1
			kill -0 "$MAKE_PID" 2>/dev/null || break
		done
		if kill -0 "$MAKE_PID" 2>/dev/null; then
			n=$(grep -cE '^  [A-Z][A-Z0-9_]* ' "$logf" || true)
			log "$what: $(stage_elapsed)s, $n steps so far"
		fi
	done
	wait "$MAKE_PID" || status=$?
	MAKE_PID=
	return "$status"
}

# api_decls tree: the declarations of the tree's API headers.
api_decls() {
	local tree=$1 h

	git -C "$tree" ls-files -- "${API_HEADERS[@]/#/:(glob)}" |
		while IFS= read -r h; do
			gcc -fpreprocessed -dD -E -P -x c "$tree/$h" 2>/dev/null ||
				die "cannot strip the comments of $tree/$h (gcc -fpreprocessed)"
		done | awk "$DECLS_AWK" | LC_ALL=C sort
}

# api_patterns: the Perl regular expressions that find a user: the fixed
# list, and one per declaration that differs between the two trees.
api_patterns() {
	local up=$TMP/decls-upstream new=$TMP/decls-$NEW_NAME

	api_decls "$UP_TREE" >"$up"
	api_decls "$NEW_TREE" >"$new"
	printf '%s\n' "${PID_API_RE[@]}"
	# A member matters when its struct is in both trees; a struct that
	# only one tree has is found by its tag.
	LC_ALL=C comm -3 "$up" "$new" | sed 's/^\t//' | cut -f1,2 |
		awk -F'\t' -v up="$up" -v new="$new" '
		BEGIN {
			while ((getline l < up) > 0) { split(l, f, "\t"); if (f[1] == "S") s[f[2]] = s[f[2]] "u" }
			while ((getline l < new) > 0) { split(l, f, "\t"); if (f[1] == "S") s[f[2]] = s[f[2]] "n" }
		}
		$2 ~ /^_[A-Z0-9_]*_H$/ { next }
		$1 == "m" {
			tag = $2; sub(/\.[^.]*$/, "", tag)
			m = $2; sub(/.*\./, "", m)
			if (s[tag] ~ /u/ && s[tag] ~ /n/) print "(->|\\.)" m "\\b"
			next
		}
		{ print "\\b" $2 "\\b" }' | LC_ALL=C sort -u
}

# user_sources tree patterns: the .c files of the tree that match.
user_sources() {
	tgrep "$1" -lP -f "$2" -- "${SOURCES[@]}" ':!arch/'
	tgrep "$1" -lP -f "$2" -- 'arch/x86/*.c'
}

# to_objects tree: stdin's .c files as the objects kbuild builds: a file
# that another file of its directory #includes, and that the directory's
# Makefile does not name, is compiled as part of that file.
to_objects() {
	local tree=$1 f dir base inc
	local -A includer=()

	while IFS=: read -r f _ inc; do
		[[ $inc =~ \"([^\"/]+\.c)\" ]] || continue
		includer[$(dirname "$f")/${BASH_REMATCH[1]}]=$f
	done < <(tgrep "$tree" -nP '^\s*#\s*include\s+"[^"/]+\.c"' -- '*.c')
	while IFS= read -r f; do
		for _ in 1 2 3; do
			[[ -n ${includer[$f]:-} ]] || break
			dir=$(dirname "$f")
			base=$(basename "$f" .c)
			! grep -qsE "(^|[[:space:]=+])$base\.o([[:space:]]|\\\\|$)" \
				"$tree/$dir/Makefile" "$tree/$dir/Kbuild" || break
			f=${includer[$f]}
		done
		printf '%s\n' "${f%.c}.o"
	done
}

# exports tree arch: the symbols the tree exports to modules, from the
# generic code and arch/<arch>/; "prefix*" for an export that a macro pastes
# together (EXPORT_SYMBOL(__asan_load##size)).  Exports that a macro makes
# of its parameter (_dev_err, the retpoline thunks) are not found: they are
# unresolved on both trees alike.
exports() {
	tgrep "$1" -HoP '\bEXPORT_(SYMBOL|SYMBOL_GPL|SYMBOL_NS|SYMBOL_NS_GPL|SYMBOL_GPL_FOR_MODULES|PER_CPU_SYMBOL|PER_CPU_SYMBOL_GPL|TRACEPOINT_SYMBOL|TRACEPOINT_SYMBOL_GPL|STATIC_CALL|STATIC_CALL_GPL|STATIC_CALL_TRAMP|STATIC_CALL_TRAMP_GPL)\s*\(\s*\w+(\s*##)?' \
		-- '*.c' '*.h' '*.S' ':!tools/' ':!Documentation/' ':!samples/' ':!scripts/' |
		awk -v arch="arch/$2/" '
		{
			path = $0; sub(/:.*/, "", path)
			if (path ~ /^arch\// && index(path, arch) != 1) next
			m = $0; sub(/^[^:]*:/, "", m)
			pasted = sub(/[ \t]*##$/, "", m)
			name = m; sub(/.*[( \t]/, "", name)
			if (pasted) {
				# Not the generic macros, nor a bare parameter.
				if (name !~ /^__trace/ && length(name) >= 6 && name ~ /_/)
					print name "*"
			} else if (m ~ /TRACEPOINT/) {
				print "__tracepoint_" name; print "__traceiter_" name
				print "__SCK__tp_func_" name; print "__SCT__tp_func_" name
			} else if (m ~ /STATIC_CALL_TRAMP/) {
				print "__SCT__" name
			} else if (m ~ /STATIC_CALL/) {
				print "__SCK__" name; print "__SCT__" name
			} else
				print name
		}' | LC_ALL=C sort -u
}

# configure name tree arch objdir logfile: the configuration for the check,
# made again when the tree or the make command (but for -j) changed.
configure() {
	local name=$1 tree=$2 arch=$3 objdir=$4 logf=$5 stamp target opts=() got

	case $arch in
	x86) target=allmodconfig opts=(-d WERROR) ;;
	powerpc) target=ppc64_defconfig opts=(-d WERROR -m SPU_FS) ;;
	esac
	stamp="$(git -C "$tree" rev-parse HEAD) $target ${opts[*]} ${MK[*]/#-j*/}"
	if [[ -f $objdir/.config && $(cat "$objdir/.check-stamp" 2>/dev/null) == "$stamp" ]]; then
		log "config:   $name/$arch: $target up to date"
		return
	fi
	mkdir -p "$objdir"
	rm -f "$objdir/.check-stamp"
	stage_begin config "$name/$arch: $target, then ${opts[*]} (log: $logf)"
	run_logged "$logf" "${MK[@]}" "$target" ||
		die "make $target failed for $name ($arch); log: $logf"
	run_logged "$logf" "$tree/scripts/config" --file "$objdir/.config" "${opts[@]}" ||
		die "scripts/config ${opts[*]} failed for $name ($arch); log: $logf"
	run_logged "$logf" "${MK[@]}" olddefconfig ||
		die "make olddefconfig failed for $name ($arch); log: $logf"
	! grep -q '^CONFIG_WERROR=y' "$objdir/.config" ||
		die "$name ($arch): CONFIG_WERROR=y is still in $objdir/.config after scripts/config -d WERROR"
	if [[ $arch == powerpc ]] && ! grep -q '^CONFIG_SPU_FS=m$' "$objdir/.config"; then
		got=$(grep -E '^(# )?CONFIG_SPU_FS[= ]' "$objdir/.config" || echo "absent")
		die "$name ($arch): CONFIG_SPU_FS=m did not take effect on $target (got: $got); it needs CONFIG_PPC_CELL and CONFIG_COREDUMP"
	fi
	printf '%s\n' "$stamp" >"$objdir/.check-stamp"
	stage_end "$(grep -c '=m$' "$objdir/.config") modules"
}

# symbols kind obj nm: obj's undefined (kind u) or defined global (kind d)
# symbols, the leading dot of powerpc's function entry points removed.
symbols() {
	local -a opt=(-u)
	[[ $1 == u ]] || opt=(-g --defined-only)
	"$3" "${opt[@]}" "$2" | awk -v k="$1" '(k == "u" && $1 == "U") || (k == "d" && NF == 3) {
		s = $NF; sub(/^\./, "", s); print s }'
}

# compile name tree arch objdir logfile results targets-file: build the
# targets (objects, or a directory for its modules), then write in results/
#   status      object TAB built|failed|skipped (skipped: kbuild has no
#               rule for it in this configuration)
#   diags       object TAB diagnostic
#   unresolved  object TAB symbol, for the objects that are part of a module
compile() {
	local name=$1 tree=$2 arch=$3 objdir=$4 logf=$5 res=$6 targets=$7
	local o m n cmd mod nm=nm rel
	local -a list

	mapfile -t list <"$targets"
	n=${#list[@]}
	mkdir -p "$res"
	: >"$res/status"
	: >"$res/diags"
	: >"$res/unresolved"
	: >"$res/undef"
	: >"$res/modules"
	: >"$res/defined"
	[[ $n -gt 0 ]] || return 0
	# Stale objects would be up to date and print nothing.
	for o in "${list[@]}"; do
		if [[ $o == */ ]]; then
			rm -f -- "${objdir:?}/$o"*.o "${objdir:?}/$o"*.mod
		else
			rm -f -- "${objdir:?}/$o"
		fi
	done
	stage_begin compile "$name/$arch: $n target(s), make -k -Otarget W=0 (log: $logf)"
	run_make "$logf" "compile:  $name/$arch: $n target(s)" \
		"${MK[@]}" -k -Otarget W=0 "${list[@]}" || true
	rel=$(realpath -m --relative-to="$objdir" "$tree")
	awk -v tree="$tree" -v objdir="$objdir" -v rel="$rel" \
		"$DIAGS_AWK" "$logf" >"$res/diags"

	[[ $arch != powerpc ]] || nm=${PPC_CROSS}nm
	for o in "${list[@]}"; do
		if [[ $o == */ ]]; then
			# A directory: the composite objects of its modules,
			# which are the modules but for modpost's part.
			m=$(basename "$o")
			if [[ ! -f $objdir/$o$m.o ]]; then
				printf '%s\tfailed\n' "$o$m.o" >>"$res/status"
				continue
			fi
			printf '%s\tbuilt\n' "$o$m.o" >>"$res/status"
			symbols u "$objdir/$o$m.o" "$nm" | sed "s|^|$o$m.o\t|" >>"$res/undef"
			printf '%s\t%s\n' "$o$m.o" "$m" >>"$res/modules"
			continue
		fi
		if [[ -f $objdir/$o ]]; then
			printf '%s\tbuilt\n' "$o" >>"$res/status"
		else
			if grep -qE "^  [A-Z][A-Z0-9_]* +(\[M\] +)?$o\$" "$logf"; then
				printf '%s\tfailed\n' "$o" >>"$res/status"
			else
				printf '%s\tskipped\n' "$o" >>"$res/status"
			fi
			continue
		fi
		cmd=$objdir/$(dirname "$o")/.$(basename "$o").cmd
		grep -q -- ' -DMODULE ' "$cmd" 2>/dev/null || continue
		mod=$(sed -n "s/.* -DKBUILD_MODNAME='\"\([^\"]*\)\"'.*/\1/p" "$cmd" | head -n 1)
		printf '%s\t%s\n' "$o" "${mod:-?}" >>"$res/modules"
		symbols u "$objdir/$o" "$nm" | sed "s|^|$o\t|" >>"$res/undef"
		symbols d "$objdir/$o" "$nm" | sed "s|^|${mod:-?}\t$o\t|" >>"$res/defined"
	done
	# Unresolved: not exported, not provided by modpost, not defined by
	# another object of the same module.
	awk -F'\t' -v exports="$res/exports" -v mods="$res/modules" -v defs="$res/defined" \
		-v modpost="$MODPOST_PROVIDES" '
		BEGIN {
			while ((getline l < exports) > 0) {
				if (l ~ /[*]$/) prefix[substr(l, 1, length(l) - 1)] = 1
				else exported[l] = 1
			}
			while ((getline l < mods) > 0) { split(l, f, "\t"); modof[f[1]] = f[2] }
			while ((getline l < defs) > 0) {
				split(l, f, "\t")
				if (f[2] != "") definer[f[1] SUBSEP f[3]] = definer[f[1] SUBSEP f[3]] " " f[2]
			}
		}
		$2 in exported || $2 ~ modpost { next }
		{
			for (p in prefix)
				if (index($2, p) == 1) next
			d = definer[modof[$1] SUBSEP $2]
			if (d != "" && d != " " $1) next
			print $1 "\t" $2
		}' "$res/undef" | LC_ALL=C sort -u >"$res/unresolved"
	stage_end "$(count built "$res/status") built, $(count failed "$res/status") failed, $(count skipped "$res/status") without a rule, $(wc -l <"$res/diags") diagnostics, $(wc -l <"$res/modules") modular"
}

# count word file: the lines of a status file that end in word.
count() { awk -F'\t' -v w="$1" '$2 == w { n++ } END { print n + 0 }' "$2"; }

# check_tree name tree arch targets-file: configure, prepare and compile one
# tree for one architecture; results in $OUT/<name>/<arch>/results.
check_tree() {
	local name=$1 tree=$2 arch=$3 targets=$4 dir logf

	dir=$OUT/$name/$arch
	make_cmd "$arch" "$tree" "$dir/obj"
	logf=$LOG_DIR/check-configs-$name-$arch
	configure "$name" "$tree" "$arch" "$dir/obj" "$logf-config.log"
	stage_begin prepare "$name/$arch: make prepare (log: $logf-prepare.log)"
	run_make "$logf-prepare.log" "prepare:  $name/$arch" "${MK[@]}" prepare ||
		die "make prepare failed for $name ($arch); log: $logf-prepare.log"
	stage_end
	mkdir -p "$dir/results"
	exports "$tree" "$arch" >"$dir/results/exports"
	compile "$name" "$tree" "$arch" "$dir/obj" "$logf-compile.log" \
		"$dir/results" "$targets"
}

# compare arch: print what the variant adds to upstream; set NEW_DIAGS,
# BOTH_DIAGS, KNOWN_DIAGS, NEW_UNRESOLVED, BOTH_UNRESOLVED, FAIL_BOTH and
# NEW_FAIL for the architecture.
compare() {
	local arch=$1 up=$OUT/upstream/$1/results new=$OUT/$NEW_NAME/$1/results

	# Objects that fail on upstream too: reported, not compared.
	FAIL_BOTH=$(awk -F'\t' 'FILENAME == ARGV[1] { if ($2 == "failed") f[$1] = 1; next }
		$2 == "failed" && ($1 in f) { print $1 }' "$up/status" "$new/status")
	NEW_FAIL=$(awk -F'\t' 'FILENAME == ARGV[1] { s[$1] = $2; next }
		$2 == "failed" && s[$1] != "failed" { print $1 }' "$up/status" "$new/status")
	[[ -z $FAIL_BOTH ]] ||
		printf 'fails on upstream too (%s): %s\n' "$arch" "$(tr '\n' ' ' <<<"$FAIL_BOTH")"
	[[ -z $NEW_FAIL ]] ||
		printf 'FAILS on %s only (%s): %s\n' "$NEW_NAME" "$arch" "$(tr '\n' ' ' <<<"$NEW_FAIL")"
	# Diagnostics, counted by object, file and message.
	awk -F'\t' -v skip="$FAIL_BOTH" -v name="$NEW_NAME" -v out="$TMP/counts" '
		BEGIN { n = split(skip, s, "\n"); for (i = 1; i <= n; i++) failboth[s[i]] = 1 }
		FILENAME == ARGV[1] { up[$0]++; next }
		{ new[$0]++ }
		END {
			for (k in new) {
				u = up[k] + 0
				both += (u < new[k] ? u : new[k])
				if (new[k] <= u)
					continue
				split(k, f, "\t")
				if (f[1] in failboth) {
					known += new[k] - u
					continue
				}
				extra += new[k] - u
				printf "new on %s: %s: %s%s\n", name, f[1], f[2], \
					(new[k] - u > 1 ? " (x" new[k] - u ")" : "")
			}
			print both + 0, extra + 0, known + 0 > out
		}' "$up/diags" "$new/diags" | LC_ALL=C sort
	read -r BOTH_DIAGS NEW_DIAGS KNOWN_DIAGS <"$TMP/counts"
	# Unresolved symbols the variant adds: not for an object that exists
	# on upstream but did not build there.
	awk -F'\t' -v name="$NEW_NAME" -v out="$TMP/counts" '
		FILENAME == ARGV[1] { st[$1] = $2; next }
		FILENAME == ARGV[2] { u[$0] = 1; next }
		$0 in u { both++; next }
		!($1 in st) || st[$1] == "built" {
			printf "unresolved on %s: %s needs %s: not exported, nor defined by its module (upstream: %s)\n", \
				name, $1, $2, ($1 in st ? "resolved or not needed" : "no such object")
			extra++
		}
		END { print both + 0, extra + 0 > out }' \
		"$up/status" "$up/unresolved" "$new/unresolved"
	read -r BOTH_UNRESOLVED NEW_UNRESOLVED <"$TMP/counts"
}

main() {
	local patterns objects targets n total limit=${LIMIT:-} status=0
	local name tree o x86_line ppc_line spufs up_spufs new_spufs

	[[ ${1:-} != -h && ${1:-} != --help ]] || { usage; exit 0; }
	[[ $# -eq 0 ]] || { usage >&2; exit "$EXIT_SETUP"; }
	[[ -z $limit || $limit =~ ^[1-9][0-9]*$ ]] ||
		die "LIMIT='$limit': expected a positive number of objects"
	[[ ${CONFIG:-default} == default ]] ||
		warn "CONFIG=$CONFIG is ignored: the check uses allmodconfig and ppc64_defconfig"
	CONFIG=default
	select_variant
	[[ $VARIANT_KIND != upstream ]] ||
		die "VARIANT=upstream: nothing to compare; the check compares a variant (default: full) with upstream"
	NEW_NAME=$VARIANT_NAME
	NEW_TREE=$TREE
	UP_TREE=$(
		unset PATCH EXTRA_PATCH EXTRA_NAME
		VARIANT=upstream
		select_variant
		printf '%s\n' "$TREE"
	)
	[[ -d $UP_TREE/.git ]] ||
		die "no upstream tree at $UP_TREE; run VARIANT=upstream scripts/apply-series.sh first"
	[[ -d $NEW_TREE/.git ]] ||
		die "no $NEW_NAME tree at $NEW_TREE; run scripts/apply-series.sh with the same VARIANT/PATCH first"
	# kbuild prints the real paths: strip those from the diagnostics.
	UP_TREE=$(realpath "$UP_TREE")
	NEW_TREE=$(realpath "$NEW_TREE")
	"$TOP/scripts/install-deps.sh" build cross
	need_cmd "${PPC_CROSS}gcc" gcc-powerpc64-linux-gnu
	need_cmd "${PPC_CROSS}nm" binutils-powerpc64-linux-gnu
	need_cmd flock util-linux

	mkdir -p "$BUILD_DIR/check-configs"
	OUT=$(realpath "$BUILD_DIR/check-configs")
	exec 9>"$OUT/.lock"
	flock -n 9 || die "another check-configs run is using $OUT; wait for it to finish"
	TMP=$(mktemp -d)
	trap cleanup EXIT
	log_dir
	JOBS_N=${JOBS:-$(nproc_jobs)}
	CC_X86=gcc
	CC_PPC=${PPC_CROSS}gcc
	if [[ -z ${NO_CCACHE:-} ]] && command -v ccache >/dev/null 2>&1; then
		CC_X86="ccache gcc"
		CC_PPC="ccache ${PPC_CROSS}gcc"
	fi

	# 1. The objects.
	stage_begin objects "users of the pid API in upstream and $NEW_NAME"
	patterns=$OUT/patterns
	objects=$OUT/objects
	api_patterns >"$patterns"
	for tree in "$UP_TREE" "$NEW_TREE"; do
		user_sources "$tree" "$patterns" | to_objects "$tree"
	done | LC_ALL=C sort -u >"$objects"
	total=$(wc -l <"$objects")
	[[ $total -gt 0 ]] || die "no object uses the pid API: check the patterns in $patterns"
	head -n "${limit:-$total}" "$objects" >"$TMP/objects"
	n=$(wc -l <"$TMP/objects")
	stage_end "$total objects ($objects) from $(wc -l <"$patterns") patterns ($patterns)${limit:+; LIMIT=$limit: the first $n}"

	# 2 and 3. Every object in an x86_64 allmodconfig of each tree.
	for name in upstream "$NEW_NAME"; do
		tree=$UP_TREE
		[[ $name == upstream ]] || tree=$NEW_TREE
		targets=$TMP/targets-$name-x86
		: >"$targets"
		while IFS= read -r o; do
			if [[ -f $tree/${o%.o}.c ]]; then
				printf '%s\n' "$o" >>"$targets"
			fi
		done <"$TMP/objects"
		check_tree "$name" "$tree" x86 "$targets"
	done
	compare x86
	x86_line="$n objects ($(count built "$OUT/upstream/x86/results/status") built on upstream,"
	x86_line+=" $(count built "$OUT/$NEW_NAME/x86/results/status") on $NEW_NAME,"
	x86_line+=" $(wc -w <<<"$FAIL_BOTH") failing on both, $(wc -w <<<"$NEW_FAIL") on $NEW_NAME only),"
	x86_line+=" $BOTH_DIAGS diagnostics on both, $NEW_DIAGS new on $NEW_NAME"
	[[ $KNOWN_DIAGS -eq 0 ]] || x86_line+=" (and $KNOWN_DIAGS in objects failing on both)"
	x86_line+="; exports: $(wc -l <"$OUT/$NEW_NAME/x86/results/modules") modular objects,"
	x86_line+=" $BOTH_UNRESOLVED unresolved symbols on both, $NEW_UNRESOLVED new on $NEW_NAME"
	[[ $NEW_DIAGS -eq 0 && $NEW_UNRESOLVED -eq 0 && -z $NEW_FAIL ]] || status=$EXIT_FAIL

	# 4. spufs on powerpc, each tree.
	printf '%s/\n' "$SPUFS_DIR" >"$TMP/targets-powerpc"
	for name in upstream "$NEW_NAME"; do
		tree=$UP_TREE
		[[ $name == upstream ]] || tree=$NEW_TREE
		check_tree "$name" "$tree" powerpc "$TMP/targets-powerpc"
	done
	compare powerpc
	spufs=$SPUFS_DIR/spufs.o
	up_spufs=$(awk -F'\t' -v o="$spufs" '$1 == o { print $2 }' "$OUT/upstream/powerpc/results/status")
	new_spufs=$(awk -F'\t' -v o="$spufs" '$1 == o { print $2 }' "$OUT/$NEW_NAME/powerpc/results/status")
	ppc_line="spufs.o $new_spufs on $NEW_NAME ($up_spufs on upstream), $BOTH_DIAGS diagnostics on both,"
	ppc_line+=" $NEW_DIAGS new; $BOTH_UNRESOLVED unresolved symbols on both, $NEW_UNRESOLVED new on $NEW_NAME"
	[[ $NEW_DIAGS -eq 0 && $NEW_UNRESOLVED -eq 0 && -z $NEW_FAIL ]] || status=$EXIT_FAIL

	printf 'check-configs: %s; powerpc: %s: %s\n' "$x86_line" "$ppc_line" \
		"$([[ $status -eq 0 ]] && echo pass || echo FAIL)"
	exit "$status"
}

main "$@"
