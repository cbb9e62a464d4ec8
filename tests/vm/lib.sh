# shellcheck shell=bash
# Helpers for the guest-side test scripts: results, network, iptables.

RESULTS=${RESULTS:-/mnt/out/results}
HOST_MAC=02:00:00:00:00:01
ATTACKER_MAC=02:00:00:00:00:02
TESTS_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# The configuration files the README gives for ban tools and nftables hosts.
EXAMPLES=$(cd "$TESTS_DIR/../../examples" && pwd)

pass() { echo "PASS $*" | tee -a "$RESULTS"; }
fail() { echo "FAIL $*" | tee -a "$RESULTS"; }

# line_listed ARRAY: whether the running kernel's line (7.2, 6.12 ...) is
# in the array ARRAY of scripts/lib.sh (INTREE_LINES, FULL_SUITE_LINES).
line_listed() {
	local line
	line=$(uname -r | cut -d. -f1,2)
	grep -qE "^$1=\(.*\b${line//./\\.}\b" "$TESTS_DIR/../../scripts/lib.sh"
}

# section NAME: marks where a part of a suite starts, with the seconds
# since the suite started (where make check's time goes).
section() { echo "=== [+${SECONDS}s] $*"; }

# check NAME COMMAND...: passes when the command succeeds.
check() {
	local name=$1
	shift
	if "$@"; then pass "$name"; else fail "$name"; fi
}

# expect_eq NAME ACTUAL EXPECTED
expect_eq() {
	if [ "$2" = "$3" ]; then
		pass "$1"
	else
		fail "$1: got '$2', expected '$3'"
	fi
}

# The tarpit host is this (initial) namespace, on veth0; the attacker is the
# namespace "attacker", on veth1. Probes use spoofed addresses (.99) that
# only static neighbour entries make reachable, so the attacker's own TCP
# stack never sees (and never answers) the replies they get.
setup_network() {
	ip netns add attacker
	ip link add veth0 address "$HOST_MAC" type veth peer name veth1 address "$ATTACKER_MAC" netns attacker
	ip addr add 10.0.0.1/24 dev veth0
	ip -6 addr add fd00::1/64 dev veth0 nodad
	ip link set veth0 up
	ip -n attacker link set lo up
	ip -n attacker addr add 10.0.0.2/24 dev veth1
	ip -n attacker -6 addr add fd00::2/64 dev veth1 nodad
	ip -n attacker link set veth1 up
	ip neigh replace 10.0.0.99 lladdr "$ATTACKER_MAC" dev veth0 nud permanent
	ip -6 neigh replace fd00::99 lladdr "$ATTACKER_MAC" dev veth0 nud permanent
	ip neigh replace 10.0.0.2 lladdr "$ATTACKER_MAC" dev veth0 nud permanent
	ip -6 neigh replace fd00::2 lladdr "$ATTACKER_MAC" dev veth0 nud permanent
	ip -n attacker neigh replace 10.0.0.1 lladdr "$HOST_MAC" dev veth1 nud permanent
	ip -n attacker -6 neigh replace fd00::1 lladdr "$HOST_MAC" dev veth1 nud permanent
}

in_attacker() { ip netns exec attacker "$@"; }

# A second source address for the attacker (10.0.0.3, fd00::3): the one a
# ban tool has not banned. add_second_source / del_second_source.
add_second_source() {
	ip -n attacker addr add 10.0.0.3/24 dev veth1
	ip -n attacker -6 addr add fd00::3/64 dev veth1 nodad
	ip neigh replace 10.0.0.3 lladdr "$ATTACKER_MAC" dev veth0 nud permanent
	ip -6 neigh replace fd00::3 lladdr "$ATTACKER_MAC" dev veth0 nud permanent
}
del_second_source() {
	ip -n attacker addr del 10.0.0.3/24 dev veth1
	ip -n attacker -6 addr del fd00::3/64 dev veth1
}

