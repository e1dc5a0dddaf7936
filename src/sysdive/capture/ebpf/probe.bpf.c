// SPDX-License-Identifier: Apache-2.0 OR GPL-2.0-only
/*
 * sysdive live-capture probe: system calls as scap event blocks.
 *
 * Every record this program puts into the ring buffer is one complete scap v2 event block
 * (block type 0x216, length, cpu id, 26-byte event header, u16 param lengths, params, padding,
 * trailer) using the ids and param layouts of the sysdig 0.29.3 event table. The consumer
 * therefore writes ring records to the capture file without decoding them.
 *
 * Layout of the program:
 *  - tp_btf/sys_enter and tp_btf/sys_exit dispatch on the syscall number: a tail call into the
 *    per-syscall filler when there is one (prog arrays enter_progs/exit_progs), otherwise the
 *    generic event (PPME_GENERIC_E/X, carrying the PPM_SC id from the sc_ppm table that the
 *    loader fills from sysdive.schema).
 *  - tp_btf/sched_process_exit emits procexit.
 * Tail calls keep each filler a separately verified program, so adding fillers does not make
 * the verifier's job (or load time) grow with the product of their branches.
 *
 * Events are assembled in a per-CPU scratch buffer and copied into one ring buffer shared by
 * all CPUs. A shared ring keeps every thread's events in order (a thread runs on one CPU at a
 * time and its enter program finishes before its exit program starts), so the consumer needs
 * no per-event merge. Syscall tracepoints run BPF with preemption disabled (kernel >= 6.13;
 * older kernels with CONFIG_PREEMPT_NONE likewise), so the per-CPU scratch is never shared by
 * two events at once.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>

#include "linux_defs.h"
#include "schema_ids.h"

/* The helpers used (probe_read_user and friends) are GPL-only, so the object as loaded is
 * GPL-licensed; the source is also available under Apache-2.0 like the rest of sysdive. */
char LICENSE[] SEC("license") = "GPL";

#ifndef SYSDIVE_SOURCE_HASH
#define SYSDIVE_SOURCE_HASH "unknown"
#endif
/* Checked by the tests against the sources, so a stale shipped object is caught. */
const char sysdive_source[] SEC("sysdive_meta") = "sysdive-src-sha256:" SYSDIVE_SOURCE_HASH;

#define SYSCALL_TABLE_SIZE 512

/* ---- settings, fixed at load time (.rodata) ---------------------------------------------- */
const volatile __u32 self_tgid = 0;      /* the consumer never traces itself */
const volatile __u32 filter_tgid = 0;    /* 0: every process */
const volatile __u32 snaplen = 80;       /* bytes of I/O buffers copied */
const volatile __u64 boot_to_epoch_ns = 0; /* epoch time of CLOCK_BOOTTIME 0 */
const volatile __u16 sc_ppm[SYSCALL_TABLE_SIZE] = {}; /* native nr -> PPM_SC id */

/* ---- maps ----------------------------------------------------------------------------------- */
struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 64 << 20); /* the loader sets the real size */
} ring SEC(".maps");

/* Per-CPU counters, read by the consumer; the layout is mirrored in loader.py. */
/* Per-CPU counters of what went wrong, read by the consumer (layout mirrored in loader.py).
 * Successful events are counted by the consumer, so the fast path touches no counter. */
struct stats {
	__u64 drop_full;  /* ring had no room: the event is lost */
	__u64 copy_fail;  /* a param could not be read: the event carries it empty */
	__u64 truncated;  /* a variable param was cut to keep the event under 64 KiB */
	__u64 bad_size;   /* a fixed-size event did not match its reservation (a probe bug) */
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct stats);
} counters SEC(".maps");

/* Scratch: 64 KiB for the event plus 64 KiB so that any masked offset + masked length stays in
 * the value (the verifier proves bounds from the masks, not from our clamping). An ARRAY indexed
 * by CPU, because per-CPU values are limited to 32 KiB. The loader sets max_entries = #CPUs. */
