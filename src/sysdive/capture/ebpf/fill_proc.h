/* SPDX-License-Identifier: Apache-2.0 OR GPL-2.0-only */
/*
 * Fillers for process lifecycle: clone/fork/vfork/clone3 (exit in parent and child), execve,
 * and procexit from sched_process_exit. Included by probe.bpf.c only.
 */

#define ARGS_MAX 4096        /* args and env are cut here, like SCAP_MAX_ARGS_SIZE */
#define ARGV_ITEMS_MAX 16    /* failed execve: argv/envp pointers walked */
#define CGROUP_DEPTH 6       /* path components per cgroup */
#define CGROUP_NAME_MAX 256

/* The number of a struct pid in the namespace at `level` (its own innermost level for v*id). */
static __always_inline __s64 pid_nr_at(struct pid *p, __u32 level)
{
	int nr = 0;
	void *u;

	if (!p)
		return 0;
	u = (void *)p + bpf_core_field_offset(struct pid, numbers) +
	    (level & 31) * bpf_core_type_size(struct upid);
	bpf_probe_read_kernel(&nr, sizeof(nr), u + bpf_core_field_offset(struct upid, nr));
	return nr;
}

static __always_inline __u32 task_ns_level(struct task_struct *t)
{
	return BPF_CORE_READ(t, thread_pid, level);
}

/* The pid namespace the task lives in (the innermost one of its pid). */
static __always_inline struct pid_namespace *task_pid_ns(struct task_struct *t)
{
	struct pid *p = t->thread_pid;
	struct pid_namespace *ns = NULL;
	void *u;

	if (!p)
		return NULL;
	u = (void *)p + bpf_core_field_offset(struct pid, numbers) +
	    (BPF_CORE_READ(p, level) & 31) * bpf_core_type_size(struct upid);
	bpf_probe_read_kernel(&ns, sizeof(ns), u + bpf_core_field_offset(struct upid, ns));
	return ns;
}

/* A pid as seen from the task's own pid namespace (vtid, vpid, pgid). */
static __always_inline __s64 task_vnr(struct task_struct *t, struct pid *p)
{
	return pid_nr_at(p, task_ns_level(t));
}

/*
 * A NUL-separated list from user memory [start, end) (argv or environ of the current mm),
 * cut at ARGS_MAX with the last byte forced to NUL. Returns the bytes written at the cursor.
 */
static __always_inline __u32 put_user_block(struct ev *e, __u64 start, __u64 end)
{
	__u64 len = end > start ? end - start : 0;
	__u8 *d = ev_cursor(e);

	if (len > ARGS_MAX)
		len = ARGS_MAX;
	if (!len)
		return 0;
	if (bpf_probe_read_user(d, len & (ARGS_MAX * 2 - 1), (void *)start)) {
		count_copy_fail(e);
		return 0;
	}
	d[(len - 1) & (ARGS_MAX * 2 - 1)] = 0;
	return (__u32)len;
}

/* The same list gathered from a user array of string pointers (argv/envp of a failed execve). */
static __always_inline __u32 put_user_strv(struct ev *e, __u64 uvec)
{
	__u32 total = 0;

	if (!uvec)
		return 0;
	for (int j = 0; j < ARGV_ITEMS_MAX; j++) {
		const char *s = NULL;
		long n;

		if (bpf_probe_read_user(&s, sizeof(s), (void *)(uvec + j * sizeof(s))) || !s)
			break;
		if (total >= ARGS_MAX)
			break;
		n = bpf_probe_read_user_str(e->b + ((e->off + total) & HALF_MASK), ARGS_MAX, s);
		if (n <= 0)
			break;
		total += n;
	}
	if (total > ARGS_MAX) {
		total = ARGS_MAX;
		*(e->b + ((e->off + total - 1) & HALF_MASK)) = 0;
	}
	return total;
}

