# SPDX-License-Identifier: GPL-2.0
#
# The kernel console less (mode=drop) or only (mode=keep) the report blocks
# that a CONFIG lets through; scripts/lib.sh's console_badness scans what
# is left.  The blocks, and nothing else:
#
#   config=faults  an injected failure's report, from "FAULT_INJECTION:
#                  forcing a failure." to the end of its stack ("</TASK>");
#                  the allocation failure warning an injected failure causes
#                  (": page allocation failure: order:", "vmalloc error:
#                  size", "alloc_pages: ... failed"), to the end of its
#                  stack
#   config=kcsan   a KCSAN report ("BUG: KCSAN:" to its closing "====="
#                  line) in which no function of the pid code appears: the
#                  names listed one per line in the file funcs (the
#                  functions of kernel/pid.o, pid_table.o, pid_namespace.o)
#
# Usage: awk -v mode=drop|keep -v config=CONFIG -v funcs=FILE -f console-filter.awk

BEGIN {
	while (funcs != "" && (getline f < funcs) > 0)
		pidfn[f] = 1
	inblock = 0
}

# body: the line without its printk timestamp.
function body(line) {
	sub(/^\[[ 0-9.]*\] ?/, "", line)
	return line
}

# pid_code: does this line name a function of the pid code?
function pid_code(line, n, i, w, tok) {
	n = split(line, w, /[ \t\/]+/)
	for (i = 1; i <= n; i++) {
		tok = w[i]
		sub(/\+0x.*/, "", tok)
		sub(/\.(isra|constprop|part|cold)[.0-9]*$/, "", tok)
		if (tok in pidfn)
			return 1
	}
	return 0
}

function out(line, let_through) {
	if ((mode == "keep") == let_through)
		print line
}

function flush_block(let_through, i) {
	for (i = 1; i <= nblock; i++)
		out(block[i], let_through)
	if (mode == "keep" && let_through)
		print ""
	nblock = 0
	inblock = 0
}

{
	b = body($0)
}

config == "faults" && !inblock &&
    b ~ /^FAULT_INJECTION: forcing a failure|: page allocation failure: order:|^vmalloc error: size|^alloc_pages: .* failed/ {
	inblock = 1
	nblock = 0
}

config == "kcsan" && !inblock && b ~ /^BUG: KCSAN: / {
	inblock = 1
	nblock = 0
	ours = 0
}

inblock {
	block[++nblock] = $0
	if (config == "faults" && b ~ /^ *<\/TASK>/)
		flush_block(1)
	else if (config == "kcsan") {
		if (pid_code(b))
			ours = 1
		if (b ~ /^=+$/)
			flush_block(!ours)
	}
	next
}

{
	out($0, 0)
}

END {
	# An unfinished block is not let through.
	if (inblock)
		flush_block(0)
}
