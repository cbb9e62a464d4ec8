# shellcheck shell=bash
# Shared helpers for the xt_TARPIT harness scripts. Source, do not run.

set -euo pipefail

TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
CACHE=${XT_TARPIT_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/xt-tarpit}
CHROOT_SUITE=trixie
CHROOT=$CACHE/chroot-$CHROOT_SUITE
DEBIAN_MIRROR=${DEBIAN_MIRROR:-http://deb.debian.org/debian}

# Kernel lines the harness builds and tests (Debian's linux-source-<line>):
# make check builds the module and runs the VM suite on each. 7.3 is
# trixie-backports' kernel, the one Debian stable users can run.
KERNEL_LINES=(7.2 6.12 7.3)
# The lines of the in-tree patch series (patches/linux-<line>; Kbuild's
# tarpit_intree_lines says the same), and of the long tests that need a
# kernel of their own (the hostile-input pass, make torture's debug
# kernels, make bench's release kernels). 7.3 differs from 7.2 in no API
# the module uses (Kbuild's tarpit_kernel_changes).
INTREE_LINES=(7.2 6.12)
# The line whose VM suite also runs the parts that go through no kernel
# API of ours beyond the other parts' (the extension's rule table, ban
# tools' rules without -p, real clients' timers, make hold's programs, the
# classic demonstration): once per make check is enough; the other lines
# run the parts that cross the kernel seam (tests/vm/suite.sh).
FULL_SUITE_LINES=(7.2)

log() { printf '==> %s\n' "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

# vm_counts LABEL STATUS OUT: "PASSED FAILED" from the PASS and FAIL lines
# of a guest's OUT/results; a guest that ended with STATUS non-zero (a
# kernel problem, a hang) without a failed test counts one failure, and
# the end of OUT/transcript.log is shown.
vm_counts() {
	local label=$1 status=$2 out=$3 vm_passed vm_failed
	vm_passed=$(grep -c '^PASS' "$out/results" 2>/dev/null || true)
	vm_failed=$(grep -c '^FAIL' "$out/results" 2>/dev/null || true)
	if [ "$status" -ne 0 ] && [ "${vm_failed:-0}" -eq 0 ]; then
		log "$label failed (status $status) without a failed test: see $out/transcript.log"
		tail -n 40 "$out/transcript.log" >&2
		vm_failed=1
	fi
	echo "${vm_passed:-0} ${vm_failed:-0}"
}

require_root() {
	[ "$(id -u)" -eq 0 ] || die "this step installs packages and uses chroot/unshare: run it as root"
}

# Install Debian packages on the host, only those not yet installed.
ensure_host_packages() {
	local missing=() pkg
	for pkg in "$@"; do
		dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' \
			|| missing+=("$pkg")
	done
	[ ${#missing[@]} -eq 0 ] && return 0
	require_root
	log "installing host packages: ${missing[*]}"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq || die "apt-get update failed: is $DEBIAN_MIRROR reachable?"
	apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null \
		|| die "could not install ${missing[*]} from the host's Debian mirror"
}


# bindgen on the host, for the packet core's build.rs (the rule ABI from
# include/uapi/linux/netfilter/xt_TARPIT.h), with the libclang it loads at
# run time: Debian's bindgen package does not depend on one. The default
# clang's runtime library (libclang1-N, N from libclang-dev), not the
# whole development package.
ensure_host_bindgen() {
	local version
	version=$(apt-cache depends libclang-dev 2>/dev/null | sed -n 's/.*Depends: libclang-\([0-9][0-9]*\)-dev.*/\1/p' | head -n 1)
	[ -n "$version" ] || die "cannot tell the default libclang version (apt-cache depends libclang-dev)"
	ensure_host_packages bindgen "libclang1-$version"
}

# Install Debian packages into the toolchain chroot, only those missing.
# For tools that do not build kernels (packaging, lintian): they are not
# part of the toolchain stamp, so adding one never invalidates a kernel.
ensure_chroot_packages() {
	local missing
	missing=$("$TOP/scripts/in-chroot" sh -c 'for p in "$@"; do
		dpkg-query -W -f="\${Status}" "$p" 2>/dev/null | grep -q "install ok installed" || echo "$p"
	done' sh "$@" | tr '\n' ' ')
	[ -z "${missing// /}" ] && return 0
	log "installing into the chroot: $missing"
	"$TOP/scripts/in-chroot" sh -c "
		export DEBIAN_FRONTEND=noninteractive
		apt-get -o Acquire::Check-Valid-Until=false update -qq &&
		apt-get install -y -qq --no-install-recommends $missing >/dev/null" \
		|| die "could not install $missing inside the $CHROOT_SUITE chroot from $DEBIAN_MIRROR"
}

# bench_tools: what make bench's guests run beside the kernel (the
# extension, the flood tools in $CACHE/bench-tools), host and chroot set
# up first; sets $tools (scripts/bench, scripts/insn-profile).
bench_tools() {
	"$TOP/scripts/setup-host"
	"$TOP/scripts/setup-chroot"
	make -s -C "$TOP/iptables-ext"
	tools=$CACHE/bench-tools
	mkdir -p "$tools"
	make -s -C "$TOP/tests/bench" OUT="$tools"
}

# bench_builds LINE [--release]: the kernel, our module and the C peer to
# benchmark on LINE; sets $kdir, $module and $peer_module.
bench_builds() {
	local line=$1
	shift
	kdir=$("$TOP/scripts/build-kernel" "$@" "$line") || die "no $line kernel to benchmark on (see above)"
	module=$("$TOP/scripts/build-module" "$kdir") || die "xt_TARPIT.ko does not build for $(basename "$kdir") (see above)"
	# Not through head(1): build-peer would die of SIGPIPE on its second line.
	peer_module=$("$TOP/scripts/build-peer" "$kdir") \
		|| die "the C peer (xtables-addons' TARPIT) does not build for $(basename "$kdir"), and the benchmark will not run without it (see above)"
	peer_module=${peer_module%%$'\n'*}
}
