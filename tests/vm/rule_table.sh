#!/bin/bash
# Runs iptables-ext/libxt_TARPIT.t with one iptables backend and family:
# each rule must be accepted or refused as the table says and, when
# accepted, list (-S) exactly as the table says. Results go to $RESULTS.
#
# The rules the table accepts go in one iptables-restore per chain (the
# same extension parsing and the same kernel checks as -A, one process
# instead of three per rule), and one -S lists them all. If that batch is
# refused, each of its rules is tried on its own, so the report names the
# rule at fault. Each rule the table refuses is tried with its own -A: what
# is tested there is the command line's error.
# Usage: rule_table.sh <legacy|nft> <4|6> <table file>
source "$(dirname "$0")/lib.sh"
backend=$1 family=$2 table=$3
tool=iptables
[ "$family" = 6 ] && tool=ip6tables

# try_alone CHAIN RULE EXPECTED VERDICT: one rule, on its own command line.
try_alone() {
	local chain=$1 rule=$2 expected=$3 verdict=$4 name listed
	name="[$backend ipv$family] $chain $rule: $verdict"
	# shellcheck disable=SC2086 # the rule is a list of words
	if ipt "$backend" "$family" -A "$chain" $rule 2>/tmp/rule-error; then
		listed=$(ipt "$backend" "$family" -S "$chain" | tail -n 1)
		ipt "$backend" "$family" -F "$chain"
		if [ "$verdict" = OK ]; then
			expect_eq "$name" "$listed" "-A $chain $expected"
		else
			fail "$name: accepted, listed as '$listed'"
		fi
	elif [ "$verdict" = FAIL ]; then
		pass "$name ($(head -n 1 /tmp/rule-error))"
	else
		fail "$name: refused: $(head -n 1 /tmp/rule-error)"
	fi
}

# try_batch CHAIN: the accepted rules collected for CHAIN, in one restore.
try_batch() {
	local chain=$1 i listing
	[ ${#ok_rules[@]} -gt 0 ] || return 0
	ipt "$backend" "$family" -F "$chain"
	{
		echo '*filter'
		for i in "${!ok_rules[@]}"; do
			echo "-A $chain ${ok_rules[$i]}"
		done
		echo COMMIT
	} >/tmp/rule-batch
	if ! "$tool-$backend-restore" -w --noflush </tmp/rule-batch 2>/tmp/rule-error; then
		echo "rule_table: the batch for $chain was refused ($(head -n 1 /tmp/rule-error)); each rule on its own:"
		for i in "${!ok_rules[@]}"; do
			try_alone "$chain" "${ok_rules[$i]}" "${ok_expected[$i]}" OK
		done
		return
	fi
	# (no process substitution: the guest has no /dev/fd)
	listing=$(ipt "$backend" "$family" -S "$chain" | grep '^-A ')
	mapfile -t listing <<<"$listing"
	ipt "$backend" "$family" -F "$chain"
	for i in "${!ok_rules[@]}"; do
		expect_eq "[$backend ipv$family] $chain ${ok_rules[$i]}: OK" "${listing[$i]:-(not listed)}" \
			"-A $chain ${ok_expected[$i]}"
	done
	[ ${#listing[@]} -eq ${#ok_rules[@]} ] \
		|| fail "[$backend ipv$family] $chain lists ${#listing[@]} rules after a batch of ${#ok_rules[@]}"
}

chains=()
ok_rules=()
ok_expected=()
flush_batches() {
	local chain
	for chain in "${chains[@]}"; do
		try_batch "$chain"
	done
	ok_rules=()
	ok_expected=()
}
while IFS= read -r line; do
	case $line in
	'#'* | '') continue ;;
	:*)
		flush_batches
		IFS=, read -ra chains <<<"${line#:}"
		continue
		;;
	esac
	IFS=';' read -r rule expected verdict <<<"$line"
	[ "$expected" = "=" ] && expected=$rule
	if [ "$verdict" = OK ]; then
		ok_rules+=("$rule")
		ok_expected+=("$expected")
		continue
	fi
	for chain in "${chains[@]}"; do
		try_alone "$chain" "$rule" "$expected" "$verdict"
	done
done <"$table"
flush_batches
