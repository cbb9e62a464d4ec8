#!/bin/bash
# The VM test suite, run as the guest's job by scripts/vm-run.
# Usage: suite.sh <xt_TARPIT.ko> <directory holding libxt_TARPIT.so>
set -uo pipefail
module=$1
shim_dir=$2
source "$(dirname "$0")/lib.sh"
export XTABLES_LIBDIR=$shim_dir:$(pkg-config --variable=xtlibdir xtables 2>/dev/null || echo /usr/lib/x86_64-linux-gnu/xtables)

echo "=== kernel $(uname -r)"
setup_network

# --- loading
check "insmod succeeds" insmod "$module"
check "dmesg names the module and the target" sh -c 'dmesg | grep -q "xt_TARPIT: registered the TARPIT target for IPv4 and IPv6"'

# --- rules and wire behaviour, per backend
rule_packets=0
for backend in legacy nft; do
	for family in 4 6; do
		ipt $backend $family -A INPUT -p tcp --dport 25 -j TARPIT
		ipt $backend $family -A INPUT -p tcp --dport 26 -j TARPIT --honeypot
		ipt $backend $family -A INPUT -p tcp --dport 27 -j TARPIT --reset
		listing=$(ipt $backend $family -S INPUT | grep TARPIT | tr '\n' '|')
		expect_eq "[$backend ipv$family] rules list as written" "$listing" \
			"-A INPUT -p tcp -m tcp --dport 25 -j TARPIT|-A INPUT -p tcp -m tcp --dport 26 -j TARPIT --honeypot|-A INPUT -p tcp -m tcp --dport 27 -j TARPIT --reset|"
	done
	in_attacker python3 "$TESTS_DIR/wire_tests.py" "$backend" "$RESULTS"
	for family in 4 6; do
		packets=$(tarpit_rule_packets $backend $family)
		check "[$backend ipv$family] segments reached the TARPIT rules ($packets)" test "$packets" -gt 20
		rule_packets=$((rule_packets + packets))
		ipt $backend $family -F INPUT
	done
done

# --- unloading, and every segment accounted for
check "rmmod succeeds once the rules are gone" rmmod xt_TARPIT
expect_eq "every segment that hit a TARPIT rule is counted once" "$(unload_counter total)" "$rule_packets"
replies=$(( $(unload_counter reply_synack) + $(unload_counter reply_ack) + $(unload_counter reply_rst) ))
check "some segments were answered ($replies)" test "$replies" -gt 0
check "no allocation or routing failure" test "$(unload_counter fail_alloc)$(unload_counter fail_route)" = 00

passed=$(grep -c '^PASS' "$RESULTS")
failed=$(grep -c '^FAIL' "$RESULTS")
echo "=== VM ($(uname -r)): $passed passed, $failed failed"
[ "$failed" -eq 0 ]
