#!/bin/bash
# The VM test suite, run as the guest's job by scripts/vm-run.
# Usage: suite.sh <xt_TARPIT.ko> <dir of libxt_TARPIT.so> <test-double shim .so> \
#                 <peer xt_TARPIT.ko> <dir of the peer's libxt_TARPIT.so> \
#                 [<DESTDIR of a make install for this kernel> [<its module folder>]]
# In-tree (scripts/check-intree): <xt_TARPIT.ko> is "builtin" for a kernel
# with the target built in (nothing to load or unload, no C peer beside it);
# the module folder under /lib/modules/<release> defaults to updates.
set -uo pipefail
module=$1
shim_dir=$2
XT_VARIANT_SHIM=$3
peer_module=$4
peer_shim=$5
install_stage=${6:-}
install_moddir=${7:-updates}
source "$(dirname "$0")/lib.sh"
export XTABLES_LIBDIR=$shim_dir:$(pkg-config --variable=xtlibdir xtables 2>/dev/null || echo /usr/lib/x86_64-linux-gnu/xtables)

echo "=== kernel $(uname -r)"
setup_network
# The parts that go through no kernel API beyond the others' run on one
# line only (scripts/lib.sh FULL_SUITE_LINES); the rest on every line.
full_suite=no
line_listed FULL_SUITE_LINES && full_suite=yes

section "loading"
# --- loading
if [ "$module" = builtin ]; then
	check "xt_TARPIT is built in (in /sys/module, not in /proc/modules)" \
		sh -c 'test -d /sys/module/xt_TARPIT && ! grep -q "^xt_TARPIT " /proc/modules'
else
	check "insmod succeeds" insmod "$module"
fi
check "dmesg names the module and the target" sh -c 'dmesg | grep -q "xt_TARPIT: registered the TARPIT target for IPv4 and IPv6"'

if [ "$full_suite" = yes ]; then
	section "the iptables extension"
	# --- the iptables extension: rule table, save/restore round trip
	for backend in legacy nft; do
		for family in 4 6; do
			bash "$TESTS_DIR/rule_table.sh" $backend $family "$TESTS_DIR/../../iptables-ext/libxt_TARPIT.t"
			tool=iptables
			[ $family = 6 ] && tool=ip6tables
			ipt $backend $family -A INPUT -p tcp --dport 25 -j TARPIT
			ipt $backend $family -A FORWARD -p tcp --dport 26 -j TARPIT --honeypot
			ipt $backend $family -A INPUT -s "$([ $family = 4 ] && echo 192.0.2.0/24 || echo 2001:db8::/32)" -p tcp -j TARPIT --reset
			# Without the chains' packet counters ([packets:bytes]): a restore
			# without -c starts them at zero, and a stray packet (IPv6
			# neighbour discovery, MLD) between the two saves moves them.
			$tool-$backend-save -t filter | grep -v '^#' | sed -E 's/ \[[0-9]+:[0-9]+\]$//' >/tmp/saved
			ipt $backend $family -F
			$tool-$backend-restore </tmp/saved
			$tool-$backend-save -t filter | grep -v '^#' | sed -E 's/ \[[0-9]+:[0-9]+\]$//' >/tmp/restored
			check "[$backend ipv$family] iptables-save | iptables-restore round-trips" cmp -s /tmp/saved /tmp/restored
			check "[$backend ipv$family] saved rules carry every mode" \
				test "$(grep -c -e '-j TARPIT$' -e '-j TARPIT --honeypot$' -e '-j TARPIT --reset$' /tmp/saved)" = 3
			ipt $backend $family -F
		done
	done

	check "dmesg says why a rule that matches no TCP (-p udp, ! -p tcp) was refused" \
		sh -c 'dmesg | grep -q "xt_TARPIT: rule refused: the rule matches no TCP (-p names another protocol, or ! -p tcp), and TARPIT only drops what is not TCP; use -j DROP there"'
else
	echo "=== the extension's rule table: on the lines of scripts/lib.sh FULL_SUITE_LINES only"
fi

