#!/usr/bin/env bash
# tools/xt-tarpit against fake /proc/net directories (XT_TARPIT_PROC_DIR):
#  - status shows every non-zero counter, the total, the held estimate and
#    its window, and the top sources with their error; --json gives back the
#    files' values;
#  - metrics passes promtool check metrics whatever the files say (loaded,
#    saturated, not loaded) and carries the files' values, per-source series
#    only with --top, at most N of them;
#  - textfile replaces the file by a rename, and writes nothing when the
#    directory is missing;
#  - a module without the file status reads it from exits 1 with one sentence.
# Prints PASS/FAIL lines.
set -uo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
tool=$top/tools/xt-tarpit
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT

install_promtool() {
	command -v promtool >/dev/null && return
	export DEBIAN_FRONTEND=noninteractive
	{ apt-get update -qq && apt-get install -y -qq --no-install-recommends prometheus; } >/dev/null \
		|| echo "FAIL installing promtool (Debian's prometheus package)"
}

same() { # same NAME GOT WANT: one PASS line, or a FAIL line and what differs
	if [ "$2" != "$3" ]; then
		echo "FAIL $1: got '$2', want '$3'"
	elif [[ $2 == *$'\n'* ]]; then
		echo "PASS $1 ($(wc -l <<<"$2") lines)"
	else
		echo "PASS $1: $2"
	fi
}
has_line() { # has_line NAME TEXT LINE: TEXT has LINE, whole
	if grep -Fxq -- "$3" <<<"$2"; then echo "PASS $1: $3"; else echo "FAIL $1: no line '$3' in:"$'\n'"$2"; fi
}
has_match() { # has_match NAME TEXT REGEX: a line of TEXT matches REGEX
	if grep -Eq -- "$3" <<<"$2"; then echo "PASS $1: $(grep -E -- "$3" <<<"$2" | head -n 1)"; else echo "FAIL $1: no line like '$3' in:"$'\n'"$2"; fi
}
promtool_accepts() { # promtool_accepts NAME METRICS: no complaint, status 0
	local complaints status=0
	complaints=$(promtool check metrics <<<"$2" 2>&1) || status=$?
	same "$1: promtool check metrics" "status $status: $complaints" "status 0: "
}

# A namespace where the target saw some traffic: real counter names, five
# tracked prefixes (two IPv6), sorted as the module sorts them.
write_loaded_proc() {
	mkdir -p "$1"
	cat >"$1/xt_TARPIT" <<-EOF
		reply_synack 5000
		reply_ack 72000
		reply_rst 3
		truncated 0
		malformed 1
		fragment 0
		ip_options 0
		extension_header 0
		not_tcp 0
		not_unicast 12
		bad_checksum 4
		rst 310
		fin 1200
		no_syn_no_ack 0
		syn_fin 0
		failed_validation 77
		rate_limited 0
		loop 0
		fail_alloc 0
		fail_route 2
	EOF
	printf 'held 4987\nwindow_seconds 256\nepoch_seconds 128\n' >"$1/xt_TARPIT_held"
	cat >"$1/xt_TARPIT_top" <<-EOF
		203.0.113.0/24 52004 310
		2001:db8:5:7::/64 1200 0
		198.51.100.0/24 900 12
		2001:db8:ffff:1::/64 40 40
		192.0.2.0/24 7 0
	EOF
}

# The JSON as lines: "counter NAME VALUE", "top PREFIX SEGMENTS ERROR", "KEY VALUE".
json_as_lines() {
	python3 -c '
import json, sys
status = json.load(sys.stdin)
for name, value in status.pop("counters").items():
    print("counter", name, value)
for source in status.pop("top"):
    print("top", source["prefix"], source["segments"], source["error"])
for key, value in status.items():
    print(key, json.dumps(value))'
}

check_status_text() {
	local proc=$1 text name value prefix segments error
	text=$(XT_TARPIT_PROC_DIR=$proc "$tool" status)
	while read -r name value; do
		[ "$value" -eq 0 ] && continue
		has_match "status shows $name" "$text" "^ +$name +$value\$"
	done <"$proc/xt_TARPIT"
	has_match "status shows the total" "$text" "^segments seen +$(awk '{ s += $2 } END { print s }' "$proc/xt_TARPIT")\$"
	has_match "status shows the replies" "$text" "^  replies +77003\$"
	has_match "status shows the silent drops" "$text" "^  silent drops +1604\$"
	has_match "status shows the failures" "$text" "^  failures +2\$"
	has_match "status shows the held estimate and its window" "$text" "^connections held +4987 .*128-256 s"
	while read -r prefix segments error; do
		has_match "status shows source $prefix" "$text" "^  $prefix +$segments +$error\$"
	done <"$proc/xt_TARPIT_top"
	same "status --top 2 shows two sources" \
		"$(XT_TARPIT_PROC_DIR=$proc "$tool" status --top 2 | grep -c '/[0-9]* ')" 2
}

