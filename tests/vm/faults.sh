# shellcheck shell=bash
# Fault injection (sourced by hostile_suite.sh): SYN floods answered by a TARPIT
# rule while the reply cannot be routed (unreachable, blackhole and
# prohibit routes back) and, on kernels with failslab (the debug kernels),
# while the module's allocations fail: failslab aimed at the module with
# the stack trace filter (require-start/-end = the module's memory). Each
# time a reply cannot be sent: no crash, no frame leaves veth0 (no reply,
# and the original never reached TCP, which would have answered with an
# RST), and every segment is counted as fail_route / fail_alloc.

# TCP segments the host sent (replies, or an RST had the original reached
# TCP), counted by an OUTPUT rule: other frames on veth0 (ND, MLD) do not
# count.
tx_packets() {
	local family total=0
	for family in 4 6; do
		total=$((total + $(ipt nft $family -L OUTPUT -v -x -n | awk '/sent-back/ { print $1 }')))
	done
	echo "$total"
}

count_sent_back() {
	ipt nft 4 -A OUTPUT -p tcp -m comment --comment sent-back
	ipt nft 6 -A OUTPUT -p tcp -m comment --comment sent-back
}

# faulty_flood TAG FAMILY SRC-NET COUNT COUNTER: sends COUNT SYNs and
# expects all of them to end in COUNTER with nothing sent back.
faulty_flood() {
	local tag=$1 family=$2 net=$3 count=$4 counter_name=$5 dst=10.0.0.1
	[ "$family" = 6 ] && dst=fd00::1
	local before_counter before_total before_tx
	before_counter=$(counter "$counter_name") before_total=$(counters_total) before_tx=$(tx_packets)
	in_attacker "$FLOOD" --iface veth1 --src-mac "$ATTACKER_MAC" --dst-mac "$HOST_MAC" \
		--family "$family" --dst $dst --dport 25 --src-net "$net" --kind syn --count "$count" >/dev/null
	sleep 0.5
	local seen failed sent_back
	seen=$(( $(counters_total) - before_total ))
	failed=$(( $(counter "$counter_name") - before_counter ))
	sent_back=$(( $(tx_packets) - before_tx ))
	echo "FAULTS $tag family=$family segments=$count seen=$seen $counter_name=$failed sent_back=$sent_back"
	expect_eq "$tag ipv$family: all $count segments reached the target" "$seen" "$count"
	expect_eq "$tag ipv$family: every one counted as $counter_name" "$failed" "$count"
	expect_eq "$tag ipv$family: nothing sent back (no reply, original dropped)" "$sent_back" 0
}

run_route_faults() { # run_route_faults COUNT
	local count=$1 kind i=0
	count_sent_back
	iptables -w -A INPUT -p tcp --dport 25 -j TARPIT
	ip6tables -w -A INPUT -p tcp --dport 25 -j TARPIT
	for kind in unreachable blackhole prohibit; do
		ip route add $kind 100.$((80 + i)).0.0/16
		ip -6 route add $kind fd02:0:0:$i::/64
		faulty_flood "[fault route $kind]" 4 100.$((80 + i)).0.0/16 "$count" fail_route
		faulty_flood "[fault route $kind]" 6 fd02:0:0:$i::/64 "$count" fail_route
		i=$((i + 1))
	done
	iptables -w -F INPUT
	ip6tables -w -F INPUT
	iptables -w -F OUTPUT
	ip6tables -w -F OUTPUT
}

# Aims failslab at allocations made with the module on the stack.
failslab_on() { # failslab_on PROBABILITY
	local fs=/sys/kernel/debug/failslab start size
	read -r size start <<<"$(awk '$1 == "xt_TARPIT" { print $2, $6 }' /proc/modules)"
	echo 0 >$fs/verbose
	echo N >$fs/task-filter
	echo Y >$fs/ignore-gfp-wait
	echo "$start" >$fs/require-start
	printf '0x%x\n' $((start + size)) >$fs/require-end
	echo 32 >$fs/stacktrace-depth
	echo 1 >$fs/interval
	echo -1 >$fs/times
	echo 0 >$fs/space
	echo "$1" >$fs/probability
}

failslab_off() {
	echo 0 >/sys/kernel/debug/failslab/probability
}

# check_clones TAP-OUTPUT COUNT: tap_hold.py held COUNT SYNs, each still
# the SYN that was sent.
check_clones() {
	local tap held altered dropped
	tap=$(grep '^TAP' "$1")
	echo "${tap:-TAP (no report)}"
	held=$(sed -n 's/.*incoming_syn=\([0-9]*\).*/\1/p' <<<"$tap")
	altered=$(sed -n 's/.*altered=\([0-9]*\).*/\1/p' <<<"$tap")
	dropped=$(sed -n 's/.*dropped=\([0-9]*\).*/\1/p' <<<"$tap")
	expect_eq "[cloned packets] the tap held every SYN sent" "${held:-none}" "$2"
	expect_eq "[cloned packets] none of the held clones was written to" "${altered:-none}" 0
	expect_eq "[cloned packets] the tap dropped nothing" "${dropped:-none}" 0
}

