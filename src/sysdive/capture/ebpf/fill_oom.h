/* SPDX-License-Identifier: Apache-2.0 OR GPL-2.0-only */
/*
 * OOM kills as events. Self-contained (one tracepoint program), included by probe.bpf.c after
 * fill_proc.h (it uses kn_parent, mm_counter and the builder).
 *
 * sysdig 0.29.3 has no OOM event, so the kill is written as the one generic text event it
 * already knows and prints, PPME_NOTIFICATION_E: id "oomkill" and a desc of key=value pairs
 * (documented in sysdive.memory.oom, which parses it back). The event's thread is the victim,
 * so proc.* and container.* describe the process that was killed.
 *
 * tp_btf/mark_victim fires for every victim the kernel marks (also where it skips the kill
 * because the task is exiting anyway). It runs in the task whose allocation failed (the
 * trigger), but it does not see the kernel's oom_control, and on this kind of kernel neither
 * fentry nor kprobes are available to get it (fentry loads fail with EPERM, CONFIG_KPROBES is
 * off). So the memory cgroup whose limit fired is found the way an administrator would: walk
 * up from the trigger's memory cgroup to the first one with a finite limit that is (nearly)
 * full. None found means a global OOM (constraint=global).
 */

#define OOM_DESC_MAX 2048
#define OOM_PATH_DEPTH 6
#define OOM_MEMCG_DEPTH 8

/* "/a/b/c" of a kernfs node (a cgroup directory), root first; "/" for the root. Returns the
 * bytes written, without a NUL. */
static __always_inline __u32 oom_put_path(struct ev *e, __u32 at, struct kernfs_node *kn)
{
	const char *names[OOM_PATH_DEPTH];
	__u32 start = at;
	long n;

	for (int k = 0; k < OOM_PATH_DEPTH; k++) {
		names[k] = kn ? BPF_CORE_READ(kn, name) : NULL;
		kn = kn ? kn_parent(kn) : NULL;
		/* the root's parent is NULL: its own "" or "/" name is not a path component */
		if (!kn)
			names[k] = NULL;
	}
	for (int k = OOM_PATH_DEPTH - 1; k >= 0; k--) {
		if (!names[k])
			continue;
		*(e->b + ((e->off + at) & HALF_MASK)) = '/';
		n = bpf_probe_read_kernel_str(e->b + ((e->off + at + 1) & HALF_MASK), 256, names[k]);
		if (n > 1)
			at += n;
	}
	if (at == start) {
		*(e->b + ((e->off + at) & HALF_MASK)) = '/';
		at++;
	}
	return at - start;
}

static __always_inline __u32 oom_put_text(struct ev *e, __u32 at, const char *fmt, __u32 fmt_size,
					  __u64 *args, __u32 args_size)
{
	long n = bpf_snprintf((char *)e->b + ((e->off + at) & HALF_MASK), 512, fmt, args, args_size);

	return n > 1 ? (__u32)(n - 1) & 511 : 0;
}

SEC("tp_btf/mark_victim")
int BPF_PROG(mark_victim, struct task_struct *victim, uid_t uid)
{
	static const char fmt1[] = "victim_pid=%d victim_tid=%d victim_comm=%s trigger_pid=%d "
				   "trigger_tid=%d trigger_comm=%s uid=%u oom_score_adj=%d "
				   "total_vm_kb=%lu anon_rss_kb=%lu file_rss_kb=%lu shmem_rss_kb=%lu";
	static const char fmt2[] = " constraint=%s memcg_limit_kb=%lu memcg_usage_kb=%lu memcg=";
	static const char fmt3[] = " victim_cgroup=";
	struct task_struct *cur = bpf_get_current_task_btf();
	__u64 cur_id = bpf_get_current_pid_tgid();
	__u32 tid = (__u32)cur_id;
	struct mm_struct *mm = victim->mm;
	struct cgroup_subsys_state *css, *fired = NULL;
	__u64 args[12];
	__u32 at = 0;
	struct ev e;
	int memory_id;

	if (filter_tgid && victim->tgid != filter_tgid)
		return 0;
	if (!ev_begin(&e, PPME_NOTIFICATION_E, 2))
		return 0;
	*(__u64 *)(e.b + 18) = (__u32)victim->pid; /* the event belongs to the victim */
	__builtin_memcpy(e.b + (e.off & HALF_MASK), "oomkill", 8);
	ev_len(&e, 8);

	args[0] = victim->tgid;
	args[1] = victim->pid;
	args[2] = (__u64)victim->comm;
	args[3] = cur_id >> 32;
	args[4] = tid;
	args[5] = (__u64)cur->comm;
	args[6] = uid;
	args[7] = (__u64)(__s64)BPF_CORE_READ(victim, signal, oom_score_adj);
	args[8] = mm ? BPF_CORE_READ(mm, total_vm) << 2 : 0;
	args[9] = mm ? mm_counter(mm, MM_ANONPAGES) << 2 : 0;
	args[10] = mm ? mm_counter(mm, MM_FILEPAGES) << 2 : 0;
	args[11] = mm ? mm_counter(mm, MM_SHMEMPAGES) << 2 : 0;
	at += oom_put_text(&e, at, fmt1, sizeof(fmt1), args, sizeof(args));

	memory_id = bpf_core_enum_value_exists(enum cgroup_subsys_id, memory_cgrp_id) ?
		bpf_core_enum_value(enum cgroup_subsys_id, memory_cgrp_id) : -1;
	if (memory_id < 0 || memory_id >= 16)
		memory_id = -1;
	args[1] = args[2] = 0;
	if (memory_id >= 0) {
		css = BPF_CORE_READ(cur, cgroups, subsys[memory_id]);
		for (int k = 0; k < OOM_MEMCG_DEPTH && css; k++) {
			/* css is the first member of struct mem_cgroup */
			struct mem_cgroup *m = (void *)css - bpf_core_field_offset(struct mem_cgroup, css);
			__u64 max = BPF_CORE_READ(m, memory.max);
			__u64 usage = BPF_CORE_READ(m, memory.usage.counter);

			if (max < (1ULL << 40) && usage * 100 >= max * 99) {
				fired = css;
				args[1] = max << 2;
				args[2] = usage << 2;
				break;
			}
			css = BPF_CORE_READ(css, parent);
		}
	}
	args[0] = (__u64)(fired ? "memcg" : "global");
	at += oom_put_text(&e, at, fmt2, sizeof(fmt2), args, 3 * sizeof(__u64));
	if (fired)
		at += oom_put_path(&e, at, BPF_CORE_READ(fired, cgroup, kn)) & 1023;
	at += oom_put_text(&e, at, fmt3, sizeof(fmt3), args, 0);
	if (memory_id >= 0) {
		css = BPF_CORE_READ(victim, cgroups, subsys[memory_id]);
		if (css)
			at += oom_put_path(&e, at, BPF_CORE_READ(css, cgroup, kn)) & 1023;
	}
	*(e.b + ((e.off + at) & HALF_MASK)) = 0;
	ev_len(&e, (at + 1) & (OOM_DESC_MAX * 2 - 1));
	ev_submit(&e);
	return 0;
}
