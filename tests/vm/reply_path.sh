# shellcheck shell=bash
# Sourced by suite.sh: replies go where the kernel's own REJECT would send
# them (back out of a bridge port, to IPv6 link-local peers, by the route
# a reflected mark picks, with the output route's hop limit), never back
# to this host from outside (no loop, even without validation), never to
# an IPv6 anycast address; reply budgets are per rule; TARPIT stays out of
# the nat table. Both backends, both families wherever a rule is involved.
# Sets reply_path_route_failures (replies this file expects to find no
# route) for the suite's counter check.

# rp <label> <case> <interface> <own MAC> <peer MAC> [args]: a probe
# from the current namespace (see reply_path_tests.py).
rp() {
	python3 "$TESTS_DIR/reply_path_tests.py" "$1" "$RESULTS" "${@:2}"
}
# from_attacker <label> <case> [args]: a probe from the attacker, over veth1.
from_attacker() {
	in_attacker python3 "$TESTS_DIR/reply_path_tests.py" "$1" "$RESULTS" "$2" veth1 "$ATTACKER_MAC" "$HOST_MAC" "${@:3}"
}
host_address() { if [ "$1" = 4 ]; then echo 10.0.0.1; else echo fd00::1; fi; }
spoofed_address() { if [ "$1" = 4 ]; then echo 10.0.0.99; else echo fd00::99; fi; }
reply_path_route_failures=0
# counted_once SECTION: every segment that hit a TARPIT rule since the
# last call was counted exactly once by the module.
section_counted=$(counters_total)
section_rule_packets=$rule_packets
counted_once() {
	expect_eq "$1: every segment that hit a TARPIT rule is counted exactly once" \
		"$(( $(counters_total) - section_counted ))" "$(( rule_packets - section_rule_packets ))"
	section_counted=$(counters_total)
	section_rule_packets=$rule_packets
}

# --- no loop: a spoofed ACK from one of our own addresses, with ACK
# validation off, reaches the rule once and is never answered (it used to
# come back through lo and loop for as long as validation stayed off)
ip addr add 10.0.0.3/24 dev veth0
ip -6 addr add fd00::3/64 dev veth0 nodad
# IPv4 drops a source that is one of our addresses unless told otherwise.
sysctl -qw net.ipv4.conf.veth0.accept_local=1 net.ipv4.conf.veth0.rp_filter=0 net.ipv4.conf.all.rp_filter=0
echo N >/sys/module/xt_TARPIT/parameters/validate_acks
for backend in legacy nft; do
	for family in 4 6; do
		own=$(host_address $family)
		other=10.0.0.3
		[ $family = 6 ] && other=fd00::3
		# (A port of its own: clients of earlier tests still retransmit
		# FINs to port 25.)
		ipt $backend $family -A INPUT -p tcp --dport 35 -j TARPIT
		loops_before=$(counter loop)
		from_attacker "$backend ipv$family" send $family "$own" "$own" 35 35 A
		from_attacker "$backend ipv$family" send $family "$other" "$own" 35 35 A
		sleep 2
		retire_tarpit_rules $backend $family >/tmp/retired # (not in a subshell: it adds to rule_packets)
		packets=$(cat /tmp/retired)
		expect_eq "[$backend ipv$family] --no-validate: ACKs spoofed from our own addresses reach the rule once each (no loop)" \
			"$packets" 2
		expect_eq "[$backend ipv$family] ... and are counted as loop" "$(( $(counter loop) - loops_before ))" 2
	done
done
echo Y >/sys/module/xt_TARPIT/parameters/validate_acks
counted_once "no loop"
sysctl -qw net.ipv4.conf.veth0.accept_local=0
ip addr del 10.0.0.3/24 dev veth0
ip -6 addr del fd00::3/64 dev veth0

