/* counters.c: summing per-worker counters into one snapshot. */
#include <string.h>
#include "vmastress/counters.h"

static const char *const op_names[VS_OP_COUNT] = {"mmap", "mprotect", "munmap"};

const char *vs_op_name(enum vs_op op)
{
	return (unsigned)op < VS_OP_COUNT ? op_names[op] : "?";
}

void vs_counters_sum(struct vs_totals *t, struct vs_counters *const *c, unsigned n)
{
	memset(t, 0, sizeof(*t));
	for (unsigned w = 0; w < n; w++) {
		struct vs_counters *k = c[w];

		for (int op = 0; op < VS_OP_COUNT; op++) {
			t->ops[op] += vs_counter_get(&k->ops[op]);
			t->enomem_map_count[op] += vs_counter_get(&k->enomem_map_count[op]);
			t->enomem_memory[op] += vs_counter_get(&k->enomem_memory[op]);
			uint64_t first = vs_counter_get(&k->first_enomem_ns[op]);
			if (first && (!t->first_enomem_ns[op] || first < t->first_enomem_ns[op]))
				t->first_enomem_ns[op] = first;
			for (int e = 0; e < VS_ERRNO_SLOTS; e++)
				t->failures[op][e] += vs_counter_get(&k->failures[op][e]);
		}
		t->punches += vs_counter_get(&k->punches);
		t->mappings += vs_counter_get(&k->mappings);
		t->mapped_bytes += vs_counter_get(&k->mapped_bytes);
		t->leaked_mappings += vs_counter_get(&k->leaked_mappings);
		t->leaked_bytes += vs_counter_get(&k->leaked_bytes);
		t->reclaimed_mappings += vs_counter_get(&k->reclaimed_mappings);
		t->reclaimed_bytes += vs_counter_get(&k->reclaimed_bytes);
		t->touched_pages += vs_counter_get(&k->touched_pages);
		t->vmas_created += vs_counter_get(&k->vmas_created);
		t->table_full += vs_counter_get(&k->table_full);
		t->idle += vs_counter_get(&k->idle);
		t->progress += vs_counter_get(&k->progress);
		/* Order-independent combination: one worker's hash is itself. */
		t->sequence ^= vs_counter_get(&k->sequence);
		t->events_dropped += vs_counter_get(&k->events_dropped);
	}
}
