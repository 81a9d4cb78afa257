# SPDX-License-Identifier: GPL-2.0
#
# The injected failures of a CONFIG=faults console, counted by operation
# and site.  selftests/faults writes "pidns-faults: OP nth N" to the kernel
# log before each injection; each injected failure then prints
# "FAULT_INJECTION: forcing a failure.", a line naming the fault kind
# (failslab, fail_page_alloc, fail_usercopy) and its stack.  The site is
# the first function of the stack that is not fault injection, the
# allocator or the user copy itself; "kmemleak:" or "kasan:" before it
# says the failure hit that checker's own allocation for the site.  Only
# failures that print count: an allocation with __GFP_NOWARN (kmemleak's
# and the stack depot's own, for instance) fails silently, which is most of
# what the sweep reports as absorbed.
#
# Usage: awk -f fault-sites.awk console.log

function body(line) {
	sub(/^\[[ 0-9.]*\] ?/, "", line)
	return line
}

BEGIN {
	machinery = "^(dump_stack|dump_stack_lvl|fail_dump|should_fail|should_fail_ex|" \
		"__should_failslab|should_failslab|should_fail_alloc_page|" \
		"should_fail_usercopy|slab_pre_alloc_hook|slab_alloc_node|" \
		"kmem_cache_alloc.*|kmem_cache_zalloc.*|__kmalloc.*|kmalloc.*|kzalloc.*|" \
		"__kvmalloc.*|kvmalloc.*|kvzalloc.*|kmemdup.*|krealloc.*|kstrdup.*|" \
		"kvasprintf.*|kasprintf.*|prepare_alloc_pages.*|__alloc_pages.*|" \
		"alloc_pages.*|alloc_page.*|__alloc_frozen_pages.*|__get_free_pages.*|" \
		"get_zeroed_page.*|folio_alloc.*|__folio_alloc.*|alloc_pages_mpol.*|" \
		"_copy_from_user|_copy_to_user|copy_from_user.*|copy_to_user.*|" \
		"strncpy_from_user|__vmalloc.*|vmalloc.*|__get_vm_area.*|" \
		"alloc_vmap_area.*|kasan_.*|__kasan_.*|kmemleak_.*|__create_object|" \
		"__alloc_object|create_object.*|stack_depot_save.*|depot_.*|" \
		"__stack_depot_save.*|save_stack.*|set_track.*|" \
		"__kmem_cache_alloc.*|___slab_alloc|__slab_alloc.*|new_slab|allocate_slab|" \
		"setup_object|kmem_cache_alloc_node.*|__kmalloc_cache.*|" \
		"__do_kmalloc_node.*|__kmalloc_node.*|kmalloc_trace.*)$"
	op = "(none)"
	inblock = 0
}

{
	b = body($0)
}

match(b, /pidns-faults: [a-z0-9_]+ nth [0-9]+/) {
	split(substr(b, RSTART, RLENGTH), w, " ")
	op = w[2]
	next
}

b ~ /^FAULT_INJECTION: forcing a failure/ {
	inblock = 1
	kind = "?"
	site = ""
	checker = ""
	next
}

!inblock {
	next
}

b ~ /^name [a-z_]+,/ {
	kind = substr(b, 6)
	sub(/,.*/, "", kind)
	next
}

b ~ /^ *<\/TASK>/ {
	if (site == "")
		site = "?"
	n[op "\t" kind "\t" checker site]++
	total[op]++
	inblock = 0
	next
}

b ~ /^ +[A-Za-z_.0-9]+\+0x/ {
	fn = b
	sub(/^ +/, "", fn)
	sub(/\+0x.*/, "", fn)
	if (fn ~ /^proc_fail_nth_(read|write)$/) {
		# The call met fewer points: the sweep's own read or write met the Nth.
		site = "(" fn ": the sweep's own, after the call)"
		next
	}
	if (site != "")
		next
	if (fn ~ /^(kmemleak_|__create_object|__alloc_object|create_object)/)
		checker = "kmemleak:"
	else if (fn ~ /^(kasan_|__kasan_|stack_depot|__stack_depot|depot_)/ && checker == "")
		checker = "kasan:"
	if (fn !~ machinery)
		site = fn
}

END {
	printf "fault-sites: injected failures by operation, kind and site\n"
	for (k in n)
		lines[++nl] = k
	# Sort by operation, then count (insertion sort: small input).
	for (i = 2; i <= nl; i++) {
		v = lines[i]
		for (j = i - 1; j >= 1; j--) {
			split(lines[j], a, "\t")
			split(v, c, "\t")
			if (a[1] < c[1] || (a[1] == c[1] && n[lines[j]] >= n[v]))
				break
			lines[j + 1] = lines[j]
		}
		lines[j + 1] = v
	}
	last = ""
	for (i = 1; i <= nl; i++) {
		split(lines[i], a, "\t")
		if (a[1] != last) {
			printf "fault-sites: %s: %d injected\n", a[1], total[a[1]]
			last = a[1]
		}
		printf "fault-sites:   %5d  %-16s %s\n", n[lines[i]], a[2], a[3]
	}
	for (o in total)
		all += total[o]
	printf "fault-sites: %d injected failures in all\n", all
}
