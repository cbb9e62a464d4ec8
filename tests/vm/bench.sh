#!/bin/bash
# The benchmark, in the guest (run by scripts/bench): flood throughput of
# ours, the C peer, REJECT and DROP; memory per held connection with and
# without NOTRACK; how long a real client stays held. Writes its raw
# figures to /mnt/out (throughput.csv, memory.txt, hold.txt).
# Usage: bench.sh <our .ko> <peer .ko> <flood binary> <shim dir> <reps> <seconds per run> <hold bound>
#                 [profile|kallsyms|-] [targets] [kinds]
#   profile: after the throughput runs, sample the kernel (perf, cpu-clock,
#   call graphs) during one SYN flood per target and write
#   profile-<target>.txt: where the CPU goes, and each target function's
#   share with everything it calls. kallsyms: copy /proc/kallsyms to
#   kallsyms-<target> before each target's flood (scripts/insn-profile).
#   targets, kinds: space-separated subsets of the throughput runs (all by
#   default), for a quicker look at one comparison.
set -uo pipefail
ours=$1 peer=$2 flood=$3 shim_dir=$4 reps=$5 duration=$6 hold_bound=$7 profile=${8:-}
[ "$profile" = - ] && profile=
targets=${9:-ours ours-all ours-new peer reject drop}
kinds=${10:-syn data ack}
source "$(dirname "$0")/lib.sh"
export XTABLES_LIBDIR=$shim_dir:$(pkg-config --variable=xtlibdir xtables 2>/dev/null || echo /usr/lib/x86_64-linux-gnu/xtables)
out=/mnt/out
kernel=$(uname -r)

setup_network
# Replies to the spoofed flood sources go to the attacker, which drops them
# in its raw table, before routing: left to the routing code, each one got
# a dst of its own, freed through RCU, a backlog that spilled from one run
# into the next and made a target measured later in a repetition look up
# to 5 % slower than the same target measured first.
ip route add 10.1.0.0/16 via 10.0.0.2
in_attacker iptables -t raw -A PREROUTING -s 10.0.0.1 -d 10.1.0.0/16 -p tcp -j DROP
iptables -t raw -A PREROUTING -p tcp --dport 25 -j CT --notrack

loaded=
load() { # load ours|peer
	[ "$loaded" = "$1" ] && return
	[ -n "$loaded" ] && rmmod xt_TARPIT
	if [ "$1" = ours ]; then insmod "$ours"; else insmod "$peer"; fi
	loaded=$1
}
reload() { # reload ours|peer: unload whichever is loaded, load this one
	[ -n "$loaded" ] && rmmod xt_TARPIT
	loaded=
	load "$1"
}

rule_for() {
	case $1 in
	ours | ours-all | peer) echo "-j TARPIT" ;;
	ours-new) echo "-j TARPIT --mimic --limit 1000000 --limit-global 1000000" ;;
	# For a closer look (--targets): the features one at a time, a
	# revision 1 rule with none, and the defaults measured a second and a
	# third time in each repetition (to see effects of a target's position).
	ours-again | ours-a3) echo "-j TARPIT" ;;
	ours-mimic) echo "-j TARPIT --mimic" ;;
	ours-limit) echo "-j TARPIT --limit 1000000" ;;
	ours-global) echo "-j TARPIT --limit-global 1000000" ;;
	ours-v1) echo "-j TARPIT --synack-window 5" ;; # revision 1, no feature
	reject) echo "-j REJECT --reject-with tcp-reset" ;;
	drop) echo "-j DROP" ;;
	esac
}

tx_packets() { cat /sys/class/net/veth0/statistics/tx_packets; }
rule_packets() { iptables -L INPUT -v -x -n | awk 'NR > 2 { s += $1 } END { print s + 0 }'; }