check_status_json() {
	local proc=$1 lines
	lines=$(XT_TARPIT_PROC_DIR=$proc "$tool" status --json | json_as_lines 2>&1)
	same "status --json: the counters, in the file's order" \
		"$(sed -n 's/^counter //p' <<<"$lines")" "$(cat "$proc/xt_TARPIT")"
	same "status --json: the sources" "$(sed -n 's/^top //p' <<<"$lines")" "$(cat "$proc/xt_TARPIT_top")"
	has_line "status --json" "$lines" "segments_total $(awk '{ s += $2 } END { print s }' "$proc/xt_TARPIT")"
	has_line "status --json" "$lines" "held 4987"
	has_line "status --json" "$lines" "held_saturated false"
	has_line "status --json" "$lines" "held_window_seconds 256"
	has_line "status --json" "$lines" "held_epoch_seconds 128"
	same "status --json --top 1: one source" \
		"$(XT_TARPIT_PROC_DIR=$proc "$tool" status --json --top 1 | json_as_lines | grep -c '^top ')" 1
}

check_metrics() {
	local proc=$1 metrics name value
	metrics=$(XT_TARPIT_PROC_DIR=$proc "$tool" metrics)
	promtool_accepts "metrics" "$metrics"
	has_line "metrics" "$metrics" "# TYPE xt_tarpit_segments_total counter"
	while read -r name value; do
		has_line "metrics" "$metrics" "xt_tarpit_segments_total{outcome=\"$name\"} $value"
	done <"$proc/xt_TARPIT"
	has_line "metrics" "$metrics" "xt_tarpit_module_loaded 1"
	has_line "metrics" "$metrics" "xt_tarpit_connections_held 4987"
	has_line "metrics" "$metrics" "xt_tarpit_connections_held_saturated 0"
	has_line "metrics" "$metrics" "xt_tarpit_connections_held_window_seconds 256"
	same "metrics: no per-source series by default" "$(grep -c '^xt_tarpit_top_source' <<<"$metrics")" 0
	same "metrics --top 0: no per-source series" \
		"$(XT_TARPIT_PROC_DIR=$proc "$tool" metrics --top 0 | grep -c '^xt_tarpit_top_source')" 0

	metrics=$(XT_TARPIT_PROC_DIR=$proc "$tool" metrics --top 3)
	promtool_accepts "metrics --top 3" "$metrics"
	same "metrics --top 3: three series of segments, heaviest first" \
		"$(grep '^xt_tarpit_top_source_segments{' <<<"$metrics")" \
		"$(printf '%s\n' 'xt_tarpit_top_source_segments{rank="1",prefix="203.0.113.0/24"} 52004' \
			'xt_tarpit_top_source_segments{rank="2",prefix="2001:db8:5:7::/64"} 1200' \
			'xt_tarpit_top_source_segments{rank="3",prefix="198.51.100.0/24"} 900')"
	same "metrics --top 3: three series of errors" \
		"$(grep '^xt_tarpit_top_source_error{' <<<"$metrics")" \
		"$(printf '%s\n' 'xt_tarpit_top_source_error{rank="1",prefix="203.0.113.0/24"} 310' \
			'xt_tarpit_top_source_error{rank="2",prefix="2001:db8:5:7::/64"} 0' \
			'xt_tarpit_top_source_error{rank="3",prefix="198.51.100.0/24"} 12')"

	metrics=$(XT_TARPIT_PROC_DIR=$proc "$tool" metrics --top 20)
	promtool_accepts "metrics --top 20 (more than tracked)" "$metrics"
	has_line "metrics --top 20: an IPv6 prefix as a label" "$metrics" \
		'xt_tarpit_top_source_error{rank="4",prefix="2001:db8:ffff:1::/64"} 40'
	same "metrics --top 20: as many series as sources" "$(grep -c '^xt_tarpit_top_source_segments{' <<<"$metrics")" 5
}

check_saturated() {
	local proc=$1 metrics
	printf 'held saturated\nwindow_seconds 256\nepoch_seconds 128\n' >"$proc/xt_TARPIT_held"
	has_match "saturated: status says so" "$(XT_TARPIT_PROC_DIR=$proc "$tool" status)" "^connections held +saturated"
	has_line "saturated: status --json has no number" \
		"$(XT_TARPIT_PROC_DIR=$proc "$tool" status --json | json_as_lines)" "held null"
	has_line "saturated: status --json" \
		"$(XT_TARPIT_PROC_DIR=$proc "$tool" status --json | json_as_lines)" "held_saturated true"
	metrics=$(XT_TARPIT_PROC_DIR=$proc "$tool" metrics --top 3)
	promtool_accepts "saturated: metrics" "$metrics"
	has_line "saturated: metrics" "$metrics" "xt_tarpit_connections_held_saturated 1"
	has_line "saturated: metrics" "$metrics" "xt_tarpit_connections_held_window_seconds 256"
	same "saturated: metrics has no xt_tarpit_connections_held sample" \
		"$(grep -c '^xt_tarpit_connections_held[ {]' <<<"$metrics")" 0
}

