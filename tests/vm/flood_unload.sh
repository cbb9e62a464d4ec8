# shellcheck shell=bash
# Floods and unload (sourced by hostile_suite.sh): a SYN flood from random
# spoofed sources (tests/bench's flood generator, 100.64.0.0/10) while
#   - memory, slab and the conntrack count are sampled (flat with NOTRACK;
#     a short run without NOTRACK first shows the sampler sees growth),
#   - rmmod is tried with a rule still in place (must be refused),
#   - the module is unloaded and reloaded in a loop (rules removed first).

meminfo_kb() { awk -v k="$1:" '$1 == k { print $2 }' /proc/meminfo; }
conntrack_count() { cat /proc/sys/net/netfilter/nf_conntrack_count; }

start_flood() { # start_flood SECONDS OUTPUT-FILE
	in_attacker "$FLOOD" --iface veth1 --src-mac "$ATTACKER_MAC" --dst-mac "$HOST_MAC" \
		--family 4 --dst 10.0.0.1 --dport 25 --src-net 100.64.0.0/10 --kind syn \
		--duration "$1" >"$2" 2>&1 &
	FLOOD_PID=$!
}

sample_memory() { # sample_memory LABEL: one CSV line into flood-samples.csv
	echo "$(date +%s.%N | cut -c1-14),$1,$(meminfo_kb MemAvailable),$(meminfo_kb Slab),$(conntrack_count)" \
		>>/mnt/out/flood-samples.csv
}

add_flood_rules() {
	iptables -w -A INPUT -p tcp --dport 25 -j TARPIT
	ip6tables -w -A INPUT -p tcp --dport 25 -j TARPIT
}

# Floods for SECONDS and prints the highest conntrack count seen.
tracked_flood() { # tracked_flood SECONDS
	local highest=0 count
	start_flood "$1" /tmp/flood-tracked.out
	while kill -0 "$FLOOD_PID" 2>/dev/null; do
		sleep 1
		count=$(conntrack_count)
		[ "$count" -gt "$highest" ] && highest=$count
	done
	wait "$FLOOD_PID"
	echo "$highest"
}

wait_conntrack_empty() {
	local waited=0
	while [ "$(conntrack_count)" -gt 0 ] && [ $waited -lt 60 ]; do
		sleep 1
		waited=$((waited + 1))
	done
}

