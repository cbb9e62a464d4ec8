# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=sh
#
# Sourced by check-kernel-tree and rust-metadata (POSIX sh, runs under DKMS).

# fail SENTENCE: says what is missing and how to get it, in one line that
# names the module, and stops.
fail() {
	printf 'xt_TARPIT: %s\n' "$*" >&2
	exit 1
}

# rustc_wanted CONFIG: the rustc that built the kernel, from its
# CONFIG_RUSTC_VERSION_TEXT, which .config quotes and
# include/config/auto.conf (since 6.x) does not.
rustc_wanted() {
	sed -n 's/^CONFIG_RUSTC_VERSION_TEXT=//p' "$1" | sed 's/^"\(.*\)"$/\1/'
}

# rustc_source WANTED: where to get the rustc named by WANTED ("rustc
# 1.98.1 (...)"), as the end of a sentence: the apt command when an archive
# apt knows has that version (a backports kernel is built by the same
# backports' rustc), otherwise what to add to apt's sources.
rustc_source() {
	number=$(printf '%s\n' "$1" | sed -n 's/^rustc \([0-9][0-9.]*\).*/\1/p')
	found=
	if [ -n "$number" ] && command -v apt-cache >/dev/null 2>&1; then
		# "rustc | 1.98.1+dfsg1-1~bpo13+1 | http://... trixie-backports/main amd64 Packages"
		found=$(apt-cache madison rustc 2>/dev/null | awk -F'|' -v n="$number" '
			{ version = $2; gsub(/ /, "", version); split($3, where, " "); split(where[2], archive, "/") }
			index(version, n "+") == 1 || index(version, n "-") == 1 || index(version, n "~") == 1 { print archive[1], version; exit }')
	fi
	if [ -n "$found" ]; then
		# Both at that exact version: rust-src must match rustc.
		printf '%s' "Debian has it in ${found% *}: apt install -t ${found% *} rustc=${found#* } rust-src=${found#* }"
	else
		printf '%s' "no archive in apt's sources here has rustc ${number:-of that version}; add the one that does (a backports kernel's rustc comes from the same backports, e.g. trixie-backports), run apt update and install rustc and rust-src from it"
	fi
}
