#!/bin/bash
# Runs iptables-ext/libxt_TARPIT.t with one iptables backend and family:
# each rule must be accepted or refused as the table says and, when
# accepted, list (-S) exactly as the table says. Results go to $RESULTS.
# Usage: rule_table.sh <legacy|nft> <4|6> <table file>
source "$(dirname "$0")/lib.sh"
backend=$1 family=$2 table=$3
chains=()
while IFS= read -r line; do
	case $line in
	'#'* | '') continue ;;
	:*) IFS=, read -ra chains <<<"${line#:}"; continue ;;
	esac
	IFS=';' read -r rule expected verdict <<<"$line"
	[ "$expected" = "=" ] && expected=$rule
	for chain in "${chains[@]}"; do
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
	done
done <"$table"
