#!/bin/bash
# Monitoring the Debian way, for real: Debian's prometheus-node-exporter
# reads the textfile that xtables-tarpit's xt-tarpit-textfile.service
# writes (its ExecStart line, run every 2 s here as its timer would: the
# guest has no systemd), and Debian's Prometheus scrapes the exporter
# every 2 s while 20 real clients are held. PromQL must then give the held
# estimate (within 5 % of 20) and reply totals equal to what the attacker
# received, counted by its own iptables; every query of the Grafana
# dashboard (examples/grafana) must answer; promtool must find the
# textfile clean. The ranges of the run go to /mnt/out/monitor for the
# README's picture (scripts/monitor-chart.py).
# Usage (from tests/debian/stock-test.sh, after setup_network, with no
# TARPIT rule left): prometheus.sh
source "$(dirname "$0")/lib.sh"

if ! command -v prometheus >/dev/null || ! command -v prometheus-node-exporter >/dev/null; then
	echo "=== Prometheus: not installed in this guest: not tested here"
	exit 0
fi
echo "=== Prometheus $(dpkg-query -W -f='${Version}' prometheus), node exporter $(dpkg-query -W -f='${Version}' prometheus-node-exporter)"
ip link set lo up
textfiles=/var/lib/prometheus/node-exporter
mkdir -p "$textfiles"
work=/tmp/prometheus
rm -rf "$work"
mkdir -p "$work"
cat >"$work/prometheus.yml" <<'YAML'
global:
  scrape_interval: 2s
  evaluation_interval: 2s
scrape_configs:
  - job_name: node
    static_configs:
      - targets: ["127.0.0.1:9100"]
YAML
prometheus-node-exporter --web.listen-address=127.0.0.1:9100 --collector.disable-defaults \
	--collector.textfile --collector.textfile.directory="$textfiles" >"$work/exporter.log" 2>&1 &
exporter=$!
prometheus --config.file="$work/prometheus.yml" --storage.tsdb.path="$work/data" \
	--web.listen-address=127.0.0.1:9090 >"$work/prometheus.log" 2>&1 &
server=$!
service=$(unit_file xt-tarpit-textfile.service)
check "xtables-tarpit ships xt-tarpit-textfile.service and its timer" \
	test -f "$service" -a -f "$(unit_file xt-tarpit-textfile.timer)"
(while :; do systemd_exec ExecStart "$service" >/dev/null 2>&1; sleep 2; done) &
timer=$!

# promql EXPR [TIME]: the instant query's value (the sum over its series),
# or "none".
promql() {
	python3 - "$@" <<'PY'
import json, sys, urllib.parse, urllib.request
query = {"query": sys.argv[1]}
if len(sys.argv) > 2:
    query["time"] = sys.argv[2]
with urllib.request.urlopen("http://127.0.0.1:9090/api/v1/query?" + urllib.parse.urlencode(query)) as answer:
    result = json.load(answer)["data"]["result"]
print(round(sum(float(series["value"][1]) for series in result), 3) if result else "none")
PY
}
ready() { [ "$(promql 'up{job="node"}' 2>/dev/null)" = 1.0 ]; }
check "Prometheus scrapes the node exporter" wait_for 120 ready

iptables -A INPUT -p tcp --dport 25 -j TARPIT
in_attacker iptables -A INPUT -p tcp --sport 25 --tcp-flags SYN,ACK SYN,ACK
in_attacker iptables -A INPUT -p tcp --sport 25
started=$(date +%s)
ip netns exec attacker python3 "$TESTS_DIR/monitor_clients.py" hold 10.0.0.2 10.0.0.1 25 20 >"$work/clients" &
clients=$!
wait_for 60 grep -q HELD "$work/clients"
held_clients=$(awk '$1 == "HELD" { print $2 }' "$work/clients")
# A few scrapes of a held attacker.
loaded() { [ "$(promql 'xt_tarpit_module_loaded')" = 1.0 ] && [ "$(promql 'xt_tarpit_connections_held')" != none ]; }
wait_for 60 loaded
sleep 10
held=$(promql 'xt_tarpit_connections_held')
check "PromQL: xt_tarpit_connections_held is $held for $held_clients clients held (within 5 %)" \
	python3 -c "import sys; sys.exit(abs($held - $held_clients) > 0.05 * $held_clients)"
rate=$(promql 'sum(rate(xt_tarpit_segments_total{outcome=~"reply_.*"}[1m]))')
check "PromQL: replies per second while held: $rate" python3 -c "import sys; sys.exit(not $rate > 0)"
json=$(xt-tarpit status --json)
check "xt-tarpit status --json agrees: held $(python3 -c 'import json,sys; print(json.load(sys.stdin)["held"])' <<<"$json")" \
	python3 -c "import json, sys; sys.exit(abs(json.load(sys.stdin)['held'] - $held_clients) > 0.05 * $held_clients)" <<<"$json"
xt-tarpit status
check "promtool finds the textfile clean" promtool check metrics <"$textfiles/xt_tarpit.prom"

# The attacker stops sending; once the exporter and Prometheus have the
# final counters, they must equal what it received.
in_attacker iptables -I OUTPUT -p tcp --dport 25 -j DROP
sleep 1
attacker_count() { in_attacker iptables -L INPUT -v -x -n | awk -v n="$1" 'NR > 2 { c[NR - 2] = $1 } END { print c[n] + 0 }'; }
synacks=$(attacker_count 1) replies=$(attacker_count 2)
settled() { [ "$(promql 'sum(xt_tarpit_segments_total{outcome=~"reply_.*"})')" = "$replies.0" ]; }
wait_for 30 settled
expect_eq "PromQL: the replies Prometheus has are the $replies the attacker received" \
	"$(promql 'sum(xt_tarpit_segments_total{outcome=~"reply_.*"})')" "$replies.0"
expect_eq "PromQL: the SYN-ACKs are the attacker's $synacks" \
	"$(promql 'xt_tarpit_segments_total{outcome="reply_synack"}')" "$synacks.0"
ended=$(date +%s)
python3 "$TESTS_DIR/../debian/dashboard_check.py" "$EXAMPLES/grafana/xt-tarpit.json" --rate-interval 20s --allow-empty-top \
	| tee -a "$RESULTS"

# The run's ranges, for the README's picture.
if [ -d /mnt/out ]; then
	mkdir -p /mnt/out/monitor
	for name in held replies; do
		case $name in
		held) query='xt_tarpit_connections_held' ;;
		replies) query='sum by (outcome) (rate(xt_tarpit_segments_total{outcome=~"reply_.*"}[10s]))' ;;
		esac
		python3 -c 'import sys, urllib.parse, urllib.request
query = urllib.parse.urlencode({"query": sys.argv[1], "start": sys.argv[2], "end": sys.argv[3], "step": "2"})
sys.stdout.write(urllib.request.urlopen("http://127.0.0.1:9090/api/v1/query_range?" + query).read().decode())' \
			"$query" "$started" "$ended" >"/mnt/out/monitor/$name.json"
	done
	echo "[[$started, 0], [$((started + 1)), $held_clients], [$ended, $held_clients]]" >/mnt/out/monitor/truth.json
fi

kill "$clients" "$timer" 2>/dev/null
wait "$clients" "$timer" 2>/dev/null
kill "$server" "$exporter"
wait "$server" "$exporter" 2>/dev/null
in_attacker iptables -F INPUT
in_attacker iptables -F OUTPUT
iptables -F INPUT
rm -f "$textfiles/xt_tarpit.prom"
