// SPDX-License-Identifier: GPL-2.0
/*
 * Test double of the TARPIT iptables extension: `-j TARPIT --variant N`
 * writes any variant byte, so the VM tests can check that the module
 * refuses values no real extension writes. Never installed.
 */
#include <xtables.h>

#include "../../iptables-ext/xt_TARPIT.h"

static const struct xt_option_entry variant_opts[] = {
	{.name = "variant", .id = 0, .type = XTTYPE_UINT8, .flags = XTOPT_MAND | XTOPT_PUT,
	 XTOPT_POINTER(struct xt_tarpit_tginfo, variant)},
	XTOPT_TABLEEND,
};

static struct xtables_target variant_target = {
	.family        = NFPROTO_UNSPEC,
	.name          = "TARPIT",
	.revision      = 0,
	.version       = XTABLES_VERSION,
	.size          = XT_ALIGN(sizeof(struct xt_tarpit_tginfo)),
	.userspacesize = XT_ALIGN(sizeof(struct xt_tarpit_tginfo)),
	.x6_parse      = xtables_option_parse,
	.x6_options    = variant_opts,
};

static void __attribute__((constructor)) variant_register(void)
{
	xtables_register_target(&variant_target);
}
