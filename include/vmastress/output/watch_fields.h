/* watch_fields.h: every field of the watch's stats JSON and every metric of its own, once:
 * X(id, JSON path, kind, metric, help), in the JSON's order (output/fields.h says
 * what each column is). The series both daemons write (build_info, vma_limit,
 * start_time_seconds, textfile_failing) are stats.h's shared rows; the raise's are
 * raise/fields.h's. */
#pragma once
#include "vmastress/output/fields.h"

#define VS_WATCH_FIELDS(X)                                                                         \
	X(version, "version", string, NULL, "The daemon's version.")                               \
	X(pid, "pid", number, NULL, "The daemon's pid.")                                           \
	X(mode, "mode", string, NULL, "\"watch\": this daemon watches the host.")                  \
	X(uptime_seconds, "uptime_seconds", number, NULL, "Seconds since the daemon started.")     \
	X(max_map_count, "max_map_count", number, NULL, "vm.max_map_count as last read.")          \
	X(watch, "watch", object, NULL, "The last scan, the catch and what they found.")           \
	X(interval_seconds, "watch.interval_seconds", number, NULL, "watch.interval.")             \
	X(top_n, "watch.top_n", number, NULL, "watch.top: the processes listed.")                  \
	X(scans, "watch.scans", counter, "watch_scans_total", "Scans of every process's VMAs.")    \
	X(scanned_at, "watch.scanned_at", number, NULL,                                            \
	  "When the last scan ended, seconds since the epoch.")                                    \
	X(scan_seconds, "watch.scan_seconds", gauge, "watch_scan_seconds",                         \
	  "Duration of the last scan.")                                                            \
	X(processes, "watch.processes", gauge, "watch_processes",                                  \
	  "Processes counted by the last scan.")                                                   \
	X(map_count, "watch.map_count", gauge, "watch_vmas",                                       \
	  "VMAs of every process counted, in all.")                                                \
	X(vmas, "watch.vmas", number, NULL, "map_count's old name, served for this release.")      \
	X(skipped, "watch.skipped", gauge, "watch_skipped",                                        \
	  "Processes the last scan could not count, by reason.")                                   \
	X(above, "watch.above", gauge, "watch_processes_above",                                    \
	  "Processes at or above a threshold (percent) of vm.max_map_count.")                      \
	X(sysctl, "watch.sysctl", object, NULL, "Where vm.max_map_count comes from.")              \
	X(sysctl_value, "watch.sysctl.value", number, NULL, "The running value.")                  \
	X(sysctl_source, "watch.sysctl.source", string, NULL,                                      \
	  "The sysctl.d file whose line wins; null: none.")                                        \
	X(sysctl_source_value, "watch.sysctl.source_value", gauge, "watch_sysctl_source_value",    \
	  "vm.max_map_count as the sysctl.d file that wins sets it.")                              \
	X(sysctl_sources, "watch.sysctl.sources", array, NULL,                                     \
	  "Every sysctl.d file that sets vm.max_map_count, in the order systemd-sysctl applies "   \
	  "them (masked ones too, where they would have been).")                                   \
	X(src_path, "watch.sysctl.sources[].path", string, NULL, "The file.")                      \
	X(src_value, "watch.sysctl.sources[].value", number, NULL,                                 \
	  "What its last line sets; null: not a number.")                                          \
	X(src_masked, "watch.sysctl.sources[].masked", bool, NULL,                                 \
	  "A file of its name in a higher directory masks it: not applied.")                       \
	X(src_masked_by, "watch.sysctl.sources[].masked_by", string, NULL,                         \
	  "That file; null: not masked.")                                                          \
	X(src_package, "watch.sysctl.sources[].package", string, NULL,                             \
	  "The package that owns it (dpkg's lists, or rpm); null: none.")                          \
	X(sysctl_more, "watch.sysctl.more_sources", number, NULL,                                  \
	  "Files that set it beyond the 16 listed.")                                               \
	X(sysctl_winner, "watch.sysctl.winner", string, NULL,                                      \
	  "The file that sets the boot value (the last applied); null: none, the kernel's "        \
	  "default.")                                                                              \
	X(sysctl_running_matches, "watch.sysctl.running_matches", bool, NULL,                      \
	  "The running value is the winner's (or the kernel's default): false after a sysctl -w "  \
	  "or a raise since boot.")                                                                \
	X(sysctl_lowers, "watch.sysctl.lowers", gauge, "watch_sysctl_lowers",                      \
	  "1 (true): the winning sysctl.d file sets less than an earlier file or the kernel's "    \
	  "default (65530) set.")                                                                  \
	X(lowered_from, "watch.sysctl.lowered_from", object, NULL,                                 \
	  "The highest value it lowers, and who set it; null: it does not lower.")                 \
	X(lowered_from_path, "watch.sysctl.lowered_from.path", string, NULL,                       \
	  "The file; null: the kernel's default.")                                                 \
	X(lowered_from_value, "watch.sysctl.lowered_from.value", number, NULL, "Its value.")       \
	X(crossings_suppressed, "watch.crossings_suppressed", number, NULL,                        \
	  "Threshold crossings not logged (at most 10 a scan).")                                   \
	X(warn_within, "watch.warn_within_seconds", number, NULL,                                  \
	  "watch.warn_within: a journal entry when a process's time to the limit falls within.")   \
	X(foreseen_at, "watch.foreseen_at", number, NULL,                                          \
	  "When the forecast last counted (between scans with bpf), seconds since the epoch.")     \
	X(forecast_overflow, "watch.forecast_overflow", number, NULL,                              \
	  "Processes above the forecast's floor it could not follow (its table full).")            \
	X(soon, "watch.soon", array, NULL,                                                         \
	  "The climbing processes with the least time to the limit, the soonest first (at most "   \
	  "watch.top).")                                                                           \
	X(soon_pid, "watch.soon[].pid", number, NULL, "Its pid.")                                  \
	X(soon_comm, "watch.soon[].comm", string, NULL, "Its command.")                            \
	X(soon_unit, "watch.soon[].unit", string, NULL, "Its systemd unit (or container).")        \
	X(soon_workload, "watch.soon[].workload", object, NULL, "Its workload.")                   \
	X(soon_wl_kind, "watch.soon[].workload.kind", string, NULL, "Its kind.")                   \
	X(soon_wl_name, "watch.soon[].workload.name", string, NULL, "Its name.")                   \
	X(soon_wl_named, "watch.soon[].workload.named", bool, NULL, "Named or not.")               \
	X(soon_wl_why, "watch.soon[].workload.why", string, NULL, "Why not named.")                \
	X(soon_map_count, "watch.soon[].map_count", number, NULL, "VMAs it holds.")                \
	X(soon_fill, "watch.soon[].fill", number, NULL, "Its share of the limit.")                 \
	X(soon_rate, "watch.soon[].rate_per_s", number, NULL, "Its climb, VMAs a second.")         \
	X(soon_to_limit, "watch.soon[].seconds_to_limit", gauge, "process_seconds_to_limit",       \
	  "Seconds until the process reaches vm.max_map_count at its climb: the climbing "         \
	  "processes with the least (watch.top of them).")                                         \
	X(soon_to_ceiling, "watch.soon[].seconds_to_ceiling", number, NULL,                        \
	  "And until raise.ceiling (the limit, when that is higher).")                             \
	X(top, "watch.top", array, NULL, "The processes with the most VMAs, most first.")          \
	X(top_pid, "watch.top[].pid", number, NULL, "Its pid.")                                    \
	X(top_comm, "watch.top[].comm", string, NULL, "Its command.")                              \
	X(top_unit, "watch.top[].unit", string, NULL, "Its systemd unit (or container).")          \
	X(top_workload, "watch.top[].workload", object, NULL, "Its workload.")                     \
	X(top_wl_kind, "watch.top[].workload.kind", string, NULL, "unit, container, pod or host.") \
	X(top_wl_name, "watch.top[].workload.name", string, NULL,                                  \
	  "elasticsearch.service, podman:es-data-0, pod:NAMESPACE/POD/CONTAINER or host.")         \
	X(top_wl_named, "watch.top[].workload.named", bool, NULL,                                  \
	  "false: a container's short id, its name not found.")                                    \
	X(top_wl_why, "watch.top[].workload.why", string, NULL, "Why not named; null: named.")     \
	X(top_map_count, "watch.top[].map_count", gauge, "watch_top_vmas",                         \
	  "VMAs of the processes with the most (watch.top of them); load=\"true\": a "             \
	  "vmastress load daemon, near the limit on purpose.")                                     \
	X(top_vmas, "watch.top[].vmas", number, NULL, "map_count's old name, for this release.")   \
	X(top_fill, "watch.top[].fill", number, NULL, "Its share of the limit.")                   \
	X(top_load, "watch.top[].load", bool, NULL, "A vmastress load daemon.")                    \
	X(top_peak, "watch.top[].peak", gauge, "watch_peak_vmas",                                  \
	  "The most VMAs each listed process held (the kernel's high-water mark between "          \
	  "scans with bpf).")                                                                      \
	X(top_peak_at, "watch.top[].peak_at", number, NULL, "When, seconds since the epoch.")      \
	X(top_rate, "watch.top[].rate_per_s", number, NULL,                                        \
	  "Its climb, VMAs a second (the short window; the long one for a slow leak); null: "      \
	  "not followed by the forecast (below a 64th of the limit).")                             \
	X(top_to_limit, "watch.top[].seconds_to_limit", number, NULL,                              \
	  "Seconds until it reaches the limit at that climb; null: flat or falling.")              \
	X(top_to_ceiling, "watch.top[].seconds_to_ceiling", number, NULL,                          \
	  "And until raise.ceiling (the limit, when that is higher); null: flat or falling.")      \
	X(backend, "watch.backend", gauge, "watch_backend",                                        \
	  "1 for the backend the watch runs on: bpf (the kernel's counts, every refused "          \
	  "call caught) or proc (the /proc scan).")                                                \
	X(backend_reason, "watch.backend_reason", string, NULL, "Why not bpf; null when it is.")   \
	X(attach, "watch.attach", string, NULL, "fexit or raw_tp; null without bpf.")              \
	X(catch_mode, "watch.catch_mode", string, NULL, "watch.catch as it runs; null: no bpf.")   \
	X(catch_attached, "watch.catch_attached", gauge, "watch_catch_attached",                   \
	  "1 while the catch's exit hook is attached (watch.catch = near on a tracepoint: only "   \
	  "while a process is near the limit; fexit: always).")                                    \
	X(catch, "watch.catch", object, NULL, "What the catch caught.")                            \
	X(dropped, "watch.catch.dropped", counter, "watch_events_dropped_total",                   \
	  "Refused calls whose details the ring buffer had no room for (still counted).")          \
	X(journal_dropped, "watch.catch.journal_dropped", number, NULL,                            \
	  "Entries not written to the journal (its rate limit).")                                  \
	X(hits, "watch.catch.hits", counter, "watch_limit_hits_total",                             \
	  "Calls the VMA limit refused, host-wide, by call and unit (the first units seen; "       \
	  "the rest as other).")                                                                   \
	X(other_enomem, "watch.catch.other_enomem", counter, "watch_other_enomem_total",           \
	  "Calls that failed with ENOMEM for another reason than the VMA limit.")                  \
	X(recent, "watch.catch.recent", array, NULL, "The last refused calls, oldest first.")      \
	X(recent_time, "watch.catch.recent[].time", number, NULL,                                  \
	  "When, seconds since the epoch.")                                                        \
	X(recent_pid, "watch.catch.recent[].pid", number, NULL, "Its process.")                    \
	X(recent_tid, "watch.catch.recent[].tid", number, NULL, "Its thread.")                     \
	X(recent_comm, "watch.catch.recent[].comm", string, NULL, "Its command.")                  \
	X(recent_unit, "watch.catch.recent[].unit", string, NULL, "Its unit.")                     \
	X(recent_workload, "watch.catch.recent[].workload", object, NULL, "Its workload.")         \
	X(recent_wl_kind, "watch.catch.recent[].workload.kind", string, NULL, "Its kind.")         \
	X(recent_wl_name, "watch.catch.recent[].workload.name", string, NULL, "Its name.")         \
	X(recent_wl_named, "watch.catch.recent[].workload.named", bool, NULL, "Named or not.")     \
	X(recent_wl_why, "watch.catch.recent[].workload.why", string, NULL, "Why not named.")      \
	X(recent_call, "watch.catch.recent[].call", string, NULL, "The call refused.")             \
	X(recent_errno, "watch.catch.recent[].errno", string, NULL, "Its errno.")                  \
	X(recent_map_count, "watch.catch.recent[].map_count", number, NULL, "VMAs it held.")       \
	X(recent_limit, "watch.catch.recent[].limit", number, NULL, "The limit then.")             \
	X(outputs, "outputs", object, NULL, "The textfile's state.")                               \
	X(textfile_failures, "outputs.textfile_failures", number, NULL, "Writes that failed.")     \
	X(textfile_failing, "outputs.textfile_failing", bool, NULL, "The last write failed.")      \
	X(textfile_error, "outputs.textfile_error", string, NULL, "Why.")                          \
	X(advice, "advice", object, NULL, "The limit to set, from the highest peak kept.")         \
	X(advice_limit, "advice.limit", number, NULL, "The running limit.")                        \
	X(advice_source, "advice.source", string, NULL, "The sysctl.d file that sets it.")         \
	X(peak, "advice.peak", object, NULL, "The highest peak kept; null: none.")                 \
	X(peak_map_count, "advice.peak.map_count", number, NULL, "Its VMAs.")                      \
	X(peak_vmas, "advice.peak.vmas", number, NULL, "map_count's old name, for this release.")  \
	X(peak_unit, "advice.peak.unit", string, NULL, "Its workload's key (was: its unit).")      \
	X(peak_workload, "advice.peak.workload", object, NULL, "Its workload.")                    \
	X(peak_wl_kind, "advice.peak.workload.kind", string, NULL, "Its kind.")                    \
	X(peak_wl_name, "advice.peak.workload.name", string, NULL, "Its key: a pod's owner.")      \
	X(peak_comm, "advice.peak.comm", string, NULL, "Its command.")                             \
	X(peak_pid, "advice.peak.pid", number, NULL, "Its pid.")                                   \
	X(peak_at, "advice.peak.at", number, NULL, "When, seconds since the epoch.")               \
	X(peak_shape, "advice.peak.shape", string, NULL, "The shape its mappings were judged.")    \
	X(peak_scans80, "advice.peak.scans80", number, NULL, "Scans that saw it at 80 %.")         \
	X(peak_scans95, "advice.peak.scans95", number, NULL, "Scans that saw it at 95 %.")         \
	X(peak_rate, "advice.peak.rate_per_s", number, NULL,                                       \
	  "The fastest climb the forecast measured of its workload, VMAs a second; null: none.")   \
	X(advice_hits, "advice.hits", number, NULL, "Refused calls in the peaks kept.")            \
	X(window_seconds, "advice.window_seconds", number, NULL, "How long the peaks cover.")      \
	X(headroom, "advice.headroom", number, NULL, "The peak's multiplier.")                     \
	X(recommended_limit, "advice.recommended_limit", gauge, "advice_recommended_limit",        \
	  "vm.max_map_count to set: the highest peak kept times 2, rounded up to 65530 or "        \
	  "a power of two, never below the running limit.")                                        \
	X(recommended_kernel_bytes, "advice.recommended_kernel_bytes", number, NULL,               \
	  "Kernel memory one process at that limit may pin.")                                      \
	X(recommended_lasts, "advice.recommended_lasts_seconds", number, NULL,                     \
	  "How long the recommended limit would last from the peak at that climb; null: no "       \
	  "climb measured.")                                                                       \
	X(advice_bytes_per_vma, "advice.bytes_per_vma", number, NULL, "The kernel's, per VMA.")    \
	X(dropin, "advice.dropin", string, NULL, "The sysctl.d drop-in to write.")                 \
	X(dropin_path, "advice.dropin_path", string, NULL,                                         \
	  "Where to write the drop-in: a name that sorts after every file that sets the limit.")   \
	X(dropin_after, "advice.dropin_after", string, NULL,                                       \
	  "The file it must sort after (the winner); null: none sets it.")                         \
	X(confirm_command, "advice.confirm_command", string, NULL, "The load test that confirms.") \
	X(advice_shape, "advice.shape", string, NULL, "The peak's shape, or the guess.")           \
	X(shape_advice, "advice.shape_advice", string, NULL, "What that shape's programs can do.") \
	X(workloads, "advice.workloads", array, NULL,                                              \
	  "Each workload's peak kept and the limit it needs, highest first.")                      \
	X(wls_kind, "advice.workloads[].kind", string, NULL, "Its kind.")                          \
	X(wls_name, "advice.workloads[].name", string, NULL, "Its key (a pod: its owner).")        \
	X(wls_map_count, "advice.workloads[].map_count", number, NULL, "Its peak.")                \
	X(wls_pid, "advice.workloads[].pid", number, NULL, "The process that set it.")             \
	X(wls_comm, "advice.workloads[].comm", string, NULL, "Its command.")                       \
	X(wls_at, "advice.workloads[].at", number, NULL, "When, seconds since the epoch.")         \
	X(wls_rate, "advice.workloads[].rate_per_s", number, NULL,                                 \
	  "The fastest climb the forecast measured of it, VMAs a second; null: none.")             \
	X(wls_limit, "advice.workloads[].recommended_limit", number, NULL,                         \
	  "The limit this workload needs (its peak times the headroom, rounded up).")              \
	X(set_by, "advice.set_by", object, NULL,                                                   \
	  "The workload whose peak sets recommended_limit; null: none kept.")                      \
	X(set_by_kind, "advice.set_by.kind", string, NULL, "Its kind.")                            \
	X(set_by_name, "advice.set_by.name", string, NULL, "Its key.")                             \
	X(unit_peak, NULL, gauge, "unit_peak_vmas",                                                \
	  "The highest VMA count kept per unit (or command outside units), the first "             \
	  "16 by peak (workload_peak_vmas' old name, served for this release).")                   \
	X(workload_peak, NULL, gauge, "workload_peak_vmas",                                        \
	  "The highest VMA count kept per workload, the first watch.workloads by peak; the "       \
	  "rest as workload=\"other\" (the highest of them).")                                     \
	X(workload_vmas, NULL, gauge, "workload_vmas",                                             \
	  "VMAs of each workload's listed processes now, the first watch.workloads by VMAs; "      \
	  "the rest summed as workload=\"other\".")

#define VS_WATCH_FIELD_ENUM(id, json, kind, metric, help) VS_WF_##id,
enum vs_watch_field { VS_WATCH_FIELDS(VS_WATCH_FIELD_ENUM) VS_WF_COUNT };
extern const struct vs_field vs_watch_fields[VS_WF_COUNT];
