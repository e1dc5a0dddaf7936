/* SPDX-License-Identifier: Apache-2.0 OR GPL-2.0-only */
/*
 * Helpers shared by the fillers: syscall arguments, Linux -> PPM flag conversions, and CO-RE
 * lookups of files, sockets and memory counters. Included by probe.bpf.c only.
 */

static __always_inline __u64 sc_arg(struct pt_regs *regs, int i)
{
	switch (i) {
	case 0: return regs->di;
	case 1: return regs->si;
	case 2: return regs->dx;
	case 3: return regs->r10;
	case 4: return regs->r8;
	default: return regs->r9;
	}
}

/* Linux -> PPM conversions: the bit values differ, the PPM ones are what sysdig decodes. */
static __always_inline __u32 open_flags_to_ppm(__u64 f)
{
	__u32 r = 0;

	switch (f & L_O_ACCMODE) {
	case L_O_WRONLY: r |= PPM_O_WRONLY; break;
	case L_O_RDWR: r |= PPM_O_RDWR; break;
	default: r |= PPM_O_RDONLY; break;
	}
	/* multi-bit constants are tested with "any bit set", as the 0.29.3 drivers do */
	if (f & L_O_CREAT) r |= PPM_O_CREAT;
	if (f & L_O_TMPFILE) r |= PPM_O_TMPFILE;
	if (f & L_O_APPEND) r |= PPM_O_APPEND;
	if (f & L_O_DSYNC) r |= PPM_O_DSYNC;
	if (f & L_O_EXCL) r |= PPM_O_EXCL;
	if (f & L_O_NONBLOCK) r |= PPM_O_NONBLOCK;
	if (f & L_O_SYNC) r |= PPM_O_SYNC;
	if (f & L_O_TRUNC) r |= PPM_O_TRUNC;
	if (f & L_O_DIRECT) r |= PPM_O_DIRECT;
	if (f & L_O_DIRECTORY) r |= PPM_O_DIRECTORY;
	if (f & L_O_LARGEFILE) r |= PPM_O_LARGEFILE;
	if (f & L_O_CLOEXEC) r |= PPM_O_CLOEXEC;
	return r;
}

/* The PPM_S_* bits equal the Linux mode bits; the mode only counts when a file is created. */
static __always_inline __u32 open_mode_to_ppm(__u64 flags, __u64 mode)
{
	if (!(flags & (L_O_CREAT | L_O_TMPFILE)))
		return 0;
	return (__u32)(mode & 07777);
}

static __always_inline __u32 prot_to_ppm(__u64 p)
{
	__u32 r = 0;

	if (p & L_PROT_READ) r |= PPM_PROT_READ;
	if (p & L_PROT_WRITE) r |= PPM_PROT_WRITE;
	if (p & L_PROT_EXEC) r |= PPM_PROT_EXEC;
	if (p & L_PROT_SEM) r |= PPM_PROT_SEM;
	if (p & L_PROT_GROWSDOWN) r |= PPM_PROT_GROWSDOWN;
	if (p & L_PROT_GROWSUP) r |= PPM_PROT_GROWSUP;
	return r;
}

static __always_inline __u32 mmap_flags_to_ppm(__u64 f)
{
	__u32 r = 0;

	if (f & L_MAP_SHARED) r |= PPM_MAP_SHARED;
	if (f & L_MAP_PRIVATE) r |= PPM_MAP_PRIVATE;
	if (f & L_MAP_FIXED) r |= PPM_MAP_FIXED;
	if (f & L_MAP_ANONYMOUS) r |= PPM_MAP_ANONYMOUS;
	if (f & L_MAP_32BIT) r |= PPM_MAP_32BIT;
	if (f & L_MAP_NORESERVE) r |= PPM_MAP_NORESERVE;
	if (f & L_MAP_POPULATE) r |= PPM_MAP_POPULATE;
	if (f & L_MAP_NONBLOCK) r |= PPM_MAP_NONBLOCK;
	if (f & L_MAP_GROWSDOWN) r |= PPM_MAP_GROWSDOWN;
	if (f & L_MAP_DENYWRITE) r |= PPM_MAP_DENYWRITE;
	if (f & L_MAP_EXECUTABLE) r |= PPM_MAP_EXECUTABLE;
	if (f & L_MAP_LOCKED) r |= PPM_MAP_LOCKED;
	return r;
}

static __always_inline __u32 clone_flags_to_ppm(__u64 f)
{
	__u32 r = 0;

	if (f & L_CLONE_FILES) r |= PPM_CL_CLONE_FILES;
	if (f & L_CLONE_FS) r |= PPM_CL_CLONE_FS;
	if (f & L_CLONE_IO) r |= PPM_CL_CLONE_IO;
	if (f & L_CLONE_NEWIPC) r |= PPM_CL_CLONE_NEWIPC;
	if (f & L_CLONE_NEWNET) r |= PPM_CL_CLONE_NEWNET;
	if (f & L_CLONE_NEWNS) r |= PPM_CL_CLONE_NEWNS;
	if (f & L_CLONE_NEWPID) r |= PPM_CL_CLONE_NEWPID;
	if (f & L_CLONE_NEWUTS) r |= PPM_CL_CLONE_NEWUTS;
	if (f & L_CLONE_PARENT_SETTID) r |= PPM_CL_CLONE_PARENT_SETTID;
	if (f & L_CLONE_PARENT) r |= PPM_CL_CLONE_PARENT;
	if (f & L_CLONE_PTRACE) r |= PPM_CL_CLONE_PTRACE;
	if (f & L_CLONE_SIGHAND) r |= PPM_CL_CLONE_SIGHAND;
	if (f & L_CLONE_SYSVSEM) r |= PPM_CL_CLONE_SYSVSEM;
	if (f & L_CLONE_THREAD) r |= PPM_CL_CLONE_THREAD;
	if (f & L_CLONE_UNTRACED) r |= PPM_CL_CLONE_UNTRACED;
	if (f & L_CLONE_VM) r |= PPM_CL_CLONE_VM;
	if (f & L_CLONE_NEWUSER) r |= PPM_CL_CLONE_NEWUSER;
	if (f & L_CLONE_CHILD_CLEARTID) r |= PPM_CL_CLONE_CHILD_CLEARTID;
	if (f & L_CLONE_CHILD_SETTID) r |= PPM_CL_CLONE_CHILD_SETTID;
	if (f & L_CLONE_SETTLS) r |= PPM_CL_CLONE_SETTLS;
	if (f & L_CLONE_VFORK) r |= PPM_CL_CLONE_VFORK;
	if (f & L_CLONE_NEWCGROUP) r |= PPM_CL_CLONE_NEWCGROUP;
	return r;
}

