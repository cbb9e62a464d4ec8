// SPDX-License-Identifier: GPL-2.0
/*
 * Test double of the TARPIT iptables extension: `-j TARPIT --variant N`
 * writes any variant byte, so the VM tests can check that the module
 * refuses values no real extension writes. With XT_TARPIT_DOUBLE_V1=1 in
 * the environment it writes revision 1 data instead, any value in any
 * field (--variant, --flags, --window, --limit, --global, --reserved).
 * Never installed.
 */
#include <stdlib.h>
#include <string.h>
#include <xtables.h>

#include <linux/netfilter/xt_TARPIT.h>

static const struct xt_option_entry variant_opts[] = {
	{.name = "variant", .id = 0, .type = XTTYPE_UINT8, .flags = XTOPT_MAND | XTOPT_PUT,
	 XTOPT_POINTER(struct xt_tarpit_tginfo, variant)},
	XTOPT_TABLEEND,
};

#define V1 struct xt_tarpit_tginfo_v1
static const struct xt_option_entry v1_opts[] = {
	{.name = "variant", .id = 0, .type = XTTYPE_UINT8, .flags = XTOPT_PUT,
	 XTOPT_POINTER(V1, variant)},
	{.name = "flags", .id = 1, .type = XTTYPE_UINT8, .flags = XTOPT_PUT,
	 XTOPT_POINTER(V1, flags)},
	{.name = "window", .id = 2, .type = XTTYPE_UINT16, .flags = XTOPT_PUT,
	 XTOPT_POINTER(V1, synack_window)},
	{.name = "limit", .id = 3, .type = XTTYPE_UINT32, .flags = XTOPT_PUT,
	 XTOPT_POINTER(V1, limit)},
	{.name = "global", .id = 4, .type = XTTYPE_UINT32, .flags = XTOPT_PUT,
	 XTOPT_POINTER(V1, limit_global)},
	{.name = "reserved", .id = 5, .type = XTTYPE_UINT32, .flags = XTOPT_PUT,
	 XTOPT_POINTER(V1, reserved)},
	XTOPT_TABLEEND,
};
#undef V1

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

static struct xtables_target v1_target = {
	.family        = NFPROTO_UNSPEC,
	.name          = "TARPIT",
	.revision      = 1,
	.version       = XTABLES_VERSION,
	.size          = XT_ALIGN(sizeof(struct xt_tarpit_tginfo_v1)),
	.userspacesize = XT_ALIGN(sizeof(struct xt_tarpit_tginfo_v1)),
	.x6_parse      = xtables_option_parse,
	.x6_options    = v1_opts,
};

static void __attribute__((constructor)) variant_register(void)
{
	const char *v1 = getenv("XT_TARPIT_DOUBLE_V1");

	if (v1 != NULL && strcmp(v1, "1") == 0)
		xtables_register_target(&v1_target);
	else
		xtables_register_target(&variant_target);
}
