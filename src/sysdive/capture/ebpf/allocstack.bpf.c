// SPDX-License-Identifier: Apache-2.0 OR GPL-2.0-only
/*
 * sysdive allocation-stack probe: the user stack at each heap-growing system call.
 *
 * A separate object from probe.bpf.c (which writes scap events): this one feeds
 * sysdive.memory.stacks only, with its own raw records. At the entry of brk (growing the
 * heap) and of anonymous mmap it copies the caller's registers and up to 8 KiB of its user
 * stack; user space unwinds that copy with the binaries' .eh_frame CFI, which works whether or
 * not the code keeps frame pointers (Debian's glibc does not, so bpf_get_stack's frame-pointer
 * walk never gets past malloc). After a successful execve or an executable mmap it tells user
 * space to snapshot the process's mappings while the process is still there.
 *
 * Which processes: every one (trace_all) or the tgids in `targets`, which also follows their
 * children (sched_process_fork), so a container's new processes are covered.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>

char LICENSE[] SEC("license") = "GPL";

#ifndef SYSDIVE_SOURCE_HASH
#define SYSDIVE_SOURCE_HASH "unknown"
#endif
/* Checked by the tests against this file, so a stale shipped object is caught. */
const char sysdive_source[] SEC("sysdive_meta") = "sysdive-src-sha256:" SYSDIVE_SOURCE_HASH;

#define NR_mmap 9
#define NR_brk 12
#define NR_execve 59
#define NR_execveat 322
#define L_MAP_ANONYMOUS 0x20
#define L_PROT_READ 0x1
#define L_PROT_WRITE 0x2
#define L_PROT_EXEC 0x4
#define STACK_MAX 8192
#define PAGE 4096

const volatile __u32 self_tgid = 0;
const volatile __u32 trace_all = 0;

enum { REC_ALLOC = 1, REC_MAPS = 2 };

/* Mirrored in sysdive/memory/records.py. */
struct alloc_rec {
	__u32 len;       /* bytes of this record */
	__u16 kind;      /* REC_ALLOC */
	__u16 nr;        /* syscall number */
	__u32 pid, tid;
	__u64 ts;        /* CLOCK_BOOTTIME ns */
	__u64 bytes;     /* heap growth (brk) or mapping length (mmap) */
	__u64 arg;       /* requested break (brk) or address hint (mmap) */
	__u64 regs[8];   /* ip sp bp bx r12 r13 r14 r15 */
	__u32 stack_len; /* bytes of stack copied from regs[1] */
	__u32 pad;
	__u8 stack[STACK_MAX];
};

struct maps_rec {
	__u32 len;
	__u16 kind;      /* REC_MAPS */
	__u16 nr;
	__u32 pid, tid;
	__u64 ts;
};

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 32 << 20); /* the loader sets the real size */
} ring SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 8192);
	__type(key, __u32);
	__type(value, __u8);
} targets SEC(".maps");

/* [0] ring full, [1] stack copy failed */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 2);
	__type(key, __u32);
	__type(value, __u64);
} counters SEC(".maps");

static __always_inline void count(__u32 which)
{
	__u64 *c = bpf_map_lookup_elem(&counters, &which);

	if (c)
		(*c)++;
}

static __always_inline bool wanted(__u32 tgid)
{
	if (tgid == self_tgid)
		return false;
	return trace_all || bpf_map_lookup_elem(&targets, &tgid);
}

