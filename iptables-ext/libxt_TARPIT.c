// SPDX-License-Identifier: GPL-2.0
/*
 * libxt_TARPIT: the iptables/ip6tables side of the TARPIT target.
 *
 *   -j TARPIT [--tarpit | --honeypot | --reset]
 *
 * One registration serves both families (NFPROTO_UNSPEC). `save` prints
 * exactly what `parse` accepts, and omits the default mode, so saved rules
 * read back as written.
 */
#include <stdio.h>
#include <xtables.h>

#include "xt_TARPIT.h"

enum {
	O_TARPIT = 0,
	O_HONEYPOT,
	O_RESET,
	F_TARPIT   = 1 << O_TARPIT,
	F_HONEYPOT = 1 << O_HONEYPOT,
	F_RESET    = 1 << O_RESET,
	F_ANY_MODE = F_TARPIT | F_HONEYPOT | F_RESET,
};

static const struct xt_option_entry tarpit_opts[] = {
	{.name = "tarpit", .id = O_TARPIT, .type = XTTYPE_NONE, .excl = F_ANY_MODE},
	{.name = "honeypot", .id = O_HONEYPOT, .type = XTTYPE_NONE, .excl = F_ANY_MODE},
	{.name = "reset", .id = O_RESET, .type = XTTYPE_NONE, .excl = F_ANY_MODE},
	XTOPT_TABLEEND,
};

static const char *const tarpit_mode_names[] = {
	[XTTARPIT_TARPIT]   = "tarpit",
	[XTTARPIT_HONEYPOT] = "honeypot",
	[XTTARPIT_RESET]    = "reset",
};

static void tarpit_help(void)
{
	printf(
"TARPIT target options (only with -p tcp, in INPUT or FORWARD):\n"
"  --tarpit     hold the connection: answer SYN with a closed window and\n"
"               every later segment with a zero-window ACK (default)\n"
"  --honeypot   complete the handshake with an open window, never send data\n"
"  --reset      answer with a TCP reset\n");
}

static void tarpit_parse(struct xt_option_call *cb)
{
	struct xt_tarpit_tginfo *info = cb->data;

	xtables_option_parse(cb);
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

static const char *tarpit_mode_name(const struct xt_entry_target *target)
{
	const struct xt_tarpit_tginfo *info = (const void *)target->data;

	if (info->variant < sizeof(tarpit_mode_names) / sizeof(tarpit_mode_names[0]))
		return tarpit_mode_names[info->variant];
	return NULL;
}

static void tarpit_print(const void *ip, const struct xt_entry_target *target,
			 int numeric)
{
	const struct xt_tarpit_tginfo *info = (const void *)target->data;
	const char *name = tarpit_mode_name(target);

	if (name != NULL)
		printf(" mode %s", name);
	else
		printf(" mode unknown(%u)", info->variant);
}

static void tarpit_save(const void *ip, const struct xt_entry_target *target)
{
	const struct xt_tarpit_tginfo *info = (const void *)target->data;
	const char *name = tarpit_mode_name(target);

	if (info->variant != XTTARPIT_TARPIT && name != NULL)
		printf(" --%s", name);
}

static struct xtables_target tarpit_target = {
	.family        = NFPROTO_UNSPEC,
	.name          = "TARPIT",
	.revision      = 0,
	.version       = XTABLES_VERSION,
	.size          = XT_ALIGN(sizeof(struct xt_tarpit_tginfo)),
	.userspacesize = XT_ALIGN(sizeof(struct xt_tarpit_tginfo)),
	.help          = tarpit_help,
	.x6_parse      = tarpit_parse,
	.x6_options    = tarpit_opts,
	.print         = tarpit_print,
	.save          = tarpit_save,
};

static void __attribute__((constructor)) tarpit_register(void)
{
	xtables_register_target(&tarpit_target);
}
