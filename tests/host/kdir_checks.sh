#!/usr/bin/env bash
# `make module` with a kernel tree that cannot work must stop with one
# clear sentence naming what is missing, before Kbuild prints anything.
# Prints PASS/FAIL lines.
set -uo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT

# expect_refusal NAME KDIR PATTERN: make fails, and its only output line
# is ours and matches PATTERN.
expect_refusal() {
	local name=$1 kdir=$2 pattern=$3 output
	if output=$(make -s -C "$top" module KDIR="$kdir" 2>&1); then
		echo "FAIL $name: make succeeded"
		return
	fi
	output=$(grep -v '^make' <<<"$output")
	if [ "$(wc -l <<<"$output")" -eq 1 ] && grep -Eq "^xt_TARPIT: .*$pattern" <<<"$output"; then
		echo "PASS $name ($output)"
	else
		echo "FAIL $name: got: $output"
	fi
}

fake_tree() { # fake_tree DIR CONFIG-LINES...
	local dir=$1
	shift
	mkdir -p "$dir/include/config" "$dir/rust"
	touch "$dir/Makefile"
	printf '%s\n' "$@" >"$dir/include/config/auto.conf"
}

expect_refusal "KDIR pointing nowhere is refused" "$scratch/nowhere" "is not a kernel build tree.*linux-headers"
mkdir -p "$scratch/unconfigured" && touch "$scratch/unconfigured/Makefile"
expect_refusal "an unconfigured tree is refused" "$scratch/unconfigured" "not configured and prepared"
fake_tree "$scratch/norust" 'CONFIG_NET=y'
expect_refusal "a kernel without CONFIG_RUST is refused" "$scratch/norust" "without Rust support"
fake_tree "$scratch/nometa" 'CONFIG_RUST=y'
expect_refusal "a tree without Rust metadata is refused" "$scratch/nometa" "no Rust metadata"
# include/config/auto.conf has strings unquoted (as 6.12 and 7.2 write
# it); older kernels quoted them.
fake_tree "$scratch/otherrustc" 'CONFIG_RUST=y' 'CONFIG_RUSTC_VERSION_TEXT=rustc 0.0.1 (built elsewhere)'
fake_tree "$scratch/otherrustc-quoted" 'CONFIG_RUST=y' 'CONFIG_RUSTC_VERSION_TEXT="rustc 0.0.1 (built elsewhere)"'
touch "$scratch/otherrustc/rust/libkernel.rmeta" "$scratch/otherrustc-quoted/rust/libkernel.rmeta"
if command -v rustc >/dev/null && command -v bindgen >/dev/null; then
	expect_refusal "a kernel built by another rustc is refused" "$scratch/otherrustc" "built by 'rustc 0.0.1 .built elsewhere.' but.*same rustc"
	expect_refusal "a kernel built by another rustc is refused (quoted)" "$scratch/otherrustc-quoted" "built by 'rustc 0.0.1 .built elsewhere.' but.*same rustc"
else
	expect_refusal "missing rustc or bindgen is named" "$scratch/otherrustc" "(rustc|bindgen) is not in PATH"
fi