static __always_inline void emit_alloc(struct pt_regs *regs, long nr, __u64 bytes, __u64 arg)
{
	__u64 id = bpf_get_current_pid_tgid();
	struct alloc_rec *r;
	__u64 sp = regs->sp;
	__u32 n;

	r = bpf_ringbuf_reserve(&ring, sizeof(*r), 0);
	if (!r) {
		count(0);
		return;
	}
	r->len = sizeof(*r);
	r->kind = REC_ALLOC;
	r->nr = (__u16)nr;
	r->pid = id >> 32;
	r->tid = (__u32)id;
	r->ts = bpf_ktime_get_boot_ns();
	r->bytes = bytes;
	r->arg = arg;
	r->regs[0] = regs->ip;
	r->regs[1] = sp;
	r->regs[2] = regs->bp;
	r->regs[3] = regs->bx;
	r->regs[4] = regs->r12;
	r->regs[5] = regs->r13;
	r->regs[6] = regs->r14;
	r->regs[7] = regs->r15;
	r->pad = 0;
	/* The stack VMA ends on a page boundary that may be closer than 8 KiB above sp (shallow
	 * main-thread stacks): a read across it fails as a whole, so fall back to what is left
	 * of this page and the next, then of this page alone. */
	n = STACK_MAX;
	if (bpf_probe_read_user(r->stack, n, (void *)sp)) {
		n = (PAGE - (sp & (PAGE - 1))) + PAGE;
		if (n > STACK_MAX || bpf_probe_read_user(r->stack, n & (STACK_MAX * 2 - 1) & 0x3FFF,
							  (void *)sp)) {
			n = PAGE - (sp & (PAGE - 1));
			if (bpf_probe_read_user(r->stack, n & (PAGE * 2 - 1), (void *)sp)) {
				n = 0;
				count(1);
			}
		}
	}
	r->stack_len = n;
	bpf_ringbuf_submit(r, 0);
}

SEC("tp_btf/sys_enter")
int BPF_PROG(alloc_enter, struct pt_regs *regs, long id)
{
	__u32 tgid = bpf_get_current_pid_tgid() >> 32;

	if (id != NR_brk && id != NR_mmap)
		return 0;
	if (!wanted(tgid))
		return 0;
	if (id == NR_brk) {
		struct task_struct *t = bpf_get_current_task_btf();
		__u64 want = regs->di;
		__u64 cur = t->mm ? t->mm->brk : 0;

		if (want > cur && cur)
			emit_alloc(regs, id, want - cur, want);
		return 0;
	}
	/* mmap: anonymous mappings only (file mappings are not heap), and not PROT_NONE ones:
	 * those reserve address space (glibc's 64 MiB per-thread arenas) that is only made
	 * usable later, piecemeal, by mprotect */
	if ((regs->r10 & L_MAP_ANONYMOUS) && (regs->dx & (L_PROT_READ | L_PROT_WRITE)))
		emit_alloc(regs, id, regs->si, regs->di);
	return 0;
}

SEC("tp_btf/sys_exit")
int BPF_PROG(alloc_exit, struct pt_regs *regs, long ret)
{
	long id = regs->orig_ax;
	__u64 pid_tgid;
	struct maps_rec *r;

	if (id != NR_execve && id != NR_execveat && id != NR_mmap)
		return 0;
	if (id == NR_mmap ? (ret < 0 && ret > -4096) || !(regs->dx & L_PROT_EXEC) : ret != 0)
		return 0;
	pid_tgid = bpf_get_current_pid_tgid();
	if (!wanted(pid_tgid >> 32))
		return 0;
	r = bpf_ringbuf_reserve(&ring, sizeof(*r), 0);
	if (!r) {
		count(0);
		return 0;
	}
	r->len = sizeof(*r);
	r->kind = REC_MAPS;
	r->nr = (__u16)id;
	r->pid = pid_tgid >> 32;
	r->tid = (__u32)pid_tgid;
	r->ts = bpf_ktime_get_boot_ns();
	bpf_ringbuf_submit(r, 0);
	return 0;
}

SEC("tp_btf/sched_process_fork")
int BPF_PROG(alloc_fork, struct task_struct *parent, struct task_struct *child)
{
	__u32 ptgid = parent->tgid, ctgid = child->tgid;
	__u8 one = 1;

	if (trace_all || ptgid == ctgid)
		return 0;
	if (bpf_map_lookup_elem(&targets, &ptgid))
		bpf_map_update_elem(&targets, &ctgid, &one, BPF_ANY);
	return 0;
}