/* exe and args params from one argv block at the cursor: exe is the first string. */
static __always_inline void ev_exe_args(struct ev *e, __u32 len)
{
	__u8 *d = ev_cursor(e);
	long exe_len;

	if (!len) {
		ev_empty_str(e); /* exe */
		ev_len(e, 0);    /* args */
		return;
	}
	/* strlen+1 of the first string, read in place */
	exe_len = bpf_probe_read_kernel_str(d, len & (ARGS_MAX * 2 - 1), d);
	if (exe_len <= 0)
		exe_len = len;
	ev_len(e, exe_len);
	ev_len(e, len - exe_len);
}

/* Append "subsys=/path\0" for one controller; returns the new length of the cgroups param.
 * Written with one branch per path component: the verifier explores every combination of
 * branches, and a branchier version exceeded its 1M-instruction budget. */
static __always_inline __u32 put_cgroup(struct ev *e, __u32 at, struct task_struct *t, int id)
{
	struct cgroup_subsys_state *css = BPF_CORE_READ(t, cgroups, subsys[id]);
	const char *names[CGROUP_DEPTH];
	struct kernfs_node *kn;
	__u32 start;
	long n;

	if (!css)
		return at;
	n = bpf_probe_read_kernel_str(e->b + ((e->off + at) & HALF_MASK), CGROUP_NAME_MAX,
				      BPF_CORE_READ(css, ss, name));
	if (n <= 0)
		return at;
	at += n - 1;
	*(e->b + ((e->off + at) & HALF_MASK)) = '=';
	at++;
	/* leaf first; reads through a NULL node fail and leave NULL, which ends the path */
	kn = BPF_CORE_READ(css, cgroup, kn);
	for (int k = 0; k < CGROUP_DEPTH; k++) {
		names[k] = BPF_CORE_READ(kn, name);
		kn = kn_parent(kn);
	}
	/* root first; the root's own name is "" and adds nothing */
	start = at;
	for (int k = CGROUP_DEPTH - 1; k >= 0; k--) {
		*(e->b + ((e->off + at) & HALF_MASK)) = '/';
		n = bpf_probe_read_kernel_str(e->b + ((e->off + at + 1) & HALF_MASK),
					      CGROUP_NAME_MAX, names[k]);
		if (n > 1)
			at += n; /* '/' + name without its NUL */
	}
	if (at == start) {
		*(e->b + ((e->off + at) & HALF_MASK)) = '/';
		at++;
	}
	*(e->b + ((e->off + at) & HALF_MASK)) = 0;
	return at + 1;
}

/* The controllers the 0.29.3 probe reports, in its order; -1 where this kernel lacks one. */
static __always_inline int cgroup_subsys(__u32 i)
{
	switch (i) {
	case 0:
		return bpf_core_enum_value_exists(enum cgroup_subsys_id, cpuset_cgrp_id) ?
			bpf_core_enum_value(enum cgroup_subsys_id, cpuset_cgrp_id) : -1;
	case 1:
		return bpf_core_enum_value_exists(enum cgroup_subsys_id, cpu_cgrp_id) ?
			bpf_core_enum_value(enum cgroup_subsys_id, cpu_cgrp_id) : -1;
	case 2:
		return bpf_core_enum_value_exists(enum cgroup_subsys_id, cpuacct_cgrp_id) ?
			bpf_core_enum_value(enum cgroup_subsys_id, cpuacct_cgrp_id) : -1;
	case 3:
		return bpf_core_enum_value_exists(enum cgroup_subsys_id, io_cgrp_id) ?
			bpf_core_enum_value(enum cgroup_subsys_id, io_cgrp_id) : -1;
	default:
		return bpf_core_enum_value_exists(enum cgroup_subsys_id, memory_cgrp_id) ?
			bpf_core_enum_value(enum cgroup_subsys_id, memory_cgrp_id) : -1;
	}
}

struct cgroup_walk {
	struct ev *e;
	struct task_struct *t;
	__u32 *at; /* in map memory, see ev_cgroups */
};