#define SCRATCH_SIZE (1 << 17)
#define HALF_MASK 0xFFFF
#define EVT_MAX 65000 /* param bytes stop here: block stays below sysdig's 64 KiB read buffer */

struct scratch {
	__u8 buf[SCRATCH_SIZE];
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct scratch);
} scratch_map SEC(".maps");

/* Small per-CPU area for values fetched before they are written (sockaddrs, iovecs). */
struct tmp_area {
	__u8 addr[128];  /* a user sockaddr, at most sizeof(struct sockaddr_storage) */
	__u8 local[128]; /* the socket's own address */
	__u8 peer[128];  /* the socket's peer address */
	struct iovec iov[32];
	__u32 cg_len;    /* running length of the cgroups param (fill_proc.h) */
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct tmp_area);
} tmp_map SEC(".maps");

/* ---- event builder ---------------------------------------------------------------------------
 * Offsets inside a block: 0 type, 4 total length, 8 cpu, 10 event header (ts 10, tid 18, len 26,
 * type 30, nparams 32), 36 param lengths, then params. Stores at odd offsets are fine: map values
 * are not checked for alignment on x86 (efficient unaligned access), and the copy into the ring
 * is a memcpy. */
/* Mask a value in a way the compiler cannot drop, so the verifier sees the bound even where
 * clang has proven it already (it then removes plain masks and the verifier loses track). */
#define VERIFIER_MASK(var, mask) asm volatile("%[v] &= " #mask : [v] "+r"(var))

#define EV_V2_BLOCK 0x216
#define EVT_OFF 10
#define LENS_OFF 36

struct ev {
	__u8 *b;       /* scratch buffer, or the ring record itself (fixed-size events) */
	__u32 off;     /* next param byte */
	__u32 arg;     /* params written */
	__u32 nparams;
	__u32 reserved; /* ring record size when b is a reservation, else 0 */
	bool tail_zeroed; /* the bytes after the last param are already zero (ev_small_data) */
};

static __always_inline struct stats *stats_get(void)
{
	__u32 zero = 0;
	return bpf_map_lookup_elem(&counters, &zero);
}

#define COUNT(field)                               \
	do {                                       \
		struct stats *st__ = stats_get();  \
		if (st__)                          \
			st__->field++;             \
	} while (0)

static __always_inline void count_copy_fail(struct ev *e)
{
	COUNT(copy_fail);
}

static __always_inline __u64 now_epoch_ns(void)
{
	return bpf_ktime_get_boot_ns() + boot_to_epoch_ns;
}

static __always_inline void ev_header(struct ev *e, __u16 type, __u32 nparams, __u32 cpu)
{
	e->arg = 0;
	e->nparams = nparams;
	e->off = LENS_OFF + 2 * nparams;
	*(__u32 *)(e->b + 0) = EV_V2_BLOCK;
	*(__u16 *)(e->b + 8) = (__u16)cpu;
	*(__u64 *)(e->b + 10) = now_epoch_ns();
	*(__u64 *)(e->b + 18) = (__u32)bpf_get_current_pid_tgid();
	*(__u16 *)(e->b + 30) = type;
	*(__u32 *)(e->b + 32) = nparams;
}

/* Start a variable-size event in this CPU's scratch; false if there is none. */
static __always_inline bool ev_begin(struct ev *e, __u16 type, __u32 nparams)
{
	__u32 cpu = bpf_get_smp_processor_id();
	struct scratch *s = bpf_map_lookup_elem(&scratch_map, &cpu);

	if (!s)
		return false;
	e->b = s->buf;
	e->reserved = 0;
	ev_header(e, type, nparams, cpu);
	return true;
}

/* Block size of an event whose params take param_bytes: header, lengths, padding, trailer. */
#define FIXED_SIZE(nparams, param_bytes) (((LENS_OFF + 2 * (nparams) + (param_bytes) + 3) & ~3) + 4)

/*
 * Start a fixed-size event directly in the ring (no scratch, no copy): the cheap path for the
 * many events without strings or buffers. `size` must be FIXED_SIZE(...) of what the filler
 * writes; ev_submit checks it. False (and counted) when the ring is full.
 */
