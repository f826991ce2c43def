#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Build what the real-Xen test boots: the hypervisor image, dom0's kernel and
# an initramfs for dom0 holding the Xen toolstack, the freshly built xenp2m
# and backend-probe (with their shared libraries), the test steps, and a
# domU kernel + initramfs for the guests, with the guest module
# xenp2m_guest.ko built for that kernel and the guest's agent.
#
#	build-initramfs.sh OUTDIR BUILDDIR SRCDIR
#
# Environment: XEN_IMAGE (a gzipped multiboot Xen, default the newest
# /boot/xen-*.gz), KVER (kernel version, default the newest in /lib/modules
# with the Xen dom0 modules).  Prints "missing: WHAT" and exits 77 when
# something needed is not installed.
set -euo pipefail

OUT=$1 BUILD=$2 SRC=$3
XT=$SRC/tests/xen

missing() { echo "missing: $*"; exit 77; }

# ---------------------------------------------------------------- inputs
XEN_IMAGE=${XEN_IMAGE:-$(ls /boot/xen-*.gz 2>/dev/null | sort -V | tail -n1 || true)}
[ -n "$XEN_IMAGE" ] && [ -r "$XEN_IMAGE" ] || missing "a Xen hypervisor image /boot/xen-*.gz (xen-hypervisor-4.17-amd64)"
XL=$(ls /usr/lib/xen-*/bin/xl 2>/dev/null | sort -V | tail -n1 || true)
[ -n "$XL" ] || missing "the xl toolstack (xen-utils-4.17)"
XENBIN=$(dirname "$XL")
. "$XT/kver.sh"
KVER=${KVER:-$(xt_kver || true)}
[ -n "${KVER:-}" ] || missing "a Linux kernel with Xen dom0 modules (linux-image-amd64)"
BUSYBOX=$(command -v busybox || true)
[ -n "$BUSYBOX" ] && ! ldd "$BUSYBOX" >/dev/null 2>&1 || missing "a static busybox (busybox-static)"
command -v cpio >/dev/null || missing "cpio"
for f in "$BUILD/xenp2m" "$BUILD/tests/xen/backend-probe" "$BUILD/tests/xen/json-flat" \
	"$BUILD/tests/xen/p2m-compare" "$BUILD/tests/xen/guest-tool" "$BUILD/tests/xen/page-poke" \
	"$BUILD/bench/bench-snapshot"; do
	[ -x "$f" ] || missing "$f (run make check)"
done
KDIR=/usr/src/linux-headers-$KVER
[ -f "$KDIR/Makefile" ] || missing "the headers of $KVER in $KDIR (linux-headers-amd64)"

mkdir -p "$OUT"
rm -rf "$OUT/dom0-root" "$OUT/domu-root"
zcat "$XEN_IMAGE" >"$OUT/xen"	# a 32-bit multiboot ELF: QEMU's -kernel loads it
cp "/boot/vmlinuz-$KVER" "$OUT/vmlinuz"

cpio_gz() {	# cpio_gz DIR FILE
	(cd "$1" && find . | LC_ALL=C sort | cpio -o -H newc --quiet -R 0:0 | gzip -1) >"$2"
}

busybox_root() {	# busybox_root DIR: a usr-merged tree with busybox applets
	local r=$1 a
	mkdir -p "$r"/usr/bin "$r"/usr/lib "$r"/usr/lib64 "$r"/{proc,sys,dev,tmp,run,etc,root}
	ln -s usr/bin "$r/bin"
	ln -s usr/bin "$r/sbin"
	ln -s usr/lib "$r/lib"
	ln -s usr/lib64 "$r/lib64"
	ln -s bin "$r/usr/sbin"
	cp "$BUSYBOX" "$r/usr/bin/busybox"
	for a in $("$BUSYBOX" --list); do
		[ -e "$r/usr/bin/$a" ] || ln -s busybox "$r/usr/bin/$a"
	done
}

copy_into() {	# copy_into ROOT FILE [DEST]: the file and its shared libraries
	local r=$1 f=$2 dest=${3:-$2} l
	mkdir -p "$r$(dirname "$dest")"
	cp -L "$f" "$r$dest"
	ldd "$f" 2>/dev/null | awk '/=> \// { print $3 } /^[ \t]*\// { print $1 }' |
	while read -r l; do
		[ -e "$r$l" ] && continue
		mkdir -p "$r$(dirname "$l")"
		cp -L "$l" "$r$l"
	done
}

xenstore_client() {	# xenstore_client ROOT: xenstore-read, -write... (one binary)
	local a
	copy_into "$1" /usr/bin/xenstore
	for a in read write rm exists ls list; do
		ln -sf xenstore "$1/usr/bin/xenstore-$a"
	done
}

