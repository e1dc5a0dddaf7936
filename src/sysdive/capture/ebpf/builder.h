/* SPDX-License-Identifier: Apache-2.0 OR GPL-2.0-only */
/*
 * The event builder: scap v2 event blocks written in place at the head of this CPU's buffer
 * (the chunks map of probe.bpf.c), then published by moving the head. Included by probe.bpf.c
 * only, after the maps it uses.
 */

/*
 * Offsets inside a block: 0 type, 4 total length, 8 cpu, 10 event header (ts 10, tid 18, len 26,
 * type 30, nparams 32), 36 param lengths, then params. Stores at odd offsets are fine: map values
 * and ring memory are not checked for alignment on x86 (efficient unaligned access).
 */

/* Mask a value in a way the compiler cannot drop, so the verifier sees the bound even where
 * clang has proven it already (it then removes plain masks and the verifier loses track). */
#define VERIFIER_MASK(var, mask) asm volatile("%[v] &= " #mask : [v] "+r"(var))

#define EV_V2_BLOCK 0x216
#define EVT_OFF 10
#define LENS_OFF 36

struct ev {
	__u8 *b;       /* the event's block, in place in this CPU's buffer */
	__u32 off;     /* next param byte */
	__u32 arg;     /* params written */
	__u32 nparams;
	__u32 reserved; /* block size of a fixed-size event, else 0 */
	bool tail_zeroed; /* the bytes after the last param are already zero (ev_small_data) */
	struct cpu_ctl *ctl;
	__u64 head;    /* where the block starts (chunk sequence << 32 | offset) */
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

/*
 * Start an event at the head of this CPU's buffer, moving to the next chunk when the current
 * one is full. False when every chunk still holds data the consumer has not taken: the event
 * is lost, and counted where the consumer reads it (cpu_ctl.drops).
 */
static __always_inline bool ev_begin(struct ev *e, __u16 type, __u32 nparams)
{
	__u32 cpu = bpf_get_smp_processor_id();
	struct cpu_ctl *c = bpf_map_lookup_elem(&ctl, &cpu);
	struct chunk *ch;
	__u64 head, seq;
	__u32 off, idx;

	if (!c)
		return false;
	head = c->head;
	seq = head >> 32;
	off = (__u32)head;
	if (off >= CHUNK_START) {
		if (seq + 1 - c->released >= nchunks) {
			c->drops++;
			return false;
		}
		/* published together with the head that points past this chunk */
		c->fill[seq & (MAX_CHUNKS - 1)] = off;
		seq++;
		off = 0;
	}
	idx = cpu * nchunks + (seq & (nchunks - 1));
	ch = bpf_map_lookup_elem(&chunks, &idx);
	if (!ch)
		return false;
	e->b = ch->buf + (off & (CHUNK_START - 1));
	e->ctl = c;
	e->head = (seq << 32) | off;
	e->reserved = 0;
	ev_header(e, type, nparams, cpu);
	return true;
}

/* Publish a finished block of `total` bytes: the data stores come first in program order and
 * x86 keeps store order, so the consumer never sees a head past unwritten bytes. */
static __always_inline void ev_commit(struct ev *e, __u32 total)
{
	asm volatile("" ::: "memory");
	e->ctl->head = e->head + total;
}

/* Block size of an event whose params take param_bytes: header, lengths, padding, trailer. */
#define FIXED_SIZE(nparams, param_bytes) (((LENS_OFF + 2 * (nparams) + (param_bytes) + 3) & ~3) + 4)

/*
 * Start a fixed-size event: like ev_begin, but the size is known, so finishing it folds into
 * constant stores. `size` must be FIXED_SIZE(...) of what the filler writes; ev_submit_fixed
 * checks it.
 */
static __always_inline bool ev_begin_fixed(struct ev *e, __u16 type, __u32 nparams, __u32 size)
{
	if (!ev_begin(e, type, nparams))
		return false;
	e->reserved = size;
	e->tail_zeroed = false;
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

/* Finish a variable-size event (length, padding, trailer) and publish it. */
static __always_inline void ev_submit(struct ev *e)
{
	__u32 body = e->off & HALF_MASK;
	__u32 padded = (body + 3) & ~3U;
	__u32 total = padded + 4;

	*(__u32 *)(e->b + 26) = body - EVT_OFF;
	*(__u32 *)(e->b + body) = 0; /* zero the 0-3 padding bytes (the trailer may overwrite) */
	*(__u32 *)(e->b + (padded & 0x1FFFF)) = total;
	*(__u32 *)(e->b + 4) = total;
	ev_commit(e, total);
}

/*
 * Finish an event started with ev_begin_fixed. The block keeps the declared size; an event
 * that came out up to 4 bytes shorter (a small data param, see ev_small_data) leaves zeroed
 * slack before the trailer, which readers skip (they take the event's own length). For events
 * of one fixed size everything here folds into constants, the size check included.
 */
static __always_inline void ev_submit_fixed(struct ev *e)
{
	__u32 body = e->off;
	__u32 size = e->reserved;

	if (body + 4 > size || body + 8 < size) {
		COUNT(bad_size);
		return; /* not published: the next event overwrites it */
	}
	*(__u32 *)(e->b + 26) = body - EVT_OFF;
	if (!e->tail_zeroed)
		*(__u32 *)(e->b + body) = 0; /* padding: at most 4 bytes, the trailer may overwrite */
	*(__u32 *)(e->b + size - 4) = size;
	*(__u32 *)(e->b + 4) = size;
	ev_commit(e, size);
}
