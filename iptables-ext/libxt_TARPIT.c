// SPDX-License-Identifier: GPL-2.0
/*
 * libxt_TARPIT: the iptables/ip6tables side of the TARPIT target.
 *
 *   -j TARPIT [--tarpit | --honeypot | --reset] [--synack-window N]
 *             [--no-validate] [--mimic] [--limit N] [--limit-global N]
 *
 * One registration per revision serves both families (NFPROTO_UNSPEC).
 * Revision 0 is xtables-addons' layout (the mode alone); revision 1 adds
 * the other options. libxtables (1.8.7 and later) registers only the
 * highest revision the kernel has, and iptables-legacy lists a rule of any
 * other revision as "[unsupported revision]", so rules are written at that
 * revision: 1 with this project's module, 0 with xtables-addons' (where
 * the new options are refused, saying why). A rule without the new options
 * saves as the same text either way, so saved rulesets restore into either
 * module. `save` prints exactly what `parse` accepts and omits defaults,
 * so saved rules read back as written. Printing decodes by the rule's
 * size, so iptables-nft also lists the other revision's rules right.
 */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <xtables.h>
#include <linux/netfilter_ipv4/ip_tables.h>
#include <linux/netfilter_ipv6/ip6_tables.h>

#include <linux/netfilter/xt_TARPIT.h>

enum {
	O_TARPIT = 0,
	O_HONEYPOT,
	O_RESET,
	O_SYNACK_WINDOW,
	O_NO_VALIDATE,
	O_MIMIC,
	O_LIMIT,
	O_LIMIT_GLOBAL,
	F_TARPIT   = 1 << O_TARPIT,
	F_HONEYPOT = 1 << O_HONEYPOT,
	F_RESET    = 1 << O_RESET,
	F_ANY_MODE = F_TARPIT | F_HONEYPOT | F_RESET,
	F_SYNACK_WINDOW = 1 << O_SYNACK_WINDOW,
	F_MIMIC    = 1 << O_MIMIC,
};

#define XTOPT_STRUCT struct xt_tarpit_tginfo_v1
static const struct xt_option_entry tarpit_opts[] = {
	{.name = "tarpit", .id = O_TARPIT, .type = XTTYPE_NONE, .excl = F_ANY_MODE},
	{.name = "honeypot", .id = O_HONEYPOT, .type = XTTYPE_NONE, .excl = F_ANY_MODE},
	{.name = "reset", .id = O_RESET, .type = XTTYPE_NONE, .excl = F_ANY_MODE},
	{.name = "synack-window", .id = O_SYNACK_WINDOW, .type = XTTYPE_UINT16,
	 .flags = XTOPT_PUT, XTOPT_POINTER(XTOPT_STRUCT, synack_window)},
	{.name = "no-validate", .id = O_NO_VALIDATE, .type = XTTYPE_NONE},
	{.name = "mimic", .id = O_MIMIC, .type = XTTYPE_NONE},
	{.name = "limit", .id = O_LIMIT, .type = XTTYPE_UINT32, .min = 1,
	 .max = XTTARPIT_LIMIT_MAX, .flags = XTOPT_PUT, XTOPT_POINTER(XTOPT_STRUCT, limit)},
	{.name = "limit-global", .id = O_LIMIT_GLOBAL, .type = XTTYPE_UINT32, .min = 1,
	 .max = XTTARPIT_LIMIT_MAX, .flags = XTOPT_PUT,
	 XTOPT_POINTER(XTOPT_STRUCT, limit_global)},
	XTOPT_TABLEEND,
};
#undef XTOPT_STRUCT

static const char *const tarpit_mode_names[] = {
	[XTTARPIT_TARPIT]   = "tarpit",
	[XTTARPIT_HONEYPOT] = "honeypot",
	[XTTARPIT_RESET]    = "reset",
};

#define TARPIT_SIZE_V1 (XT_ALIGN(sizeof(struct xt_entry_target)) + \
			XT_ALIGN(sizeof(struct xt_tarpit_tginfo_v1)))

static void tarpit_help(void)
{
	printf(
"TARPIT target options (in INPUT or FORWARD; TCP is answered, anything else\n"
"the rule matches is dropped, so -p tcp is optional but ! -p tcp is refused):\n"
"  --tarpit           hold the connection: answer SYN with a closed window and\n"
"                     every later segment with a zero-window ACK (default)\n"
"  --honeypot         complete the handshake with an open window, never send data\n"
"  --reset            answer with a TCP reset\n"
"Revision 1 options (not with xtables-addons' module):\n"
"  --synack-window N  window of --tarpit SYN-ACKs, 0-65535 bytes (default: the\n"
"                     module parameter synack_window, 5)\n"
"  --no-validate      answer later segments even if they do not acknowledge\n"
"                     our SYN-ACK (default: validate, see validate_acks)\n"
"  --mimic            SYN-ACKs with the TCP options, window and TTL of this\n"
"                     host's own TCP stack, so fingerprinting cannot tell\n"
"  --limit N          at most N replies per second from this rule to each\n"
"                     source /24 (IPv4) or /64 (IPv6), 1-1000000; the rest\n"
"                     are dropped silently\n"
"  --limit-global N   at most N replies per second from this rule in all,\n"
"                     1-1000000\n"
"Not in the nat table.\n");
}

