#!/bin/bash
# make hold, in the guest (run by scripts/hold): real client programs from
# the attacker namespace against TARPIT ports, how long each stays stuck
# and what it cost us. Phase one loads ours and tarpits one port per
# variant (default, --synack-window 0, --mimic, --honeypot) beside DROP and
# REJECT ports; phase two loads xtables-addons' module (the C peer) on one
# port. Every client runs against every port at once. A phase whose
# module is "-" is skipped (scripts/hold runs the two in two VMs at once).
# Usage: hold.sh <our .ko|-> <peer .ko|-> <shim dir> <bound seconds>
# Writes /mnt/out/hold.txt: the HOLD lines of tests/vm/hold_clients.py, and
# per target "COST target=<t> packets=<n> bytes=<n>", the replies its port
# sent (counted in OUTPUT).
set -uo pipefail
ours=$1 peer=$2 shim_dir=$3 bound=$4
source "$(dirname "$0")/lib.sh"
export XTABLES_LIBDIR=$shim_dir:$(pkg-config --variable=xtlibdir xtables 2>/dev/null || echo /usr/lib/x86_64-linux-gnu/xtables)
out=/mnt/out/hold.txt
: >"$out"
setup_network
# The tarpitted connections are kept out of conntrack, as the README
# recommends for many held connections.
iptables -t raw -A PREROUTING -p tcp -j CT --notrack
iptables -t raw -A OUTPUT -p tcp -j CT --notrack

# phase NAME=PORT:RULE ...: the rules, the clients, the cost per target.
phase() {
	local spec target port rule targets=()
	for spec in "$@"; do
		target=${spec%%=*} port=${spec#*=} rule=${port#*:} port=${port%%:*}
		# shellcheck disable=SC2086 # the rule's words
		iptables -A INPUT -p tcp --dport "$port" $rule
		iptables -A OUTPUT -p tcp --sport "$port"
		targets+=("$target=$port")
	done
	echo "=== clients against ${targets[*]}, bound ${bound} s"
	in_attacker python3 "$TESTS_DIR/hold_clients.py" "$bound" 10.0.0.1 "${targets[@]}" | tee -a "$out"
	for spec in "$@"; do
		target=${spec%%=*} port=${spec#*=} port=${port%%:*}
		iptables -L OUTPUT -v -x -n | awk -v t="$target" -v p="spt:$port" \
			'$NF == p { print "COST target=" t " packets=" $1 " bytes=" $2 }' | tee -a "$out"
	done
	iptables -F INPUT
	iptables -F OUTPUT
}

echo "=== guest uptime $(cut -d' ' -f1 /proc/uptime) s"
if [ "$ours" != - ]; then
	insmod "$ours"
	phase "ours=25:-j TARPIT" "ours --synack-window 0=26:-j TARPIT --synack-window 0" \
		"ours --mimic=27:-j TARPIT --mimic" "ours --honeypot=28:-j TARPIT --honeypot" \
		"DROP=29:-j DROP" "REJECT=30:-j REJECT --reject-with tcp-reset"
	rmmod xt_TARPIT
fi
if [ "$peer" != - ]; then
	insmod "$peer"
	phase "C peer=25:-j TARPIT"
	rmmod xt_TARPIT
fi
echo "=== guest uptime $(cut -d' ' -f1 /proc/uptime) s"
echo "=== hold done"
