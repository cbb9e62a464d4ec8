#!/bin/bash
# CrowdSec banning with TARPIT, for real: Debian's crowdsec (its local API,
# run by hand: the guest has no systemd) and crowdsec-firewall-bouncer in
# iptables mode, configured as the README says (examples/crowdsec). Debian
# 13's bouncer (0.0.25) bans with "-m set --match-set crowdsec-blacklists
# src -j DROP" in INPUT whatever deny_action says; the README's drop-in
# (examples/crowdsec/tarpit.conf, whose ExecStartPost/ExecStopPost lines
# this test runs) tarpits the addresses of its sets in the mangle table
# first. For each family: "cscli decisions add --ip" makes the bouncer put
# the attacker in its set, and the attacker is then held (a field-checked
# SYN-ACK, a real client's connect completes and what it writes is never
# answered, its UDP is dropped silently) while another source is not
# affected; "cscli decisions delete" lets it through again. Then the rule
# shape of upstream's bouncer since 0.0.28 (read from its source, replayed
# here: Debian has no such version): "-j TARPIT" without -p, in its own
# chain, with a comment, and with deny_log through a LOG chain.
# Usage (from tests/debian/stock-test.sh, after setup_network): crowdsec.sh
source "$(dirname "$0")/lib.sh"

if ! command -v crowdsec-firewall-bouncer >/dev/null; then
	echo "=== CrowdSec: this Debian has no crowdsec-firewall-bouncer (forky has none): not tested here"
	exit 0
fi
bouncer_version=$(dpkg-query -W -f='${Version}' crowdsec-firewall-bouncer)
echo "=== CrowdSec $(dpkg-query -W -f='${Version}' crowdsec), crowdsec-firewall-bouncer $bouncer_version"
ip link set lo up
cs=/tmp/crowdsec
rm -rf "$cs"
mkdir -p "$cs"
# The local API's sqlite database on tmpfs (its write-ahead log maps shared
# memory, which the guest's 9p root does not offer).
cp -a /var/lib/crowdsec/data "$cs/data"
mount --bind "$cs/data" /var/lib/crowdsec/data

# The local API only (no log acquisition, no online API): what cscli and
# the bouncer talk to.
crowdsec -c /etc/crowdsec/config.yaml -no-cs -no-capi >"$cs/lapi.log" 2>&1 &
lapi=$!
lapi_up() {
	python3 -c 'import urllib.request; urllib.request.urlopen("http://127.0.0.1:8080/health", timeout=2)' 2>/dev/null
}
if wait_for 60 lapi_up; then
	pass "[crowdsec] the local API answers"
else
	fail "[crowdsec] the local API answers: $(tail -n 5 "$cs/lapi.log" /var/log/crowdsec_api.log 2>/dev/null)"
fi

# The README's configuration, merged into the .local file the package's
# postinst wrote (it holds the bouncer's API key), key by key; and, for
# this test only, decisions pulled every second instead of every 10.
config=/etc/crowdsec/bouncers/crowdsec-firewall-bouncer.yaml
check "[crowdsec] the bouncer's package registered its API key ($config.local)" grep -q '^api_key: ..*' "$config.local"
while IFS= read -r line; do
	case $line in
	'#'* | '') ;;
	*) sed -i "/^${line%%:*}:/d" "$config.local"
		echo "$line" >>"$config.local" ;;
	esac
done <"$EXAMPLES/crowdsec/crowdsec-firewall-bouncer.yaml.local"
echo "update_frequency: 1s" >>"$config.local"
crowdsec-firewall-bouncer -c "$config" >"$cs/bouncer.out" 2>&1 &
bouncer=$!
bouncer_rules() {
	iptables -C INPUT -m set --match-set crowdsec-blacklists src -j DROP 2>/dev/null &&
		ip6tables -C INPUT -m set --match-set crowdsec6-blacklists src -j DROP 2>/dev/null
}
if wait_for 30 bouncer_rules; then
	pass "[crowdsec] the bouncer set up its sets and rules"
else
	fail "[crowdsec] the bouncer set up its sets and rules: $(tail -n 5 /var/log/crowdsec-firewall-bouncer.log "$cs/bouncer.out")"
fi
expect_eq "[crowdsec] bouncer $bouncer_version bans with DROP although deny_action says TARPIT (so the README's drop-in)" \
	"$(iptables-save | grep -- crowdsec)" "-A INPUT -m set --match-set crowdsec-blacklists src -j DROP"
unit=$(unit_file crowdsec-firewall-bouncer.service)
check "[crowdsec] the drop-in's ExecStartPost lines" systemd_exec ExecStartPost "$unit" "$EXAMPLES/crowdsec/tarpit.conf"
check "[crowdsec] run again, they add nothing" systemd_exec ExecStartPost "$unit" "$EXAMPLES/crowdsec/tarpit.conf"
expect_eq "[crowdsec] one TARPIT rule per family in mangle INPUT" \
	"$(iptables-save -t mangle | grep -c TARPIT) $(ip6tables-save -t mangle | grep -c TARPIT)" "1 1"

