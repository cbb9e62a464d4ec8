#!/bin/bash
# A host managed by /etc/nftables.conf, with TARPIT rules beside it in
# iptables-nft's tables, restored at boot by netfilter-persistent: the
# README's recipe (examples/nftables), with Debian's own nftables and
# iptables-persistent packages. The guest has no systemd as PID 1, so the
# test runs the Exec lines of Debian's own unit files (and of the recipe's
# drop-in) as "systemctl start/restart/reload" would. First what happens
# without the recipe: Debian's nftables.conf and its unit's ExecStop both
# "flush ruleset", which takes the TARPIT rules away.
# Usage (from tests/debian/stock-test.sh, after setup_network): nftables.sh
source "$(dirname "$0")/lib.sh"

nft_unit=$(unit_file nftables.service)
persistent_unit=$(unit_file netfilter-persistent.service)
dropin=$EXAMPLES/nftables/keep-tarpit.conf
echo "=== nftables $(nft --version | cut -d' ' -f2) beside iptables-nft TARPIT rules, netfilter-persistent $(dpkg-query -W -f='${Version}' netfilter-persistent)"
cp /etc/nftables.conf /tmp/nftables.conf.debian

# The TARPIT rules, written once with iptables (iptables-nft) and saved.
iptables -A INPUT -p tcp --dport 25 -j TARPIT
ip6tables -A INPUT -p tcp --dport 25 -j TARPIT
check "netfilter-persistent save writes them to /etc/iptables/rules.v4 and rules.v6" \
	sh -c 'netfilter-persistent save >/dev/null && grep -q -- "-j TARPIT" /etc/iptables/rules.v4 && grep -q -- "-j TARPIT" /etc/iptables/rules.v6'

# Without the recipe.
check "[Debian's nftables.conf] nftables starts" systemd_exec ExecStart "$nft_unit"
expect_eq "[Debian's nftables.conf] starting nftables takes the TARPIT rules away" "$(tarpit_rules)" "0 0"
cp "$EXAMPLES/nftables/nftables.conf" /etc/nftables.conf
systemd_exec ExecStart "$persistent_unit" >/dev/null
systemd_exec ExecStart "$nft_unit" >/dev/null
check "[the recipe's nftables.conf, Debian's unit] restart: stop" systemd_exec ExecStop "$nft_unit"
expect_eq "[the recipe's nftables.conf, Debian's unit] its ExecStop (flush ruleset) takes them away" "$(tarpit_rules)" "0 0"

# With the recipe: boot (both orders), restart, reload.
for order in "netfilter-persistent nftables" "nftables netfilter-persistent"; do
	nft flush ruleset
	for service in $order; do
		if [ "$service" = nftables ]; then
			check "[recipe] boot: nftables starts" systemd_exec ExecStart "$nft_unit" "$dropin"
		else
			check "[recipe] boot: netfilter-persistent starts" systemd_exec ExecStart "$persistent_unit"
		fi
	done
	expect_eq "[recipe] boot ($order): the TARPIT rules are back" "$(tarpit_rules)" "1 1"
	host_answers "[recipe] boot ($order):"
done
echo "--- nft list ruleset, booted with the recipe:"
status=0
nft list ruleset >/tmp/ruleset 2>&1 || status=$?
cat /tmp/ruleset
expect_eq "[recipe] nft list ruleset lists everything (exit 0), the TARPIT rules as xt target \"TARPIT\"" \
	"$status $(grep -c 'tcp dport 25 counter packets [0-9]* bytes [0-9]* xt target "TARPIT"$' /tmp/ruleset)" "0 2"
check "[recipe] systemctl restart nftables: stop" systemd_exec ExecStop "$nft_unit" "$dropin"
check "[recipe] systemctl restart nftables: start" systemd_exec ExecStart "$nft_unit" "$dropin"
expect_eq "[recipe] after systemctl restart nftables the TARPIT rules are there" "$(tarpit_rules)" "1 1"
check "[recipe] systemctl reload nftables" systemd_exec ExecReload "$nft_unit" "$dropin"
expect_eq "[recipe] after systemctl reload nftables the TARPIT rules are there" "$(tarpit_rules)" "1 1"
expect_eq "[recipe] nftables.conf's own table is there once" "$(nft list tables | grep -c 'table inet filter')" 1
host_answers "[recipe] after restart and reload:"

nft flush ruleset
cp /tmp/nftables.conf.debian /etc/nftables.conf
rm -f /etc/iptables/rules.v4 /etc/iptables/rules.v6
