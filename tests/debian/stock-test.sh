#!/bin/bash
# The Debian stock-kernel test (scripts/check-debian-stock): runs as the job
# of the Debian forky environment booted on Debian's own, unmodified
# vmlinuz, after apt installed our packages there and DKMS built the module
# (rebuilding the Rust metadata Debian's headers lack). No insmod anywhere:
# the module and netfilter's own modules load on demand.
# Usage: stock-test.sh [--nftables-under-systemd]: with it, the nftables
# recipe is left to the systemd boot that follows (trixie).
set -uo pipefail
source "$(dirname "$0")/../vm/lib.sh"
release=$(uname -r)
echo "=== Debian stock kernel: $(cat /proc/version)"
check "running a kernel built by Debian ($(sed -n 's/.*\(Debian [^ ]*\) .*/\1/p' /proc/version))" \
	grep -q "debian-kernel@lists.debian.org.*Debian $(dpkg-query -W -f='${Version}' "linux-headers-$release")" /proc/version
check "dkms built and installed xt_TARPIT for $release" sh -c "dkms status xt-tarpit -k $release | grep -q ': installed'"
check "xt_TARPIT is not loaded before any rule" sh -c '! grep -q "^xt_TARPIT " /proc/modules'

add_rules() {
	ipt "$1" "$2" -A INPUT -p tcp --dport 25 -j TARPIT &&
		ipt "$1" "$2" -A INPUT -p tcp --dport 26 -j TARPIT --honeypot &&
		ipt "$1" "$2" -A INPUT -p tcp --dport 27 -j TARPIT --reset
}
setup_network
section "rules and wire behaviour, per backend"
rule_packets=0
for backend in legacy nft; do
	for family in 4 6; do
		check "[$backend ipv$family] -j TARPIT rules are accepted (modules load on demand)" \
			add_rules $backend $family
	done
	check "[$backend] the rules loaded xt_TARPIT by themselves" grep -q '^xt_TARPIT ' /proc/modules
	# Every reply of the wire table, field by field, and every silence.
	in_attacker python3 "$TESTS_DIR/wire_tests.py" "stock-$backend" "$RESULTS"
	for family in 4 6; do
		retire_tarpit_rules $backend $family >/dev/null
	done
done

# A real client stays stuck.
section "real clients"
for family in 4 6; do
	ipt nft $family -A INPUT -p tcp --dport 25 -j TARPIT
done
for host in 10.0.0.1 fd00::1; do
	in_attacker python3 "$TESTS_DIR/held_client.py" "$host" 25 "/tmp/hold-$host.report" &
done
sleep 20
for host in 10.0.0.1 fd00::1; do
	prefix=32
	[[ $host == *:* ]] && prefix=128
	expect_eq "a real client to $host connects" "$(cat "/tmp/hold-$host.report")" connected
	socket=$(in_attacker ss -Htnoi dst "$host/$prefix" '( dport = :25 )')
	echo "client socket after 20 s: $socket"
	check "the client to $host is still ESTABLISHED" grep -q '^ESTAB' <<<"$socket"
	check "none of its data was acknowledged" grep -q 'bytes_acked:1 ' <<<"$socket"
done
kill $(jobs -p) 2>/dev/null
wait 2>/dev/null
for family in 4 6; do
	retire_tarpit_rules nft $family >/dev/null
done
expect_eq "every segment that reached a TARPIT rule is counted once" "$(counters_total)" "$rule_packets"

# The README's SSH rule set (-m recent; Debian's kernel has xt_recent): the
# first four connections a minute reach the service (here: none listens,
# so the stack refuses them), the fifth is held by the tarpit.
section "an SSH rule set"
iptables -A INPUT -p tcp --dport 22 -m conntrack --ctstate ESTABLISHED -j ACCEPT
iptables -A INPUT -p tcp --dport 22 --syn -m recent --name ssh --set
iptables -A INPUT -p tcp --dport 22 -m recent --name ssh --rcheck --seconds 60 --hitcount 5 -j TARPIT
iptables -A INPUT -p tcp --dport 22 -j ACCEPT
outcomes=$(in_attacker python3 -c '
import socket
for attempt in range(5):
    try:
        client = socket.create_connection(("10.0.0.1", 22), timeout=5)
        print("connected", end=" ")
    except ConnectionRefusedError:
        print("refused", end=" ")
client.setblocking(False)
client.send(b"SSH-2.0-bot\r\n")
import time
time.sleep(4)
established = [l for l in open("/proc/net/tcp").read().splitlines()[1:]
               if l.split()[2].endswith(":0016") and l.split()[3] == "01"]  # to port 22
print(len(established), end="")
' 2>&1)
expect_eq "SSH rule set: four connections reach the service, the fifth is held" "$outcomes" \
	"refused refused refused refused connected 1"
iptables -F INPUT

# Debian's fail2ban banning with blocktype=TARPIT (its iptables-multiport
# action needs xt_multiport, which Debian's kernel has and the test
# kernels do not).
section "fail2ban"
bash "$TESTS_DIR/fail2ban.sh"
# Debian's CrowdSec (trixie has its firewall bouncer, forky does not) and a
# host managed by nftables.conf, with the README's configurations.
section "CrowdSec"
bash "$TESTS_DIR/crowdsec.sh"
if [ "${1:-}" = --nftables-under-systemd ]; then
	echo "=== nftables.conf: under systemd itself, in the boot that follows (tests/debian/systemd-test.sh)"
else
	section "nftables.conf"
	bash "$TESTS_DIR/nftables.sh"
fi

check "rmmod xt_TARPIT once the rules are gone" rmmod xt_TARPIT
check "modprobe ipt_TARPIT loads it again" sh -c 'modprobe ipt_TARPIT && grep -q "^xt_TARPIT " /proc/modules'
check "and rmmod unloads it" rmmod xt_TARPIT
# Debian's Prometheus and node exporter watching a held attacker (trixie's
# guest has them), from a freshly loaded module; then unloaded again.
section "Prometheus"
bash "$TESTS_DIR/prometheus.sh"
rmmod xt_TARPIT 2>/dev/null

dmesg | grep -i -E 'xt_TARPIT|taint|module verification'
unexpected=$(dmesg | grep -i -E 'warn|error|fail|taint' | grep -v -E \
	'loading out-of-tree module taints kernel|module verification failed: signature and/or required key missing|xt_TARPIT: (registered|unregistered)' \
	| grep -i 'xt_TARPIT\|taint\|module' || true)
expect_eq "dmesg has nothing about modules beyond the expected taint lines" "$unexpected" ""

section "done"
passed=$(grep -c '^PASS' "$RESULTS")
failed=$(grep -c '^FAIL' "$RESULTS")
echo "=== Debian stock kernel ($release): $passed passed, $failed failed"
[ "$failed" -eq 0 ]