static void tarpit_parse_mode(struct xt_option_call *cb)
{
	struct xt_tarpit_tginfo_v1 *info = cb->data;

	switch (cb->entry->id) {
	case O_TARPIT:
		info->variant = XTTARPIT_TARPIT;
		break;
	case O_HONEYPOT:
		info->variant = XTTARPIT_HONEYPOT;
		break;
	case O_RESET:
		info->variant = XTTARPIT_RESET;
		break;
	}
}

/* Revision 0 (the kernel has no revision 1): the mode options only. */
static void tarpit_parse_v0(struct xt_option_call *cb)
{
	if (cb->entry->id > O_RESET)
		xtables_error(PARAMETER_PROBLEM,
			      "TARPIT: --%s needs revision 1 of the TARPIT target, and the loaded kernel module has revision 0 only (xtables-addons' xt_TARPIT?); load the xt_TARPIT module of xt-tarpit, or drop --%s",
			      cb->entry->name, cb->entry->name);
	xtables_option_parse(cb);
	tarpit_parse_mode(cb);
}

static void tarpit_parse_v1(struct xt_option_call *cb)
{
	struct xt_tarpit_tginfo_v1 *info = cb->data;

	xtables_option_parse(cb);
	tarpit_parse_mode(cb);
	switch (cb->entry->id) {
	case O_SYNACK_WINDOW:
		info->flags |= XTTARPIT_SYNACK_WINDOW;
		break;
	case O_NO_VALIDATE:
		info->flags |= XTTARPIT_NO_VALIDATE;
		break;
	case O_MIMIC:
		info->flags |= XTTARPIT_MIMIC;
		break;
	}
}

static void tarpit_check_v1(struct xt_fcheck_call *cb)
{
	const struct xt_tarpit_tginfo_v1 *info = cb->data;

	if ((cb->xflags & F_SYNACK_WINDOW) && info->variant != XTTARPIT_TARPIT)
		xtables_error(PARAMETER_PROBLEM,
			      "TARPIT: --synack-window applies to --tarpit only; drop it, or use --tarpit");
	if ((cb->xflags & F_MIMIC) && (cb->xflags & F_SYNACK_WINDOW))
		xtables_error(PARAMETER_PROBLEM,
			      "TARPIT: --mimic takes the SYN-ACK window from the local TCP stack; drop --synack-window or --mimic");
	if ((cb->xflags & F_MIMIC) && info->variant == XTTARPIT_RESET)
		xtables_error(PARAMETER_PROBLEM,
			      "TARPIT: --mimic shapes SYN-ACKs, and --reset sends none; drop --mimic");
}

static const char *tarpit_mode_name(uint8_t variant)
{
	if (variant < sizeof(tarpit_mode_names) / sizeof(tarpit_mode_names[0]))
		return tarpit_mode_names[variant];
	return NULL;
}

/* Whether the rule carries revision 1 data (by its size, so a listing that
 * hands revision 0 data to this revision's functions still works). */
static int tarpit_is_v1(const struct xt_entry_target *target)
{
	return target->u.target_size >= TARPIT_SIZE_V1;
}

static void tarpit_print(const void *ip, const struct xt_entry_target *target,
			 int numeric)
{
	const struct xt_tarpit_tginfo_v1 *info = (const void *)target->data;
	const char *name = tarpit_mode_name(info->variant);

	if (name != NULL)
		printf(" mode %s", name);
	else
		printf(" mode unknown(%u)", info->variant);
	if (!tarpit_is_v1(target))
		return;
	if (info->flags & XTTARPIT_SYNACK_WINDOW)
		printf(" synack-window %u", info->synack_window);
	if (info->flags & XTTARPIT_NO_VALIDATE)
		printf(" no-validate");
	if (info->flags & XTTARPIT_MIMIC)
		printf(" mimic");
	if (info->limit != 0)
		printf(" limit %u/s per prefix", info->limit);
	if (info->limit_global != 0)
		printf(" limit-global %u/s", info->limit_global);
}

static void tarpit_save(const void *ip, const struct xt_entry_target *target)
{
	const struct xt_tarpit_tginfo_v1 *info = (const void *)target->data;
	const char *name = tarpit_mode_name(info->variant);

	if (info->variant != XTTARPIT_TARPIT && name != NULL)
		printf(" --%s", name);
	if (!tarpit_is_v1(target))
		return;
	if (info->flags & XTTARPIT_SYNACK_WINDOW)
		printf(" --synack-window %u", info->synack_window);
	if (info->flags & XTTARPIT_NO_VALIDATE)
		printf(" --no-validate");
	if (info->flags & XTTARPIT_MIMIC)
		printf(" --mimic");
	if (info->limit != 0)
		printf(" --limit %u", info->limit);
	if (info->limit_global != 0)
		printf(" --limit-global %u", info->limit_global);
}