# --- IPv6 link-local peers are answered (the reply is routed out of the
# interface the SYN came in on)
ip -6 addr add fe80::1/64 dev veth0 nodad
ip -n attacker -6 addr add fe80::2/64 dev veth1 nodad
ip -6 neigh replace fe80::2 lladdr "$ATTACKER_MAC" dev veth0 nud permanent
for backend in legacy nft; do
	ipt $backend 6 -A INPUT -p tcp --dport 25 -j TARPIT
	from_attacker "$backend ipv6" answered "a SYN from a link-local peer gets its SYN-ACK" 6 fe80::2 fe80::1 25 \
		eth_src=$HOST_MAC eth_dst=$ATTACKER_MAC
	retire_tarpit_rules $backend 6 >/dev/null
done
counted_once "link-local"

# --- a reflected mark (fwmark_reflect) picks the reply's route; the hop
# limit is the output route's (hoplimit 33 on the route back)
ip rule add fwmark 7 table 7 priority 100
ip -6 rule add fwmark 7 table 7 priority 100
ip route add unreachable 10.0.0.77/32
ip route add 10.0.0.77/32 dev veth0 table 7
ip -6 route add unreachable fd00::77/128
ip -6 route add fd00::77/128 dev veth0 table 7
ip route add 10.0.0.66/32 dev veth0 hoplimit 33
ip -6 route add fd00::66/128 dev veth0 hoplimit 33
for address in 10.0.0.77 fd00::77 10.0.0.66 fd00::66; do
	ip neigh replace $address lladdr "$ATTACKER_MAC" dev veth0 nud permanent
done
for backend in legacy nft; do
	for family in 4 6; do
		marked=10.0.0.77 far=10.0.0.66
		[ $family = 6 ] && marked=fd00::77 far=fd00::66
		own=$(host_address $family)
		ipt $backend $family -t mangle -A PREROUTING -s $marked -j MARK --set-mark 7
		ipt $backend $family -A INPUT -p tcp --dport 25 -j TARPIT
		ipt $backend $family -A INPUT -p tcp --dport 26 -j TARPIT --mimic
		sysctl -qw net.ipv4.fwmark_reflect=1 net.ipv6.fwmark_reflect=1
		from_attacker "$backend ipv$family" answered "with fwmark_reflect the reply carries the SYN's mark and takes the marked route" \
			$family $marked "$own" 25
		sysctl -qw net.ipv4.fwmark_reflect=0 net.ipv6.fwmark_reflect=0
		from_attacker "$backend ipv$family" silent "without fwmark_reflect the reply has no mark: no route back" \
			$family $marked "$own" 25
		reply_path_route_failures=$((reply_path_route_failures + 1))
		from_attacker "$backend ipv$family" answered "the reply's TTL / hop limit is the output route's" \
			$family $far "$own" 25 ttl=33
		from_attacker "$backend ipv$family" answered "--mimic: the SYN-ACK's TTL / hop limit is the output route's" \
			$family $far "$own" 26 ttl=33
		ipt $backend $family -t mangle -F PREROUTING
		retire_tarpit_rules $backend $family >/dev/null
	done
done
ip rule del fwmark 7 table 7 priority 100
ip -6 rule del fwmark 7 table 7 priority 100
counted_once "marks and hop limits"

# --- IPv6 anycast: Linux's own TCP does not answer a SYN to an anycast
# address (the subnet-router anycast fd00:: exists while veth0 forwards)
sysctl -qw net.ipv6.conf.veth0.forwarding=1
for backend in legacy nft; do
	ipt $backend 6 -A INPUT -p tcp --dport 25 -j TARPIT
	not_unicast_before=$(counter not_unicast)
	from_attacker "$backend ipv6" silent "a SYN to the subnet-router anycast address gets no answer" 6 fd00::99 fd00:: 25
	expect_eq "[$backend ipv6] ... and is counted as not_unicast" "$(( $(counter not_unicast) - not_unicast_before ))" 1
	from_attacker "$backend ipv6" answered "the same SYN to the unicast address is answered" 6 fd00::99 fd00::1 25
	retire_tarpit_rules $backend 6 >/dev/null
done
sysctl -qw net.ipv6.conf.veth0.forwarding=0
counted_once "anycast"

