#!/bin/bash
# Hostile input, floods and faults, run as the guest's job by scripts/vm-run:
# bounded in make check (scripts/check), long on the debug kernels in make
# torture (scripts/torture). Parts: bad_config.sh, malformed_input.sh,
# flood_unload.sh, faults.sh; then the module is unloaded and the kernel
# is checked for leaks (slab back to its baseline; kmemleak on kernels
# that have it).
# Usage: hostile_suite.sh <xt_TARPIT.ko> <dir of libxt_TARPIT.so> <test-double shim .so> \
#                   <dir with hostile and flood> <segments> <flood seconds> \
#                   <unload cycles> <segments per fault case> [parts]
# parts (for debugging): a subset of "bad_config input flood faults".
set -uo pipefail
MODULE=$1
shim_dir=$2
XT_VARIANT_SHIM=$3
HOSTILE=$4/hostile
FLOOD=$4/flood
segments=$5 flood_seconds=$6 unload_cycles=$7 fault_segments=$8
source "$(dirname "$0")/lib.sh"
source "$TESTS_DIR/bad_config.sh"
source "$TESTS_DIR/malformed_input.sh"
source "$TESTS_DIR/flood_unload.sh"
source "$TESTS_DIR/faults.sh"
export XTABLES_LIBDIR=$shim_dir:$(pkg-config --variable=xtlibdir xtables 2>/dev/null || echo /usr/lib/x86_64-linux-gnu/xtables)

echo "=== kernel $(uname -r): hostile input ($segments segments), flood ${flood_seconds}s x $unload_cycles reloads, faults"
setup_network
ip route add 10.100.0.0/14 via 10.0.0.2
ip -6 route add fd01::/48 via fd00::2
# Incomplete fragments give up their memory after 2 s, not 30 s.
echo 2 >/proc/sys/net/ipv4/ipfrag_time
echo 2 >/proc/sys/net/ipv6/ip6frag_time

kmemleak=/sys/kernel/debug/kmemleak
mountpoint -q /sys/kernel/debug || mount -t debugfs debugfs /sys/kernel/debug 2>/dev/null
kasan=no
grep -qw __asan_load8 /proc/kallsyms && kasan=yes
# The stack answers some hostile segments with ICMP errors; rate limiting
# them keeps an inet_peer entry per source (tens of thousands here, freed
# only minutes later), which would read as a slab leak. No rate limit, no
# peers: what is left in slab afterwards is then not the stack's cache.
echo 0 >/proc/sys/net/ipv4/icmp_ratemask
echo 127 >/proc/sys/net/ipv6/icmp/ratemask # (only an unused type)
# IPv4 reassembly keeps an inet_peer per fragment source too.
echo 0 >/proc/sys/net/ipv4/ipfrag_max_dist
# slab_bytes: bytes in allocated slab objects (active objects x size);
# slab_top: the caches whose allocated bytes grew most since the baseline.
slab_bytes() { awk 'NR > 2 { s += $2 * $4 } END { print s + 0 }' /proc/slabinfo; }
slab_top() {
	awk 'NR == FNR { if (FNR > 2) base[$1] = $2 * $4; next }
		FNR > 2 { d = ($2 * $4 - base[$1]) / 1024; if (d > 16) printf "%s +%d kB\n", $1, d }' \
		/tmp/slabinfo.base /proc/slabinfo | sort -t+ -k2 -rn | head -n 8
}
meminfo_kb() { awk -v k="$1:" '$1 == k { print $2 }' /proc/meminfo; }
settle_memory() {
	sleep 3
	sync
	echo 3 >/proc/sys/vm/drop_caches
	sleep 1
}
settle_memory
[ -w $kmemleak ] && echo clear >$kmemleak
slab_baseline=$(meminfo_kb Slab)
cat /proc/slabinfo >/tmp/slabinfo.base
objects_baseline=$(slab_bytes)

parts=" ${9:-bad_config input flood faults} "
check "insmod succeeds" insmod "$MODULE"
section "rules no extension writes"
[[ $parts == *" bad_config "* ]] && run_bad_config
section "malformed input"
if [[ $parts == *" input "* ]]; then
	run_malformed_input legacy $((segments / 2)) 1
	run_malformed_input nft $((segments - segments / 2)) 2
fi
section "a flood while the module unloads"
[[ $parts == *" flood "* ]] && run_flood_unload "$flood_seconds" "$unload_cycles"
section "faults"
if [[ $parts == *" faults "* ]]; then
	run_route_faults "$fault_segments"
	run_alloc_faults "$fault_segments"
fi

section "leaks"
echo "/proc/net/xt_TARPIT (since the last reload):"
cat /proc/net/xt_TARPIT
check "rmmod succeeds once the rules are gone" rmmod xt_TARPIT
check "the module is gone" test ! -d /sys/module/xt_TARPIT

# --- leaks. KASAN keeps freed objects in a quarantine (up to 1/32 of RAM)
# that still counts as slab, so the slab figure is only a verdict without
# KASAN; with it, kmemleak is.
settle_memory
slab_after=$(meminfo_kb Slab)
objects_after=$(slab_bytes)
echo "LEAKS slab_baseline_kb=$slab_baseline slab_after_kb=$slab_after" \
	"slab_objects_baseline_kb=$((objects_baseline / 1024)) slab_objects_after_kb=$((objects_after / 1024)) kasan=$kasan"
slab_top | sed 's/^/LEAKS grew: /'
# Allocated objects, not slab pages (partly used slabs stay after a burst).
# The stack's own caches (conntrack, fragments, namespaces) move by about
# 1 MB here; a leaked reply would show in skbuff_head_cache.
skb_objects() { awk '$1 == "skbuff_head_cache" { print $2 }' "$1"; }
cat /proc/slabinfo >/tmp/slabinfo.after
if [ $kasan = no ]; then
	check "allocated slab objects back to their baseline after unload (within 4 MB: $((objects_baseline / 1024)) -> $((objects_after / 1024)) kB)" \
		test $((objects_after - objects_baseline)) -lt 4194304
	check "no skb left over (skbuff_head_cache $(skb_objects /tmp/slabinfo.base) -> $(skb_objects /tmp/slabinfo.after) objects, within 1000)" \
		test $(( $(skb_objects /tmp/slabinfo.after) - $(skb_objects /tmp/slabinfo.base) )) -lt 1000
fi
if [ -w $kmemleak ]; then
	echo "kmemleak: first scan at $(date +%T)"
	echo scan >$kmemleak
	sleep 5
	echo "kmemleak: second scan at $(date +%T)"
	echo scan >$kmemleak
	echo "kmemleak: done at $(date +%T)"
	cat $kmemleak >/mnt/out/kmemleak.txt
	leaks=$(grep -c '^unreferenced object' /mnt/out/kmemleak.txt || true)
	echo "LEAKS kmemleak_suspects=$leaks"
	head -n 60 /mnt/out/kmemleak.txt
	expect_eq "kmemleak finds no leak (two scans after unload)" "$leaks" 0
else
	echo "LEAKS kmemleak=absent"
fi

section "done"
passed=$(grep -c '^PASS' "$RESULTS")
failed=$(grep -c '^FAIL' "$RESULTS")
echo "=== VM hostile ($(uname -r)): $passed passed, $failed failed"
[ "$failed" -eq 0 ]