# answered_flood TAG FAMILY SRC-NET COUNT: sends COUNT SYNs and expects
# each answered (or, under failslab, unroutable: a route lookup may have to
# allocate), with no allocation failure counted.
answered_flood() {
	local tag=$1 family=$2 net=$3 count=$4 dst=10.0.0.1
	[ "$family" = 6 ] && dst=fd00::1
	local before_replies before_tx before_alloc before_route
	before_replies=$(counter reply_synack) before_tx=$(tx_packets)
	before_alloc=$(counter fail_alloc) before_route=$(counter fail_route)
	in_attacker "$FLOOD" --iface veth1 --src-mac "$ATTACKER_MAC" --dst-mac "$HOST_MAC" \
		--family "$family" --dst $dst --dport 25 --src-net "$net" --kind syn --count "$count" >/dev/null
	sleep 0.5
	local answered sent_back failed unroutable
	answered=$(( $(counter reply_synack) - before_replies ))
	sent_back=$(( $(tx_packets) - before_tx ))
	failed=$(( $(counter fail_alloc) - before_alloc ))
	unroutable=$(( $(counter fail_route) - before_route ))
	echo "FAULTS $tag family=$family segments=$count reply_synack=$answered fail_route=$unroutable sent_back=$sent_back fail_alloc=$failed"
	check "$tag ipv$family: replies went out ($answered)" test "$answered" -gt 0
	expect_eq "$tag ipv$family: replies + fail_route = segments" $((answered + unroutable)) "$count"
	expect_eq "$tag ipv$family: every answer left veth0" "$sent_back" "$answered"
	expect_eq "$tag ipv$family: no allocation failed" "$failed" 0
}

# half_failed_flood COUNT: half the module's allocations fail (failslab
# 50 %) during COUNT SYNs: the rest are answered, all accounted for.
half_failed_flood() {
	local count=$1
	failslab_on 50
	local before_alloc before_replies before_tx before_total before_route
	before_alloc=$(counter fail_alloc) before_replies=$(counter reply_synack) before_tx=$(tx_packets)
	before_total=$(counters_total) before_route=$(counter fail_route)
	in_attacker "$FLOOD" --iface veth1 --src-mac "$ATTACKER_MAC" --dst-mac "$HOST_MAC" \
		--family 4 --dst 10.0.0.1 --dport 25 --src-net 100.90.0.0/16 --kind syn --count "$count" >/dev/null
	sleep 0.5
	failslab_off
	local failed answered sent_back seen unroutable
	seen=$(( $(counters_total) - before_total ))
	unroutable=$(( $(counter fail_route) - before_route ))
	failed=$(( $(counter fail_alloc) - before_alloc ))
	answered=$(( $(counter reply_synack) - before_replies ))
	sent_back=$(( $(tx_packets) - before_tx ))
	echo "FAULTS [fault failslab 50%, cloned packets] segments=$count seen=$seen fail_alloc=$failed fail_route=$unroutable reply_synack=$answered sent_back=$sent_back"
	check "[fault failslab 50%] some replies failed, some went out ($failed / $answered)" \
		test "$failed" -gt 0 -a "$answered" -gt 0
	# (a reply whose route lookup had to allocate may fail there instead)
	expect_eq "[fault failslab 50%] fail_alloc + fail_route + replies = segments" \
		$((failed + unroutable + answered)) "$count"
	expect_eq "[fault failslab 50%] exactly the answered ones left veth0" "$sent_back" "$answered"
}

# The reply is the packet itself, rewritten: a packet nobody else holds
# needs no allocation, so failing every allocation of the module changes
# nothing. A packet socket holding a clone of each packet (tap_hold.py)
# makes the target copy the headers it rewrites: that copy is what fails
# then, and the clones must come out as the SYNs that were sent.
# Without failslab (the test kernels) only the clones are checked: every
# packet answered, and the clones intact.
run_alloc_faults() { # run_alloc_faults COUNT
	local count=$1 fs=/sys/kernel/debug/failslab
	ip route add 100.90.0.0/16 via 10.0.0.2
	ip -6 route add fd03::/64 via fd00::2
	count_sent_back
	iptables -w -A INPUT -p tcp --dport 25 -j TARPIT
	ip6tables -w -A INPUT -p tcp --dport 25 -j TARPIT
	if [ -d $fs ]; then
		# Routes and neighbours in place first: creating them allocates.
		answered_flood "[packet reused]" 4 100.90.0.0/16 "$count"
		answered_flood "[packet reused]" 6 fd03::/64 "$count"
		failslab_on 100
		answered_flood "[fault failslab 100%, packet reused]" 4 100.90.0.0/16 "$count"
		answered_flood "[fault failslab 100%, packet reused]" 6 fd03::/64 "$count"
		failslab_off
	else
		echo "(no failslab in this kernel: allocation faults need the debug kernel)"
	fi

	local go=/tmp/tap.go tap_out=/tmp/tap.out tap_pid
	rm -f $go
	python3 "$TESTS_DIR/tap_hold.py" veth0 $go >$tap_out &
	tap_pid=$!
	local i
	for i in $(seq 50); do grep -q ready $tap_out 2>/dev/null && break; sleep 0.1; done
	local held
	if [ -d $fs ]; then
		failslab_on 100
		faulty_flood "[fault failslab 100%, cloned packets]" 4 100.90.0.0/16 "$count" fail_alloc
		faulty_flood "[fault failslab 100%, cloned packets]" 6 fd03::/64 "$count" fail_alloc
		half_failed_flood "$count"
		held=$((3 * count))
	else
		answered_flood "[cloned packets]" 4 100.90.0.0/16 "$count"
		answered_flood "[cloned packets]" 6 fd03::/64 "$count"
		held=$((2 * count))
	fi
	touch $go
	wait $tap_pid
	check_clones "$tap_out" "$held"
	iptables -w -F OUTPUT
	ip6tables -w -F OUTPUT
	iptables -w -F INPUT
	ip6tables -w -F INPUT
}