/* Whether the rule matches TCP only (-p tcp, not inverted). */
static bool tarpit_rule_is_tcp(const void *ip, uint8_t family)
{
	if (family == NFPROTO_IPV6) {
		const struct ip6t_entry *entry = ip;

		return entry->ipv6.flags & IP6T_F_PROTO &&
		       entry->ipv6.proto == IPPROTO_TCP &&
		       !(entry->ipv6.invflags & XT_INV_PROTO);
	}
	const struct ipt_entry *entry = ip;

	return entry->ip.proto == IPPROTO_TCP && !(entry->ip.invflags & XT_INV_PROTO);
}

/*
 * Whether the caller is iptables-translate or iptables-restore-translate
 * (or ip6tables'), which print the translation. nft asks too, to show a
 * rule of iptables-nft's in "nft list ruleset", and prints xt target
 * "TARPIT" when the answer is 0: an exit there would cut its listing short.
 */
static bool tarpit_translating(void)
{
	return xt_params != NULL && xt_params->program_name != NULL &&
	       strstr(xt_params->program_name, "-translate") != NULL;
}

/*
 * --reset in a -p tcp rule is nft's "reject with tcp reset". Nothing else
 * has an nft equivalent: iptables-translate fails (status 2) with one
 * sentence saying why and what to do instead, rather than printing the
 * rule as a comment nobody reads; nft gets 0.
 */
static int tarpit_xlate(struct xt_xlate *xl, const struct xt_xlate_tg_params *params)
{
	const struct xt_tarpit_tginfo_v1 *info = (const void *)params->target->data;
	const char *name = tarpit_mode_name(info->variant);
	char why[320];

	if (info->variant != XTTARPIT_RESET)
		snprintf(why, sizeof(why), "TARPIT --%s has no nftables equivalent (nft cannot hold a connection "
			 "open without state); keep this rule in iptables-nft, whose table lives beside "
			 "your nft tables, or use -j TARPIT --reset, which translates to reject with tcp reset",
			 name != NULL ? name : "tarpit");
	else if (tarpit_is_v1(params->target) && (info->limit != 0 || info->limit_global != 0))
		snprintf(why, sizeof(why), "TARPIT --reset with --limit or --limit-global has no nftables "
			 "equivalent (its budgets are per source prefix and shared by the rule); keep "
			 "this rule in iptables-nft, or drop the limits to translate it");
	else if (!tarpit_rule_is_tcp(params->ip, xt_xlate_get_family(xl)))
		snprintf(why, sizeof(why), "TARPIT --reset without -p tcp also drops what is not TCP, which nft's "
			 "reject with tcp reset cannot say; add -p tcp to translate it (and a DROP rule "
			 "for the rest)");
	else
		why[0] = '\0';
	if (why[0] != '\0') {
		if (!tarpit_translating())
			return 0;
		xtables_error(PARAMETER_PROBLEM, "%s", why);
	}
	xt_xlate_add(xl, "reject with tcp reset");
	return 1;
}

static struct xtables_target tarpit_targets[] = {
	{
		.family        = NFPROTO_UNSPEC,
		.name          = "TARPIT",
		.revision      = 0,
		.version       = XTABLES_VERSION,
		.size          = XT_ALIGN(sizeof(struct xt_tarpit_tginfo)),
		.userspacesize = XT_ALIGN(sizeof(struct xt_tarpit_tginfo)),
		.help          = tarpit_help,
		.x6_parse      = tarpit_parse_v0,
		.x6_options    = tarpit_opts,
		.print         = tarpit_print,
		.save          = tarpit_save,
		.xlate         = tarpit_xlate,
	},
	{
		.family        = NFPROTO_UNSPEC,
		.name          = "TARPIT",
		.revision      = 1,
		.version       = XTABLES_VERSION,
		.size          = XT_ALIGN(sizeof(struct xt_tarpit_tginfo_v1)),
		.userspacesize = XT_ALIGN(sizeof(struct xt_tarpit_tginfo_v1)),
		.help          = tarpit_help,
		.x6_parse      = tarpit_parse_v1,
		.x6_fcheck     = tarpit_check_v1,
		.x6_options    = tarpit_opts,
		.print         = tarpit_print,
		.save          = tarpit_save,
		.xlate         = tarpit_xlate,
	},
};

static void __attribute__((constructor)) tarpit_register(void)
{
	xtables_register_targets(tarpit_targets,
				 sizeof(tarpit_targets) / sizeof(tarpit_targets[0]));
}
