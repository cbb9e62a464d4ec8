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
