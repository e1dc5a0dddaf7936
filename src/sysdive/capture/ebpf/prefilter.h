/* SPDX-License-Identifier: Apache-2.0 OR GPL-2.0-only */
/*
 * In-kernel pre-filters: which threads and which syscalls produce events at all.
 *
 *  - the consumer itself never (self_tgid), and -p's process only (filter_tgid, library use);
 *  - --pid/--comm (select_procs): only processes in the `selected` map (the given pids and,
 *    from sched_process_fork, every process they start) and threads whose comm is listed
 *    (their children are added to the map too, so a renamed child stays selected);
 *  - --cgroup/--container (n_cgroups): only threads whose cgroup, in one hierarchy, is one of
 *    the listed cgroups or below one. cgroup v2 is the task's default cgroup; on cgroup v1
 *    the hierarchy is named by its subsystem id (cgroup_ssid) and read through the task's
 *    css_set, because bpf_get_current_cgroup_id() only knows v2. Both compare kernfs node
 *    ids, which userspace sees as the cgroup directory's inode number;
 *  - -U (n_suppress): threads named so, and their descendants (the `suppressed` map, filled
 *    at fork), are skipped and counted, as libscap's suppressed tids do;
 *  - --syscalls (sc_filter): syscalls outside the sc_wanted bitmap are skipped in the
 *    dispatchers (the consumer always adds the ones the state engine needs).
 *
 * Every setting is in .rodata, which the verifier knows as constants: a filter that is off
 * is removed from the loaded program, so the hot path pays nothing for it.
 */

#define MAX_COMMS 8
#define MAX_CGROUPS 8
#define CGROUP_WALK 16  /* ancestors compared: cgroups nest far less deep */

const volatile __u32 select_procs = 0;
const volatile __u32 n_select_comm = 0;
const volatile __u64 select_comm[MAX_COMMS][2] = {};
const volatile __u32 n_cgroups = 0;
const volatile __s32 cgroup_ssid = -1;  /* -1: cgroup v2 */
const volatile __u64 cgroup_ids[MAX_CGROUPS] = {};
const volatile __u32 sc_filter = 0;
const volatile __u8 sc_wanted[SYSCALL_TABLE_SIZE / 8] = {};

/* tgids selected by --pid, and the processes they and --comm's threads started */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 32768);
	__type(key, __u32);
	__type(value, __u8);
} selected SEC(".maps");

/* Per-task cache of "is its tgid in `selected`": a task-storage lookup costs far less than a
 * hash lookup on every syscall. A task's answer never changes while it lives: userspace
 * fills `selected` before the syscall programs are attached, and afterwards only new
 * processes are added, at fork, before they have run (so before they have an answer). */
struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, __u8);
} selected_cache SEC(".maps");

#define SEL_YES 1
#define SEL_NO 2

static __always_inline bool in_selected(__u32 tgid)
{
	struct task_struct *t = bpf_get_current_task_btf();
	__u8 *v = bpf_task_storage_get(&selected_cache, t, 0, 0);
	bool yes;

	if (v)
		return *v == SEL_YES;
	yes = bpf_map_lookup_elem(&selected, &tgid) != NULL;
	v = bpf_task_storage_get(&selected_cache, t, 0, BPF_LOCAL_STORAGE_GET_F_CREATE);
	if (v)
		*v = yes ? SEL_YES : SEL_NO;
	return yes;
}

/* tids skipped because an ancestor's comm is listed by -U */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 32768);
	__type(key, __u32);
	__type(value, __u8);
} suppressed SEC(".maps");

static __always_inline bool comm_listed(const volatile __u64 (*list)[2], __u32 n, __u64 *comm)
{
	for (int k = 0; k < MAX_COMMS; k++) {
		if (k >= n)
			break;
		if (comm[0] == list[k][0] && comm[1] == list[k][1])
			return true;
	}
	return false;
}

/* kernfs_node.parent became __parent in Linux 6.15 (also used by fill_proc.h) */
struct kernfs_node___pre615 {
	struct kernfs_node *parent;
} __attribute__((preserve_access_index));

static __always_inline struct kernfs_node *kn_parent(struct kernfs_node *kn)
{
	if (bpf_core_field_exists(kn->__parent))
		return BPF_CORE_READ(kn, __parent);
	return BPF_CORE_READ((struct kernfs_node___pre615 *)kn, parent);
}

