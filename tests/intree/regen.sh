#!/bin/bash
# Host tests of the in-tree series generator (scripts/gen-patches), run by
# make check-intree. Prints one PASS/FAIL line per check.
#  - make patches reproduces the committed patches/ byte for byte;
#  - it refuses a dirty or inconsistent checkout, saying why;
#  - each series applies to its pristine kernel line (git apply --check,
#    patch --dry-run --fuzz=0);
#  - on an unsupported kernel line, patch 1 fails at patch time, in the
#    top Makefile, and the target's Kbuild names the lines it supports.
set -uo pipefail
TOP=$(cd "$(dirname "$0")/../.." && pwd)
source "$TOP/scripts/lib.sh"
set +e
work=$(mktemp -d /tmp/xt-tarpit-regen.XXXXXX)
trap 'rm -rf "$work"' EXIT

pass() { echo "PASS $*"; }
fail() { echo "FAIL $*"; }
check() { local name=$1; shift; if "$@"; then pass "$name"; else fail "$name"; fi; }

# --- reproducible
"$TOP/scripts/gen-patches" --out "$work/fresh" 2>"$work/gen.log"
status=$?
check "scripts/gen-patches runs on the checkout (status $status)" test "$status" -eq 0
# (patches/descriptions/ is the generator's input, not its output.)
if diff -r -x descriptions "$TOP/patches" "$work/fresh" >"$work/diff" 2>&1; then
	pass "make patches reproduces the committed patches/ byte for byte"
else
	fail "make patches reproduces the committed patches/: the committed series is stale (run make patches and commit):"
	head -n 40 "$work/diff"
fi
"$TOP/scripts/gen-patches" --out "$work/again" 2>/dev/null
check "a second run writes the same bytes again" diff -r -q "$work/fresh" "$work/again"

# --- refusals, in a clone of the checkout's HEAD
clone=$work/clone
git clone -q "$TOP" "$clone" || { fail "cloning the checkout"; exit 0; }
refused() { # refused LABEL PATTERN: gen-patches in the clone must fail with PATTERN
	local out=$work/refused-out status=0
	rm -rf "$out"
	"$clone/scripts/gen-patches" --out "$out" >/dev/null 2>"$work/refusal.log" || status=$?
	if [ "$status" -ne 0 ] && grep -q "$2" "$work/refusal.log" && [ ! -e "$out" ]; then
		pass "$1 ($(grep '^error' "$work/refusal.log" | cut -c1-110)...)"
	else
		fail "$1: status $status, output: $(cat "$work/refusal.log")"
	fi
}
echo '// an uncommitted edit' >>"$clone/rust/target.rs"
refused "a modified rust/ source is refused" "uncommitted changes"
if XT_TARPIT_GEN_ALLOW_DIRTY=1 "$clone/scripts/gen-patches" --out "$work/dirty" 2>/dev/null \
	&& ! diff -r -q "$TOP/patches" "$work/dirty" >/dev/null; then
	pass "XT_TARPIT_GEN_ALLOW_DIRTY=1 writes a trial series, which differs from the committed one"
else
	fail "XT_TARPIT_GEN_ALLOW_DIRTY=1 trial run"
fi
git -C "$clone" checkout -q -- rust/target.rs
touch "$clone/rust/untracked.rs"
refused "an untracked file in rust/ is refused" "uncommitted changes"
rm "$clone/rust/untracked.rs"
echo '// SPDX-License-Identifier: GPL-2.0' >"$clone/rust/extra.rs"
git -C "$clone" add rust/extra.rs
git -C "$clone" -c user.name=t -c user.email=t@example.org commit -q -m extra
refused "a committed rust/ source no patch places is refused" "in no patch of the series"
git -C "$clone" reset -q --hard HEAD~1
git -C "$clone" rm -q rust/parameters.c
git -C "$clone" -c user.name=t -c user.email=t@example.org commit -q -m "no parameters.c"
refused "a placed source that is missing is refused" "is not a committed file"
git -C "$clone" reset -q --hard HEAD~1
sed -i 's/^mod counters;/mod counters;\nmod forgotten;/' "$clone/rust/xt_tarpit.rs"
git -C "$clone" -c user.name=t -c user.email=t@example.org commit -q -am "mod without file"
refused "a Rust mod without its file is refused" "declares mod forgotten"

