# shellcheck shell=bash
# Beyond the C peer: revision 1 rules (which revision each rule gets, save
# and restore, refusals), per-rule SYN-ACK window and validation, reply
# rate limits, and --mimic SYN-ACKs against the local stack's (field by
# field and by p0f). Sourced by suite.sh with the module loaded; rules go
# through retire_tarpit_rules so the counter totals still add up.
# Leaves /tmp/plain-saved.v4 / .v6 (iptables-legacy-save of rules without
# revision 1 options) for compat.sh to restore into xtables-addons' module.

# --- revision 1 rules: save and restore, with and without the new options
for backend in legacy nft; do
	for family in 4 6; do
		tool=iptables
		[ $family = 6 ] && tool=ip6tables
		ipt $backend $family -A INPUT -p tcp --dport 25 -j TARPIT --honeypot
		ipt $backend $family -A INPUT -p tcp --dport 27 -j TARPIT --reset
		[ $backend = legacy ] && $tool-legacy-save -t filter | grep -v '^#' >/tmp/plain-saved.v$family
		ipt $backend $family -A INPUT -p tcp --dport 26 -j TARPIT --mimic --limit 5
		ipt $backend $family -A INPUT -p tcp --dport 28 -j TARPIT --synack-window 0 --no-validate --limit-global 9
		$tool-$backend-save -t filter >/tmp/saved
		# Held sockets of earlier tests still send segments: count what
		# reached the rules before the table is replaced.
		retire_tarpit_rules $backend $family >/dev/null
		$tool-$backend-restore </tmp/saved
		$tool-$backend-save -t filter >/tmp/restored
		grep -- '^-A' /tmp/saved >/tmp/saved.rules
		grep -- '^-A' /tmp/restored >/tmp/restored.rules
		if cmp -s /tmp/saved.rules /tmp/restored.rules; then
			pass "[$backend ipv$family] rules with and without revision 1 options round-trip through save and restore"
		else
			fail "[$backend ipv$family] rules with and without revision 1 options round-trip through save and restore"
			diff /tmp/saved.rules /tmp/restored.rules
		fi
		check "[$backend ipv$family] saved revision 1 rules carry their options" \
			test "$(grep -c -e '-j TARPIT --mimic --limit 5$' -e '-j TARPIT --synack-window 0 --no-validate --limit-global 9$' /tmp/saved.rules)" = 2
		retire_tarpit_rules $backend $family >/dev/null
	done
done
for family in 4 6; do
	ipt nft $family -A INPUT -p tcp --dport 25 -j TARPIT --honeypot
	ipt nft $family -A INPUT -p tcp --dport 26 -j TARPIT --limit 5
	ipt nft $family -A INPUT -p tcp --dport 27 -j TARPIT
	table=ip
	[ $family = 6 ] && table=ip6
	revisions=$(nft --debug=netlink list chain $table filter INPUT 2>&1 | grep -o 'target name TARPIT rev [0-9]*' | tr '\n' '|')
	expect_eq "[nft ipv$family] with this module, rules are written as revision 1 (nft's own view)" \
		"$revisions" "target name TARPIT rev 1|target name TARPIT rev 1|target name TARPIT rev 1|"
	retire_tarpit_rules nft $family >/dev/null
done
if iptables-nft -A INPUT -p tcp -j TARPIT --honeypot --synack-window 5 2>/tmp/shim-error; then
	fail "the extension refuses --synack-window with --honeypot"
	iptables-nft -F INPUT
else
	check "the extension says why --synack-window with --honeypot is refused ($(head -n 1 /tmp/shim-error))" \
		grep -q 'applies to --tarpit only' /tmp/shim-error
fi