# ours: the defaults (ACKs answered only if they acknowledge our SYN-ACK, so
# a flood of random ACKs gets silence); ours-all: validate_acks=N, answering
# every segment like the others do, for a like-for-like comparison;
# ours-new: the defaults plus the revision 1 features (--mimic SYN-ACKs and
# both rate limits, with budgets no flood here reaches, so every segment
# still pays for the limiter).
echo "=== throughput: $reps repetitions x targets ($targets) x kinds ($kinds) x ${duration}s"
echo "kernel,rep,target,kind,seconds,sent,processed,replies" >"$out/throughput.csv"
# Each repetition starts one target further along the list, and every run
# starts with the target's module freshly loaded: the peer, alone in its
# module, always was, while a run of ours after another run of ours (with
# a different rule) measured up to 10 % slower than the same rule measured
# first after loading, in no pattern the profiles could attribute.
read -ra target_list <<<"$targets"
prepare() { # prepare TARGET: its module loaded afresh, parameters set
	case $1 in
	ours-all) reload ours; echo N >/sys/module/xt_TARPIT/parameters/validate_acks ;;
	ours*) reload ours; echo Y >/sys/module/xt_TARPIT/parameters/validate_acks ;;
	peer) reload peer ;;
	esac
}
for rep in $(seq 1 "$reps"); do
	shift_by=$(((rep - 1) % ${#target_list[@]}))
	for target in "${target_list[@]:shift_by}" "${target_list[@]:0:shift_by}"; do
		for kind in $kinds; do
			prepare "$target"
			# shellcheck disable=SC2046 # the rule is a list of words
			iptables -A INPUT -p tcp --dport 25 $(rule_for $target)
			# Where the module's code is, for scripts/insn-profile.
			[ "$profile" != kallsyms ] || cp /proc/kallsyms "$out/kallsyms-$target"
			tx_before=$(tx_packets)
			result=$(in_attacker "$flood" --iface veth1 --src-mac "$ATTACKER_MAC" --dst-mac "$HOST_MAC" \
				--family 4 --dst 10.0.0.1 --dport 25 --src-net 10.1.0.0/16 --kind $kind \
				--duration "$duration" --cpu 0)
			sleep 0.2
			replies=$(($(tx_packets) - tx_before))
			processed=$(rule_packets)
			iptables -F INPUT
			sent=$(sed -n 's/.*sent=\([0-9]*\).*/\1/p' <<<"$result")
			seconds=$(sed -n 's/.*seconds=\([0-9.]*\).*/\1/p' <<<"$result")
			echo "$kernel,$rep,$target,$kind,$seconds,$sent,$processed,$replies" | tee -a "$out/throughput.csv"
		done
	done
done

# One SYN flood per target under perf: the whole system sampled (the flood
# generator, the target and the replies' path share the one vCPU), call
# graphs from the kernel's unwinder.
profile_target() { # profile_target TARGET
	# perf record cannot write to the 9p output folder: record in /tmp.
	local target=$1 data=/tmp/perf-$1.data
	# shellcheck disable=SC2046 # the rule is a list of words
	iptables -A INPUT -p tcp --dport 25 $(rule_for "$target")
	perf record -q -a -g -e cpu-clock -F 2000 -o "$data" -- sleep "$((profile_seconds + 1))" 2>/dev/null &
	local perf_pid=$!
	sleep 0.5
	in_attacker "$flood" --iface veth1 --src-mac "$ATTACKER_MAC" --dst-mac "$HOST_MAC" \
		--family 4 --dst 10.0.0.1 --dport 25 --src-net 10.1.0.0/16 --kind syn \
		--duration "$profile_seconds" --cpu 0 >/dev/null
	wait "$perf_pid"
	local packets
	packets=$(rule_packets)
	iptables -F INPUT
	cp /proc/kallsyms "/mnt/out/kallsyms-$target"
	cp "$data" "/mnt/out/perf-$target.data"
	{
		echo "# $target, SYN flood, ${profile_seconds}s, perf cpu-clock 2 kHz, kernel $kernel"
		echo "packets=$packets"
		echo "## self time by symbol"
		perf report -i "$data" --stdio --no-children --sort sym --percent-limit 0.5 -g none 2>/dev/null | grep -v '^#' | grep -v '^$'
		echo "## with callees (children), by symbol"
		perf report -i "$data" --stdio --children --sort sym --percent-limit 1 -g none 2>/dev/null | grep -v '^#' | grep -v '^$'
	} >"$out/profile-$target.txt"
}
if [ "$profile" = profile ]; then
	# Under TCG a sample interrupt is slow, and the kernel would lower the
	# rate to keep perf under 25 % of the CPU: let it sample at the rate asked.
	echo 0 >/proc/sys/kernel/perf_cpu_time_max_percent
	profile_seconds=$((duration * 3))
	if command -v perf >/dev/null; then
		echo "=== profile: one ${profile_seconds}s SYN flood per target under perf"
		for target in $targets; do
			# A SYN takes the same path with the defaults as with
			# validate_acks=N: one profile of the two is enough.
			case $target in
			ours-again | ours-a3) continue ;;
			ours) [[ " $targets " == *" ours-all "* ]] && continue ;;
			esac
			prepare "$target"
			profile_target $target
			echo "PROFILE $target: $(grep -c . "$out/profile-$target.txt") lines"
		done
	else
		echo "PROFILE skipped: no perf in the guest"
	fi
fi

if [ "$hold_bound" -eq 0 ]; then
	echo "=== bench done (throughput only)"
	exit 0
fi

echo "=== memory per held connection: 10000 real connections"
load ours
echo Y >/sys/module/xt_TARPIT/parameters/validate_acks
meminfo() { awk -v k="$1:" '$1 == k { print $2 }' /proc/meminfo; }
conntrack_count() { cat /proc/sys/net/netfilter/nf_conntrack_count 2>/dev/null || echo 0; }
for i in 11 12 13 14; do ip -n attacker addr add 10.0.0.$i/24 dev veth1; done
ulimit -n 20000
: >"$out/memory.txt"
for notrack in yes no; do
	iptables -A INPUT -p tcp --dport 25 -j TARPIT
	if [ $notrack = no ]; then
		# A typical firewall keeps conntrack busy with a state rule; this one
		# comes after the TARPIT rule, so it only keeps conntrack active.
		iptables -t raw -F PREROUTING
		iptables -A INPUT -m conntrack --ctstate INVALID -j DROP
	fi
	sync
	available_before=$(meminfo MemAvailable) slab_before=$(meminfo Slab) conntrack_before=$(conntrack_count)
	pids=()
	for i in 11 12 13 14; do
		in_attacker python3 "$TESTS_DIR/mass_connect.py" 10.0.0.$i 10.0.0.1 25 2500 >"/tmp/mass-$i" &
		pids+=($!)
	done
	for i in 11 12 13 14; do
		until grep -q ESTABLISHED "/tmp/mass-$i"; do sleep 1; done
	done
	sleep 2
	established=$(cat /tmp/mass-* | awk '{ s += $2 } END { print s }')
	available_after=$(meminfo MemAvailable) slab_after=$(meminfo Slab) conntrack_after=$(conntrack_count)
	echo "notrack=$notrack established=$established memavailable_kb_delta=$((available_before - available_after)) slab_kb_delta=$((slab_after - slab_before)) conntrack_before=$conntrack_before conntrack_after=$conntrack_after" \
		| tee -a "$out/memory.txt"
	kill "${pids[@]}"
	wait "${pids[@]}" 2>/dev/null
	iptables -F INPUT
	sleep 2
done
iptables -t raw -A PREROUTING -p tcp --dport 25 -j CT --notrack

echo "=== hold time: a real client, bound ${hold_bound}s"
: >"$out/hold.txt"
iptables -A INPUT -p tcp --dport 25 -j TARPIT
iptables -A INPUT -p tcp --dport 28 -j DROP
iptables -A INPUT -p tcp --dport 29 -j REJECT --reject-with tcp-reset
echo 5 >/sys/module/xt_TARPIT/parameters/synack_window
in_attacker python3 "$TESTS_DIR/measure_hold.py" 10.0.0.1 25 "$hold_bound" tarpit-window-5 >>"$out/hold.txt" &
in_attacker python3 "$TESTS_DIR/measure_hold.py" 10.0.0.1 28 "$hold_bound" drop >>"$out/hold.txt" &
in_attacker python3 "$TESTS_DIR/measure_hold.py" 10.0.0.1 29 "$hold_bound" reject >>"$out/hold.txt" &
wait
echo 0 >/sys/module/xt_TARPIT/parameters/synack_window
in_attacker python3 "$TESTS_DIR/measure_hold.py" 10.0.0.1 25 "$hold_bound" tarpit-window-0 >>"$out/hold.txt"
echo 5 >/sys/module/xt_TARPIT/parameters/synack_window
cat "$out/hold.txt"
iptables -F INPUT
rmmod xt_TARPIT
echo "=== bench done"
