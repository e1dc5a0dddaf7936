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
 *  - tp_btf/mark_victim (+ fentry/oom_kill_process) emits OOM kills (fill_oom.h).
 * Tail calls keep each filler a separately verified program, so adding fillers does not make
 * the verifier's job (or load time) grow with the product of their branches.
 *
 * Fixed-size events are written in place in a ring reservation; variable-size ones are
 * assembled in a per-CPU scratch buffer and copied in (builder.h). There is one ring shared by
 * all CPUs: it keeps every thread's events in order (a thread runs on one CPU at a time and its
 * enter program finishes before its exit program starts), so the consumer needs no per-event
 * merge. BPF runs from tracepoints with preemption disabled (the faultable syscall tracepoints
 * of kernels >= 6.13 disable it around BPF explicitly), so a CPU's scratch is never shared by
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

/* Per-CPU counters of what went wrong, read by the consumer (layout mirrored in loader.py).
 * Successful events are counted by the consumer, so the fast path touches no counter. */
struct stats {
	__u64 drop_full;  /* ring had no room: the event is lost */
	__u64 copy_fail;  /* a param could not be read: the event carries it as <NA> or empty */
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

/* Small per-CPU area for values fetched before they are written (sockaddrs, iovecs), which
 * would not fit the 512-byte BPF stack. */
struct tmp_area {
	__u8 addr[128];  /* a user sockaddr, at most sizeof(struct sockaddr_storage) */
	struct iovec iov[32];
	__u32 cg_len;    /* running length of the cgroups param (fill_proc.h) */
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct tmp_area);
} tmp_map SEC(".maps");

#include "builder.h"
#include "helpers.h"

#define ENTER(name) SEC("tp_btf/sys_enter") int BPF_PROG(enter_##name, struct pt_regs *regs, long id)
#define EXIT(name) SEC("tp_btf/sys_exit") int BPF_PROG(exit_##name, struct pt_regs *regs, long ret)

#include "fill_io.h"
#include "fill_net.h"
#include "fill_proc.h"
#include "fill_oom.h"

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

