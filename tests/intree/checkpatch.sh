#!/bin/bash
# checkpatch.pl --strict, from each pristine kernel tree, on every patch of
# its series: no error and no check; a warning only of a kind the patch's
# own commit message justifies (as upstream would):
#   FILE_PATH_CHANGES  new files in a directory whose MAINTAINERS entry an
#                      earlier patch of the series added;
#   LONG_LINE          a line that is one C string literal (c"..."), kept
#                      whole so that the message can be grepped for.
# Prints one PASS/FAIL line per patch.
set -uo pipefail
TOP=$(cd "$(dirname "$0")/../.." && pwd)
source "$TOP/scripts/lib.sh"
set +e

for line in "${INTREE_LINES[@]}"; do
	pristine=$("$TOP/scripts/gen-patches" --pristine "$line" 2>/dev/null)
	series=$TOP/patches/linux-$line
	maintainers_added=0
	while read -r name; do
		patch=$series/$name
		report=$(cd "$pristine" && perl scripts/checkpatch.pl --strict --show-types --color=never "$patch" 2>&1)
		totals=$(grep '^total:' <<<"$report")
		unjustified=$(awk -v msg="$(sed -n '/^Subject:/,/^---$/p' "$patch")" -v maint="$maintainers_added" '
			/^(ERROR|CHECK):/ { print; next }
			/^WARNING:FILE_PATH_CHANGES:/ {
				if (!maint || msg !~ /MAINTAINERS/) print
				next
			}
			/^WARNING:LONG_LINE(_STRING)?:/ { pending = $0; next }
			pending != "" && /^\+/ {
				if ($0 !~ /^\+[ \t]*c"[^"]*",?$/ || msg !~ /checkpatch/) print pending ": " $0
				pending = ""
				next
			}
			/^WARNING:/ { print }' <<<"$report")
		if [ -z "$unjustified" ] && grep -q '0 errors' <<<"$totals" && grep -q ' 0 checks' <<<"$totals"; then
			echo "PASS [$line] checkpatch --strict $name: $totals$(grep -q ' 0 warnings' <<<"$totals" || echo ', each warning justified in the commit message')"
		else
			echo "FAIL [$line] checkpatch --strict $name: $totals"
			echo "$unjustified"
		fi
		if grep -q '^+++ b/MAINTAINERS' "$patch"; then maintainers_added=1; fi
	done <"$series/series"
done
exit 0
