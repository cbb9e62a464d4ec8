/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Target data of the TARPIT xtables target, revision 0. The layout and the
 * values are those of xtables-addons, so rules, iptables-save files and
 * either project's userspace library work with either project's module.
 */
#ifndef XT_TARPIT_H
#define XT_TARPIT_H

#include <stdint.h>

enum xt_tarpit_variant {
	XTTARPIT_TARPIT   = 0,
	XTTARPIT_HONEYPOT = 1,
	XTTARPIT_RESET    = 2,
};

struct xt_tarpit_tginfo {
	uint8_t variant;
};

#endif
