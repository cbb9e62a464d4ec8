# Sourced by tests/vm/suite.sh: what /proc/net/xt_TARPIT_held and
# /proc/net/xt_TARPIT_top say, against what real clients did. In a
# namespace of its own ("watched", 10.9.0.1 and fd09::1 on veth2, the
# attacker on veth3), so nothing earlier in the suite is in its sketches:
# they are per namespace, set up by its first TARPIT rule.
watched_mac=02:00:00:00:00:09
attacker_watch_mac=02:00:00:00:00:0a
ip netns add watched
ip link add veth2 address $watched_mac netns watched type veth peer name veth3 address $attacker_watch_mac netns attacker
ip -n watched link set lo up
ip -n watched link set veth2 up
ip -n watched addr add 10.9.0.1/24 dev veth2
ip -n watched -6 addr add fd09::1/64 dev veth2 nodad
ip -n attacker link set veth3 up
for i in 11 12 13 14 15 16; do
	ip -n attacker addr add 10.9.0.$i/24 dev veth3
	ip -n watched neigh replace 10.9.0.$i lladdr $attacker_watch_mac dev veth2 nud permanent
done
ip -n attacker neigh replace 10.9.0.1 lladdr $watched_mac dev veth3 nud permanent
in_watched() { ip netns exec watched "$@"; }
in_watched iptables-nft -w -A INPUT -p tcp --dport 25 -j TARPIT
in_watched ip6tables-nft -w -A INPUT -p tcp --dport 25 -j TARPIT
check "a new namespace's first TARPIT rule brings its held and top files" \
	in_watched test -r /proc/net/xt_TARPIT_held -a -r /proc/net/xt_TARPIT_top
expect_eq "nothing held in a new namespace" "$(in_watched cat /proc/net/xt_TARPIT_held | tr '\n' ' ')" \
	"held 0 window_seconds 256 epoch_seconds 128 "

# --- top sources: 3,000 spoofed SYNs, 10 % from one /24, 5 % from one /64
in_attacker python3 "$TESTS_DIR/monitor_clients.py" sources veth3 $attacker_watch_mac $watched_mac 10.9.0.1 25 3000 \
	>/tmp/monitor-truth.txt
sleep 1
in_watched cat /proc/net/xt_TARPIT_top >/tmp/monitor-top.txt
echo "/proc/net/xt_TARPIT_top after the spoofed mix:"
head -12 /tmp/monitor-top.txt
rank_of() { awk -v p="$1" '$1 == p { print NR; exit }' /tmp/monitor-top.txt; }
check "the source with 10 % of the traffic is in the top 10 (rank $(rank_of 10.66.1.0/24))" \
	test "$(rank_of 10.66.1.0/24)" -le 10
check "the IPv6 /64 with 5 % is in the top 10, written the RFC 5952 way (rank $(rank_of 2001:db8:66:2::/64))" \
	test "$(rank_of 2001:db8:66:2::/64)" -le 10
# Every line: segments - error <= truth <= segments, and no line without
# traffic behind it.
out_of_bounds=$(awk 'FNR == NR { truth[$2] = $3; next }
	!($1 in truth) || $2 < truth[$1] || $2 - $3 > truth[$1] { print $0 " (truth: " truth[$1] + 0 ")" }' \
	/tmp/monitor-truth.txt /tmp/monitor-top.txt)
expect_eq "every top source's figures bracket its true count" "$out_of_bounds" ""
expect_eq "the file shows at most 20 prefixes" "$(($(wc -l </tmp/monitor-top.txt) <= 20))" 1

# --- held: 100, 1,000 and 5,000 real clients, from several processes
held_now() { in_watched awk '$1 == "held" { print $2 }' /proc/net/xt_TARPIT_held; }
# within_5_percent ESTIMATE TRUTH
within_5_percent() { [ $((100 * ($1 - $2))) -le $((5 * $2)) ] && [ $((100 * ($2 - $1))) -le $((5 * $2)) ]; }
monitor_pids=()
monitor_hold() { # monitor_hold SOURCE COUNT: one more client process
	# Not through in_attacker: $! must be python itself, which resets its
	# connections when killed, not a subshell.
	ip netns exec attacker python3 "$TESTS_DIR/monitor_clients.py" hold "$1" 10.9.0.1 25 "$2" >"/tmp/monitor-hold-$1" &
	monitor_pids+=($!)
}
held_truth() { cat /tmp/monitor-hold-* 2>/dev/null | awk '$1 == "HELD" { s += $2 } END { print s + 0 }'; }
all_reported() { [ "$(grep -l HELD /tmp/monitor-hold-* 2>/dev/null | wc -l)" -eq ${#monitor_pids[@]} ]; }
rm -f /tmp/monitor-hold-*
for step in "10.9.0.11:100" "10.9.0.12:900" "10.9.0.13:1000 10.9.0.14:1000 10.9.0.15:1000 10.9.0.16:1000"; do
	for client in $step; do monitor_hold "${client%:*}" "${client#*:}"; done
	wait_for 300 all_reported
	sleep 1
	truth=$(held_truth) estimate=$(held_now)
	check "held estimate $estimate is within 5 % of the $truth clients held" within_5_percent "$estimate" "$truth"
done
kill "${monitor_pids[@]}"
wait "${monitor_pids[@]}" 2>/dev/null
expect_eq "every client process reset its connections" "$(grep -l CLOSED /tmp/monitor-hold-* | wc -l)" 6

# --- gone within the window: epochs of 3 s, a window of 6 s
echo 3 >/sys/module/xt_TARPIT/parameters/held_epoch
rm -f /tmp/monitor-hold-*
monitor_pids=()
monitor_hold 10.9.0.11 100
wait_for 60 all_reported
sleep 1
truth=$(held_truth) estimate=$(held_now)
check "with held_epoch=3: estimate $estimate within 5 % of $truth" within_5_percent "$estimate" "$truth"
kill "${monitor_pids[@]}"
wait "${monitor_pids[@]}" 2>/dev/null
check "the clients are gone (reset)" grep -q CLOSED /tmp/monitor-hold-10.9.0.11
sleep 7
expect_eq "6 s after the clients went, nothing is held ($(in_watched cat /proc/net/xt_TARPIT_held | tr '\n' ' '))" \
	"$(held_now)" 0
echo 128 >/sys/module/xt_TARPIT/parameters/held_epoch
ip netns del watched
