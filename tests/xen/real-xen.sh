#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# The real-Xen test: boot Debian's Xen hypervisor with a PV dom0 in QEMU
# (TCG), start PV guests there and run the steps of tests/xen/steps.sh in
# dom0 against the freshly built xenp2m and the backend probe.  One boot
# hosts every step; each step is one TAP line here.
#
# Needs: the Xen backend built (libxen-dev), xen-hypervisor-4.17-amd64,
# xen-utils-4.17, linux-image-amd64, busybox-static, cpio, qemu-system-x86.
# Without them: a loud SKIP, or a failure with XENP2M_REQUIRE_XEN_TESTS=1.
# XENP2M_SKIP_XEN_TESTS=1 skips on purpose (even when required).
# XENP2M_XEN_TIMEOUT (seconds, default 600) bounds the QEMU run.
# XENP2M_XEN_EXPLORE=1 also boots a PVH guest and tries an HVM one.  Output: $top_builddir/tests/xen/out/
# (serial.log: the whole console, each line stamped with host seconds).
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
set -u

: "${top_builddir:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${top_srcdir:=$top_builddir}"
OUT=$top_builddir/tests/xen/out
T0=$EPOCHREALTIME

skip() {
	echo "# ======================================================================"
	echo "# SKIPPED: the real-Xen test did not run: $*"
	echo "# ======================================================================"
	if [ "${XENP2M_REQUIRE_XEN_TESTS:-0}" = 1 ]; then
		echo "1..1"
		echo "not ok 1 - the real-Xen test is required (XENP2M_REQUIRE_XEN_TESTS=1) but cannot run: $*"
		exit 1
	fi
	echo "1..0 # SKIP real Xen: $*"
	exit 0
}

if [ "${XENP2M_SKIP_XEN_TESTS:-0}" = 1 ]; then
	echo "1..0 # SKIP real Xen: XENP2M_SKIP_XEN_TESTS=1"
	exit 0
fi
[ "${XENP2M_BUILT_WITH_XEN:-0}" = 1 ] || skip "xenp2m was built without the Xen backend (install libxen-dev, re-run configure)"
QEMU=$(command -v qemu-system-x86_64 || true)
[ -n "$QEMU" ] || skip "qemu-system-x86_64 is not installed (qemu-system-x86)"

mkdir -p "$OUT"
rm -f "$OUT/serial.log" "$OUT/results.log"
msg=$(bash "$top_srcdir/tests/xen/build-initramfs.sh" "$OUT" "$top_builddir" "$top_srcdir" 2>&1)
brc=$?
[ -n "$msg" ] || msg="build-initramfs.sh exited with status $brc and said nothing"
case $brc in
0) echo "# initramfs: $msg" ;;
77) skip "missing ${msg##*missing: }" ;;
*)
	echo "1..1"
	echo "not ok 1 - build the test initramfs"
	printf '%s\n' "$msg" | sed 's/^/#   /'
	exit 1
	;;
esac
T_BUILD=$EPOCHREALTIME

