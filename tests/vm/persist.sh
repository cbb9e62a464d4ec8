# Sourced by tests/vm/suite.sh: the timers that end a held client, run
# short. The attacker's tcp_retries2 is 2 (Linux: 15) and its keepalive
# gives up after 2 unanswered probes a second apart, so a client let go
# by one of them goes within seconds. A client still ESTABLISHED after
# $persist_seconds s is one the tarpit holds for as long as it answers;
# the late writer must also have had more probes answered than
# tcp_retries2 allows (counted in the attacker's INPUT chain: the
# SYN-ACK, the answer to its handshake ACK, one per probe).
# tests/vm/persist_clients.py has the clients: writing after the window
# closed (zero-window probes), writing at once (retransmissions),
# keepalive.
persist_seconds=40 persist_retries=2
# iptables-nft of family $1 in the attacker's namespace.
attacker_ipt() {
	local tool=iptables
	[ "$1" = 6 ] && tool=ip6tables
	shift
	in_attacker "$tool-nft" -w "$@"
}
in_attacker sysctl -qw net.ipv4.tcp_retries2=$persist_retries
# Per family: the address under attack and the late writers' port base.
persist_host=([4]=10.0.0.1 [6]=fd00::1)
persist_base=([4]=46000 [6]=47000)
for family in 4 6; do
	ipt nft $family -A INPUT -p tcp --dport 41 -j TARPIT
	ipt nft $family -A INPUT -p tcp --dport 42 -j TARPIT --synack-window 0
	ipt nft $family -A INPUT -p tcp --dport 43 -j TARPIT --mimic
	for port in 41 42 43; do
		attacker_ipt $family -A INPUT -p tcp --sport $port --dport $((persist_base[family] + port))
	done
done
persist_pids=()
for family in 4 6; do
	in_attacker python3 "$TESTS_DIR/persist_clients.py" "${persist_host[family]}" "$persist_seconds" \
		"${persist_base[family]}" 41 42 43 >"/tmp/persist-$family.txt" 2>&1 &
	persist_pids+=($!)
done
wait "${persist_pids[@]}"
for family in 4 6; do
	host=${persist_host[family]}
	cat "/tmp/persist-$family.txt"
	for port in 41 42 43; do
		case $port in 41) rule=default ;; 42) rule="--synack-window 0" ;; 43) rule=--mimic ;; esac
		for client in write_later write_at_once keepalive; do
			line=$(grep "^PERSIST port=$port client=$client " "/tmp/persist-$family.txt")
			check "held ($rule, $host): $client client still ESTABLISHED after ${persist_seconds}s with tcp_retries2=$persist_retries ($line)" \
				grep -q 'state=ESTABLISHED error=0$' <<<"$line"
		done
		answers=$(attacker_ipt $family -L INPUT -v -x -n |
			awk -v d="dpt:$((persist_base[family] + port))" '$NF == d { print $1 }')
		check "held ($rule, $host): the late writer had more probes answered than tcp_retries2 allows ($answers answers)" \
			test "${answers:-0}" -gt $((persist_retries + 2))
	done
done
in_attacker sysctl -qw net.ipv4.tcp_retries2=15
for family in 4 6; do
	attacker_ipt $family -F INPUT
	retire_tarpit_rules nft $family >/dev/null
done
