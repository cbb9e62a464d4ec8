# shellcheck shell=bash
# Bad configuration (sourced by hostile_suite.sh): rules the target does not
# support, in both backends and both families, beyond what suite.sh's rule
# table already refuses (filter OUTPUT, -p udp, -p icmp, ! -p tcp; unknown
# variants 3 and 255 through iptables-nft for IPv4). Each must be refused
# by iptables with a message, leave no rule behind, and leave a dmesg line
# that names the target. The test kernels have no nat or mangle tables
# (test.config), so the raw table stands in for "a table without INPUT".

# refused NAME EXPECTED-DMESG COMMAND...: the command fails with a message
# and dmesg gained a line matching EXPECTED-DMESG ("-": no line expected).
refused() {
	local name=$1 pattern=$2 before error
	shift 2
	before=$(dmesg | grep -c -- "$pattern" || true)
	if "$@" 2>/tmp/refusal; then
		fail "$name: accepted"
		return
	fi
	error=$(head -n 1 /tmp/refusal)
	if [ -z "$error" ]; then
		fail "$name: refused without a message"
	elif [ "$pattern" = - ]; then
		pass "$name: refused ($error)"
	elif [ "$(dmesg | grep -c -- "$pattern" || true)" -le "$before" ]; then
		fail "$name: refused ($error) but dmesg has no new line matching '$pattern'"
	else
		pass "$name: refused ($error; dmesg: $(dmesg | grep -- "$pattern" | tail -n 1 | sed 's/^\[[^]]*\] //'))"
	fi
}

run_bad_config() {
	local backend family tool variant rules_before rules_after user_chain_line
	local hook_line='TARPIT target: used from hooks'
	local udp_line='xt_TARPIT: rule refused: the rule matches no TCP'
	local mode_line='xt_TARPIT: rule refused: unknown TARPIT mode'
	local variant_dir=/tmp/variant-shim-bad-config
	mkdir -p "$variant_dir"
	cp "$XT_VARIANT_SHIM" "$variant_dir/"
	rules_before=$(iptables-legacy-save; ip6tables-legacy-save; iptables-nft-save; ip6tables-nft-save) 2>/dev/null
	rules_before=$(grep -c -- '-j TARPIT' <<<"$rules_before" || true)
	for backend in legacy nft; do
		for family in 4 6; do
			tool=iptables
			[ $family = 6 ] && tool=ip6tables
			local tag="[bad config $backend ipv$family]"
			refused "$tag -t raw -A PREROUTING" "$hook_line" \
				ipt $backend $family -t raw -A PREROUTING -p tcp -j TARPIT
			refused "$tag -t raw -A OUTPUT" "$hook_line" \
				ipt $backend $family -t raw -A OUTPUT -p tcp -j TARPIT --reset
			refused "$tag -A OUTPUT --honeypot" "$hook_line" \
				ipt $backend $family -A OUTPUT -p tcp -j TARPIT --honeypot
			# a user chain is checked against every chain that jumps to it
			ipt $backend $family -N tarpit_from_output
			ipt $backend $family -A OUTPUT -j tarpit_from_output
			# (nft checks hooks of non-base chains when it validates the
			# table, after the target's checks: EINVAL, no dmesg line)
			user_chain_line=$hook_line
			[ $backend = nft ] && user_chain_line=-
			refused "$tag user chain reached from OUTPUT" "$user_chain_line" \
				ipt $backend $family -A tarpit_from_output -p tcp -j TARPIT
			ipt $backend $family -F OUTPUT
			ipt $backend $family -X tarpit_from_output
			refused "$tag -p udp" "$udp_line" ipt $backend $family -A INPUT -p udp -j TARPIT
			for variant in 3 7 255; do
				refused "$tag unknown variant $variant" "$mode_line" \
					env XTABLES_LIBDIR="$variant_dir:${XTABLES_LIBDIR#*:}" \
					$tool-$backend -w -A FORWARD -p tcp -j TARPIT --variant $variant
			done
		done
	done
	rules_after=$(iptables-legacy-save; ip6tables-legacy-save; iptables-nft-save; ip6tables-nft-save) 2>/dev/null
	expect_eq "[bad config] no refused rule was left behind" \
		"$(grep -c -- '-j TARPIT' <<<"$rules_after" || true)" "$rules_before"
	check "[bad config] the module still loaded and counting" test -r /proc/net/xt_TARPIT
}