static __always_inline __u32 resolve_to_ppm(__u64 f)
{
	__u32 r = 0;

	if (f & L_RESOLVE_NO_XDEV) r |= PPM_RESOLVE_NO_XDEV;
	if (f & L_RESOLVE_NO_MAGICLINKS) r |= PPM_RESOLVE_NO_MAGICLINKS;
	if (f & L_RESOLVE_NO_SYMLINKS) r |= PPM_RESOLVE_NO_SYMLINKS;
	if (f & L_RESOLVE_BENEATH) r |= PPM_RESOLVE_BENEATH;
	if (f & L_RESOLVE_IN_ROOT) r |= PPM_RESOLVE_IN_ROOT;
	if (f & L_RESOLVE_CACHED) r |= PPM_RESOLVE_CACHED;
	return r;
}

static __always_inline __s64 dirfd_to_ppm(__u64 v)
{
	return (int)v == L_AT_FDCWD ? -100 : (__s64)v;
}

/* ---- task, file and socket lookups (CO-RE) ------------------------------------------------- */
static __always_inline struct file *fd_file(struct task_struct *t, __s64 fd)
{
	struct fdtable *fdt;
	struct file **fds;
	struct file *f = NULL;

	if (fd < 0)
		return NULL;
	fdt = BPF_CORE_READ(t, files, fdt);
	if (!fdt || fd >= BPF_CORE_READ(fdt, max_fds))
		return NULL;
	fds = BPF_CORE_READ(fdt, fd);
	bpf_probe_read_kernel(&f, sizeof(f), &fds[fd]);
	return f;
}

/* The socket behind an fd, recognised by its inode type (no socket_file_ops symbol needed). */
static __always_inline struct socket *fd_socket(struct task_struct *t, __s64 fd)
{
	struct file *f = fd_file(t, fd);
	umode_t mode;

	if (!f)
		return NULL;
	mode = BPF_CORE_READ(f, f_inode, i_mode);
	if ((mode & L_S_IFMT) != L_S_IFSOCK)
		return NULL;
	return BPF_CORE_READ(f, private_data);
}

/* The device of the file behind fd, encoded the way userspace sees st_dev. */
static __always_inline __u32 fd_dev(struct task_struct *t, __s64 fd)
{
	struct file *f = fd_file(t, fd);
	dev_t d;
	__u32 major, minor;

	if (!f)
		return 0;
	d = BPF_CORE_READ(f, f_inode, i_sb, s_dev);
	major = d >> 20;
	minor = d & ((1U << 20) - 1);
	return (minor & 0xff) | (major << 8) | ((minor & ~0xffU) << 12);
}

/* Page-count -> kB for the RSS counters. Kernels >= 6.2 keep them in percpu_counters whose
 * .count is the approximate total (what /proc reads too); older ones in atomic_long_t. */
struct mm_struct___pre62 {
	struct {
		atomic_long_t count[4];
	} rss_stat;
} __attribute__((preserve_access_index));

static __always_inline __u64 mm_counter(struct mm_struct *mm, int member)
{
	long v = 0;

	if (bpf_core_field_size(mm->rss_stat) == 4 * sizeof(atomic_long_t)) {
		struct mm_struct___pre62 *old = (void *)mm;
		bpf_probe_read_kernel(&v, sizeof(v), &old->rss_stat.count[member & 3]);
	} else {
		v = BPF_CORE_READ(mm, rss_stat[member & 3].count);
	}
	return v < 0 ? 0 : (__u64)v;
}

struct vm_counters {
	__u32 size_kb, rss_kb, swap_kb;
};

static __always_inline void mm_counters(struct task_struct *t, struct vm_counters *c)
{
	struct mm_struct *mm = t->mm;

	c->size_kb = c->rss_kb = c->swap_kb = 0;
	if (!mm)
		return;
	c->size_kb = BPF_CORE_READ(mm, total_vm) << 2;
	/* RSS as /proc/PID/status adds it up: file + anon + shmem pages (4 KiB each) */
	c->rss_kb = (mm_counter(mm, MM_FILEPAGES) + mm_counter(mm, MM_ANONPAGES) +
		     mm_counter(mm, MM_SHMEMPAGES)) << 2;
	c->swap_kb = mm_counter(mm, MM_SWAPENTS) << 2;
}

static __always_inline void ev_vm(struct ev *e, struct task_struct *t)
{
	struct vm_counters c;

	mm_counters(t, &c);
	ev_u32(e, c.size_kb);
	ev_u32(e, c.rss_kb);
	ev_u32(e, c.swap_kb);
}
