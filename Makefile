# SPDX-License-Identifier: GPL-2.0
#
# xt_TARPIT: user entry points.
#
#   make [KDIR=<kernel build dir>]   build xt_TARPIT.ko and libxt_TARPIT.so
#   make demo                        boot a test VM and show the tarpit live
#   make check                       host tests + VM tests on every test kernel
#   make bench                       benchmark against the C peer, REJECT, DROP
#   make torture                     long tests beyond make check: 10M fuzz runs,
#                                    1M hostile segments, floods, faults on
#                                    the debug kernels (scripts/torture)
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

.PHONY: all module shim clean check demo bench torture

all: module shim

module:
	@sh $(PWD_ABS)/scripts/check-kernel-tree "$(KDIR)"
	$(MAKE) -C "$(KDIR)" M="$(PWD_ABS)" modules

shim:
	$(MAKE) -C $(PWD_ABS)/iptables-ext

clean:
	@if [ -d "$(KDIR)" ]; then $(MAKE) -C "$(KDIR)" M="$(PWD_ABS)" clean; fi
	rm -f rust/bindings_generated.rs rust/.bindings_generated.rs.cmd
	$(MAKE) -C $(PWD_ABS)/iptables-ext clean

# The harness: toolchain, test kernels and VM (see scripts/).
check:
	@$(PWD_ABS)/scripts/check

demo:
	@$(PWD_ABS)/scripts/demo

bench:
	@$(PWD_ABS)/scripts/bench $(BENCH_FLAGS)

torture:
	@$(PWD_ABS)/scripts/torture $(TORTURE_FLAGS)