static __always_inline bool ev_begin_fixed(struct ev *e, __u16 type, __u32 nparams, __u32 size)
{
	e->b = bpf_ringbuf_reserve(&ring, size, 0);
	if (!e->b) {
		COUNT(drop_full);
		return false;
	}
	e->reserved = size;
	e->tail_zeroed = false;
	ev_header(e, type, nparams, bpf_get_smp_processor_id());
	return true;
}

static __always_inline void ev_len(struct ev *e, __u32 len)
{
	*(__u16 *)(e->b + ((LENS_OFF + 2 * e->arg) & 0xFF)) = (__u16)len;
	e->arg++;
	e->off += len;
}

static __always_inline void ev_u8(struct ev *e, __u8 v)
{
	*(__u8 *)(e->b + (e->off & HALF_MASK)) = v;
	ev_len(e, 1);
}

static __always_inline void ev_u16(struct ev *e, __u16 v)
{
	*(__u16 *)(e->b + (e->off & HALF_MASK)) = v;
	ev_len(e, 2);
}

static __always_inline void ev_u32(struct ev *e, __u32 v)
{
	*(__u32 *)(e->b + (e->off & HALF_MASK)) = v;
	ev_len(e, 4);
}

static __always_inline void ev_u64(struct ev *e, __u64 v)
{
	*(__u64 *)(e->b + (e->off & HALF_MASK)) = v;
	ev_len(e, 8);
}

/* Room left for a variable-size param, cut so the block stays readable by sysdig. */
static __always_inline __u32 ev_room(struct ev *e, __u32 want)
{
	__u32 room = e->off < EVT_MAX ? EVT_MAX - e->off : 0;

	if (want > room) {
		COUNT(truncated);
		return room;
	}
	return want;
}

/* An empty string param ("" with its NUL), used when a string cannot be read. */
static __always_inline void ev_empty_str(struct ev *e)
{
	*(__u8 *)(e->b + (e->off & HALF_MASK)) = 0;
	ev_len(e, 1);
}

/* A NUL-terminated string from user memory. A NULL pointer is written "(NULL)" as the kernel
 * module of 0.29.3 does. An unreadable one (typically a path in a page not yet faulted in, at
 * syscall entry, where BPF may not fault) is written "<NA>", sysdig's own marker for a value
 * it could not get, and counted; the exit event usually carries the string. */
static __always_inline void ev_user_str(struct ev *e, const void *src, __u32 max)
{
	long n;
	__u32 size = ev_room(e, max);

	if (!src) {
		__builtin_memcpy(e->b + (e->off & HALF_MASK), "(NULL)", 7);
		ev_len(e, 7);
		return;
	}
	if (size == 0) {
		ev_len(e, 0);
		return;
	}
	n = bpf_probe_read_user_str(e->b + (e->off & HALF_MASK), size & HALF_MASK, src);
	if (n <= 0) {
		count_copy_fail(e);
		if (size >= 5) {
			__builtin_memcpy(e->b + (e->off & HALF_MASK), "<NA>", 5);
			ev_len(e, 5);
		} else {
			ev_empty_str(e);
		}
		return;
	}
	ev_len(e, (__u32)n);
}

/* A NUL-terminated string from kernel memory (comm, cgroup names). */
static __always_inline void ev_kernel_str(struct ev *e, const void *src, __u32 max)
{
	long n = -1;
	__u32 size = ev_room(e, max);

	if (src && size)
		n = bpf_probe_read_kernel_str(e->b + (e->off & HALF_MASK), size & HALF_MASK, src);
	if (n <= 0) {
		ev_empty_str(e);
		return;
	}
	ev_len(e, (__u32)n);
}