# What the host answers a real client: held, refused, silence...
# (tests/vm/answer.py). client SOURCE HOST PORT (TCP), udp_client SOURCE
# HOST PORT; an empty SOURCE lets the attacker's stack pick it.
client() {
	in_attacker python3 "$TESTS_DIR/answer.py" tcp "$2" "$3" "$1"
}
udp_client() {
	in_attacker python3 "$TESTS_DIR/answer.py" udp "$2" "$3" "$1"
}

# wait_for SECONDS COMMAND...: until the command succeeds, or fails after.
wait_for() {
	local deadline=$((SECONDS + $1))
	shift
	until "$@"; do
		[ $SECONDS -lt $deadline ] || return 1
		sleep 0.5
	done
}

# iptables of one backend ("legacy" or "nft") and family (4 or 6).
ipt() {
	local backend=$1 family=$2
	shift 2
	local tool=iptables
	[ "$family" = 6 ] && tool=ip6tables
	"$tool-$backend" -w "$@"
}

# Sum of the packet counters of the TARPIT rules of one backend + family.
tarpit_rule_packets() {
	ipt "$1" "$2" -L INPUT -v -x -n | awk '/TARPIT/ { sum += $1 } END { print sum + 0 }'
}

# Stops all TCP from reaching the TARPIT rules of one backend + family (held
# client sockets keep retransmitting), then prints their final packet count
# and flushes INPUT. Adds the count to $rule_packets for the unload check.
retire_tarpit_rules() {
	ipt "$1" "$2" -I INPUT 1 -p tcp -j DROP
	sleep 0.3
	local packets
	packets=$(tarpit_rule_packets "$1" "$2")
	rule_packets=$((rule_packets + packets))
	ipt "$1" "$2" -F INPUT
	echo "$packets"
}

# One of the module's counters in this namespace (/proc/net/xt_TARPIT).
counter() {
	awk -v name="$1" '$1 == name { print $2 }' /proc/net/xt_TARPIT
}

# The sum of all the module's counters in this namespace.
counters_total() {
	awk '{ sum += $2 } END { print sum + 0 }' /proc/net/xt_TARPIT
}

# The nftables recipe of the README (examples/nftables), tests/vm/nftables.sh
# and tests/debian/systemd-test.sh: tarpit_rules prints how many TARPIT
# rules iptables-nft and ip6tables-nft have; host_answers TAG checks what
# the attacker gets, both families, on ports 25 (TARPIT), 22 (accepted by
# the recipe's nftables.conf, no service) and 80 (its policy drop).
tarpit_rules() { echo "$(iptables-save | grep -c -- '-j TARPIT') $(ip6tables-save | grep -c -- '-j TARPIT')"; }
host_answers() {
	local host
	for host in 10.0.0.1 fd00::1; do
		expect_eq "$1 $host:25, 22, 80: held, refused, silence" \
			"$(client "" "$host" 25) $(client "" "$host" 22) $(client "" "$host" 80)" "held refused silence"
	done
}

# unit_file NAME: the path of Debian's unit file NAME.
unit_file() {
	local dir
	for dir in /usr/lib/systemd/system /lib/systemd/system; do
		[ -f "$dir/$1" ] && { echo "$dir/$1"; return; }
	done
	echo "/usr/lib/systemd/system/$1"
}

# systemd_exec KEY UNIT-FILE [DROP-IN...]: runs the unit's KEY= command lines
# (ExecStart, ExecStop, ExecStartPost...) as systemd would, the drop-ins read
# after the unit (an empty KEY= clears what came before), one after another,
# stopping at the first failure unless the line starts with "-". The test
# guest has no systemd as PID 1; this reads Debian's own unit files.
systemd_exec() {
	local key=$1 file line status=0
	shift
	local lines=()
	for file in "$@"; do
		while IFS= read -r line; do
			case $line in
			"$key=") lines=() ;;
			"$key="*) lines+=("${line#"$key="}") ;;
			esac
		done <"$file"
	done
	for line in "${lines[@]}"; do
		echo "$key: $line"
		if [[ $line == -* ]]; then
			sh -c "${line#-}" || true
		else
			sh -c "$line" || { status=$?; break; }
		fi
	done
	return $status
}
