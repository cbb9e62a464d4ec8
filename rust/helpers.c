// SPDX-License-Identifier: GPL-2.0
/*
 * Symbols for the `static inline` kernel functions xt_TARPIT's Rust code
 * calls, in the manner of the kernel's own rust/helpers/; four of them run a
 * fixed sequence in one call for the fast path. No decisions here.
 *
 * Where a kernel line changes one of these functions, the helper tests
 * LINUX_VERSION_CODE (<linux/version.h>) right here, and the change is
 * listed with the Rust ones in Kbuild's kernel-version seam; the Rust code
 * keeps calling the one helper. So far every helper is the same on every
 * line the module builds for.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/netfilter/x_tables.h>
#include <linux/skbuff.h>
#include <linux/percpu.h>
#include <linux/proc_fs.h>
#include <linux/seq_file_net.h>
#include <linux/siphash.h>
#include <net/dst.h>
#include <net/net_namespace.h>
#include <net/netns/generic.h>
#include <net/route.h>
#include <net/tcp.h>
#include <net/netfilter/nf_conntrack.h>
#include <linux/if_vlan.h>

#include "helpers.h"

void xt_tarpit_packet_facts(const struct sk_buff *skb,
			    const struct xt_action_param *par,
			    unsigned int net_id,
			    struct xt_tarpit_facts *facts)
{
	facts->net = xt_net(par);
	facts->net_state = net_generic(facts->net, net_id);
	facts->seconds = (u32)(jiffies / HZ);
	facts->targinfo = par->targinfo;
	facts->synack_window = READ_ONCE(xt_tarpit_param_synack_window);
	facts->validate_acks = READ_ONCE(xt_tarpit_param_validate_acks);
	facts->dst = skb_dst(skb);
	facts->hook = xt_hooknum(par);
	facts->len = skb->len;
	facts->family = xt_family(par);
	facts->pkt_type = skb->pkt_type;
}

const void *xt_tarpit_skb_header_pointer(const struct sk_buff *skb, int offset,
					 int len, void *buffer)
{
	return skb_header_pointer(skb, offset, len, buffer);
}

unsigned int xt_tarpit_rt_flags(const struct dst_entry *dst)
{
	return container_of(dst, struct rtable, dst)->rt_flags;
}

int xt_tarpit_ip4_dst_hoplimit(const struct dst_entry *dst)
{
	return ip4_dst_hoplimit(dst);
}

unsigned int xt_tarpit_skb_dst_mtu(const struct sk_buff *skb)
{
	return dst_mtu(skb_dst(skb));
}

struct sk_buff *xt_tarpit_alloc_reply(unsigned int headroom, unsigned int len,
				      unsigned int network_len,
				      struct dst_entry *dst, void **data)
{
	struct sk_buff *skb = alloc_skb(headroom + len, GFP_ATOMIC);

	if (!skb)
		return NULL;
	skb_reserve(skb, headroom);
	*data = skb_put(skb, len);
	skb_reset_network_header(skb);
	skb_set_transport_header(skb, network_len);
	skb_dst_set_noref(skb, dst);
	return skb;
}

int xt_tarpit_reuse_as_reply(struct sk_buff *skb, const void *headers,
			     unsigned int len, unsigned int network_len)
{
#if IS_ENABLED(CONFIG_NF_CONNTRACK)
	enum ip_conntrack_info ctinfo;
	struct nf_conn *ct;
#endif

	if (skb_shared(skb) || skb->len < len)
		return 1;
	if (!pskb_may_pull(skb, len) || skb_unclone(skb, GFP_ATOMIC) ||
	    pskb_trim(skb, len))
		return -ENOMEM;

	/* What the packet carried from its way in, and a fresh skb lacks. */
	skb_orphan(skb);
	memset(skb->cb, 0, sizeof(skb->cb));
	skb_gso_reset(skb);
	skb->ip_summed = CHECKSUM_NONE;
	skb->csum_valid = 0;
	skb->csum_level = 0;
	skb_set_delivery_time(skb, 0, SKB_CLOCK_REALTIME);
	skb->dev = NULL;
	skb->skb_iif = 0;
	skb->pkt_type = PACKET_HOST;
	skb->mark = 0;
	skb->priority = 0;
	skb->queue_mapping = 0;
	skb->ignore_df = 0;
	skb->encapsulation = 0;
	skb_clear_hash(skb);
	__vlan_hwaccel_clear_tag(skb);
	skb_ext_reset(skb);
	skb_reset_redirect(skb);
	nf_reset_trace(skb);
	ipvs_reset(skb);
