#!/usr/bin/env bash
# iptables-translate with our extension (iptables-ext/libxt_TARPIT.so):
#  - each translation in iptables-ext/libxt_TARPIT.txlate (iptables' own
#    .txlate format: the command, then the nft line it must print), and
#    each is what iptables-translate prints for the same rule with
#    -j REJECT --reject-with tcp-reset, the kernel's own reset;
#  - what nft cannot express (--tarpit, --honeypot, --reset with limits or
#    without -p tcp) fails with status 2 and one sentence saying why and
#    what to do, not a comment.
# Prints PASS/FAIL lines.
set -uo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
make -s -C "$top/iptables-ext" libxt_TARPIT.so >/dev/null || { echo "FAIL building the shim"; exit 0; }
system_dir=$(pkg-config --variable=xtlibdir xtables 2>/dev/null || echo /usr/lib/x86_64-linux-gnu/xtables)
export XTABLES_LIBDIR=$top/iptables-ext:$system_dir

same() { # same NAME GOT WANT: one PASS or FAIL line
	if [ "$2" = "$3" ]; then echo "PASS $1: $2"; else echo "FAIL $1: got '$2', want '$3'"; fi
}
command_line=
while IFS= read -r line; do
	case $line in
	'' | '#'*) continue ;;
	*-translate\ *) command_line=$line; continue ;;
	esac
	read -ra words <<<"$command_line"
	got=$("${words[@]}" 2>&1)
	same "$command_line" "$got" "$line"
	reject=$(sed -e 's/-j TARPIT --reset/-j REJECT --reject-with tcp-reset/' -e 's/ --no-validate//' <<<"$command_line")
	read -ra reject_words <<<"$reject"
	same "... is what $reject translates to" "$got" "$("${reject_words[@]}" 2>&1)"
done <"$top/iptables-ext/libxt_TARPIT.txlate"

# refused RULE PATTERN: iptables-translate fails with status 2 and a line
# matching PATTERN, and prints no nft rule and no comment.
refused() {
	local tool=$1 rule=$2 pattern=$3 output status=0
	# shellcheck disable=SC2086 # the rule is a list of words
	output=$($tool $rule 2>&1) || status=$?
	if [ $status -eq 2 ] && grep -q -- "$pattern" <<<"$output" && ! grep -q "add rule\|#" <<<"$output"; then
		echo "PASS $tool $rule: status 2, $(grep -- "$pattern" <<<"$output")"
	else
		echo "FAIL $tool $rule: status $status, output: $output"
	fi
}
for tool in iptables-translate ip6tables-translate; do
	refused $tool "-A INPUT -p tcp --dport 25 -j TARPIT" "TARPIT --tarpit has no nftables equivalent .*keep this rule in iptables-nft"
	refused $tool "-A INPUT -p tcp -j TARPIT --honeypot --mimic" "TARPIT --honeypot has no nftables equivalent"
	refused $tool "-A INPUT -p tcp -j TARPIT --reset --limit 5" "has no nftables equivalent .*drop the limits"
	refused $tool "-A INPUT -j TARPIT --reset" "without -p tcp also drops what is not TCP.*add -p tcp"
	refused $tool "-A INPUT ! -p tcp -j TARPIT --reset" "without -p tcp also drops"
done
