// SPDX-License-Identifier: GPL-2.0
/*
 * A QEMU TCG plugin that counts the guest instructions executed at each
 * translated block's start address: an exact instruction profile (with
 * -icount, what `make bench` measures), where perf's cpu-clock samples in
 * the guest are too few and lose our Rust frames' call chains.
 *
 * Usage: qemu-system-x86_64 ... -plugin insn_profile.so,out=FILE
 * At exit, FILE gets one line per block start address executed:
 *   <address, hex> <instructions executed there, decimal>
 * (blocks retranslated at the same address summed). Map the addresses to
 * symbols with the guest's /proc/kallsyms (scripts/insn-profile.py).
 *
 * A block's count is its executions times its length: a block left early
 * (an interrupt, an exception) counts whole, which does not matter at
 * the millions of executions a profile is about.
 *
 * The declarations below are the few of QEMU's plugin API (qemu-plugin.h,
 * QEMU_PLUGIN_VERSION 1, QEMU 7.2) this uses. Translation runs one block
 * at a time (with -icount, TCG runs its vCPUs in one thread).
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef uint64_t qemu_plugin_id_t;
struct qemu_info_t;
struct qemu_plugin_tb;
enum qemu_plugin_op { QEMU_PLUGIN_INLINE_ADD_U64 };
typedef void (*qemu_plugin_vcpu_tb_trans_cb_t)(qemu_plugin_id_t id,
					       struct qemu_plugin_tb *tb);
typedef void (*qemu_plugin_udata_cb_t)(qemu_plugin_id_t id, void *userdata);

void qemu_plugin_register_vcpu_tb_trans_cb(qemu_plugin_id_t id,
					   qemu_plugin_vcpu_tb_trans_cb_t cb);
size_t qemu_plugin_tb_n_insns(const struct qemu_plugin_tb *tb);
uint64_t qemu_plugin_tb_vaddr(const struct qemu_plugin_tb *tb);
void qemu_plugin_register_vcpu_tb_exec_inline(struct qemu_plugin_tb *tb,
					      enum qemu_plugin_op op,
					      void *ptr, uint64_t imm);
void qemu_plugin_register_atexit_cb(qemu_plugin_id_t id,
				    qemu_plugin_udata_cb_t cb, void *userdata);

__attribute__((visibility("default"))) int qemu_plugin_version = 1;

/* One translation of a block: where, how long, how often it ran. */
struct block {
	uint64_t vaddr;
	uint64_t n_insns;
	uint64_t executions;
};

/* Translations, in chunks that never move (QEMU holds pointers into them). */
#define CHUNK 65536
static struct block **chunks;
static size_t n_chunks, n_blocks;
static char *out_path;

static struct block *new_block(void)
{
	if (n_blocks == n_chunks * CHUNK) {
		struct block **grown = realloc(chunks, (n_chunks + 1) * sizeof(*chunks));

		if (!grown)
			return NULL;
		chunks = grown;
		chunks[n_chunks] = calloc(CHUNK, sizeof(struct block));
		if (!chunks[n_chunks])
			return NULL;
		n_chunks++;
	}
	n_blocks++;
	return &chunks[(n_blocks - 1) / CHUNK][(n_blocks - 1) % CHUNK];
}

static void translated(qemu_plugin_id_t id, struct qemu_plugin_tb *tb)
{
	struct block *block = new_block();

	(void)id;
	if (!block)
		return;
	block->vaddr = qemu_plugin_tb_vaddr(tb);
	block->n_insns = qemu_plugin_tb_n_insns(tb);
	qemu_plugin_register_vcpu_tb_exec_inline(tb, QEMU_PLUGIN_INLINE_ADD_U64,
						 &block->executions, 1);
}

static int by_vaddr(const void *a, const void *b)
{
	const struct block *x = a, *y = b;

	return x->vaddr < y->vaddr ? -1 : x->vaddr > y->vaddr;
}

static void finished(qemu_plugin_id_t id, void *userdata)
{
	struct block *all = malloc((n_blocks ? n_blocks : 1) * sizeof(*all));
	FILE *out = fopen(out_path, "w");
	size_t i;

	(void)id;
	(void)userdata;
	if (!all || !out) {
		fprintf(stderr, "insn_profile: %s\n",
			out ? "out of memory" : "cannot write the output file");
		if (out)
			fclose(out);
		free(all);
		return;
	}
	for (i = 0; i < n_blocks; i++)
		all[i] = chunks[i / CHUNK][i % CHUNK];
	qsort(all, n_blocks, sizeof(*all), by_vaddr);
	for (i = 0; i < n_blocks;) {
		uint64_t vaddr = all[i].vaddr, insns = 0;

		for (; i < n_blocks && all[i].vaddr == vaddr; i++)
			insns += all[i].executions * all[i].n_insns;
		if (insns)
			fprintf(out, "%" PRIx64 " %" PRIu64 "\n", vaddr, insns);
	}
	fclose(out);
	free(all);
}

__attribute__((visibility("default")))
int qemu_plugin_install(qemu_plugin_id_t id, const struct qemu_info_t *info,
			int argc, char **argv)
{
	int i;

	(void)info;
	for (i = 0; i < argc; i++)
		if (!strncmp(argv[i], "out=", 4))
			out_path = strdup(argv[i] + 4);
	if (!out_path) {
		fprintf(stderr, "insn_profile: usage: -plugin insn_profile.so,out=FILE\n");
		return -1;
	}
	qemu_plugin_register_vcpu_tb_trans_cb(id, translated);
	qemu_plugin_register_atexit_cb(id, finished, NULL);
	return 0;
}