#if defined(CONFIG_NET_RX_BUSY_POLL) || defined(CONFIG_XPS)
	skb->napi_id = 0;
#endif
#ifdef CONFIG_NETWORK_SECMARK
	skb->secmark = 0;
#endif
#ifdef CONFIG_NET_SWITCHDEV
	skb->offload_fwd_mark = 0;
	skb->offload_l3_fwd_mark = 0;
#endif
#ifdef CONFIG_SKB_DECRYPTED
	skb->decrypted = 0;
#endif
	skb_unset_mac_header(skb);
	skb->mac_len = 0;

	memcpy(skb->data, headers, len);
	skb_reset_network_header(skb);
	skb_set_transport_header(skb, network_len);

#if IS_ENABLED(CONFIG_NF_CONNTRACK)
	/*
	 * The packet's conntrack reference stays; it now describes the other
	 * direction, as nf_ct_attach() marks a fresh reply.
	 */
	ct = nf_ct_get(skb, &ctinfo);
	if (ct)
		nf_ct_set(skb, ct, CTINFO2DIR(ctinfo) == IP_CT_DIR_ORIGINAL ?
			  IP_CT_RELATED_REPLY : IP_CT_RELATED);
#endif
	return 0;
}

void xt_tarpit_kfree_skb(struct sk_buff *skb)
{
	kfree_skb(skb);
}

void xt_tarpit_pr_info_ratelimited(const char *msg)
{
	pr_info_ratelimited("%s\n", msg);
}

void *xt_tarpit_net_generic(const struct net *net, unsigned int id)
{
	return net_generic(net, id);
}

u64 __percpu *xt_tarpit_alloc_percpu_u64(unsigned int count)
{
	return __alloc_percpu(count * sizeof(u64), __alignof__(u64));
}

void xt_tarpit_percpu_inc(u64 __percpu *counters, unsigned int index)
{
	this_cpu_inc(counters[index]);
}

u64 xt_tarpit_percpu_sum(u64 __percpu *counters, unsigned int index)
{
	u64 sum = 0;
	int cpu;

	for_each_possible_cpu(cpu)
		sum += *per_cpu_ptr(counters + index, cpu);
	return sum;
}

void *xt_tarpit_proc_create(struct net *net, const char *name,
			    int (*show)(struct seq_file *, void *))
{
	return proc_create_net_single(name, 0444, net->proc_net, show, NULL);
}

void xt_tarpit_proc_remove(struct net *net, const char *name)
{
	remove_proc_entry(name, net->proc_net);
}

struct net *xt_tarpit_seq_file_net(struct seq_file *seq)
{
	return seq_file_single_net(seq);
}

u64 xt_tarpit_siphash(const void *data, size_t len, const u64 key[2])
{
	return siphash(data, len, (const siphash_key_t *)key);
}

void xt_tarpit_stack_shape(const struct sk_buff *skb, const struct net *net,
			   struct xt_tarpit_shape *shape)
{
	shape->mtu = skb->dev ? READ_ONCE(skb->dev->mtu) : 0;
	shape->rmem_default = READ_ONCE(net->ipv4.sysctl_tcp_rmem[1]);
	shape->rmem_largest = READ_ONCE(net->ipv4.sysctl_tcp_rmem[2]);
	shape->rmem_max = READ_ONCE(sysctl_rmem_max);
}

u32 xt_tarpit_tcp_clock_ms(void)
{
	return tcp_clock_ms();
}
