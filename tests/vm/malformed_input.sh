# shellcheck shell=bash
# Malformed and mutated input (sourced by hostile_suite.sh): tests/torture's
# generator sends segments from the attacker namespace through TARPIT rules
# of all three modes (one source network per mode, so mutations cannot move
# a segment between rules), and every segment is followed through the
# stack as far as its counters allow: raw PREROUTING and INPUT counting
# rules, the IP layer's SNMP drop counters; exactly: TARPIT rules = the
# module's counters, the module's reply counters = the replies captured.

# The module's counters as "name value" lines, and the delta of two such
# snapshots as the same.
counters_delta() {
	awk 'NR == FNR { before[$1] = $2; next } { print $1, $2 - before[$1] }' "$1" "$2"
}

# A field of /proc/net/snmp ("Ip InHdrErrors") or /proc/net/snmp6.
snmp_value() { # snmp_value FILE PREFIX FIELD
	awk -v p="$2:" -v f="$3" '$1 == p && !header { for (i = 2; i <= NF; i++) col[$i] = i; header = 1; next }
		$1 == p && header { print $(col[f]); exit }' "$1"
}
snmp6_value() { awk -v f="$2" '$1 == f { print $2 }' "$1"; }

chain_packets() { # chain_packets BACKEND FAMILY TABLE CHAIN PATTERN
	ipt "$1" "$2" -t "$3" -L "$4" -v -x -n | awk -v pat="$5" 'NR > 2 && $0 ~ pat { sum += $1 } END { print sum + 0 }'
}

# The legacy pass runs revision 0 rules; the nft pass runs revision 1 rules
# with the revision 1 features on (--mimic SYN-ACKs, shaped from whatever
# options the hostile SYNs carry, and both rate limits, with budgets no run
# reaches), so hostile input goes through both decoders, the --mimic
# option parser and the limiter.
add_hostile_rules() { # add_hostile_rules BACKEND
	local backend=$1 family mode i nets features
	for family in 4 6; do
		if [ "$family" = 4 ]; then nets=(10.100.0.0/16 10.101.0.0/16 10.102.0.0/16)
		else nets=(fd01:0:0:0::/64 fd01:0:0:1::/64 fd01:0:0:2::/64); fi
		ipt "$backend" "$family" -t raw -A PREROUTING -i veth0 -m comment --comment seen
		ipt "$backend" "$family" -A INPUT -i veth0 -m comment --comment seen
		i=0
		for mode in --tarpit --honeypot --reset; do
			features=()
			if [ "$backend" = nft ]; then
				features=(--limit 1000000 --limit-global 1000000)
				[ "$mode" = --reset ] || features+=(--mimic)
			fi
			ipt "$backend" "$family" -A INPUT -s "${nets[$i]}" -p tcp -j TARPIT $mode "${features[@]}"
			i=$((i + 1))
		done
	done
}

flush_hostile_rules() {
	local family
	for family in 4 6; do
		ipt "$1" "$family" -t raw -F PREROUTING
		ipt "$1" "$family" -F INPUT
	done
}

# snapshot_stack NAME: what the stack counted so far, into /tmp/NAME.*
snapshot_stack() {
	cat /proc/net/snmp /proc/net/netstat >"/tmp/$1.snmp"
	cat /proc/net/snmp6 >"/tmp/$1.snmp6"
	cat /proc/net/xt_TARPIT >"/tmp/$1.counters"
	cat /sys/class/net/veth0/statistics/rx_packets >"/tmp/$1.rx"
}

