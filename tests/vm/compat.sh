#!/bin/bash
# Compatibility with xtables-addons' TARPIT, both ways, in the guest: the
# peer's iptables extension drives our module, ours drives the peer's
# module, and the rules list the same whichever module holds them.
# Usage: compat.sh <our .ko> <our shim dir> <peer .ko> <peer shim dir>
source "$(dirname "$0")/lib.sh"
ours_ko=$1 ours_shim=$2 peer_ko=$3 peer_shim=$4
stock=${XTABLES_LIBDIR#*:}

rules() { # rules SHIM-DIR
	local family
	for family in 4 6; do
		XTABLES_LIBDIR=$1:$stock ipt nft $family -A INPUT -p tcp --dport 25 -j TARPIT --tarpit
		XTABLES_LIBDIR=$1:$stock ipt nft $family -A INPUT -p tcp --dport 26 -j TARPIT --honeypot
		XTABLES_LIBDIR=$1:$stock ipt nft $family -A INPUT -p tcp --dport 27 -j TARPIT --reset
	done
}

listing() { # listing SHIM-DIR
	local family
	for family in 4 6; do
		XTABLES_LIBDIR=$1:$stock ipt nft $family -S INPUT
	done
}

flush() {
	ipt nft 4 -F INPUT
	ipt nft 6 -F INPUT
}

declare -A listed
for module in ours peer; do
	ko=ours_ko
	[ $module = peer ] && ko=peer_ko
	check "insmod $module module" insmod "${!ko}"
	for shim in ours peer; do
		dir=ours_shim
		[ $shim = peer ] && dir=peer_shim
		rules "${!dir}"
		listed[$module,ours]=$(listing "$ours_shim")
		listed[$module,peer]=$(listing "$peer_shim")
		check "[$shim shim, $module module] rules listed by our shim: $(tr '\n' '|' <<<"${listed[$module,ours]}")" \
			grep -q -- '--dport 26 -j TARPIT --honeypot' <<<"${listed[$module,ours]}"
		in_attacker python3 "$TESTS_DIR/wire_tests.py" "$shim shim, $module module" "$RESULTS" --modes-only
		flush
		# A rule without -p (as ban tools write it): our module takes it,
		# from either shim (neither checks the protocol); the peer's
		# module refuses it (its target is registered for TCP only).
		for family in 4 6; do
			table=ip_tables
			[ $family = 6 ] && table=ip6_tables
			refusals=$(dmesg | grep -c "$table: TARPIT target: only valid for protocol 6")
			if XTABLES_LIBDIR=${!dir}:$stock ipt nft $family -A INPUT -j TARPIT 2>/tmp/no-proto-error; then
				listing=$(ipt nft $family -S INPUT | tail -n 1)
				flush
				if [ $module = ours ]; then
					expect_eq "[$shim shim, $module module] ipv$family rule without -p is accepted" "$listing" "-A INPUT -j TARPIT"
				else
					fail "[$shim shim, $module module] ipv$family rule without -p is refused: accepted as $listing"
				fi
			elif [ $module = ours ]; then
				fail "[$shim shim, $module module] ipv$family rule without -p is accepted: $(head -n 1 /tmp/no-proto-error)"
			else
				check "[$shim shim, $module module] ipv$family rule without -p is refused, dmesg: $(dmesg | grep -o "$table: TARPIT target: only valid for protocol 6" | tail -n 1)" \
					test "$(dmesg | grep -c "$table: TARPIT target: only valid for protocol 6")" -gt "$refusals"
			fi
		done
	done
	if [ $module = peer ]; then
		# Rules saved with our module, without revision 1 options, load
		# into the peer's module (revision 0 only), with either shim.
		for shim in ours peer; do
			dir=ours_shim
			[ $shim = peer ] && dir=peer_shim
			for family in 4 6; do
				tool=iptables
				[ $family = 6 ] && tool=ip6tables
				check "[$shim shim, peer module] rules saved with our module (ipv$family) restore" \
					env XTABLES_LIBDIR="${!dir}:$stock" $tool-legacy-restore /tmp/plain-saved.v$family
				ipt legacy $family -F
			done
		done
		XTABLES_LIBDIR=$ours_shim:$stock iptables-nft -A INPUT -p tcp -j TARPIT --honeypot
		expect_eq "[our shim, peer module] rules are written as revision 0 (nft's own view)" \
			"$(nft --debug=netlink list chain ip filter INPUT 2>&1 | grep -o 'target name TARPIT rev [0-9]*')" \
			"target name TARPIT rev 0"
		ipt nft 4 -F INPUT
		if XTABLES_LIBDIR=$ours_shim:$stock iptables-legacy -A INPUT -p tcp -j TARPIT --limit 5 2>/tmp/rev1-error; then
			fail "[our shim, peer module] a revision 1 option is refused"
			ipt legacy 4 -F
		else
			check "[our shim, peer module] a revision 1 option is refused saying why ($(head -n 1 /tmp/rev1-error))" \
				grep -q 'needs revision 1 of the TARPIT target' /tmp/rev1-error
		fi
	fi
	check "rmmod $module module" rmmod xt_TARPIT
done
expect_eq "our shim lists the same rules with either module" "${listed[ours,ours]}" "${listed[peer,ours]}"
expect_eq "the peer's shim lists the same rules with either module" "${listed[ours,peer]}" "${listed[peer,peer]}"
