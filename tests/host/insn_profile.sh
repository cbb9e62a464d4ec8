#!/usr/bin/env bash
# scripts/insn-profile.py on made-up counts whose answers are worked out
# by hand below: instructions per segment per function (the longer run
# less the shorter, over the extra segments), addresses mapped to the
# symbol they fall in, and stages.txt's split of each target's excess
# over DROP and its bounds. Prints PASS/FAIL lines.
set -uo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
raw=$(mktemp -d)
trap 'rm -rf "$raw"' EXIT

# run TARGET SECONDS SEGMENTS "ADDRESS COUNT"...: one made-up guest run.
run() {
	local dir=$raw/$1-$2
	mkdir -p "$dir"
	cat >"$dir/kallsyms-$1" <<-SYMBOLS
	0000000000001000 T nft_do_chain
	0000000000002000 T fib_table_lookup
	0000000000003000 t handle_rule	[xt_TARPIT]
	0000000000004000 T ip_finish_output2
	0000000000005000 T veth_xmit
	0000000000006000 T nf_send_reset
	0000000000008000 T nf_hook_slow
	SYMBOLS
	printf 'target,kind,processed\n%s,syn,%s\n' "$1" "$3" >"$dir/throughput.csv"
	shift 3
	printf '%s\n' "$@" >"$dir/insns.txt"
}
# The shorter runs: boot and setup (the same in both runs of a target)
# plus 100 segments; the longer ones 100 segments more. Per segment:
#   drop:   nft_do_chain 600, fib_table_lookup 200, veth_xmit 100 = 900
#   ours:   600, 400, handle_rule 300 (two blocks), ip_finish_output2 100,
#           veth_xmit 300, nf_hook_slow 50 = 1,750
#   reject: 600, 600, nf_send_reset 200, 100, 300, 50 = 1,850
run drop 1 100 "1000 70000" "2000 20000" "5000 10000" "7000 5"
run drop 2 200 "1000 130000" "2000 40000" "5000 20000" "7000 5"
run ours 1 150 "1000 60000" "2000 40000" "3000 10000" "3010 20000" "4000 10000" "5000 30000" "8000 5000"
run ours 2 250 "1000 120000" "2000 80000" "3000 20000" "3010 40000" "4000 20000" "5000 60000" "8000 10000"
run reject 1 100 "1000 60000" "2000 60000" "6000 20000" "4000 10000" "5000 30000" "8000 5000"
run reject 2 200 "1000 120000" "2000 120000" "6000 40000" "4000 20000" "5000 60000" "8000 10000"

out=$raw/results
mkdir -p "$out"
if ! python3 "$top/scripts/insn-profile.py" "$raw" "$out" syn ours reject drop 2>"$raw/err"; then
	echo "FAIL insn-profile.py exited with status $?: $(head -c 300 "$raw/err")"
	exit 0
fi
check() { # check NAME FILE PATTERN: the file has a line matching PATTERN
	if grep -Eq -- "$3" "$2"; then echo "PASS $1"; else echo "FAIL $1: no line like '$3' in $(basename "$2"):"; sed 's/^/  /' "$2"; fi
}
check "totals per segment (ours, reject, drop)" "$out/compare.txt" '^ +1,750 +1,850 +900  \(all\)$'
check "a block inside a symbol counts for it" "$out/profile-ours.txt" '^ +300\.0 .*handle_rule \[xt_TARPIT\]$'
check "DROP's total" "$out/stages.txt" '^DROP \(receive, flood\) +900 +900$'
check "own code over DROP" "$out/stages.txt" '^\+ own code +300 +200$'
check "route lookup over DROP" "$out/stages.txt" '^\+ route lookup +200 +400$'
check "output path over DROP" "$out/stages.txt" '^\+ output path +100 +100$'
check "hooks and chains over DROP" "$out/stages.txt" '^\+ hooks and chains +50 +50$'
check "the rest over DROP" "$out/stages.txt" '^\+ rest +200 +200$'
# ours without its own code: 1,750 - 300 = 1,450 (REJECT's 1,850 is 1.276
# times that); without route lookup and output path too (hooks stay):
# 1,150 (1.609).
check "bounds for ours" "$out/stages.txt" '^ours: zero own code 1,450, direct path 1,150, reject / it: 1\.276 and 1\.609$'
check "bounds for reject" "$out/stages.txt" '^reject: zero own code 1,650, direct path 1,150$'
