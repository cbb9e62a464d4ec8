# SPDX-License-Identifier: GPL-2.0
#
# xt_TARPIT: user entry points.
#
#   make [KDIR=<kernel build dir>]   build xt_TARPIT.ko and libxt_TARPIT.so
#   make demo                        boot a test VM and show the tarpit live
#   make check                       host tests + VM tests on every test kernel
#   make bench                       benchmark against the C peer, REJECT, DROP
#   make hold [HOLD_FLAGS=--long]    how long real clients (curl, ssh, hydra,
#                                    ncrack, nmap, nc, Python) stay stuck,
#                                    ours against the C peer (scripts/hold)
#   make hold-banner                 the tools that give up on their own,
#                                    against Debian's endlessh (on the host)
#   make torture                     long tests beyond make check: 10M fuzz runs,
#                                    1M hostile segments, floods, faults on
#                                    the debug kernels (scripts/torture)
#   make install [DESTDIR=] [KDIR=]  module into /lib/modules/<release>/updates,
#                                    depmod, extension + man page into the
#                                    xtables directory and the man path
#   make uninstall                   the reverse
#   make debs                        the Debian packages (DKMS + extension), lintian-checked
#   make check-debian                install them in a Debian guest VM and test
#   make check-debian-stock          the same on Debian forky's stock kernel, no rebuild
#   make check-debian-stable         the same on Debian 13 (trixie) with trixie-backports' kernel
#   make patches                     the in-tree patch series (patches/) from rust/ and Kbuild
#   make check-intree                the series: apply, checkpatch, build =m/=y, VM suite
#
# The module is built with the rustc, bindgen and C compiler found in PATH,
# like any out-of-tree module (and as DKMS does); they must be the ones the
# kernel in KDIR was built with. The harness under scripts/ picks its own
# toolchain (a Debian chroot) and calls this Makefile from there.

KDIR ?= /lib/modules/$(shell uname -r)/build
PWD_ABS := $(abspath $(dir $(lastword $(MAKEFILE_LIST))))

# A kernel built with clang needs the module built with clang too: pass
# LLVM=1 on the user's behalf (flags only; the tools still come from PATH).
ifneq ($(shell grep -s '^CONFIG_CC_IS_CLANG=y' "$(KDIR)/include/config/auto.conf"),)
export LLVM ?= 1
endif

.PHONY: all module shim clean check demo bench hold hold-banner torture debs check-debian check-debian-stock check-debian-stable
.PHONY: patches check-intree
.PHONY: install install-module install-shim uninstall uninstall-module uninstall-shim

# Where make install puts the module: the release of the kernel in KDIR.
KRELEASE = $(shell cat "$(KDIR)/include/config/kernel.release" 2>/dev/null)
INSTALL_MOD_DIR ?= updates
DEPMOD ?= depmod

all: module shim

module:
	@sh $(PWD_ABS)/tools/check-kernel-tree "$(KDIR)"
	$(MAKE) -C "$(KDIR)" M="$(PWD_ABS)" modules

shim:
	$(MAKE) -C $(PWD_ABS)/iptables-ext

install: install-module install-shim

# The kernel's own modules_install: it places, strips, signs and compresses
# the module as the kernel is configured to. depmod then makes the aliases
# ipt_TARPIT / ip6t_TARPIT known, which is what loads the module by itself
# on the first -j TARPIT rule.
install-module: module
	@[ -n "$(KRELEASE)" ] || { echo "xt_TARPIT: $(KDIR) has no include/config/kernel.release; is it a prepared kernel tree?" >&2; exit 1; }
	$(MAKE) -C "$(KDIR)" M="$(PWD_ABS)" INSTALL_MOD_PATH="$(DESTDIR)" INSTALL_MOD_DIR="$(INSTALL_MOD_DIR)" DEPMOD=true modules_install
	$(DEPMOD) $(if $(DESTDIR),-b "$(DESTDIR)") "$(KRELEASE)"

install-shim:
	$(MAKE) -C $(PWD_ABS)/iptables-ext install

uninstall: uninstall-module uninstall-shim

uninstall-module:
	@[ -n "$(KRELEASE)" ] || { echo "xt_TARPIT: $(KDIR) has no include/config/kernel.release; pass KDIR=<the tree it was installed from>." >&2; exit 1; }
	rm -f "$(DESTDIR)/lib/modules/$(KRELEASE)/$(INSTALL_MOD_DIR)"/xt_TARPIT.ko*
	$(DEPMOD) $(if $(DESTDIR),-b "$(DESTDIR)") "$(KRELEASE)"

uninstall-shim:
	$(MAKE) -C $(PWD_ABS)/iptables-ext uninstall

clean:
	@if [ -d "$(KDIR)" ]; then $(MAKE) -C "$(KDIR)" M="$(PWD_ABS)" clean; fi
	rm -f rust/bindings_generated.rs rust/.bindings_generated.rs.cmd rust/xt_tarpit_abi.rs rust/.xt_tarpit_abi.rs.cmd
	$(MAKE) -C $(PWD_ABS)/iptables-ext clean

# The harness: toolchain, test kernels and VM (see scripts/).
check:
	@$(PWD_ABS)/scripts/check

demo:
	@$(PWD_ABS)/scripts/demo

bench:
	@$(PWD_ABS)/scripts/bench $(BENCH_FLAGS)

hold:
	@$(PWD_ABS)/scripts/hold $(HOLD_FLAGS)

hold-banner:
	@$(PWD_ABS)/scripts/hold-banner

debs:
	@$(PWD_ABS)/scripts/build-debs

check-debian:
	@$(PWD_ABS)/scripts/check-debian

check-debian-stock:
	@$(PWD_ABS)/scripts/check-debian-stock forky

check-debian-stable:
	@$(PWD_ABS)/scripts/check-debian-stock trixie-backports

torture:
	@$(PWD_ABS)/scripts/torture $(TORTURE_FLAGS)

# The in-tree series (scripts/gen-patches) and its test (scripts/check-intree).
patches:
	@$(PWD_ABS)/scripts/gen-patches

check-intree:
	@$(PWD_ABS)/scripts/check-intree $(INTREE_FLAGS)