static long cgroup_step(__u32 i, struct cgroup_walk *w)
{
	int id = cgroup_subsys(i);

	if (id >= 0 && id < 16)
		*w->at = put_cgroup(w->e, *w->at, w->t, id) & 0x3FFF;
	return 0;
}

/*
 * The cgroups param. Two things keep this within the verifier's budget: bpf_loop, so one
 * controller's walk is checked instead of five inline copies, and keeping the running length
 * in map memory, which the verifier treats as an unknown number, so the states of the
 * path-building branches compare equal and get pruned instead of multiplying.
 */
static __always_inline void ev_cgroups(struct ev *e, struct task_struct *t)
{
	struct tmp_area *tmp = tmp_get();
	struct cgroup_walk w = {.e = e, .t = t};

	if (!tmp) {
		ev_len(e, 0);
		return;
	}
	tmp->cg_len = 0;
	w.at = &tmp->cg_len;
	bpf_loop(5, cgroup_step, &w, 0);
	ev_len(e, tmp->cg_len & 0x3FFF);
}

/*
 * The params clone and execve exits share (res, exe, args, tid, pid, ptid, cwd, fdlimit,
 * pgft_maj, pgft_min, vm_size, vm_rss, vm_swap, comm, cgroups). cwd is written empty, as the
 * 0.29.3 BPF probe does: sysdig takes the cwd from the parent (clone) or keeps it (execve).
 */
static __always_inline void ev_proc_common(struct ev *e, struct pt_regs *regs, long ret,
					   int argv_arg /* of a failed exec; -1: clone */)
{
	struct task_struct *t = bpf_get_current_task_btf();
	struct mm_struct *mm = t->mm;
	__u32 len = 0;

	ev_u64(e, ret);
	if (ret >= 0 && mm)
		len = put_user_block(e, BPF_CORE_READ(mm, arg_start), BPF_CORE_READ(mm, arg_end));
	else if (argv_arg >= 0)
		len = put_user_strv(e, sc_arg(regs, argv_arg));
	ev_exe_args(e, len);
	ev_u64(e, t->pid);
	ev_u64(e, t->tgid);
	ev_u64(e, BPF_CORE_READ(t, real_parent, pid));
	ev_empty_str(e); /* cwd */
	ev_u64(e, BPF_CORE_READ(t, signal, rlim[L_RLIMIT_NOFILE].rlim_cur));
	ev_u64(e, t->maj_flt);
	ev_u64(e, t->min_flt);
	ev_vm(e, t);
	ev_kernel_str(e, t->comm, sizeof(t->comm));
	ev_cgroups(e, t);
}

/* ---- clone family ------------------------------------------------------------------------------ */
ENTER(clone) { return empty_event(PPME_SYSCALL_CLONE_20_E); }
ENTER(fork) { return empty_event(PPME_SYSCALL_FORK_20_E); }
ENTER(vfork) { return empty_event(PPME_SYSCALL_VFORK_20_E); }
ENTER(clone3) { return empty_event(PPME_SYSCALL_CLONE3_E); }

#define PPM_CL_CHILD_IN_PIDNS (1U << 29) /* not in the schema's flag table: never printed */

/* PPME_SYSCALL_CLONE_20_X and siblings: common params, flags, uid, gid, vtid, vpid.
 * Emitted by the parent (res = child tid) and by the child (res = 0). */
static __always_inline int clone_exit(struct pt_regs *regs, long ret, __u16 type, __u64 lflags)
{
	struct task_struct *t = bpf_get_current_task_btf();
	struct ev e;
	__u32 flags = clone_flags_to_ppm(lflags);

	if (!ev_begin(&e, type, 20))
		return 0;
	ev_proc_common(&e, regs, ret, -1);
	/* the child lives in another pid namespace than the host's view of the caller */
	if (task_ns_level(t) != 0 ||
	    BPF_CORE_READ(t, nsproxy, pid_ns_for_children) != task_pid_ns(t))
		flags |= PPM_CL_CHILD_IN_PIDNS;
	ev_u32(&e, flags);
	ev_u32(&e, BPF_CORE_READ(t, cred, euid.val));
	ev_u32(&e, BPF_CORE_READ(t, cred, egid.val));
	ev_u64(&e, task_vnr(t, t->thread_pid));
	ev_u64(&e, task_vnr(t, BPF_CORE_READ(t, group_leader, thread_pid)));
	ev_submit(&e);
	return 0;
}

