#!/bin/bash
# What `make demo` shows, in the guest: the module loaded, a TARPIT rule in
# place, and the classic demonstration live.
# Usage: demo.sh <xt_TARPIT.ko> <directory holding libxt_TARPIT.so>
set -uo pipefail
module=$1
export XTABLES_LIBDIR=$2:$(pkg-config --variable=xtlibdir xtables 2>/dev/null || echo /usr/lib/x86_64-linux-gnu/xtables)
tests_dir=$(dirname "$0")

show() { printf '\n# %s\n' "$*"; "$@"; }

echo
echo "xt_TARPIT demo on Linux $(uname -r) (QEMU, software emulation)"
show insmod "$module"
show sh -c 'lsmod | grep -i tarpit'
show sh -c 'dmesg | grep xt_TARPIT'
bash "$tests_dir/classic-demo.sh" 3
show iptables -L INPUT -v -n
printf '\n# the tarpitted sockets keep knocking; the rule counter above counts every knock\n'
sleep 5
show iptables -L INPUT -v -n
show sh -c "grep -v ' 0$' /proc/net/xt_TARPIT"
show iptables -F INPUT
show rmmod xt_TARPIT
