/* fields.h: every field of the raise policy's stats ("raise", and its part of
 * "advice") and every metric of its own, once: X(id, JSON path, kind, metric, help)
 * (output/fields.h says what each column is). */
#pragma once
#include "vmastress/output/fields.h"

#define VS_RAISE_FIELDS(X)                                                                         \
	X(raise, "raise", object, NULL, "The raise policy (raise.*).")                             \
	X(enabled, "raise.enabled", gauge, "raise_enabled",                                        \
	  "1 while the raise policy is armed (raise.enabled, not stopped or refused)")             \
	X(dry_run, "raise.dry_run", bool, NULL, "raise.dry_run.")                                  \
	X(state, "raise.state", string, NULL, "armed, off, stopped or no_permission.")             \
	X(trigger, "raise.trigger", string, NULL, "bpf (every hooked call) or scan.")              \
	X(reason, "raise.reason", string, NULL, "Why not armed; null when armed.")                 \
	X(scope, "raise.for", string, NULL, "raise.for: the workloads raised for; \"*\": any.")    \
	X(at, "raise.at", number, NULL, "raise.at, a share of the limit.")                         \
	X(trigger_at, "raise.trigger_at", number, NULL, "The VMA count that triggers; 0: none.")   \
	X(ceiling, "raise.ceiling", number, NULL, "raise.ceiling.")                                \
	X(kernel_budget_bytes, "raise.kernel_budget_bytes", number, NULL,                          \
	  "Kernel memory one process at the new limit may pin.")                                   \
	X(bytes_per_vma, "raise.bytes_per_vma", number, NULL, "The kernel's, per VMA.")            \
	X(found, "raise.found", number, NULL, "The limit at start.")                               \
	X(limit, "raise.limit", gauge, "raise_limit",                                              \
	  "vm.max_map_count as the policy last read or wrote it")                                  \
	X(raised, "raise.raised", counter, "raise_total",                                           \
	  "raises of vm.max_map_count by the policy (dry-run: the raises it would make), by "      \
	  "what triggered them")                                                                   \
	X(refused, "raise.refused", counter, "raise_refused_total",                                 \
	  "steps the policy did not take: raise.kernel_budget, raise.ceiling, no permission "      \
	  "to write the sysctl, or a workload not in raise.for (scope)")                           \
	X(refusal, "raise.refusal", string, NULL, "The last refused step, said; null: none.")      \
	X(raises, "raise.raises", array, NULL, "The last raises and refusals, oldest first.")      \
	X(rec_time, "raise.raises[].time", number, NULL, "When, seconds since the epoch.")         \
	X(rec_pid, "raise.raises[].pid", number, NULL, "The process that triggered.")              \
	X(rec_comm, "raise.raises[].comm", string, NULL, "Its command.")                           \
	X(rec_unit, "raise.raises[].unit", string, NULL, "Its unit.")                              \
	X(rec_workload, "raise.raises[].workload", object, NULL, "Its workload.")                  \
	X(rec_wl_kind, "raise.raises[].workload.kind", string, NULL, "Its kind.")                  \
	X(rec_wl_name, "raise.raises[].workload.name", string, NULL, "Its name.")                  \
	X(rec_map_count, "raise.raises[].map_count", number, NULL, "Its VMAs.")                    \
	X(rec_from, "raise.raises[].from", number, NULL, "The limit before.")                      \
	X(rec_to, "raise.raises[].to", number, NULL, "The step.")                                  \
	X(rec_reason, "raise.raises[].reason", string, NULL, "fill or refusal.")                   \
	X(rec_result, "raise.raises[].result", string, NULL, "raised, dry_run or refused.")        \
	X(rec_refused, "raise.raises[].refused", string, NULL,                                     \
	  "Why refused (budget, ceiling, permission, scope); null: not.")                          \
	X(rec_reaction_ms, "raise.raises[].reaction_ms", number, NULL,                             \
	  "From the call to the new value written.")                                               \
	X(reaction, "raise.reaction_ms", histogram, "raise_reaction_seconds",                      \
	  "from the call that crossed raise.at (or was refused) to the new value written")         \
	X(reaction_p50, "raise.reaction_ms.p50", number, NULL, "Its median, ms.")                  \
	X(reaction_p99, "raise.reaction_ms.p99", number, NULL, "Its 99th percentile, ms.")         \
	X(reaction_max, "raise.reaction_ms.max", number, NULL, "Its longest, ms.")                 \
	X(reaction_count, "raise.reaction_ms.count", number, NULL, "Reactions measured.")          \
	X(advice_raised, "advice.raised", object, NULL, "What the policy raised; null: nothing.")  \
	X(advice_from, "advice.raised.from", number, NULL, "The limit found at start.")            \
	X(advice_to, "advice.raised.to", number, NULL, "The limit now.")                           \
	X(advice_raises, "advice.raised.raises", number, NULL, "Raises made.")                     \
	X(advice_refused, "advice.raise_refused", string, NULL,                                    \
	  "A raise the policy could not make, said; null: none.")

#define VS_RAISE_FIELD_ENUM(id, json, kind, metric, help) VS_RF_##id,
enum vs_raise_field { VS_RAISE_FIELDS(VS_RAISE_FIELD_ENUM) VS_RF_COUNT };
extern const struct vs_field vs_raise_fields[VS_RF_COUNT];