EXIT(clone) { return clone_exit(regs, ret, PPME_SYSCALL_CLONE_20_X, sc_arg(regs, 0)); }
/* fork and vfork take no flags; 0.29.3 records 0 for them */
EXIT(fork) { return clone_exit(regs, ret, PPME_SYSCALL_FORK_20_X, 0); }
EXIT(vfork) { return clone_exit(regs, ret, PPME_SYSCALL_VFORK_20_X, 0); }

EXIT(clone3)
{
	struct clone_args args = {};

	bpf_probe_read_user(&args, sizeof(args.flags), (void *)sc_arg(regs, 0));
	return clone_exit(regs, ret, PPME_SYSCALL_CLONE3_X, args.flags);
}

/* ---- execve ------------------------------------------------------------------------------------ */
/* PPME_SYSCALL_EXECVE_19_E: filename ("<NA>" when unreadable, as 0.29.3's probe writes) */
ENTER(execve)
{
	struct ev e;
	long n;

	if (!ev_begin(&e, PPME_SYSCALL_EXECVE_19_E, 1))
		return 0;
	n = bpf_probe_read_user_str(ev_cursor(&e), PATH_MAX_READ, (void *)sc_arg(regs, 0));
	if (n <= 0) {
		__builtin_memcpy(ev_cursor(&e), "<NA>", 5);
		n = 5;
	}
	ev_len(&e, n);
	ev_submit(&e);
	return 0;
}

/* The controlling terminal as a device number (0 when none), as in /proc/PID/stat. */
static __always_inline __s32 task_tty(struct task_struct *t)
{
	struct tty_struct *tty = BPF_CORE_READ(t, signal, tty);
	__u32 major, minor;

	if (!tty)
		return 0;
	major = BPF_CORE_READ(tty, driver, major);
	minor = BPF_CORE_READ(tty, driver, minor_start) + BPF_CORE_READ(tty, index);
	return (minor & 0xff) | (major << 8) | ((minor & ~0xffU) << 12);
}

/*
 * Whether the new executable is writable by the process: owner, then group/other mode bits,
 * then CAP_DAC_OVERRIDE/CAP_FOWNER. Simplified next to 0.29.3: supplementary groups and user
 * namespace mappings are not consulted.
 */
static __always_inline bool exe_writable(struct task_struct *t)
{
	struct file *exe = BPF_CORE_READ(t, mm, exe_file);
	struct inode *ino;
	__u32 fsuid, fsgid, iuid, igid;
	umode_t mode;
	__u64 caps;

	if (!exe)
		return false;
	ino = BPF_CORE_READ(exe, f_inode);
	mode = BPF_CORE_READ(ino, i_mode);
	if ((BPF_CORE_READ(ino, i_sb, s_flags) & L_SB_RDONLY) &&
	    ((mode & L_S_IFMT) == L_S_IFREG || (mode & L_S_IFMT) == L_S_IFDIR ||
	     (mode & L_S_IFMT) == L_S_IFLNK))
		return false;
	if (BPF_CORE_READ(ino, i_flags) & L_S_IMMUTABLE)
		return false;
	fsuid = BPF_CORE_READ(t, cred, fsuid.val);
	fsgid = BPF_CORE_READ(t, cred, fsgid.val);
	iuid = BPF_CORE_READ(ino, i_uid.val);
	igid = BPF_CORE_READ(ino, i_gid.val);
	if (iuid == (__u32)-1 || igid == (__u32)-1)
		return false;
	if (fsuid == iuid)
		return true;
	if (igid == fsgid)
		mode >>= 3;
	if (mode & L_MAY_WRITE)
		return true;
	caps = BPF_CORE_READ(t, cred, cap_effective.val);
	return (caps & (1ULL << L_CAP_DAC_OVERRIDE)) || (caps & (1ULL << L_CAP_FOWNER));
}

