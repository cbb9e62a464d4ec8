#!/bin/bash
# The Debian guest test (scripts/check-debian): runs as the job of a Debian
# trixie guest booted on the test kernel. Its rootfs had the kernel's image
# and headers packages, our two packages and a second kernel's headers
# installed with apt before the boot (in a chroot, where DKMS built the
# module for both kernels). Here the guest shows that what it has installed
# works on its own kernel: DKMS's status, the module without modprobe or
# insmod, replies on the wire, the second kernel's module, the refusals of
# unusable kernels, and purge.
# Usage: guest-test.sh <the second kernel's release>
set -uo pipefail
second=$1
source "$(dirname "$0")/../vm/lib.sh"
export DEBIAN_FRONTEND=noninteractive
release=$(uname -r)
echo "=== Debian guest: $(. /etc/os-release; echo "$PRETTY_NAME"), kernel $release"

expect_eq "the running kernel's image and headers packages are installed" \
	"$(dpkg-query -W -f='${Status} ' "linux-image-$release" "linux-headers-$release")" \
	"install ok installed install ok installed "
check "the headers carry the kernel's Rust metadata" test -f "/lib/modules/$release/build/rust/libkernel.rmeta"

# --- what apt installed before the boot, DKMS built for the running kernel
dkms status
check "dkms status: built and installed for $release" sh -c "dkms status xt-tarpit -k $release | grep -q ': installed'"
module_file=$(modinfo -n xt_TARPIT 2>/dev/null)
check "the module is in the module tree of $release ($module_file)" test -f "$module_file"
expect_eq "modinfo lists the aliases that trigger autoload" \
	"$(modinfo -F alias xt_TARPIT 2>&1 | sort | tr '\n' ' ')" "ip6t_TARPIT ipt_TARPIT "
check "the extension is installed" test -f "$(pkg-config --variable=xtlibdir xtables 2>/dev/null || echo /usr/lib/x86_64-linux-gnu/xtables)/libxt_TARPIT.so"
check "the man page is installed" test -f /usr/share/man/man8/xt_TARPIT.8.gz

# --- no modprobe, no insmod: the first rule loads the module
setup_network
check "xt_TARPIT is not loaded before any rule" sh -c '! grep -q "^xt_TARPIT " /proc/modules'
check "iptables -A INPUT -p tcp --dport 25 -j TARPIT succeeds" iptables -A INPUT -p tcp --dport 25 -j TARPIT
check "ip6tables -A INPUT -p tcp --dport 25 -j TARPIT --honeypot succeeds" \
	ip6tables -A INPUT -p tcp --dport 25 -j TARPIT --honeypot
check "the first rule loaded xt_TARPIT by itself" grep -q '^xt_TARPIT ' /proc/modules
dmesg | grep xt_TARPIT
expect_eq "a raw IPv4 SYN gets a --tarpit SYN-ACK" "$(in_attacker python3 "$(dirname "$0")/syn_probe.py" 4 25)" \
	"SYN-ACK window=5 acks-our-seq=yes"
expect_eq "a raw IPv6 SYN gets a --honeypot SYN-ACK" "$(in_attacker python3 "$(dirname "$0")/syn_probe.py" 6 25)" \
	"SYN-ACK window=64240 acks-our-seq=yes"
iptables-save | grep TARPIT
check "iptables-save shows the rule" sh -c 'iptables-save | grep -qx -- "-A INPUT -p tcp -m tcp --dport 25 -j TARPIT"'
check "ip6tables-save shows the rule" sh -c 'ip6tables-save | grep -qx -- "-A INPUT -p tcp -m tcp --dport 25 -j TARPIT --honeypot"'
cat /proc/net/xt_TARPIT | tr '\n' ' '; echo
check "the counters saw the two SYN-ACKs" test "$(awk '$1 == "reply_synack" { print $2 }' /proc/net/xt_TARPIT)" -ge 2