# Names the tool has never heard of are counters too: the module may add some.
check_new_counter_name() {
	local proc=$1
	local text
	echo "future_reason 9" >>"$proc/xt_TARPIT"
	text=$(XT_TARPIT_PROC_DIR=$proc "$tool" status)
	has_match "a new counter name is in status" "$text" "^    future_reason +9\$"
	has_match "a new counter name is a silent drop" "$text" "^  silent drops +1613\$"
	has_line "a new counter name is in metrics" "$(XT_TARPIT_PROC_DIR=$proc "$tool" metrics)" \
		'xt_tarpit_segments_total{outcome="future_reason"} 9'
}

# The dkms and iptables packages upgrade apart: a module without the held
# and top files still gets a status and metrics.
check_module_without_estimates() {
	local proc=$1 metrics text
	rm "$proc/xt_TARPIT_held" "$proc/xt_TARPIT_top"
	text=$(XT_TARPIT_PROC_DIR=$proc "$tool" status)
	has_match "no held file: status still shows the counters" "$text" "^    reply_ack +72000\$"
	same "no top file: status claims no sources" "$(grep -c 'connections held\|sources' <<<"$text")" 0
	metrics=$(XT_TARPIT_PROC_DIR=$proc "$tool" metrics --top 3)
	promtool_accepts "no held file: metrics" "$metrics"
	same "no held file: no held series" "$(grep -c '^xt_tarpit_connections_held' <<<"$metrics")" 0
}

check_not_loaded() {
	local proc=$1 output status=0 metrics
	mkdir -p "$proc"
	output=$(XT_TARPIT_PROC_DIR=$proc "$tool" status 2>&1) || status=$?
	same "not loaded: status" "status $status: $output" \
		"status 1: xt-tarpit: xt_TARPIT is not loaded in this network namespace (no $proc/xt_TARPIT); it loads with the first rule using -j TARPIT"
	status=0
	output=$(XT_TARPIT_PROC_DIR=$proc "$tool" status --json 2>/dev/null) || status=$?
	same "not loaded: status --json prints nothing" "status $status: $output" "status 1: "
	metrics=$(XT_TARPIT_PROC_DIR=$proc "$tool" metrics --top 3)
	promtool_accepts "not loaded: metrics" "$metrics"
	same "not loaded: metrics has one sample" "$(grep -v '^#' <<<"$metrics")" "xt_tarpit_module_loaded 0"
}

check_textfile() {
	local proc=$1 directory=$scratch/node-exporter output status=0
	mkdir -p "$directory"
	echo "an older scrape" >"$directory/xt_tarpit.prom"
	ln "$directory/xt_tarpit.prom" "$scratch/older.prom"
	XT_TARPIT_PROC_DIR=$proc "$tool" textfile --directory "$directory" --top 3
	same "textfile: the file is the metrics" "$(cat "$directory/xt_tarpit.prom")" \
		"$(XT_TARPIT_PROC_DIR=$proc "$tool" metrics --top 3)"
	same "textfile: replaced by a rename, not rewritten in place" "$(cat "$scratch/older.prom")" "an older scrape"
	same "textfile: nothing else left in the directory" "$(ls -A "$directory")" "xt_tarpit.prom"
	same "textfile: readable by node-exporter's user" "$(stat -c %a "$directory/xt_tarpit.prom")" 644

	output=$(XT_TARPIT_PROC_DIR=$proc "$tool" textfile --directory "$scratch/missing" 2>&1) || status=$?
	same "textfile, no directory: status 0 and one line" "status $status: $output" \
		"status 0: xt-tarpit: no directory $scratch/missing (is prometheus-node-exporter installed?); nothing written"
	same "textfile, no directory: none created" "$([ -e "$scratch/missing" ] && echo created || echo none)" none
}

check_usage() {
	local arguments status
	for arguments in "" "status --top -1" "metrics --top many" "frobnicate" "status --bogus"; do
		status=0
		# shellcheck disable=SC2086 # a list of words
		"$tool" $arguments >/dev/null 2>&1 || status=$?
		same "bad usage '$arguments' exits 2" "$status" 2
	done
	for arguments in status metrics textfile; do
		has_match "$arguments --help" "$("$tool" "$arguments" --help)" "^usage: xt-tarpit $arguments "
	done
}

install_promtool
write_loaded_proc "$scratch/loaded"
check_status_text "$scratch/loaded"
check_status_json "$scratch/loaded"
check_metrics "$scratch/loaded"
check_textfile "$scratch/loaded"
check_saturated "$scratch/loaded"
check_new_counter_name "$scratch/loaded"
check_module_without_estimates "$scratch/loaded"
check_not_loaded "$scratch/empty"
check_usage