# ---------------------------------------------------------------- domU
U=$OUT/domu-root
busybox_root "$U"
install -m 0755 "$XT/domu-init.sh" "$U/init"
# the guest module, built for the guest's kernel, and the guest's agent
sh "$SRC/src/guest/module/build.sh" "$SRC" "$OUT/module" "$KDIR" >"$OUT/module.log" 2>&1 || {
	echo "building xenp2m_guest.ko for $KVER failed:"
	tail -n 20 "$OUT/module.log"
	exit 1
}
install -m 0644 "$OUT/module/xenp2m_guest.ko" "$U/xenp2m_guest.ko"
install -m 0755 "$XT/domu-agent.sh" "$U/usr/bin/xt-agent"
xenstore_client "$U"
cpio_gz "$U" "$OUT/domu-initrd.gz"

# ---------------------------------------------------------------- dom0
R=$OUT/dom0-root
busybox_root "$R"
mkdir -p "$R"/etc/xen "$R"/boot "$R"/xt "$R"/var/lib/xen/dump "$R"/var/log/xen/console \
	"$R"/var/lib/xenstored "$R"/home/nobody
ln -s ../run "$R/var/run"

copy_with_libs() {	# copy_with_libs FILE [DEST]: into dom0's root
	copy_into "$R" "$@"
}

# glibc dlopen()s libgcc_s for pthread_cancel: xl aborts without it (awk reads
# to the end: an early exit would kill ldconfig with SIGPIPE, and pipefail us)
LIBGCC=$(ldconfig -p 2>/dev/null | awk '/libgcc_s\.so\.1 .*x86-64/ && !f { print $NF; f = 1 }')
[ -n "$LIBGCC" ] || missing "libgcc_s.so.1"
copy_with_libs "$LIBGCC"
for b in xl xenstored xenconsoled libxl-save-helper xen-init-dom0 xen-mfndump; do
	copy_with_libs "$XENBIN/$b"
done
copy_with_libs "$BUILD/xenp2m" /usr/bin/xenp2m
copy_with_libs "$BUILD/tests/xen/backend-probe" /usr/bin/backend-probe
copy_with_libs "$BUILD/tests/xen/json-flat" /usr/bin/json-flat
copy_with_libs "$BUILD/tests/xen/p2m-compare" /usr/bin/p2m-compare
copy_with_libs "$BUILD/tests/xen/guest-tool" /usr/bin/guest-tool
xenstore_client "$R"
copy_with_libs "$BUILD/tests/xen/page-poke" /usr/bin/page-poke
copy_with_libs "$BUILD/bench/bench-snapshot" /usr/bin/bench-snapshot
cp -a /etc/xen/scripts "$R/etc/xen/" 2>/dev/null || true

cat >"$R/etc/passwd" <<'EOF'
root:x:0:0:root:/root:/bin/sh
nobody:x:65534:65534:nobody:/home/nobody:/bin/sh
EOF
printf 'root:x:0:\nnogroup:x:65534:\n' >"$R/etc/group"
# random domids: nothing may assume that the guest is domain 1
cat >"$R/etc/xen/xl.conf" <<'EOF'
autoballoon="off"
domid_policy="random"
EOF

M=$R/lib/modules/$KVER
mkdir -p "$M"
for m in xen-privcmd xenfs xen-evtchn xen-gntdev xen-gntalloc; do
	f=$(find "/lib/modules/$KVER" -name "$m.ko*" -print -quit)
	[ -n "$f" ] || missing "kernel module $m for $KVER"
	case $f in
	*.xz) xz -dc "$f" >"$M/$m.ko" ;;
	*.zst) zstd -qdc "$f" >"$M/$m.ko" ;;
	*.gz) gzip -dc "$f" >"$M/$m.ko" ;;
	*) cp "$f" "$M/$m.ko" ;;
	esac
done

cp "$OUT/vmlinuz" "$R/boot/vmlinuz"
cp "$OUT/domu-initrd.gz" "$R/boot/domu-initrd.gz"
install -m 0755 "$XT/dom0-init.sh" "$R/init"
install -m 0644 "$XT/dom0-lib.sh" "$XT/steps.sh" "$XT/steps-module.sh" "$R/xt/"
echo "$KVER" >"$R/xt/kver"
cpio_gz "$R" "$OUT/dom0-initrd.gz"
rm -rf "$OUT/dom0-root" "$OUT/domu-root"
echo "xen=$XEN_IMAGE kernel=$KVER tools=$XENBIN"
