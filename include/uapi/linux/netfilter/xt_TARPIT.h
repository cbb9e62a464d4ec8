/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * Target data of the TARPIT xtables target: the rule ABI between the
 * iptables extension (libxt_TARPIT.so, which includes this header) and the
 * kernel module (whose Rust code gets these structs and constants from
 * bindgen reading this very header, see rust/packet/rule.rs).
 *
 * Revision 0: the layout and the values are those of xtables-addons, so
 * rules, iptables-save files and either project's userspace library work
 * with either project's module.
 *
 * Revision 1 (this project only): the mode plus per-rule options, in the
 * machine's byte order, no padding. The extension writes the highest
 * revision the loaded module has.
 */
#ifndef _UAPI_XT_TARPIT_H
#define _UAPI_XT_TARPIT_H

#include <linux/types.h>

enum xt_tarpit_variant {
	XTTARPIT_TARPIT   = 0,
	XTTARPIT_HONEYPOT = 1,
	XTTARPIT_RESET    = 2,
};

/* Revision 0. */
struct xt_tarpit_tginfo {
	__u8 variant;		/* enum xt_tarpit_variant */
};

enum xt_tarpit_flags {
	XTTARPIT_NO_VALIDATE   = 1 << 0, /* --no-validate */
	XTTARPIT_MIMIC         = 1 << 1, /* --mimic */
	XTTARPIT_SYNACK_WINDOW = 1 << 2, /* --synack-window: the field is set */
};

/* Highest --limit / --limit-global, replies per second. */
#define XTTARPIT_LIMIT_MAX 1000000

/* Revision 1. */
struct xt_tarpit_tginfo_v1 {
	__u8 variant;		/* enum xt_tarpit_variant */
	__u8 flags;		/* enum xt_tarpit_flags */
	__u16 synack_window;	/* --synack-window, bytes */
	__u32 limit;		/* --limit: replies/s per /24 or /64; 0: none */
	__u32 limit_global;	/* --limit-global: replies/s of the rule; 0: none */
	__u32 reserved;		/* zero */
};

#endif /* _UAPI_XT_TARPIT_H */
