/* counters.c: summing per-worker counters into one snapshot; the latency
 * histograms' quantiles. */
#include <string.h>
#include "vmastress/calls/counters.h"

#define NAME(id, name) name,
static const char *const op_names[VS_OP_COUNT] = {VS_OPS(NAME)};
static const char *const cause_names[VS_CAUSE_COUNT] = {VS_ENOMEM_CAUSES(NAME)};
static const char *const lat_names[VS_LAT_KIND_COUNT] = {VS_LAT_KINDS(NAME)};
static const char *const band_names[VS_FILL_COUNT] = {VS_FILL_BANDS(NAME)};

const char *vs_lat_kind_name(enum vs_lat_kind kind)
{
	return (unsigned)kind < VS_LAT_KIND_COUNT ? lat_names[kind] : "?";
}

const char *vs_fill_band_name(enum vs_fill_band band)
{
	return (unsigned)band < VS_FILL_COUNT ? band_names[band] : "?";
}

const char *vs_op_name(enum vs_op op)
{
	return (unsigned)op < VS_OP_COUNT ? op_names[op] : "?";
}

const char *vs_enomem_cause_name(enum vs_enomem_cause cause)
{
	return (unsigned)cause < VS_CAUSE_COUNT ? cause_names[cause] : "?";
}

/* Order-independent combination for XOR rows: one worker's hash is itself. */
#define SUM_SUM(f) t->f += vs_counter_get(&k->f);
#define SUM_XOR(f) t->f ^= vs_counter_get(&k->f);
#define SUM_SNAP(f)
#define SUM_ROW(f, src, ...) SUM_##src(f)

static void sum_array(uint64_t *t, _Atomic uint64_t *k, size_t n)
{
	for (size_t i = 0; i < n; i++)
		t[i] += vs_counter_get(&k[i]);
}

void vs_counters_sum(struct vs_totals *t, struct vs_counters *const *c, unsigned n)
{
	memset(t, 0, sizeof(*t));
	for (unsigned w = 0; w < n; w++) {
		struct vs_counters *k = c[w];

		VS_STATS(SUM_ROW)
		sum_array(t->ops, k->ops, VS_OP_COUNT);
		sum_array(&t->failures[0][0], &k->failures[0][0], VS_OP_COUNT * VS_ERRNO_SLOTS);
		sum_array(&t->enomem[0][0], &k->enomem[0][0], VS_CAUSE_COUNT * VS_OP_COUNT);
		sum_array(t->call_failures, k->call_failures, VS_CALLS_MAX);
		sum_array(&t->lat[0][0][0], &k->lat[0][0][0],
			  VS_LAT_ROWS * VS_FILL_COUNT * (VS_LAT_BUCKETS + 1));
		sum_array(&t->lat_sum_ns[0][0], &k->lat_sum_ns[0][0], VS_LAT_ROWS * VS_FILL_COUNT);
		for (int i = 0; i < VS_LAT_ROWS; i++)
			for (int j = 0; j < VS_FILL_COUNT; j++) {
				uint64_t m = vs_counter_get(&k->lat_max_ns[i][j]);
				if (m > t->lat_max_ns[i][j])
					t->lat_max_ns[i][j] = m;
			}
		uint64_t ff = vs_counter_get(&k->first_failure_ns);
		if (ff && (!t->first_failure_ns || ff < t->first_failure_ns)) {
			t->first_failure_ns = ff;
			t->first_failure_vmas = vs_counter_get(&k->first_failure_vmas);
			t->first_failure_call = vs_counter_get(&k->first_failure_call);
		}
		for (int op = 0; op < VS_OP_COUNT; op++) {
			uint64_t first = vs_counter_get(&k->first_enomem_ns[op]);
			if (first && (!t->first_enomem_ns[op] || first < t->first_enomem_ns[op]))
				t->first_enomem_ns[op] = first;
		}
	}
}

double vs_lat_quantile(const uint64_t b[VS_LAT_BUCKETS + 1], uint64_t max_ns, double q)
{
	uint64_t n = 0, seen = 0;

	for (int i = 0; i <= VS_LAT_BUCKETS; i++)
		n += b[i];
	if (!n)
		return -1;
	for (int i = 0; i < VS_LAT_BUCKETS; i++) {
		seen += b[i];
		if ((double)seen >= q * (double)n) {
			double bound = (double)((uint64_t)VS_LAT_FIRST_NS << i);
			/* never past the largest seen: the bucket's bound is an upper one */
			return (bound < (double)max_ns ? bound : (double)max_ns) / 1e9;
		}
	}
	return (double)max_ns / 1e9;
}
