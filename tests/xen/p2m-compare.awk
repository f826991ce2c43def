# SPDX-License-Identifier: GPL-2.0
#
# Compare two dumps of a guest's p2m, entry by entry (POSIX/busybox awk).
#
#	awk -f p2m-compare.awk A B		compare; exit 0 same, 1 differ, 2 bad input
#	awk -v convert=1 -f p2m-compare.awk A	print A in xenp2m's --dump format
#
# Each file may be in either format, recognised line by line:
#   xen-mfndump dump-p2m:   "  pfn=0x1f ==> mfn=0xba81f (type 0x0) [L1|pinned L1|...]"
#   xenp2m show --dump:     "# header" then "0x1f 0xba81f valid"
#                           (class: valid invalid identity foreign missing)
# Other lines (headers, banners) are skipped.  Values are compared as
# normalised hex strings, so 64-bit entries need no big-number arithmetic.
# -v width=4: a 32-bit guest, whose 0xffffffff means "invalid" like ~0.
# -v max=N: how many differences to list (default 10).

function norm(h) {
	h = tolower(h)
	sub(/^0x/, "", h)
	sub(/^0+/, "", h)
	if (h == "")
		h = "0"
	if (width == 4 && h == "ffffffff")
		h = "ffffffffffffffff"
	return h
}

# the class a raw entry implies: ~0 invalid, bit 63 foreign, bit 62 identity
function class_of(h,   top) {
	if (h == "ffffffffffffffff")
		return "invalid"
	if (length(h) < 16)
		return "valid"
	top = substr(h, 1, 1)
	if (index("89abcdef", top))
		return "foreign"
	if (index("4567", top))
		return "identity"
	return "valid"
}

# is @cls a class that the raw entry @h can have?
function class_fits(cls, h,   implied) {
	implied = class_of(h)
	if (cls == "missing")
		return implied == "invalid"
	return cls == implied
}

function parse(   pfn, mfn, f) {
	f = fidx
	if ($0 ~ /^[ \t]*pfn=0x[0-9a-fA-F]+ ==> mfn=0x[0-9a-fA-F]+/) {
		pfn = $1
		sub(/^pfn=/, "", pfn)
		mfn = $3
		sub(/^mfn=/, "", mfn)
		record(f, norm(pfn), norm(mfn), "")
		return
	}
	if ($0 ~ /^0x[0-9a-fA-F]+ 0x[0-9a-fA-F]+ [a-z]+$/) {
		record(f, norm($1), norm($2), $3)
		return
	}
}

function record(f, pfn, mfn, cls) {
	if ((f, pfn) in val) {
		dup[f]++
		return
	}
	val[f, pfn] = mfn
	n[f]++
	if (f == 1)
		order[n[1]] = pfn
	else if (!((1, pfn) in val))
		only2[++n_only2] = pfn
	if (cls != "" && !class_fits(cls, mfn)) {
		badclass[f]++
		if (badclass[f] <= lim)
			printf "bad class: file %d pfn 0x%s entry 0x%s is not '%s'\n", f, pfn, mfn, cls
	}
}

BEGIN {
	lim = (max == "") ? 10 : max + 0
}

FILENAME != curfile {
	curfile = FILENAME
	fidx++
}

{ parse() }

END {
	if (convert) {
		if (!n[1]) {
			print "p2m-compare: no p2m entries in " ARGV[1] > "/dev/stderr"
			exit 2
		}
		print "# pfn raw-entry class (converted by p2m-compare.awk)"
		for (i = 1; i <= n[1]; i++)
			printf "0x%s 0x%s %s\n", order[i], val[1, order[i]], class_of(val[1, order[i]])
		exit 0
	}
	if (ARGC != 3 || !n[1] || !n[2]) {
		printf "p2m-compare: need two files with p2m entries (got %d and %d entries)\n", n[1], n[2] > "/dev/stderr"
		exit 2
	}
	differ = 0
	only1 = 0
	for (i = 1; i <= n[1]; i++) {
		p = order[i]
		if (!((2, p) in val)) {
			if (++only1 <= lim)
				printf "only in %s: pfn 0x%s\n", ARGV[1], p
			continue
		}
		if (val[1, p] != val[2, p]) {
			if (++differ <= lim)
				printf "differ: pfn 0x%s: 0x%s vs 0x%s\n", p, val[1, p], val[2, p]
		}
	}
	for (i = 1; i <= n_only2 && i <= lim; i++)
		printf "only in %s: pfn 0x%s\n", ARGV[2], only2[i]
	bad = differ + only1 + n_only2 + badclass[1] + badclass[2] + dup[1] + dup[2]
	printf "compared %d pfns: %d differ, %d only in the first, %d only in the second, %d bad class, %d duplicate\n", \
		n[1] - only1, differ, only1, n_only2, badclass[1] + badclass[2], dup[1] + dup[2]
	exit bad ? 1 : 0
}