/* A byte buffer copied from user memory, up to len bytes. */
static __always_inline void ev_user_bytes(struct ev *e, const void *src, __u64 len)
{
	__u32 n;

	if (!src || len == 0) {
		ev_len(e, 0);
		return;
	}
	n = ev_room(e, len > EVT_MAX ? EVT_MAX : (__u32)len);
	if (n && bpf_probe_read_user(e->b + (e->off & HALF_MASK), n & HALF_MASK, src)) {
		count_copy_fail(e);
		n = 0;
	}
	ev_len(e, n);
}

/* Raw bytes already placed at the current offset by the caller (sockaddr, tuple, lists). */
static __always_inline __u8 *ev_cursor(struct ev *e)
{
	return e->b + (e->off & HALF_MASK);
}

/* Finish a variable-size event (length, padding, trailer) and copy it into the ring. The probe
 * never wakes the consumer (BPF_RB_NO_WAKEUP): it polls, which spares every event an irq_work. */
static __always_inline void ev_submit(struct ev *e)
{
	__u32 body = e->off & HALF_MASK;
	__u32 padded = (body + 3) & ~3U;
	__u32 total = padded + 4;

	*(__u32 *)(e->b + 26) = body - EVT_OFF;
	*(__u32 *)(e->b + body) = 0; /* zero the 0-3 padding bytes (the trailer may overwrite) */
	*(__u32 *)(e->b + (padded & 0x1FFFF)) = total;
	*(__u32 *)(e->b + 4) = total;
	if (bpf_ringbuf_output(&ring, e->b, total & 0x1FFFF, BPF_RB_NO_WAKEUP))
		COUNT(drop_full);
}

/*
 * Finish an event started with ev_begin_fixed. The block keeps the reserved size; an event that
 * came out up to 4 bytes shorter (a small data param, see ev_small_data) leaves zeroed slack
 * before the trailer, which readers skip (they take the event's own length). For events of one
 * fixed size everything here folds into constants, the size check included.
 */
static __always_inline void ev_submit_fixed(struct ev *e)
{
	__u32 body = e->off;
	__u32 size = e->reserved;

	if (body + 4 > size || body + 8 < size) {
		COUNT(bad_size);
		bpf_ringbuf_discard(e->b, BPF_RB_NO_WAKEUP);
		return;
	}
	*(__u32 *)(e->b + 26) = body - EVT_OFF;
	if (!e->tail_zeroed)
		*(__u32 *)(e->b + body) = 0; /* padding: at most 4 bytes, the trailer may overwrite */
	*(__u32 *)(e->b + size - 4) = size;
	*(__u32 *)(e->b + 4) = size;
	bpf_ringbuf_submit(e->b, BPF_RB_NO_WAKEUP);
}

/* ---- syscall arguments and task helpers -------------------------------------------------- */
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

static __always_inline bool skip_current(void)
{
	__u32 tgid = bpf_get_current_pid_tgid() >> 32;
	struct task_struct *t;

	if (tgid == self_tgid)
		return true;
	if (filter_tgid && tgid != filter_tgid)
		return true;
	/* 32-bit syscalls use another numbering; the 0.29.3 probe skips them too. */
	t = bpf_get_current_task_btf();
	return (t->thread_info.status & L_TS_COMPAT) != 0;
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

#define ENTER(name) SEC("tp_btf/sys_enter") int BPF_PROG(enter_##name, struct pt_regs *regs, long id)
#define EXIT(name) SEC("tp_btf/sys_exit") int BPF_PROG(exit_##name, struct pt_regs *regs, long ret)

#include "fill_io.h"
#include "fill_net.h"
#include "fill_proc.h"

/* ---- tail-call tables ------------------------------------------------------------------------
 * Indexed by syscall number and filled statically: the syscall -> filler binding lives here, next
 * to the fillers, and the loader only has to load the object. */
#define TAIL(nr, prog) [nr] = (void *)&prog

struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, SYSCALL_TABLE_SIZE);
	__type(key, __u32);
	__array(values, int(void *));
} enter_progs SEC(".maps") = {
	.values = {
		TAIL(NR_read, enter_read), TAIL(NR_write, enter_write), TAIL(NR_open, enter_open),
		TAIL(NR_close, enter_close), TAIL(NR_mmap, enter_mmap), TAIL(NR_munmap, enter_munmap),
		TAIL(NR_brk, enter_brk), TAIL(NR_pread64, enter_pread64),
		TAIL(NR_pwrite64, enter_pwrite64), TAIL(NR_readv, enter_readv),
		TAIL(NR_writev, enter_writev), TAIL(NR_socket, enter_socket),
		TAIL(NR_connect, enter_connect), TAIL(NR_accept, enter_accept),
		TAIL(NR_sendto, enter_sendto), TAIL(NR_recvfrom, enter_recvfrom),
		TAIL(NR_bind, enter_bind), TAIL(NR_listen, enter_listen), TAIL(NR_clone, enter_clone),
		TAIL(NR_fork, enter_fork), TAIL(NR_vfork, enter_vfork), TAIL(NR_execve, enter_execve),
		TAIL(NR_creat, enter_creat), TAIL(NR_openat, enter_openat),
		TAIL(NR_accept4, enter_accept4), TAIL(NR_clone3, enter_clone3),
		TAIL(NR_openat2, enter_openat2),
	},
};

struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, SYSCALL_TABLE_SIZE);
	__type(key, __u32);
	__array(values, int(void *));
} exit_progs SEC(".maps") = {
	.values = {
		TAIL(NR_read, exit_read), TAIL(NR_write, exit_write), TAIL(NR_open, exit_open),
		TAIL(NR_close, exit_close), TAIL(NR_mmap, exit_mmap), TAIL(NR_munmap, exit_munmap),
		TAIL(NR_brk, exit_brk), TAIL(NR_pread64, exit_pread64),
		TAIL(NR_pwrite64, exit_pwrite64), TAIL(NR_readv, exit_readv),
		TAIL(NR_writev, exit_writev), TAIL(NR_socket, exit_socket),
		TAIL(NR_connect, exit_connect), TAIL(NR_accept, exit_accept),
		TAIL(NR_sendto, exit_sendto), TAIL(NR_recvfrom, exit_recvfrom),
		TAIL(NR_bind, exit_bind), TAIL(NR_listen, exit_listen), TAIL(NR_clone, exit_clone),
		TAIL(NR_fork, exit_fork), TAIL(NR_vfork, exit_vfork), TAIL(NR_execve, exit_execve),
		TAIL(NR_creat, exit_creat), TAIL(NR_openat, exit_openat),
		TAIL(NR_accept4, exit_accept4), TAIL(NR_clone3, exit_clone3),
		TAIL(NR_openat2, exit_openat2),
	},
};

/* ---- generic events and the dispatchers ---------------------------------------------------- */
static __always_inline int generic_event(long id, bool enter)
{
	struct ev e;

	if (enter) {
		if (!ev_begin_fixed(&e, PPME_GENERIC_E, 2, FIXED_SIZE(2, 4)))
			return 0;
		ev_u16(&e, sc_ppm[id & (SYSCALL_TABLE_SIZE - 1)]);
		ev_u16(&e, (__u16)id);
	} else {
		if (!ev_begin_fixed(&e, PPME_GENERIC_X, 1, FIXED_SIZE(1, 2)))
			return 0;
		ev_u16(&e, sc_ppm[id & (SYSCALL_TABLE_SIZE - 1)]);
	}
	ev_submit_fixed(&e);
	return 0;
}

SEC("tp_btf/sys_enter")
int BPF_PROG(sys_enter, struct pt_regs *regs, long id)
{
	if ((__u64)id >= SYSCALL_TABLE_SIZE || skip_current())
		return 0;
	bpf_tail_call(ctx, &enter_progs, id);
	return generic_event(id, true);
}

SEC("tp_btf/sys_exit")
int BPF_PROG(sys_exit, struct pt_regs *regs, long ret)
{
	long id = regs->orig_ax;

	if ((__u64)id >= SYSCALL_TABLE_SIZE || skip_current())
		return 0;
	bpf_tail_call(ctx, &exit_progs, id);
	return generic_event(id, false);
}