# run_malformed_input BACKEND SEGMENTS SEED: one generator run through the
# rules of one iptables backend; PASS/FAIL lines, HOSTILE figure lines.
run_malformed_input() {
	local backend=$1 segments=$2 seed=$3 output status=0 tag
	tag="[hostile $backend]"
	add_hostile_rules "$backend"
	snapshot_stack before
	output=$(in_attacker "$HOSTILE" --iface veth1 --host-mac "$HOST_MAC" --attacker-mac "$ATTACKER_MAC" \
		--count "$segments" --seed "$seed") || status=$?
	sleep 1
	snapshot_stack after
	echo "$output"
	local summary
	summary=$(grep '^hostile:' <<<"$output")
	field() { sed -n "s/.* $1=\([0-9.]*\).*/\1/p" <<<"$summary"; }
	expect_eq "$tag generator ran and every reply kept the rules (at most one per segment, none to header defects, none longer than its trigger)" \
		"$status" 0
	expect_eq "$tag the generator sent all $segments segments" "$(field sent)" "$segments"

	local delta replies
	delta=$(counters_delta /tmp/before.counters /tmp/after.counters)
	replies=$(awk '$1 ~ /^reply_/ { s += $2 } END { print s + 0 }' <<<"$delta")
	expect_eq "$tag replies counted by the module = replies captured" "$replies" "$(field replies)"
	expect_eq "$tag no allocation or routing failure" \
		"$(awk '$1 == "fail_alloc" || $1 == "fail_route" { s += $2 } END { print s + 0 }' <<<"$delta")" 0
	expect_eq "$tag nothing rate limited (budgets no run reaches)" \
		"$(awk '$1 == "rate_limited" { print $2 }' <<<"$delta")" 0
	if [ "$backend" = nft ]; then
		local saved
		saved=$(ipt nft 4 -S INPUT)
		check "$tag the rules are revision 1 with --mimic and both limits" \
			grep -q -- '-j TARPIT --mimic --limit 1000000 --limit-global 1000000' <<<"$saved"
	fi

	local family tarpit4 tarpit6 counted
	tarpit4=$(chain_packets "$backend" 4 filter INPUT TARPIT)
	tarpit6=$(chain_packets "$backend" 6 filter INPUT TARPIT)
	counted=$(awk '{ s += $2 } END { print s + 0 }' <<<"$delta")
	expect_eq "$tag segments counted by the module = packets of the TARPIT rules" "$counted" "$((tarpit4 + tarpit6))"
	check "$tag segments of every mode reached the module ($counted)" test "$counted" -gt $((segments / 4))

	# Where every segment went, per family. The identity must hold exactly;
	# "background" is the attacker stack's own frames (ARP, ND, MLD).
	local rx sent4 sent6 pre4 pre6 in4 in6
	rx=$(( $(cat /tmp/after.rx) - $(cat /tmp/before.rx) ))
	sent4=$(field sent4) sent6=$(field sent6)
	pre4=$(chain_packets "$backend" 4 raw PREROUTING seen)
	pre6=$(chain_packets "$backend" 6 raw PREROUTING seen)
	in4=$(chain_packets "$backend" 4 filter INPUT seen)
	in6=$(chain_packets "$backend" 6 filter INPUT seen)
	s4() { echo $(( $(snmp_value /tmp/after.snmp Ip "$1") - $(snmp_value /tmp/before.snmp Ip "$1") )); }
	s6() { echo $(( $(snmp6_value /tmp/after.snmp6 "$1") - $(snmp6_value /tmp/before.snmp6 "$1") )); }
	local hdr4 trunc4 addr4 noroute4 disc4 reasm4 reasmok4 unexplained4
	s4x() { echo $(( $(snmp_value /tmp/after.snmp IpExt "$1") - $(snmp_value /tmp/before.snmp IpExt "$1") )); }
	hdr4=$(s4 InHdrErrors) trunc4=$(s4x InTruncatedPkts) addr4=$(s4 InAddrErrors)
	noroute4=$(s4x InNoRoutes) disc4=$(s4 InDiscards) reasm4=$(s4 ReasmReqds) reasmok4=$(s4 ReasmOKs)
	local hdr6 trunc6 addr6 noroute6 disc6 reasm6 reasmok6 unexplained6
	hdr6=$(s6 Ip6InHdrErrors) trunc6=$(s6 Ip6InTruncatedPkts) addr6=$(s6 Ip6InAddrErrors)
	noroute6=$(s6 Ip6InNoRoutes) disc6=$(s6 Ip6InDiscards) reasm6=$(s6 Ip6ReasmReqds) reasmok6=$(s6 Ip6ReasmOKs)
	echo "HOSTILE backend=$backend sent=$segments rx=$rx sent4=$sent4 sent6=$sent6 prerouting4=$pre4 prerouting6=$pre6 input4=$in4 input6=$in6 tarpit4=$tarpit4 tarpit6=$tarpit6"
	echo "HOSTILE stack4 InHdrErrors=$hdr4 InTruncatedPkts=$trunc4 InAddrErrors=$addr4 InNoRoutes=$noroute4 InDiscards=$disc4 ReasmReqds=$reasm4 ReasmOKs=$reasmok4"
	echo "HOSTILE stack6 Ip6InHdrErrors=$hdr6 Ip6InTruncatedPkts=$trunc6 Ip6InAddrErrors=$addr6 Ip6InNoRoutes=$noroute6 Ip6InDiscards=$disc6 Ip6ReasmReqds=$reasm6 Ip6ReasmOKs=$reasmok6"
	echo "HOSTILE counters $(tr '\n' ' ' <<<"$delta")"
	echo "HOSTILE $summary"
	check "$tag every frame sent reached veth0 (rx $rx >= sent $segments)" test "$rx" -ge "$segments"
	# Not attributed: sent, minus what reached INPUT, minus the IP layer's
	# drop counters. Not exact, and said so: some drops have no counter
	# (multicast to groups not joined, source-route options), some counters
	# also count packets that passed INPUT (non-TCP segments go on to the
	# stack), and the attacker's own ND/MLD frames add a few.
	unexplained4=$((sent4 - in4 - hdr4 - trunc4 - addr4 - noroute4 - disc4 - reasm4 + reasmok4))
	unexplained6=$((sent6 - in6 - hdr6 - trunc6 - addr6 - noroute6 - disc6 - reasm6 + reasmok6))
	echo "HOSTILE not_attributed4=$unexplained4 not_attributed6=$unexplained6 (of $sent4 / $sent6)"
	flush_hostile_rules "$backend"
}