# --- applies to the pristine supported lines
for line in "${INTREE_LINES[@]}"; do
	pristine=$("$TOP/scripts/gen-patches" --pristine "$line" 2>/dev/null)
	series=$TOP/patches/linux-$line
	mapfile -t patches < <(sed "s|^|$series/|" "$series/series")
	check "[$line] git apply --check of the whole series on pristine $(cat "$pristine/.xt-tarpit-pristine")" \
		sh -c 'cd "$1" && shift && git apply --check "$@"' sh "$pristine" "${patches[@]}"
	ok=1
	for patch in "${patches[@]}"; do
		(cd "$pristine" && patch -p1 --dry-run --fuzz=0 -s <"$patch") >/dev/null 2>&1 || ok=0
	done
	check "[$line] each patch applies with patch -p1 --fuzz=0 --dry-run" test "$ok" = 1
done

# --- unsupported lines: a copy of the files the series touches, its
# version changed; and the other supported line's series.
fake_tree() { # fake_tree DIR FROM-LINE VERSION PATCHLEVEL
	local pristine file
	pristine=$("$TOP/scripts/gen-patches" --pristine "$2" 2>/dev/null)
	for file in Makefile MAINTAINERS net/netfilter/Kconfig net/netfilter/Makefile; do
		mkdir -p "$1/$(dirname "$file")"
		cp "$pristine/$file" "$1/$file"
	done
	sed -i -e "s/^VERSION = .*/VERSION = $3/" -e "s/^PATCHLEVEL = .*/PATCHLEVEL = $4/" "$1/Makefile"
}
refused_at_patch_time() { # LABEL TREE SERIES-LINE
	local tree=$2 series=$TOP/patches/linux-$3 first output
	first=$series/$(head -n 1 "$series/series")
	output=$(cd "$tree" && git apply --check "$first" 2>&1)
	if [ $? -ne 0 ] && grep -q 'patch failed: Makefile:1' <<<"$output"; then
		pass "$1: git apply stops at patch 1 ($(tr '\n' ' ' <<<"$output"))"
	else
		fail "$1: git apply: $output"
	fi
	output=$(cd "$tree" && patch -p1 --dry-run --fuzz=0 <"$first" 2>&1)
	if [ $? -ne 0 ] && grep -q 'Hunk #1 FAILED at 1' <<<"$output"; then
		pass "$1: patch --fuzz=0 stops at patch 1 ($(tr '\n' ' ' <<<"$output"))"
	else
		fail "$1: patch --fuzz=0: $output"
	fi
}
fake_tree "$work/fake-7.3" 7.2 7 3
refused_at_patch_time "7.2 series on a 7.3 tree" "$work/fake-7.3" 7.2
fake_tree "$work/fake-6.6" 6.12 6 6
refused_at_patch_time "6.12 series on a 6.6 tree" "$work/fake-6.6" 6.12
fake_tree "$work/fake-6.12" 6.12 6 12
refused_at_patch_time "7.2 series on a 6.12 tree" "$work/fake-6.12" 7.2
# What plain patch -p1 (fuzz 2) does there, for the record.
plain=$(cd "$work/fake-6.6" && patch -p1 --dry-run <"$TOP/patches/linux-6.12/$(head -n 1 "$TOP/patches/linux-6.12/series")" 2>&1)
echo "note: plain patch -p1 (fuzz 2) of patch 1 on a 6.6 tree: $(tr '\n' ' ' <<<"$plain")"

# The backstop when patch 1 is forced in: the target's Kbuild itself.
kbuild_says() { # VERSION PATCHLEVEL
	make -s -f "$TOP/Kbuild" VERSION="$1" PATCHLEVEL="$2" KBUILD_EXTMOD= srctree="$work" src=. obj=. 2>&1
}
output=$(kbuild_says 6 6)
check "in-tree Kbuild on 6.6 stops with one sentence ($output)" \
	grep -q 'xt_TARPIT: made for Linux 6.12 and 7.2, this tree is 6.6' <<<"$output"
for version in "6 12" "7 2"; do
	# shellcheck disable=SC2086
	output=$(kbuild_says $version)
	check "in-tree Kbuild accepts ${version/ /.}" sh -c '! grep -q "made for Linux" <<EOT
$1
EOT' sh "$output"
done
output=$(make -s -f "$TOP/Kbuild" VERSION=6 PATCHLEVEL=6 KBUILD_EXTMOD=/x srctree="$work" src=. obj=. 2>&1)
check "the external module build does not apply the in-tree version pin" \
	sh -c '! grep -q "made for Linux" <<EOT
$1
EOT' sh "$output"