static __always_inline bool in_cgroups(void)
{
	struct task_struct *t = bpf_get_current_task_btf();
	struct css_set *cs = BPF_CORE_READ(t, cgroups);
	struct kernfs_node *kn;

	if (!cs)
		return false;
	if (cgroup_ssid < 0) {
		kn = BPF_CORE_READ(cs, dfl_cgrp, kn);
	} else {
		struct cgroup_subsys_state *css = NULL;
		__u32 slot = (__u32)cgroup_ssid;

		if (slot * sizeof(void *) >= bpf_core_field_size(struct css_set, subsys))
			return false;
		bpf_probe_read_kernel(&css, sizeof(css), (void *)cs +
				      bpf_core_field_offset(struct css_set, subsys) +
				      (slot & 63) * sizeof(void *));
		if (!css)
			return false;
		kn = BPF_CORE_READ(css, cgroup, kn);
	}
	for (int depth = 0; depth < CGROUP_WALK && kn; depth++) {
		__u64 id = BPF_CORE_READ(kn, id);

		for (int k = 0; k < MAX_CGROUPS; k++) {
			if (k >= n_cgroups)
				break;
			if (id == cgroup_ids[k])
				return true;
		}
		kn = kn_parent(kn);
	}
	return false;
}

/* Threads the probe does not trace. */
static __always_inline bool skip_thread(__u64 pid_tgid)
{
	__u32 tgid = pid_tgid >> 32;
	__u32 tid = (__u32)pid_tgid;
	__u64 comm[2] = {0, 0};
	bool have_comm = false;

	if (tgid == self_tgid)
		return true;
	if (filter_tgid && tgid != filter_tgid)
		return true;
	if (select_procs && !in_selected(tgid)) {
		if (!n_select_comm)
			return true;
		bpf_get_current_comm(comm, sizeof(comm));
		have_comm = true;
		if (!comm_listed(select_comm, n_select_comm, comm))
			return true;
	}
	if (n_cgroups && !in_cgroups())
		return true;
	if (n_suppress) {
		if (!have_comm)
			bpf_get_current_comm(comm, sizeof(comm));
		if (comm_listed(suppress_comm, n_suppress, comm) ||
		    bpf_map_lookup_elem(&suppressed, &tid)) {
			COUNT(suppressed);
			return true;
		}
	}
	return false;
}

static __always_inline bool skip_current(void)
{
	struct task_struct *t;

	if (skip_thread(bpf_get_current_pid_tgid()))
		return true;
	/* 32-bit syscalls use another numbering; the 0.29.3 probe skips them too. */
	t = bpf_get_current_task_btf();
	return (t->thread_info.status & L_TS_COMPAT) != 0;
}

static __always_inline bool syscall_skipped(long id)
{
	return sc_filter && !(sc_wanted[(id >> 3) & (SYSCALL_TABLE_SIZE / 8 - 1)] & (1 << (id & 7)));
}

/* A new task inherits its creator's selection and suppression (runs in the creator). */
SEC("tp_btf/sched_process_fork")
int BPF_PROG(sched_process_fork, struct task_struct *parent, struct task_struct *child)
{
	__u64 comm[2] = {0, 0};
	__u8 one = 1;

	if (!select_procs && !n_suppress)
		return 0;
	bpf_get_current_comm(comm, sizeof(comm));
	if (select_procs) {
		__u32 ptgid = parent->tgid, ctgid = child->tgid;

		if (ctgid != ptgid && (bpf_map_lookup_elem(&selected, &ptgid) ||
				       comm_listed(select_comm, n_select_comm, comm)))
			bpf_map_update_elem(&selected, &ctgid, &one, BPF_ANY);
	}
	if (n_suppress) {
		__u32 ptid = parent->pid, ctid = child->pid;

		if (bpf_map_lookup_elem(&suppressed, &ptid) ||
		    comm_listed(suppress_comm, n_suppress, comm))
			bpf_map_update_elem(&suppressed, &ctid, &one, BPF_ANY);
	}
	return 0;
}

/* After a thread's procexit: forget it (and its process, once the last thread is gone). */
static __always_inline void prefilter_exit(struct task_struct *t, __u64 pid_tgid)
{
	if (n_suppress) {
		__u32 tid = (__u32)pid_tgid;

		bpf_map_delete_elem(&suppressed, &tid);
	}
	if (select_procs && BPF_CORE_READ(t, signal, live.counter) == 0) {
		__u32 tgid = pid_tgid >> 32;

		bpf_map_delete_elem(&selected, &tgid);
	}
}
