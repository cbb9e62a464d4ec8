/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Target data of the TARPIT xtables target.
 *
 * Revision 0: the layout and the values are those of xtables-addons, so
 * rules, iptables-save files and either project's userspace library work
 * with either project's module.
 *
 * Revision 1 (this project only): the mode plus per-rule options, in host
 * byte order; the kernel side decodes it in rust/packet/rule.rs. The
 * extension writes the highest revision the loaded module has.
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

enum xt_tarpit_flags {
	XTTARPIT_NO_VALIDATE   = 1 << 0, /* --no-validate */
	XTTARPIT_MIMIC         = 1 << 1, /* --mimic */
	XTTARPIT_SYNACK_WINDOW = 1 << 2, /* --synack-window: the field is set */
};

/* Highest --limit / --limit-global, replies per second. */
#define XTTARPIT_LIMIT_MAX 1000000

struct xt_tarpit_tginfo_v1 {
	uint8_t variant;        /* enum xt_tarpit_variant */
	uint8_t flags;          /* enum xt_tarpit_flags */
	uint16_t synack_window; /* --synack-window, bytes */
	uint32_t limit;         /* --limit: replies/s per /24 or /64; 0: none */
	uint32_t limit_global;  /* --limit-global: replies/s in all; 0: none */
	uint32_t reserved;      /* zero */
};

#endif