# --- the module refuses revision 1 data no real extension writes
sleep 5 # the module's refusal messages are rate limited (10 per 5 s)
double() { XT_TARPIT_DOUBLE_V1=1 XTABLES_LIBDIR=$variant_shim:${XTABLES_LIBDIR#*:} iptables-nft "$@"; }
while IFS='|' read -r options message; do
	# shellcheck disable=SC2086 # a list of options
	if double -A INPUT -p tcp -j TARPIT $options 2>/dev/null; then
		fail "revision 1 data '$options' is refused"
		iptables-nft -F INPUT
	else
		check "revision 1 data '$options' is refused, dmesg: $message" sh -c "dmesg | grep -q -- 'xt_TARPIT: rule refused: $message'"
	fi
done <<'EOF'
--variant 3|unknown TARPIT mode
--flags 128|unknown TARPIT option flags
--reserved 1|reserved bytes of the TARPIT revision 1 options are not zero
--variant 1 --flags 4 --window 5|--synack-window applies to --tarpit only
--flags 6 --window 5|--mimic takes the SYN-ACK window from the local TCP stack
--variant 2 --flags 2|--mimic shapes SYN-ACKs and --reset sends none
--limit 1000001|--limit and --limit-global are at most 1000000
EOF
check "revision 1 data with every field in range is accepted" double -A INPUT -p tcp -j TARPIT --variant 1 --flags 3 --limit 7
expect_eq "... and lists as written with our extension" "$(iptables-nft -S INPUT | tail -n 1)" \
	"-A INPUT -p tcp -j TARPIT --honeypot --no-validate --mimic --limit 7"
retire_tarpit_rules nft 4 >/dev/null

# --- per-rule SYN-ACK window and validation, on the wire
for family in 4 6; do
	ipt nft $family -A INPUT -p tcp --dport 31 -j TARPIT --synack-window 0
	ipt nft $family -A INPUT -p tcp --dport 32 -j TARPIT --no-validate
	ipt nft $family -A INPUT -p tcp --dport 25 -j TARPIT
done
in_attacker python3 "$TESTS_DIR/rule_options_tests.py" options "$RESULTS" options
for family in 4 6; do
	retire_tarpit_rules nft $family >/dev/null
done

# --- reply rate limits: a flood from one prefix is cut to its budget, a
# second prefix is still served, and every refused SYN is counted
ip route add 10.0.1.0/24 dev veth0
ip -6 route add fd00:0:0:1::/64 dev veth0
ip neigh replace 10.0.1.99 lladdr "$ATTACKER_MAC" dev veth0 nud permanent
ip -6 neigh replace fd00:0:0:1::99 lladdr "$ATTACKER_MAC" dev veth0 nud permanent
for family in 4 6; do
	ipt nft $family -A INPUT -p tcp --dport 29 -j TARPIT --limit 10
	ipt nft $family -A INPUT -p tcp --dport 30 -j TARPIT --limit-global 20
done
limited_before=$(counter rate_limited)
in_attacker python3 "$TESTS_DIR/rule_options_tests.py" limit "$RESULTS" limit 29 10 100 /tmp/limit.report
in_attacker python3 "$TESTS_DIR/rule_options_tests.py" global "$RESULTS" global 30 20 60 /tmp/global.report
answered=$(cat /tmp/limit.report /tmp/global.report | awk '{ sum += $2 } END { print sum + 0 }')
# Per family: 100 + 5 + 1 SYNs to the --limit rule, 60 to the global one.
sent=$(( 2 * (100 + 5 + 1) + 2 * 60 ))
expect_eq "every SYN over budget is counted as rate_limited ($answered of $sent answered)" \
	"$(( $(counter rate_limited) - limited_before ))" "$(( sent - answered ))"
for family in 4 6; do
	retire_tarpit_rules nft $family >/dev/null
done

# --- --mimic: the SYN-ACK of a tarpitted port against the local stack's
# own SYN-ACK from a listening port, field by field and by p0f
python3 -c '
import socket, time
listeners = []
for family, host in ((socket.AF_INET, "10.0.0.1"), (socket.AF_INET6, "fd00::1")):
    s = socket.socket(family, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((host, 2222))
    s.listen(16)
    listeners.append(s)
time.sleep(60)
' &
listener=$!
for family in 4 6; do
	ipt nft $family -A INPUT -p tcp --dport 33 -j TARPIT --mimic
	ipt nft $family -A INPUT -p tcp --dport 25 -j TARPIT
done
rm -f /tmp/p0f.log
in_attacker p0f -i veth1 -o /tmp/p0f.log 'tcp' >/tmp/p0f.out 2>&1 &
p0f=$!
sleep 2
in_attacker python3 "$TESTS_DIR/rule_options_tests.py" mimic "$RESULTS" mimic 2222 33 25
sleep 1
kill $p0f $listener 2>/dev/null
wait $p0f $listener 2>/dev/null
cp /tmp/p0f.log "$(dirname "$RESULTS")/p0f.log" 2>/dev/null
p0f_verdict() { # p0f_verdict SERVER-REGEX PORT: os and raw_sig of its SYN-ACK
	grep 'mod=syn+ack' /tmp/p0f.log | grep -E "\|srv=$1/$2\|" | head -n 1 |
		sed -E 's/.*\|(os=[^|]*)\|.*\|(raw_sig=[^|]*).*/\1 \2/'
}
# (p0f writes IPv6 addresses in full: fd00:0:0:0:0:0:0:1.)
for host in 10.0.0.1 fd00::1; do
	pattern=${host//./\\.}
	[ "$host" = fd00::1 ] && pattern='fd00(:0)*::?1'
	real=$(p0f_verdict "$pattern" 2222)
	mimic=$(p0f_verdict "$pattern" 33)
	plain=$(p0f_verdict "$pattern" 25)
	echo "p0f $host: real '$real', --mimic '$mimic', plain '$plain'"
	check "p0f saw the local stack's SYN-ACK from $host ($real)" test -n "$real"
	expect_eq "p0f: the --mimic SYN-ACK from $host fingerprints as the local stack's" "$mimic" "$real"
	check "p0f control: a plain --tarpit SYN-ACK from $host fingerprints differently ($plain)" \
		test -n "$plain" -a "$plain" != "$real"
done
for family in 4 6; do
	retire_tarpit_rules nft $family >/dev/null
done