in_set() { ipset test "$1" "$2" 2>/dev/null; }
out_of_set() { ! in_set "$@"; }
add_second_source
# banned SET ATTACKER OTHER HOST FAMILY: a decision, held, released.
banned() {
	local set=$1 attacker=$2 other=$3 host=$4 family=$5
	local tag="[crowdsec $attacker]"
	expect_eq "$tag before the decision: port 25 refuses it" "$(client "$attacker" "$host" 25)" refused
	check "$tag cscli decisions add --ip $attacker" cscli decisions add --ip "$attacker" --duration 1h --reason xt_TARPIT-test
	if wait_for 20 in_set "$set" "$attacker"; then
		pass "$tag the bouncer puts it in $set"
	else
		fail "$tag the bouncer puts it in $set: $(tail -n 5 /var/log/crowdsec-firewall-bouncer.log)"
	fi
	expect_eq "$tag its SYN gets the tarpit's SYN-ACK" \
		"$(in_attacker python3 "$TESTS_DIR/../debian/syn_probe.py" "$family" 25 "$attacker")" "SYN-ACK window=5 acks-our-seq=yes"
	expect_eq "$tag it is held on port 25" "$(client "$attacker" "$host" 25)" held
	expect_eq "$tag and on port 8080" "$(client "$attacker" "$host" 8080)" held
	expect_eq "$tag its UDP is dropped silently" "$(udp_client "$attacker" "$host" 53)" silence
	expect_eq "$tag another source is not affected" "$(client "$other" "$host" 25)" refused
	check "$tag cscli decisions delete --ip $attacker" cscli decisions delete --ip "$attacker"
	if wait_for 20 out_of_set "$set" "$attacker"; then
		pass "$tag the bouncer takes it out of $set"
	else
		fail "$tag the bouncer takes it out of $set"
	fi
	expect_eq "$tag after the delete: port 25 refuses it again" "$(client "$attacker" "$host" 25)" refused
}
banned crowdsec-blacklists 10.0.0.2 10.0.0.3 10.0.0.1 4
banned crowdsec6-blacklists fd00::2 fd00::3 fd00::1 6

kill -TERM "$bouncer"
wait "$bouncer"
check "[crowdsec] the drop-in's ExecStopPost lines" systemd_exec ExecStopPost "$unit" "$EXAMPLES/crowdsec/tarpit.conf"
expect_eq "[crowdsec] once the bouncer stopped, no rule and no set is left" \
	"$(iptables-save | grep -c crowdsec) $(ip6tables-save | grep -c crowdsec) $(ipset list -n | grep -c crowdsec)" "0 0 0"

# Upstream's bouncer since 0.0.28 (deny_action: TARPIT), its rule shape
# replayed: a chain of its own, one set per decision origin, -j TARPIT
# without -p and with a comment; with deny_log, a LOG chain ending in
# -j TARPIT. xtables-addons' TARPIT refuses both rules ("only valid for
# protocol 6"), which is why this never worked before.
upstream() { # upstream TOOL FAMILY ATTACKER OTHER HOST LOG
	local tool=$1 family=$2 attacker=$3 other=$4 host=$5 log=$6
	local set=crowdsec-blacklists-0 inet=inet target=TARPIT
	[ "$family" = 6 ] && set=crowdsec6-blacklists-0 inet=inet6
	local tag="[crowdsec upstream shape $tool${log:+, deny_log}]"
	"$tool" -N CROWDSEC_CHAIN -t filter
	"$tool" -I INPUT -j CROWDSEC_CHAIN
	if [ -n "$log" ]; then
		"$tool" -N CROWDSEC_LOG -t filter
		"$tool" -I CROWDSEC_LOG -j LOG --log-prefix "crowdsec drop: "
		check "$tag the LOG chain's -A CROWDSEC_LOG -j TARPIT is accepted" "$tool" -A CROWDSEC_LOG -j TARPIT
		target=CROWDSEC_LOG
	fi
	ipset create "$set" nethash timeout 300 maxelem 131072 family "$inet"
	check "$tag -m set --match-set $set src -j $target -m comment is accepted" \
		"$tool" -I CROWDSEC_CHAIN -m set --match-set "$set" src -j "$target" -m comment --comment "CrowdSec: cscli"
	echo "add $set $attacker timeout 3600 -exist" | ipset restore
	expect_eq "$tag the attacker is held" "$(client "$attacker" "$host" 25)" held
	expect_eq "$tag another source is not affected" "$(client "$other" "$host" 25)" refused
	echo "del $set $attacker -exist" | ipset restore
	expect_eq "$tag once out of the set, the attacker is refused again" "$(client "$attacker" "$host" 25)" refused
	"$tool" -D INPUT -j CROWDSEC_CHAIN
	"$tool" -F CROWDSEC_CHAIN
	"$tool" -X CROWDSEC_CHAIN
	[ -z "$log" ] || { "$tool" -F CROWDSEC_LOG; "$tool" -X CROWDSEC_LOG; }
	ipset destroy "$set"
}
upstream iptables 4 10.0.0.2 10.0.0.3 10.0.0.1 ""
upstream ip6tables 6 fd00::2 fd00::3 fd00::1 log
del_second_source

kill -TERM "$lapi"
wait "$lapi"
umount /var/lib/crowdsec/data