run_flood_unload() { # run_flood_unload SECONDS CYCLES
	local seconds=$1 cycles=$2 tag="[flood]" count
	ip route add 100.64.0.0/10 via 10.0.0.2
	echo "time,phase,mem_available_kb,slab_kb,conntrack" >/mnt/out/flood-samples.csv

	# Conntrack on (a conntrack match needs it), short timeouts so that
	# each phase starts from an empty table. The sampler must see entries
	# when the flood is accepted, or it is blind.
	local needs_conntrack=(-m conntrack --ctstate INVALID -m comment --comment "needs conntrack")
	iptables -w -A INPUT "${needs_conntrack[@]}"
	local timeout listener _
	for timeout in syn_recv syn_sent close; do
		echo 2 >/proc/sys/net/netfilter/nf_conntrack_tcp_timeout_$timeout
	done
	# (a listener, since an RST from a closed port kills the entry at once)
	python3 -c 'import socket, time
s = socket.socket(); s.bind(("10.0.0.1", 25)); s.listen(1); time.sleep(60)' &
	listener=$!
	for _ in $(seq 60); do # python starts slowly on the debug kernels
		ss -Htln 'sport = :25' | grep -q . && break
		sleep 0.5
	done
	iptables -w -A INPUT -p tcp --dport 25 -j ACCEPT
	count=$(tracked_flood 6)
	kill $listener
	wait $listener 2>/dev/null
	echo "FLOOD accepted_without_notrack conntrack_max=$count"
	check "$tag an accepted flood fills conntrack ($count entries): the sampler sees entries" test "$count" -gt 100
	iptables -w -D INPUT -p tcp --dport 25 -j ACCEPT
	wait_conntrack_empty
	add_flood_rules
	count=$(tracked_flood 6)
	echo "FLOOD tarpit_without_notrack conntrack_max=$count"
	expect_eq "$tag TARPIT leaves no conntrack entry even without NOTRACK" "$count" 0
	iptables -w -D INPUT "${needs_conntrack[@]}"
	iptables -w -t raw -A PREROUTING -i veth0 -j CT --notrack
	ip6tables -w -t raw -A PREROUTING -i veth0 -j CT --notrack
	wait_conntrack_empty

	echo 3 >/proc/sys/vm/drop_caches
	local slab0 mem0 rule0
	slab0=$(meminfo_kb Slab) mem0=$(meminfo_kb MemAvailable)
	sample_memory baseline
	rule0=$(counters_total)

	# The clock of this shell is slow to come back under the flood on
	# TCG: everything below is bounded by the flood's life, not by sleeps.
	local max_conntrack=0
	start_flood "$seconds" /tmp/flood.out
	sample() {
		sample_memory "$1"
		count=$(conntrack_count)
		[ "$count" -gt "$max_conntrack" ] && max_conntrack=$count
	}
	sleep 2
	sample flood

	# rmmod with a rule still referencing the target: refused, harmless
	local error status=0
	error=$(rmmod xt_TARPIT 2>&1) || status=$?
	check "$tag rmmod with a rule in place is refused ($error)" test "$status" -ne 0
	check "$tag ... the module is still loaded, its counters still moving" \
		sh -c "test -d /sys/module/xt_TARPIT && sleep 1 && test \$(awk '{ s += \$2 } END { print s }' /proc/net/xt_TARPIT) -gt $rule0"

	# unload and reload under load, rules removed first
	local done_cycles=0 failed_cycles=0 answered=0 _
	while [ $done_cycles -lt "$cycles" ] && kill -0 "$FLOOD_PID" 2>/dev/null; do
		iptables -w -D INPUT -p tcp --dport 25 -j TARPIT
		ip6tables -w -D INPUT -p tcp --dport 25 -j TARPIT
		if ! rmmod xt_TARPIT || [ -d /sys/module/xt_TARPIT ] || ! insmod "$MODULE"; then
			failed_cycles=$((failed_cycles + 1))
			[ -d /sys/module/xt_TARPIT ] || insmod "$MODULE"
		fi
		add_flood_rules
		done_cycles=$((done_cycles + 1))
		# answered again before the flood ends? (cycles it outlived only)
		for _ in 1 2 3 4 5 6; do
			[ "$(counter reply_synack)" -gt 0 ] && break
			sleep 0.5
		done
		if [ "$(counter reply_synack)" -gt 0 ]; then
			answered=$((answered + 1))
		elif kill -0 "$FLOOD_PID" 2>/dev/null; then
			failed_cycles=$((failed_cycles + 1))
		fi
		sample reload
	done
	expect_eq "$tag every unload/reload cycle under load worked, and the module answered again ($done_cycles cycles)" \
		"$failed_cycles" 0
	check "$tag at least one cycle ran while the flood was on" test "$done_cycles" -gt 0
	while kill -0 "$FLOOD_PID" 2>/dev/null; do
		sleep 2
		sample flood
	done
	wait "$FLOOD_PID"
	cat /tmp/flood.out
	sleep 1
	echo 3 >/proc/sys/vm/drop_caches
	sample after
	local slab1 mem1
	slab1=$(meminfo_kb Slab) mem1=$(meminfo_kb MemAvailable)
	echo "FLOOD seconds=$seconds $(cat /tmp/flood.out) cycles=$done_cycles conntrack_max=$max_conntrack" \
		"slab_before_kb=$slab0 slab_after_kb=$slab1 mem_available_before_kb=$mem0 mem_available_after_kb=$mem1"
	expect_eq "$tag with NOTRACK the conntrack count stays at 0 under the flood" "$max_conntrack" 0
	# (KASAN's quarantine holds freed objects as slab: no verdict there)
	if [ "$kasan" = no ]; then
		check "$tag slab after the flood within 4 MB of before ($slab0 -> $slab1 kB)" \
			test $((slab1 - slab0)) -lt 4096
	fi
	iptables -w -F INPUT
	ip6tables -w -F INPUT
	iptables -w -t raw -F PREROUTING
	ip6tables -w -t raw -F PREROUTING
	column -s, -t </mnt/out/flood-samples.csv
}