section "the module refuses target data no real extension writes"
# --- the module refuses target data no real extension writes
variant_shim=/tmp/variant-shim
mkdir -p "$variant_shim"
cp "$XT_VARIANT_SHIM" "$variant_shim/"
for variant in 3 255; do
	if XTABLES_LIBDIR=$variant_shim:${XTABLES_LIBDIR#*:} iptables-nft -A INPUT -p tcp -j TARPIT --variant $variant 2>/tmp/variant-error; then
		fail "a rule with variant $variant is refused"
		iptables-nft -F INPUT
	else
		pass "a rule with variant $variant is refused ($(head -n 1 /tmp/variant-error))"
	fi
done
check "dmesg says why the unknown variant was refused" sh -c 'dmesg | grep -q "xt_TARPIT: rule refused: unknown TARPIT mode"'
XTABLES_LIBDIR=$variant_shim:${XTABLES_LIBDIR#*:} iptables-nft -A INPUT -p tcp -j TARPIT --variant 1
check "the same extension's variant 1 rule lists as --honeypot with ours" sh -c 'iptables-nft -S INPUT | grep -q -- "-j TARPIT --honeypot"'
iptables-nft -F INPUT

section "rules and wire behaviour, per backend"
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
		retire_tarpit_rules $backend $family >/dev/null
	done
done

if [ "$full_suite" = yes ]; then
	section "a rule without -p, as ban tools write it (-s <address> -j TARPIT)"
	# --- a rule without -p, as ban tools write it (-s <address> -j TARPIT):
	# TCP from that source is tarpitted, anything else dropped and counted
	# not_tcp. From the attacker's own address, with its own sockets
	# (answer.py): UDP to a closed port is refused (ICMP port unreachable) or
	# meets silence; TCP to a closed port is refused (reset) or held.
	for backend in legacy nft; do
		for family in 4 6; do
			host=10.0.0.1 attacker=10.0.0.2 ping="busybox ping"
			[ $family = 6 ] && host=fd00::1 attacker=fd00::2 ping="busybox ping6"
			tag="[$backend ipv$family -s $attacker -j TARPIT, no -p]"
			expect_eq "$tag before the rule: UDP to a closed port is refused" "$(udp_client "" $host 9)" refused
			expect_eq "$tag before the rule: TCP to a closed port is refused" "$(client "" $host 24)" refused
			check "$tag before the rule: ping gets an echo reply" in_attacker $ping -c 1 -W 2 $host
			for options in "" "--limit 1000"; do
				check "$tag ${options:-revision 0}: accepted" ipt $backend $family -A INPUT -s $attacker -j TARPIT $options
				not_tcp=$(counter not_tcp)
				synack=$(counter reply_synack)
				expect_eq "$tag ${options:-revision 0}: TCP to a closed port is held" "$(client "" $host 24)" held
				expect_eq "$tag ${options:-revision 0}: UDP gets no port unreachable" "$(udp_client "" $host 9)" silence
				check "$tag ${options:-revision 0}: ping gets no echo reply" sh -c "! ip netns exec attacker $ping -c 1 -W 1 $host >/dev/null"
				check "$tag ${options:-revision 0}: a SYN-ACK was counted" test "$(counter reply_synack)" -gt "$synack"
				check "$tag ${options:-revision 0}: the UDP datagram and the echo request were counted not_tcp" \
					test "$(counter not_tcp)" -ge $((not_tcp + 2))
				rule_packets=$((rule_packets + $(tarpit_rule_packets $backend $family)))
				ipt $backend $family -D INPUT -s $attacker -j TARPIT $options
			done
			expect_eq "$tag after the rule: UDP is refused again" "$(udp_client "" $host 9)" refused
		done
	done
else
	echo "=== rules without -p: on the lines of scripts/lib.sh FULL_SUITE_LINES only"
fi

section "the synack_window module parameter"
# --- the synack_window module parameter
parameter=/sys/module/xt_TARPIT/parameters/synack_window
expect_eq "synack_window defaults to 5" "$(cat $parameter)" 5
expect_eq "validate_acks defaults to Y" "$(cat /sys/module/xt_TARPIT/parameters/validate_acks)" Y
for family in 4 6; do
	ipt nft $family -A INPUT -p tcp --dport 25 -j TARPIT
done
echo 0 >$parameter
in_attacker python3 "$TESTS_DIR/wire_tests.py" parameter "$RESULTS" --synack-window 0
echo 5 >$parameter
for family in 4 6; do
	retire_tarpit_rules nft $family >/dev/null
done

section "nft list ruleset with iptables-nft's TARPIT rules"
# --- nft list ruleset with iptables-nft's TARPIT rules: nft asks the
# extension to translate each, and prints xt target "TARPIT" where it has
# no nft equivalent (nft since 1.0.7; the host's older nft may print the
# rule without it); the whole ruleset is listed, the rules after a
# --tarpit rule included.
for family in 4 6; do
	ipt nft $family -A INPUT -p tcp --dport 25 -j TARPIT
	ipt nft $family -A INPUT -p tcp --dport 27 -j TARPIT --reset
done
status=0
listing=$(nft list ruleset 2>&1) || status=$?
expect_eq "nft list ruleset with TARPIT rules in iptables-nft exits 0" "$status" 0
expect_eq "nft list ruleset shows the --tarpit rules (as xt target \"TARPIT\")" \
	"$(grep -cE 'tcp dport 25 counter packets [0-9]+ bytes [0-9]+( xt target "?TARPIT"?)?$' <<<"$listing")" 2
expect_eq "nft list ruleset shows the --reset rules as reject with tcp reset" \
	"$(grep -c 'tcp dport 27 counter packets [0-9]* bytes [0-9]* reject with tcp reset$' <<<"$listing")" 2
grep -E 'dport (25|27)' <<<"$listing"
for family in 4 6; do
	retire_tarpit_rules nft $family >/dev/null
done

section "a reply with no route back is dropped quietly and counted"
# --- a reply with no route back is dropped quietly and counted
ip route add unreachable 10.0.0.98/32
ip -6 route add unreachable fd00::98/128
for family in 4 6; do
	ipt nft $family -A INPUT -p tcp --dport 25 -j TARPIT
done
in_attacker python3 "$TESTS_DIR/wire_tests.py" unroutable "$RESULTS" --unroutable
for family in 4 6; do
	retire_tarpit_rules nft $family >/dev/null
done

section "real clients"
# --- real clients: held by --tarpit, never connected by DROP
for family in 4 6; do
	ipt nft $family -A INPUT -p tcp --dport 25 -j TARPIT
	ipt nft $family -A INPUT -p tcp --dport 28 -j DROP
done
client_pids=()
for host in 10.0.0.1 fd00::1; do
	in_attacker python3 "$TESTS_DIR/held_client.py" "$host" 25 "/tmp/tarpit-$host.report" &
	client_pids+=($!)
	in_attacker python3 "$TESTS_DIR/held_client.py" "$host" 28 "/tmp/drop-$host.report" &
	client_pids+=($!)
done
hold_seconds=15
sleep $hold_seconds
for host in 10.0.0.1 fd00::1; do
	expect_eq "real client to $host connects through --tarpit" "$(cat "/tmp/tarpit-$host.report")" connected
	expect_eq "real client to $host gets nowhere through DROP" "$(cat "/tmp/drop-$host.report")" "connect failed: timed out"
	prefix=32
	[[ $host == *:* ]] && prefix=128
	socket=$(in_attacker ss -Htnoi dst "$host/$prefix" '( dport = :25 )')
	echo "client socket after ${hold_seconds}s: $socket"
	check "client to $host is still ESTABLISHED after ${hold_seconds}s" grep -q '^ESTAB' <<<"$socket"
	check "client to $host has a retransmission or probe timer running" grep -Eq 'timer:\((on|persist)' <<<"$socket"
	check "client to $host has had none of its data acknowledged" grep -q 'bytes_acked:1 ' <<<"$socket"
	check "client to $host still has data in flight or queued" grep -Eq 'unacked:[1-9]|notsent:[1-9]' <<<"$socket"
done
kill "${client_pids[@]}" 2>/dev/null
wait 2>/dev/null
for family in 4 6; do
	retire_tarpit_rules nft $family >/dev/null
done

if [ "$full_suite" = yes ]; then
	section "held for as long as we answer"
	# --- held for as long as we answer: the timers that end a client, run short
	source "$TESTS_DIR/persist.sh"
	section "make hold's clients"
	source "$TESTS_DIR/hold_smoke.sh"
else
	echo "=== real clients' timers, make hold's programs: on the lines of scripts/lib.sh FULL_SUITE_LINES only"
fi

section "replies are attached to the original's conntrack entry"
# --- replies are attached to the original's conntrack entry: with
# conntrack active, OUTPUT sees every reply as RELATED, none as NEW or INVALID
for state in INVALID NEW RELATED; do
	ipt nft 4 -A OUTPUT -p tcp --sport 25 -m conntrack --ctstate $state
done
ipt nft 4 -A INPUT -p tcp --dport 25 -j TARPIT
in_attacker python3 "$TESTS_DIR/held_client.py" 10.0.0.1 25 /tmp/conntrack.report &
conntrack_client=$!
sleep 6
kill $conntrack_client
wait $conntrack_client 2>/dev/null
output_packets() { ipt nft 4 -L OUTPUT -v -x -n | awk -v s="$1" '$NF == s { print $1 }'; }
check "replies leave as RELATED to the original's conntrack entry ($(output_packets RELATED))" \
	test "$(output_packets RELATED)" -gt 0
expect_eq "no reply leaves as a NEW connection" "$(output_packets NEW)" 0
expect_eq "no reply is INVALID to conntrack" "$(output_packets INVALID)" 0
ipt nft 4 -F OUTPUT
retire_tarpit_rules nft 4 >/dev/null

if [ "$full_suite" = yes ]; then
	section "the classic demonstration"
	# --- the classic demonstration (also what `make demo` shows)
	demo=$(bash "$TESTS_DIR/classic-demo.sh" 2 2>&1)
	echo "$demo"
	expect_eq "classic demo: -j DROP leaves no client socket in FIN_WAIT1" \
		"$(sed -n 's/^RESULT DROP fin_wait1=//p' <<<"$demo")" 0
	expect_eq "classic demo: -j TARPIT leaves five client sockets in FIN_WAIT1" \
		"$(sed -n 's/^RESULT TARPIT fin_wait1=//p' <<<"$demo")" 5
	default_backend=legacy
	iptables -V | grep -q nf_tables && default_backend=nft
	retire_tarpit_rules $default_backend 4 >/dev/null
else
	echo "=== the classic demonstration: on the lines of scripts/lib.sh FULL_SUITE_LINES only"
fi

section "beyond the C peer"
# --- beyond the C peer: revision 1, rate limits, --mimic
source "$TESTS_DIR/rule_options.sh"

section "where replies go"
# --- where replies go: bridges, link-local, marks, hop limits; no loops
source "$TESTS_DIR/reply_path.sh"

section "monitoring"
# --- monitoring: connections held now, top sources; on the lines of
# scripts/lib.sh's INTREE_LINES (7.3's is checked through Prometheus by
# make check-debian-stable, with less time spent here)
if line_listed INTREE_LINES; then
	source "$TESTS_DIR/monitor.sh"
else
	echo "=== monitoring: on the lines of scripts/lib.sh INTREE_LINES only"
fi

section "counters"
# --- counters: per namespace, every segment accounted for once
echo "/proc/net/xt_TARPIT:"
cat /proc/net/xt_TARPIT
check "every /proc/net/xt_TARPIT line is 'name value'" \
	awk 'NF != 2 || $2 !~ /^[0-9]+$/ { bad = 1 } END { exit bad || NR < 18 }' /proc/net/xt_TARPIT
expect_eq "every segment that hit a TARPIT rule is counted exactly once" "$(counters_total)" "$rule_packets"
replies=$(( $(counter reply_synack) + $(counter reply_ack) + $(counter reply_rst) ))
check "some segments were answered ($replies)" test "$replies" -gt 0
expect_eq "the unroutable replies are counted as routing failures" "$(counter fail_route)" "$((2 + reply_path_route_failures))"
expect_eq "no allocation failure" "$(counter fail_alloc)" 0
check "spoofed ACKs are counted as failed validation" test "$(counter failed_validation)" -gt 0
# (Fragments never reach INPUT: the stack reassembles them first.)
check "bad checksums, options, extension headers and truncation have their own counters" \
	test "$(counter bad_checksum)" -gt 0 -a "$(counter truncated)" -gt 0 -a "$(counter ip_options)" -gt 0 -a "$(counter extension_header)" -gt 0
expect_eq "the attacker namespace has counters of its own, all zero" \
	"$(in_attacker awk '{ sum += $2 } END { print (NR > 0 ? sum + 0 : "missing") }' /proc/net/xt_TARPIT)" 0
if [ "$module" != builtin ]; then
	check "rmmod succeeds once the rules are gone" rmmod xt_TARPIT
	check "/proc/net/xt_TARPIT is gone with the module" test ! -e /proc/net/xt_TARPIT

	# --- memory per namespace: what loading the module adds to the
	# kernel's unreclaimable slab (kmalloc'd state, large kmallocs
	# included) and per-CPU memory, with 100 more namespaces than alone
	module_memory_kb() {
		local before after
		before=$(awk '/^(SUnreclaim|Percpu):/ { sum += $2 } END { print sum }' /proc/meminfo)
		insmod "$module"
		after=$(awk '/^(SUnreclaim|Percpu):/ { sum += $2 } END { print sum }' /proc/meminfo)
		rmmod xt_TARPIT
		echo $((after - before))
	}
	module_memory_kb >/dev/null
	alone=$(module_memory_kb)
	for index in $(seq 100); do ip netns add cost$index; done
	with=$(module_memory_kb)
	for index in $(seq 100); do ip netns del cost$index; done
	echo "loading the module adds ${alone} kB of slab and per-CPU memory, ${with} kB with 100 more namespaces"
	check "a namespace without a rate-limited rule costs the module under 4 KiB ($(( (with - alone) * 1024 / 100 )) bytes each)" \
		test $(( (with - alone) * 1024 )) -lt $(( 100 * 4096 ))
fi

section "installed by make install"
# --- installed by make install: autoload on the first rule, modprobe aliases
if [ -n "$install_stage" ]; then
	source "$TESTS_DIR/install.sh" "$install_stage" "$install_moddir"
fi

section "compatibility with xtables-addons, both ways"
# --- compatibility with xtables-addons, both ways
if [ "$module" != builtin ]; then
	bash "$TESTS_DIR/compat.sh" "$module" "$shim_dir" "$peer_module" "$peer_shim"
fi

section "done"
passed=$(grep -c '^PASS' "$RESULTS")
failed=$(grep -c '^FAIL' "$RESULTS")
echo "=== VM ($(uname -r)): $passed passed, $failed failed"
[ "$failed" -eq 0 ]