# --- budgets are per rule: a busy --limit 50 rule leaves a --limit 5
# rule's budget for the same prefix whole
for backend in legacy nft; do
	for family in 4 6; do
		ipt $backend $family -A INPUT -p tcp --dport 33 -j TARPIT --limit 50
		ipt $backend $family -A INPUT -p tcp --dport 34 -j TARPIT --limit 5
		from_attacker "$backend ipv$family" budgets "60 SYNs to a --limit 50 rule leave a --limit 5 rule's 5 replies to the same prefix" \
			$family "$(spoofed_address $family)" "$(host_address $family)" 33 60 34 5
		retire_tarpit_rules $backend $family >/dev/null
	done
done
counted_once "per-rule budgets"

# --- bridged traffic (br_netfilter): the reply goes back out of the bridge
# port the segment came in on, MAC addresses swapped, as REJECT's does; the
# bridge host has no address or route on that network
BRIDGE_A_MAC=02:00:00:00:09:01
BRIDGE_B_MAC=02:00:00:00:09:02
ip link add br9 type bridge
ip link set br9 up
for side in A B; do
	mac_var=BRIDGE_${side}_MAC
	number=1
	[ $side = B ] && number=2
	ip netns add bridged$side
	ip link add vb$side type veth peer name eth0 address "${!mac_var}" netns bridged$side
	ip link set vb$side master br9 up
	ip -n bridged$side link set lo up
	ip -n bridged$side addr add 10.9.0.$number/24 dev eth0
	ip -n bridged$side -6 addr add fd09::$number/64 dev eth0 nodad
	ip -n bridged$side link set eth0 up
done
sysctl -qw net.bridge.bridge-nf-call-iptables=1 net.bridge.bridge-nf-call-ip6tables=1
for backend in legacy nft; do
	for family in 4 6; do
		a=10.9.0.1 b=10.9.0.2
		[ $family = 6 ] && a=fd09::1 b=fd09::2
		ipt $backend $family -A FORWARD -p tcp --dport 25 -j TARPIT
		ip netns exec bridgedA python3 "$TESTS_DIR/reply_path_tests.py" "$backend ipv$family" "$RESULTS" answered \
			eth0 $BRIDGE_A_MAC $BRIDGE_B_MAC \
			"a bridged SYN gets its SYN-ACK back out of its bridge port, MAC addresses swapped (and the SYN never reaches its host)" \
			$family $a $b 25 eth_src=$BRIDGE_B_MAC eth_dst=$BRIDGE_A_MAC
		# As retire_tarpit_rules does for INPUT: the bridged host's RST to
		# the SYN-ACK may still be on its way.
		ipt $backend $family -I FORWARD 1 -p tcp -j DROP
		sleep 0.3
		forwarded=$(ipt $backend $family -L FORWARD -v -x -n | awk '/TARPIT/ { sum += $1 } END { print sum + 0 }')
		rule_packets=$((rule_packets + forwarded))
		ipt $backend $family -F FORWARD
	done
done
ip link del br9
ip link del vbA
ip link del vbB
ip netns del bridgedA
ip netns del bridgedB
counted_once "bridges"

# --- TARPIT stays out of the nat table (a reply from there would go
# through NAT for an entry whose NAT is still being set up); mangle is fine
sleep 5 # the module's refusal messages are rate limited (10 per 5 s)
for backend in legacy nft; do
	for family in 4 6; do
		if ipt $backend $family -t nat -A INPUT -p tcp -j TARPIT 2>/tmp/nat-error; then
			fail "[$backend ipv$family] a TARPIT rule in the nat table is refused"
			ipt $backend $family -t nat -F INPUT
		else
			pass "[$backend ipv$family] a TARPIT rule in the nat table is refused ($(head -n 1 /tmp/nat-error))"
		fi
		# (Port 36: no segment may reach a rule the counter check cannot see.)
		check "[$backend ipv$family] a TARPIT rule in the mangle table is accepted" \
			ipt $backend $family -t mangle -A INPUT -p tcp --dport 36 -j TARPIT
		ipt $backend $family -t mangle -F INPUT
	done
done
check "dmesg says a TARPIT rule does not belong in the nat table, and where to put it" \
	sh -c 'dmesg | grep -q "xt_TARPIT: rule refused: TARPIT does not belong in the nat table; put it in filter"'
counted_once "tables"
