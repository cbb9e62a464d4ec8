#!/bin/bash
# What `make install` put in place works as installed: the kernel loads
# xt_TARPIT by itself on the first -j TARPIT rule (no insmod, no modprobe),
# modprobe knows the ipt_TARPIT / ip6t_TARPIT aliases, and the installed
# extension and man page are where iptables and man look.
# Usage: install.sh <DESTDIR of a make install for this kernel> [<module folder, default updates>]
# Sourced by suite.sh (its helpers and $RESULTS); the module must not be loaded.
stage=$1
moddir=${2:-updates}
release=$(uname -r)

if [ ! -d "$stage/lib/modules/$release" ]; then
	fail "make install staged a module tree for $release (nothing in $stage/lib/modules)"
	return 0 2>/dev/null || exit 0
fi
installed_shim=$(find "$stage" -name libxt_TARPIT.so -path '*/xtables/*' | head -n 1)
check "make install put the module under /lib/modules/$release/$moddir" \
	test -f "$stage/lib/modules/$release/$moddir/xt_TARPIT.ko"
check "make install put the extension in the xtables directory ($(pkg-config --variable=xtlibdir xtables))" \
	test "${installed_shim#"$stage"}" = "$(pkg-config --variable=xtlibdir xtables)/libxt_TARPIT.so"
check "make install put the man page in man8" grep -q '^\.TH xt_TARPIT 8' "$stage/usr/share/man/man8/xt_TARPIT.8"
expect_eq "depmod knows the module's aliases" \
	"$(modinfo -b "$stage" -F alias xt_TARPIT 2>&1 | sort | tr '\n' ' ')" "ip6t_TARPIT ipt_TARPIT "

# The root filesystem is the host's, read-only, so the installed tree stays
# in its DESTDIR: the kernel's module loader is pointed at a modprobe that
# looks there (and notes what the kernel asked for).
modprobe_path=$(cat /proc/sys/kernel/modprobe)
cat >/tmp/xt-modprobe <<WRAPPER
#!/bin/sh
echo "\$*" >>/tmp/modprobe.log
exec $modprobe_path -d "$stage" "\$@"
WRAPPER
chmod +x /tmp/xt-modprobe
echo /tmp/xt-modprobe >/proc/sys/kernel/modprobe
: >/tmp/modprobe.log
loaded() { grep -q '^xt_TARPIT ' /proc/modules; }
saved_libdir=${XTABLES_LIBDIR:-}
export XTABLES_LIBDIR=$(dirname "$installed_shim"):$(pkg-config --variable=xtlibdir xtables)
for backend in legacy nft; do
	for family in 4 6; do
		if loaded; then
			fail "[$backend ipv$family] xt_TARPIT is not loaded before the rule"
			continue
		fi
		check "[$backend ipv$family] a -j TARPIT rule is accepted with the module not loaded" \
			ipt $backend $family -A INPUT -p tcp --dport 25 -j TARPIT
		check "[$backend ipv$family] the rule loaded xt_TARPIT by itself" loaded
		alias=ipt_TARPIT
		[ $family = 6 ] && alias=ip6t_TARPIT
		check "[$backend ipv$family] the kernel asked modprobe for $alias" grep -qw "$alias" /tmp/modprobe.log
		: >/tmp/modprobe.log
		host=10.0.0.1
		[ $family = 6 ] && host=fd00::1
		expect_eq "[$backend ipv$family] a client's connect() completes through the autoloaded target" \
			"$(in_attacker python3 -c 'import socket, sys
try:
    socket.create_connection((sys.argv[1], 25), timeout=8); print("connected")
except OSError as error:
    print(error)' $host)" connected
		ipt $backend $family -F INPUT
		check "[$backend ipv$family] rmmod after the rule is gone" rmmod xt_TARPIT
	done
done
for alias in ipt_TARPIT ip6t_TARPIT; do
	check "modprobe $alias loads xt_TARPIT" sh -c "modprobe -d '$stage' $alias && grep -q '^xt_TARPIT ' /proc/modules"
	check "modprobe -r xt_TARPIT unloads it" sh -c "modprobe -d '$stage' -r xt_TARPIT && ! grep -q '^xt_TARPIT ' /proc/modules"
done
export XTABLES_LIBDIR=$saved_libdir
echo "$modprobe_path" >/proc/sys/kernel/modprobe