# TCG: KVM cannot run Xen here; SMAP hidden, or QEMU 7.2's TCG crashes a
# PV dom0 at once; RDTSCP hidden, or a PVH guest dies on it (TCG's SVM
# reports its intercept as RDTSC, and Xen cannot emulate it); XSAVE hidden
# (and AVX with it), or once a guest has 2 vCPUs, processes in dom0 and in
# the guest crash (SIGSEGV/GPF in libc, ld.so, busybox) and compute garbage
# (xl's XZ decompression of a kernel fails): extended register state is lost
# across Xen's context switches under TCG (every run with it failed, with
# MTTCG and with one TCG thread alike; none without).  com1 is Xen's console (dom0's hvc0 goes there too),
# com2 carries dom0's results (dom0-lib.sh falls back to the console).
XEN_ARGS="dom0_mem=1536M,max:1536M dom0_max_vcpus=1 console=com1 com1=115200,8n1"
XEN_ARGS="$XEN_ARGS loglvl=all guest_loglvl=all ${XENP2M_XEN_EXTRA_ARGS:-}"
DOM0_ARGS="console=hvc0 earlyprintk=xen rdinit=/init loglevel=4"
# XENP2M_XEN_EXPLORE=1: also try what is slow or flaky here (steps.sh)
[ "${XENP2M_XEN_EXPLORE:-0}" = 1 ] && DOM0_ARGS="$DOM0_ARGS xt_explore=1"
timeout --foreground -k 10 "${XENP2M_XEN_TIMEOUT:-600}" \
	"$QEMU" -accel tcg,thread=multi -cpu "${XENP2M_QEMU_CPU:-max,-smap,-rdtscp,-xsave}" \
	-machine pc -smp 2 -m 3072 -display none -vga none -monitor none -no-reboot \
	-serial stdio -serial "file:$OUT/results.log" \
	-kernel "$OUT/xen" -append "$XEN_ARGS" \
	-initrd "$OUT/vmlinuz $DOM0_ARGS,$OUT/dom0-initrd.gz" </dev/null 2>&1 |
	while IFS= read -r line; do
		now=${EPOCHREALTIME/./}
		d=$((now - ${T_BUILD/./}))
		printf '[%4d.%03d] %s\n' $((d / 1000000)) $(((d / 1000) % 1000)) "${line%$'\r'}"
	done >"$OUT/serial.log"
QEMU_RC=${PIPESTATUS[0]}
T_END=$EPOCHREALTIME

# the result lines, from com2, or from the console when dom0 used that
results() {
	{ cat "$OUT/results.log" 2>/dev/null; sed 's/^\[ *[0-9.]*\] //' "$OUT/serial.log"; } |
		tr -d '\r' | sed -n 's/^.*XT|//p'
}

n=0
failed=0
while IFS= read -r l; do
	case $l in
	"ok "* | "not ok "*)
		n=$((n + 1))
		echo "$l"
		case $l in
		*" # TODO "*) ;;	# a known problem, not a failure
		"not ok "*) failed=$((failed + 1)) ;;
		esac
		;;
	"#"* | "Bail out!"*) echo "$l" ;;
	esac
done < <(results)
done_line=$(results | grep '^DONE ' | tail -n1)

# the host's own checks on the whole run
n=$((n + 1))
if [ -n "$done_line" ]; then
	echo "ok $n - dom0 ran every step and powered off (qemu exit $QEMU_RC)"
else
	failed=$((failed + 1))
	echo "not ok $n - dom0 ran every step and powered off (qemu exit $QEMU_RC; 124 = timeout)"
	echo "# --- the console's last lines:"
	tail -n 60 "$OUT/serial.log" | sed 's/^/#   /'
fi
n=$((n + 1))
crash=$(grep -nE '\(XEN\) .*(domain_crash|[Cc]rashed|Panic|FATAL|Unhandled)|Kernel panic|BUG:|Oops|general protection' \
	"$OUT/serial.log" | grep -v 'on_crash' | head -n 20)
if [ -z "$crash" ]; then
	echo "ok $n - no crash, panic or oops in Xen's or dom0's log"
else
	failed=$((failed + 1))
	echo "not ok $n - no crash, panic or oops in Xen's or dom0's log"
	printf '%s\n' "$crash" | sed 's/^/#   /'
fi

secs() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", b - a }'; }
echo "# ---------------------------------------------------------------- summary"
results | sed -n 's/^BOOTED /# /p; s/^SUMMARY /# /p'
echo "# $n checks, $failed failed; initramfs build $(secs "$T0" "$T_BUILD") s, QEMU run $(secs "$T_BUILD" "$T_END") s, real-Xen stage $(secs "$T0" "$T_END") s wall"
echo "# serial log: $OUT/serial.log"
echo "1..$n"
[ "$failed" -eq 0 ]