# --- the second kernel, whose headers were installed after our packages:
# DKMS built the module for it through the kernel hook
dkms status
check "dkms status: built and installed for $second too" sh -c "dkms status xt-tarpit -k $second | grep -q ': installed'"
check "a module for $second is in its module tree" \
	sh -c "ls /lib/modules/$second/updates/dkms/xt_TARPIT.ko* >/dev/null"
expect_eq "that module is built for $second" \
	"$(modinfo -F vermagic /lib/modules/$second/updates/dkms/xt_TARPIT.ko* | cut -d' ' -f1)" "$second"

# --- unusable kernels: DKMS refuses with one sentence in its make.log
# Two fake kernels made from the real headers: one whose headers lack the
# Rust metadata (like Debian's and mainline's headers packages), one built
# without Rust.
# (Only what is looked at before anything is compiled is copied.)
make_fake() { # make_fake NAME EDIT
	local tree=/usr/src/linux-headers-$1
	mkdir -p "$tree/include/config" "/lib/modules/$1"
	cp "/usr/src/linux-headers-$release/Makefile" "/usr/src/linux-headers-$release/.config" "$tree/"
	cp "/usr/src/linux-headers-$release/include/config/auto.conf" "$tree/include/config/"
	ln -sfn "$tree" "/lib/modules/$1/build"
	(cd "$tree" && eval "$2")
}
make_fake "$release-norustmeta" ':'
make_fake "$release-norust" "sed -i '/^CONFIG_RUST=y/d' include/config/auto.conf .config"
for fake in norustmeta norust; do
	kernel=$release-$fake
	output=$(dkms build xt-tarpit/"$(dkms status xt-tarpit | sed -n '1s|^xt-tarpit/\([^,]*\),.*|\1|p')" -k "$kernel" 2>&1)
	status=$?
	log=$(ls /var/lib/dkms/xt-tarpit/*/build/make.log 2>/dev/null | head -n 1)
	sentence=$(grep '^xt_TARPIT: ' "$log" 2>/dev/null | tail -n 1)
	echo "dkms build for $kernel: status $status; make.log: $sentence"
	check "dkms build for a kernel $fake fails" test "$status" -ne 0
	case $fake in
	norustmeta) want='has no Rust metadata' ;;
	norust) want='was built without Rust support' ;;
	esac
	check "its make.log says why in one sentence ($want)" grep -q "$want" <<<"$sentence"
	expect_eq "no compiler ran for $kernel (the sentence is the only error)" \
		"$(grep -c -E 'error(\[|:)' "$log")" 0
	rm -rf "/usr/src/linux-headers-$kernel" "/lib/modules/$kernel"
done

# --- purge: everything goes
iptables -F INPUT
ip6tables -F INPUT
check "rmmod once the rules are gone" rmmod xt_TARPIT
apt-get purge -y xt-tarpit-dkms xtables-tarpit >/tmp/purge.log 2>&1
expect_eq "apt purge of both packages succeeds" "$?" 0
left=$(find /lib/modules /usr/src /var/lib/dkms /usr/lib/x86_64-linux-gnu/xtables /usr/share/man /etc \
	\( -iname '*tarpit*' \) 2>/dev/null | tr '\n' ' ')
expect_eq "nothing of ours is left (module, DKMS tree, source, extension, man page)" "$left" ""
expect_eq "dpkg knows neither package any more" \
	"$(dpkg-query -W -f='${Status}\n' xt-tarpit-dkms xtables-tarpit 2>/dev/null | grep -c installed)" 0
check "modinfo finds no xt_TARPIT" sh -c '! modinfo xt_TARPIT >/dev/null 2>&1'

passed=$(grep -c '^PASS' "$RESULTS")
failed=$(grep -c '^FAIL' "$RESULTS")
echo "=== Debian guest ($release): $passed passed, $failed failed"
[ "$failed" -eq 0 ]
