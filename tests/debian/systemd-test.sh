#!/bin/bash
# xtables-tarpit's systemd units under a real systemd: the job of the
# trixie environment where apt installed our packages, booted on Debian's
# own kernel with its own systemd as PID 1 (scripts/check-debian-stock,
# scripts/vm-run --systemd). The timer the package enabled starts at boot
# and runs xt-tarpit-textfile.service every 15 s; the service, with every
# line of its sandbox in force, writes the textfile node-exporter reads
# (with the counters of a reply sent meanwhile) and leaves nothing in the
# journal; with its ReadWritePaths= taken away the sandbox stops the write,
# so the sandbox is applied, not only written. In between, the README's
# nftables recipe with systemctl itself: start (as at boot), restart and
# reload keep the TARPIT rules, and without the drop-in a restart loses
# them (on trixie this replaces tests/vm/nftables.sh, which runs the
# units' Exec lines by hand; forky runs that).
set -uo pipefail
source "$(dirname "$0")/../vm/lib.sh"
timer=xt-tarpit-textfile.timer
service=xt-tarpit-textfile.service
textfiles=/var/lib/prometheus/node-exporter
textfile=$textfiles/xt_tarpit.prom
section "xtables-tarpit's units under $(systemctl --version | head -n 1)"
expect_eq "systemd is PID 1" "$(cat /proc/1/comm)" systemd
expect_eq "the package enabled $timer" "$(systemctl is-enabled $timer)" enabled
expect_eq "$timer is active from boot" "$(systemctl is-active $timer)" active
# prometheus-node-exporter (installed here) made the directory; the
# service's ConditionPathIsDirectory= skips every run without it.
check "node-exporter's textfile directory is there" test -d "$textfiles"

# A reply to count: a TARPIT rule (the module loads on demand) and a
# client from the attacker namespace, held.
setup_network
iptables -A INPUT -p tcp --dport 25 -j TARPIT
expect_eq "a client to port 25 connects (a SYN-ACK from the tarpit)" \
	"$(in_attacker python3 -c 'import socket; socket.create_connection(("10.0.0.1", 25), timeout=10); print("connected")' 2>&1)" \
	connected

# When the service's last run started (0: never), and how it ended.
started_at() { systemctl show -P ExecMainStartTimestampMonotonic $service; }
result() { systemctl show -P Result $service; }
synacks() { awk '$1 == "xt_tarpit_segments_total{outcome=\"reply_synack\"}" { print $2 }' "$textfile" 2>/dev/null; }
counted() { [ "$(synacks)" = 1 ]; }
check "the timer's runs write $textfile with the SYN-ACK sent (within 40 s)" wait_for 40 counted
check "the service has run" test "$(started_at)" -gt 0
expect_eq "the last run succeeded in its sandbox" "$(result)/$(systemctl show -P ExecMainStatus $service)" success/0
expect_eq "it says the module is loaded" "$(awk '$1 == "xt_tarpit_module_loaded" { print $2 }' "$textfile")" 1
expect_eq "the textfile is root's, readable by node-exporter's user" "$(stat -c '%U %a' "$textfile")" "root 644"
first=$(started_at)
iptables -F INPUT

# The README's nftables recipe (examples/nftables) by systemctl itself:
# what tests/vm/nftables.sh checks by running the units' Exec lines.
section "the nftables recipe under systemd"
iptables -A INPUT -p tcp --dport 25 -j TARPIT
ip6tables -A INPUT -p tcp --dport 25 -j TARPIT
netfilter-persistent save >/dev/null
cp /etc/nftables.conf /tmp/nftables.conf.debian
cp "$EXAMPLES/nftables/nftables.conf" /etc/nftables.conf
dropin=/etc/systemd/system/nftables.service.d
mkdir -p "$dropin"
cp "$EXAMPLES/nftables/keep-tarpit.conf" "$dropin/"
systemctl daemon-reload
# As at boot: nothing loaded, both services started in one transaction.
nft flush ruleset
check "[systemd] systemctl start netfilter-persistent nftables" \
	systemctl start netfilter-persistent.service nftables.service
expect_eq "[systemd] booted with the recipe: the TARPIT rules are there" "$(tarpit_rules)" "1 1"
expect_eq "[systemd] and nftables.conf's own table, once" "$(nft list tables | grep -c 'table inet filter')" 1
check "[systemd] systemctl restart nftables" systemctl restart nftables.service
expect_eq "[systemd] after systemctl restart nftables the TARPIT rules are there" "$(tarpit_rules)" "1 1"
check "[systemd] systemctl reload nftables" systemctl reload nftables.service
expect_eq "[systemd] after systemctl reload nftables the TARPIT rules are there" "$(tarpit_rules)" "1 1"
status=0
nft list ruleset >/tmp/ruleset 2>&1 || status=$?
expect_eq "[systemd] nft list ruleset lists everything (exit 0), the TARPIT rules as xt target \"TARPIT\"" \
	"$status $(grep -c 'tcp dport 25 counter packets [0-9]* bytes [0-9]* xt target "TARPIT"$' /tmp/ruleset)" "0 2"
host_answers "[systemd] after restart and reload:"
# The drop-in is what keeps them: without it, Debian's ExecStop flushes
# the whole ruleset.
rm -r "$dropin"
systemctl daemon-reload
systemctl restart nftables.service
expect_eq "[systemd] without the drop-in, systemctl restart nftables takes them away" "$(tarpit_rules)" "0 0"
systemctl stop nftables.service
nft flush ruleset
cp /tmp/nftables.conf.debian /etc/nftables.conf
rm -f /etc/iptables/rules.v4 /etc/iptables/rules.v6

# Back to the textfile service: its runs went on meanwhile.
section "the textfile service, again"
again() { [ "$(started_at)" != "$first" ]; }
check "the timer ran it again meanwhile (every 15 s)" wait_for 20 again
expect_eq "and that run succeeded too" "$(result)" success
expect_eq "none of its runs logged anything (LogLevelMax=notice)" \
	"$(journalctl -b -q --no-pager -u $service -o cat)" ""
exposure=$(systemd-analyze security --no-pager $service 2>/dev/null | sed -n 's/.*Overall exposure level for [^:]*: \([0-9.]*\).*/\1/p')
echo "systemd-analyze security $service: exposure $exposure"
check "systemd-analyze rates its sandbox exposure $exposure, at most 2.0 (\"OK\")" \
	python3 -c "import sys; sys.exit(not 0 < float('$exposure') <= 2.0)"

# The sandbox is in force: without ReadWritePaths=, ProtectSystem=strict
# leaves the directory read-only and the run fails, the textfile
# unchanged; back as shipped, it succeeds again.
dropin=/run/systemd/system/$service.d
mkdir -p "$dropin"
printf '[Service]\nReadWritePaths=\n' >"$dropin/test.conf"
systemctl daemon-reload
before=$(stat -c %Y.%i "$textfile")
systemctl start $service 2>/dev/null
expect_eq "without ReadWritePaths= the sandbox makes the run fail" "$(result)" exit-code
expect_eq "and the textfile is left as it was" "$(stat -c %Y.%i "$textfile")" "$before"
rm -r "$dropin"
systemctl daemon-reload
systemctl reset-failed $service
systemctl start $service
expect_eq "as shipped, a run started by hand succeeds" "$(result)" success

rm -f "$textfile"
passed=$(grep -c '^PASS' "$RESULTS")
failed=$(grep -c '^FAIL' "$RESULTS")
echo "=== under systemd: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