/* PPME_SYSCALL_EXECVE_19_X / EXECVEAT_X: common params, env, tty, pgid, loginuid, flags.
 * argv_arg is where the failed call's argv is (envp follows it). */
static __always_inline int execve_exit(struct pt_regs *regs, long ret, __u16 type, int argv_arg)
{
	struct task_struct *t = bpf_get_current_task_btf();
	struct mm_struct *mm = t->mm;
	struct ev e;
	__u32 len = 0;
	__s32 loginuid = -1;

	if (!ev_begin(&e, type, 20))
		return 0;
	ev_proc_common(&e, regs, ret, argv_arg);
	if (ret >= 0 && mm)
		len = put_user_block(&e, BPF_CORE_READ(mm, env_start), BPF_CORE_READ(mm, env_end));
	else if (ret < 0)
		len = put_user_strv(&e, sc_arg(regs, argv_arg + 1));
	ev_len(&e, len);
	ev_u32(&e, task_tty(t));
	ev_u64(&e, task_vnr(t, BPF_CORE_READ(t, signal, pids[PIDTYPE_PGID])));
	if (bpf_core_field_exists(t->loginuid))
		loginuid = BPF_CORE_READ(t, loginuid.val);
	ev_u32(&e, loginuid);
	ev_u32(&e, exe_writable(t) ? PPM_EXE_WRITABLE : 0);
	ev_submit(&e);
	return 0;
}

EXIT(execve) { return execve_exit(regs, ret, PPME_SYSCALL_EXECVE_19_X, 1); }
EXIT(execveat) { return execve_exit(regs, ret, PPME_SYSCALL_EXECVEAT_X, 2); }

/* PPME_SYSCALL_EXECVEAT_E: dirfd, pathname, flags (AT_EMPTY_PATH -> 1, AT_SYMLINK_NOFOLLOW -> 2) */
ENTER(execveat)
{
	struct ev e;
	__u64 f = sc_arg(regs, 4);

	if (!ev_begin(&e, PPME_SYSCALL_EXECVEAT_E, 3))
		return 0;
	ev_u64(&e, dirfd_to_ppm(sc_arg(regs, 0)));
	ev_user_str(&e, (void *)sc_arg(regs, 1), PATH_MAX_READ);
	ev_u32(&e, ((f & L_AT_EMPTY_PATH) ? 1 : 0) | ((f & L_AT_SYMLINK_NOFOLLOW) ? 2 : 0));
	ev_submit(&e);
	return 0;
}

/* ---- procexit ------------------------------------------------------------------------------------ */
/* PPME_PROCEXIT_1_E: status, ret, sig, core, from the exit code do_exit() stored */
SEC("tp_btf/sched_process_exit")
int BPF_PROG(sched_process_exit, struct task_struct *p)
{
	struct task_struct *t = bpf_get_current_task_btf();
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	struct ev e;
	int code;

	if (t->flags & L_PF_KTHREAD)
		return 0;
	if (!skip_thread(pid_tgid) && ev_begin_fixed(&e, PPME_PROCEXIT_1_E, 4, FIXED_SIZE(4, 18))) {
		code = t->exit_code;
		ev_u64(&e, code);
		ev_u64(&e, (code >> 8) & 0xff);
		/* signalled: low 7 bits are a signal number (not 0, not 0x7f: stopped) */
		ev_u8(&e, ((code & 0x7f) != 0 && (code & 0x7f) != 0x7f) ? (code & 0x7f) : 0);
		ev_u8(&e, (code & 0x80) != 0);
		ev_submit_fixed(&e);
	}
	prefilter_exit(t, pid_tgid);
	return 0;
}
