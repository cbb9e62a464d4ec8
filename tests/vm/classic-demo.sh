#!/bin/bash
# The classic tarpit demonstration, in the guest: five `nc localhost 25`
# attempts, each interrupted, against a DROP rule and then a TARPIT rule
# (in that order, so the second round starts from a clean slate); count the
# client sockets left in FIN_WAIT1. Prints a narrative and, per
# target, a line "RESULT <target> fin_wait1=<count>".
# Usage: classic-demo.sh [seconds each nc runs before it is interrupted]
set -uo pipefail
hold=${1:-2}

say() { printf '\n\033[1m%s\033[0m\n' "$*"; }
show() { printf '# %s\n' "$*"; "$@"; }

count_fin_wait1() {
	ss -Htn state fin-wait-1 '( dport = :25 )' | wc -l
}

run_attempts() {
	for attempt in 1 2 3 4 5; do
		printf '  nc localhost 25   (attempt %d, interrupted after %ss)\n' "$attempt" "$hold"
		timeout -s INT "$hold" nc localhost 25 </dev/null >/dev/null 2>&1
	done
}

for target in DROP TARPIT; do
	say "=== -j $target"
	show iptables -I INPUT -p tcp --dport 25 -j "$target"
	run_attempts
	say "client sockets towards port 25 now (ss -tno):"
	ss -tno '( dport = :25 )' | sed 's/^/  /'
	echo "RESULT $target fin_wait1=$(count_fin_wait1)"
	# The TARPIT rule stays: the held sockets keep knocking.
	[ "$target" = DROP ] && show iptables -D INPUT -p tcp --dport 25 -j DROP
done
