/* SPDX-License-Identifier: Apache-2.0 OR GPL-2.0-only */
/*
 * Fillers for socket syscalls. Included by probe.bpf.c only.
 *
 * Wire forms (PPM address family first, addresses in network order, ports in host order):
 *   SOCKADDR  inet: fam ip4 port (7)   inet6: fam ip6 port (19)   unix: fam path\0
 *   SOCKTUPLE inet: fam sip sport dip dport (13)   inet6: (37)   unix: fam u64 u64 path\0
 * An empty param (length 0) means "no address", which sysdig prints as NULL.
 */
#include <bpf/bpf_endian.h>

/* One end of a connection, as getsockname()/getpeername() would report it. */
struct endpoint {
	__u8 ip[16]; /* ip4 in the first 4 bytes */
	__u16 port;  /* host order */
};

/* Copy a user sockaddr of ulen bytes into dst (128 bytes); false if it does not fit or fails. */
static __always_inline bool fetch_user_addr(__u8 *dst, __u64 uaddr, long ulen)
{
	if (!uaddr || ulen <= 0 || ulen > 128)
		return false;
	if (bpf_probe_read_user(dst, ulen & 0xFF, (void *)uaddr))
		return false;
	/* a unix path may fill sun_path without a NUL: terminate it inside the buffer */
	dst[ulen < 128 ? ulen & 0x7F : 127] = 0;
	return true;
}

/* Write a unix socket path; an abstract name (leading NUL) is shown with a leading '@'. */
static __always_inline __u32 put_unix_path(struct ev *e, __u32 at, const char *path)
{
	__u8 *d = e->b + ((e->off + at) & HALF_MASK);
	long n = bpf_probe_read_kernel_str(d, UNIX_PATH_MAX, path);

	if (n == 1) {
		*d = '@';
		n = bpf_probe_read_kernel_str(e->b + ((e->off + at + 1) & HALF_MASK),
					      UNIX_PATH_MAX - 1, path + 1);
		n = n > 0 ? n + 1 : 0;
	}
	if (n <= 0) {
		*d = 0;
		n = 1;
	}
	return (__u32)n;
}

/* PT_SOCKADDR from a sockaddr already copied into kernel memory. */
static __always_inline void ev_sockaddr(struct ev *e, __u8 *sa, bool valid)
{
	__u16 family = valid ? *(__u16 *)sa : 0;
	__u8 *d = ev_cursor(e);
	__u32 len = 0;

	if (family == L_AF_INET) {
		d[0] = PPM_AF_INET;
		__builtin_memcpy(d + 1, sa + 4, 4);
		*(__u16 *)(d + 5) = bpf_ntohs(*(__u16 *)(sa + 2));
		len = 7;
	} else if (family == L_AF_INET6) {
		d[0] = PPM_AF_INET6;
		__builtin_memcpy(d + 1, sa + 8, 16);
		*(__u16 *)(d + 17) = bpf_ntohs(*(__u16 *)(sa + 2));
		len = 19;
	} else if (family == L_AF_UNIX) {
		d[0] = PPM_AF_UNIX;
		len = 1 + put_unix_path(e, 1, (const char *)(sa + 2));
	}
	ev_len(e, len);
}

static __always_inline __u16 sock_family(struct sock *sk)
{
	return BPF_CORE_READ(sk, __sk_common.skc_family);
}

/* The local (peer = false) or remote end of an inet/inet6 socket. */
static __always_inline void inet_endpoint(struct sock *sk, bool peer, struct endpoint *ep)
{
	struct inet_sock *inet = (struct inet_sock *)sk;

	__builtin_memset(ep, 0, sizeof(*ep));
	if (sock_family(sk) == L_AF_INET) {
		__u32 ip;

		if (peer) {
			ip = BPF_CORE_READ(sk, __sk_common.skc_daddr);
			ep->port = bpf_ntohs(BPF_CORE_READ(sk, __sk_common.skc_dport));
		} else {
			ip = BPF_CORE_READ(sk, __sk_common.skc_rcv_saddr);
			if (!ip)
				ip = BPF_CORE_READ(inet, inet_saddr);
			ep->port = bpf_ntohs(BPF_CORE_READ(inet, inet_sport));
		}
		__builtin_memcpy(ep->ip, &ip, 4);
	} else {
		if (peer) {
			BPF_CORE_READ_INTO(&ep->ip, sk, __sk_common.skc_v6_daddr);
			ep->port = bpf_ntohs(BPF_CORE_READ(sk, __sk_common.skc_dport));
		} else {
			__u64 *w = (__u64 *)ep->ip;

			BPF_CORE_READ_INTO(&ep->ip, sk, __sk_common.skc_v6_rcv_saddr);
			if (!(w[0] | w[1]))
				BPF_CORE_READ_INTO(&ep->ip, inet, pinet6, saddr);
			ep->port = bpf_ntohs(BPF_CORE_READ(inet, inet_sport));
		}
	}
}

/* The bound name of a unix socket (or of its peer): a pointer to sun_path in kernel memory,
 * or "" when unnamed. */
static __always_inline const char *unix_name(struct sock *sk)
{
	struct unix_address *addr;

	if (!sk)
		return "";
	addr = BPF_CORE_READ((struct unix_sock *)sk, addr);
	if (!addr)
		return "";
	return (const char *)addr->name + 2; /* skip sun_family */
}

/*
 * PT_SOCKTUPLE for the socket behind fd. With a user address (uaddr valid) that address is the
 * remote end: the destination for outbound calls (connect, sendto) and the source for inbound
 * ones (recvfrom). Without one (accept), both ends come from the socket itself.
 */
static __always_inline void ev_socktuple(struct ev *e, __s64 fd, __u8 *uaddr, bool have_uaddr,
					 bool inbound)
{
	struct socket *sock = fd_socket(bpf_get_current_task_btf(), fd);
	struct sock *sk;
	__u8 *d = ev_cursor(e);
	__u32 len = 0;
	__u16 family;

	if (!sock || !(sk = BPF_CORE_READ(sock, sk))) {
		ev_len(e, 0);
		return;
	}
	family = sock_family(sk);
	if (family == L_AF_INET || family == L_AF_INET6) {
		struct endpoint local, remote;
		bool v4 = family == L_AF_INET;
		__u32 alen = v4 ? 4 : 16;

		inet_endpoint(sk, false, &local);
		if (have_uaddr) {
			__builtin_memset(&remote, 0, sizeof(remote));
			remote.port = bpf_ntohs(*(__u16 *)(uaddr + 2));
			if (v4)
				__builtin_memcpy(remote.ip, uaddr + 4, 4);
			else
				__builtin_memcpy(remote.ip, uaddr + 8, 16);
		} else {
			inet_endpoint(sk, true, &remote);
		}
		struct endpoint *src = inbound ? &remote : &local;
		struct endpoint *dst = inbound ? &local : &remote;

		d[0] = v4 ? PPM_AF_INET : PPM_AF_INET6;
		if (v4) {
			__builtin_memcpy(d + 1, src->ip, 4);
			*(__u16 *)(d + 5) = src->port;
			__builtin_memcpy(d + 7, dst->ip, 4);
			*(__u16 *)(d + 11) = dst->port;
			len = 13;
		} else {
			__builtin_memcpy(d + 1, src->ip, 16);
			*(__u16 *)(d + 17) = src->port;
			__builtin_memcpy(d + 19, dst->ip, 16);
			*(__u16 *)(d + 35) = dst->port;
			len = 37;
		}
		(void)alen;
	} else if (family == L_AF_UNIX) {
		struct sock *peer = BPF_CORE_READ((struct unix_sock *)sk, peer);
		__u64 self_p = (__u64)sk, peer_p = (__u64)peer;
		const char *path;

		d[0] = PPM_AF_UNIX;
		/* 0.29.3 order: inbound "self peer", outbound "peer self" */
		*(__u64 *)(d + 1) = inbound ? self_p : peer_p;
		*(__u64 *)(d + 9) = inbound ? peer_p : self_p;
		if (inbound)
			path = unix_name(sk);
		else if (have_uaddr)
			path = (const char *)(uaddr + 2);
		else
			path = unix_name(peer);
		len = 17 + put_unix_path(e, 17, path);
	}
	ev_len(e, len);
}

/* PPME_SOCKET_SOCKET_E: domain, type, proto (as passed) */
ENTER(socket)
{
	struct ev e;

	if (!ev_begin_fixed(&e, PPME_SOCKET_SOCKET_E, 3, FIXED_SIZE(3, 12)))
		return 0;
	ev_u32(&e, (__u32)sc_arg(regs, 0));
	ev_u32(&e, (__u32)sc_arg(regs, 1));
	ev_u32(&e, (__u32)sc_arg(regs, 2));
	ev_submit_fixed(&e);
	return 0;
}

EXIT(socket) { return res_exit(ret, PPME_SOCKET_SOCKET_X); }

/* PPME_SOCKET_BIND_E: fd */
ENTER(bind) { return fd_enter(regs, PPME_SOCKET_BIND_E); }

/* PPME_SOCKET_BIND_X: res, addr */
EXIT(bind)
{
	struct tmp_area *tmp = tmp_get();
	struct ev e;

	if (!tmp || !ev_begin(&e, PPME_SOCKET_BIND_X, 2))
		return 0;
	ev_u64(&e, ret);
	ev_sockaddr(&e, tmp->addr, fetch_user_addr(tmp->addr, sc_arg(regs, 1), sc_arg(regs, 2)));
	ev_submit(&e);
	return 0;
}

/* PPME_SOCKET_CONNECT_E: fd, addr */
ENTER(connect)
{
	struct tmp_area *tmp = tmp_get();
	struct ev e;
	__s64 fd = (int)sc_arg(regs, 0);

	if (!tmp || !ev_begin(&e, PPME_SOCKET_CONNECT_E, 2))
		return 0;
	ev_u64(&e, fd);
	ev_sockaddr(&e, tmp->addr,
		    fd >= 0 && fetch_user_addr(tmp->addr, sc_arg(regs, 1), sc_arg(regs, 2)));
	ev_submit(&e);
	return 0;
}

/* PPME_SOCKET_CONNECT_X: res, tuple */
EXIT(connect)
{
	struct tmp_area *tmp = tmp_get();
	struct ev e;
	__s64 fd = (int)sc_arg(regs, 0);

	if (!tmp || !ev_begin(&e, PPME_SOCKET_CONNECT_X, 2))
		return 0;
	ev_u64(&e, ret);
	if (fd >= 0 && fetch_user_addr(tmp->addr, sc_arg(regs, 1), sc_arg(regs, 2)))
		ev_socktuple(&e, fd, tmp->addr, true, false);
	else
		ev_len(&e, 0);
	ev_submit(&e);
	return 0;
}

/* PPME_SOCKET_LISTEN_E: fd, backlog */
ENTER(listen)
{
	struct ev e;

	if (!ev_begin_fixed(&e, PPME_SOCKET_LISTEN_E, 2, FIXED_SIZE(2, 12)))
		return 0;
	ev_u64(&e, (__s64)(int)sc_arg(regs, 0));
	ev_u32(&e, (__u32)sc_arg(regs, 1));
	ev_submit_fixed(&e);
	return 0;
}

EXIT(listen) { return res_exit(ret, PPME_SOCKET_LISTEN_X); }

/* PPME_SOCKET_ACCEPT_5_E: no params; PPME_SOCKET_ACCEPT4_5_E: flags (always 0 in 0.29.3) */
ENTER(accept) { return empty_event(PPME_SOCKET_ACCEPT_5_E); }

ENTER(accept4)
{
	struct ev e;

	if (!ev_begin_fixed(&e, PPME_SOCKET_ACCEPT4_5_E, 1, FIXED_SIZE(1, 4)))
		return 0;
	ev_u32(&e, 0);
	ev_submit_fixed(&e);
	return 0;
}

/* PPME_SOCKET_ACCEPT(4)_5_X: fd, tuple, queuepct, queuelen, queuemax */
static __always_inline int accept_exit(long ret, __u16 type)
{
	struct ev e;
	__u32 qlen = 0, qmax = 0;

	if (!ev_begin(&e, type, 5))
		return 0;
	ev_u64(&e, ret);
	if (ret >= 0) {
		struct socket *sock = fd_socket(bpf_get_current_task_btf(), ret);
		struct sock *sk = sock ? BPF_CORE_READ(sock, sk) : NULL;

		ev_socktuple(&e, ret, NULL, false, true);
		if (sk) {
			qlen = BPF_CORE_READ(sk, sk_ack_backlog);
			qmax = BPF_CORE_READ(sk, sk_max_ack_backlog);
		}
	} else {
		ev_len(&e, 0);
	}
	ev_u8(&e, qmax ? (__u8)((__u64)qlen * 100 / qmax) : 0);
	ev_u32(&e, qlen);
	ev_u32(&e, qmax);
	ev_submit(&e);
	return 0;
}

EXIT(accept) { return accept_exit(ret, PPME_SOCKET_ACCEPT_5_X); }
EXIT(accept4) { return accept_exit(ret, PPME_SOCKET_ACCEPT4_5_X); }

/* PPME_SOCKET_SENDTO_E: fd, size, tuple (only when an address is given) */
ENTER(sendto)
{
	struct tmp_area *tmp = tmp_get();
	struct ev e;
	__s64 fd = (int)sc_arg(regs, 0);

	if (!tmp || !ev_begin(&e, PPME_SOCKET_SENDTO_E, 3))
		return 0;
	ev_u64(&e, fd);
	ev_u32(&e, (__u32)sc_arg(regs, 2));
	if (fetch_user_addr(tmp->addr, sc_arg(regs, 4), sc_arg(regs, 5)))
		ev_socktuple(&e, fd, tmp->addr, true, false);
	else
		ev_len(&e, 0);
	ev_submit(&e);
	return 0;
}

/* PPME_SOCKET_SENDTO_X: res, data (what was sent, up to the snaplen) */
EXIT(sendto) { return res_data_exit(PPME_SOCKET_SENDTO_X, ret, sc_arg(regs, 1), ret_len(ret)); }

/* PPME_SOCKET_RECVFROM_E: fd, size */
ENTER(recvfrom) { return fd_size_enter(regs, PPME_SOCKET_RECVFROM_E); }

/* PPME_SOCKET_RECVFROM_X: res, data, tuple (from the address the kernel filled in) */
EXIT(recvfrom)
{
	struct tmp_area *tmp = tmp_get();
	struct ev e;
	__u64 ulen_p = sc_arg(regs, 5);
	int ulen = 0;

	if (!tmp || !ev_begin(&e, PPME_SOCKET_RECVFROM_X, 3))
		return 0;
	ev_u64(&e, ret);
	ev_data_ret(&e, sc_arg(regs, 1), ret);
	if (ret >= 0 && ulen_p && !bpf_probe_read_user(&ulen, sizeof(ulen), (void *)ulen_p) &&
	    fetch_user_addr(tmp->addr, sc_arg(regs, 4), ulen))
		ev_socktuple(&e, (int)sc_arg(regs, 0), tmp->addr, true, true);
	else
		ev_len(&e, 0);
	ev_submit(&e);
	return 0;
}

/* ---- sendmsg, recvmsg --------------------------------------------------------------------------- */
static __always_inline bool fetch_msghdr(struct user_msghdr *mh, __u64 umsg)
{
	if (umsg && !bpf_probe_read_user(mh, sizeof(*mh), (void *)umsg))
		return true;
	__builtin_memset(mh, 0, sizeof(*mh));
	return false;
}

/* PPME_SOCKET_SENDMSG_E: fd, size (of all buffers), tuple (only when an address is given) */
ENTER(sendmsg)
{
	struct tmp_area *tmp = tmp_get();
	struct user_msghdr mh;
	struct ev e;
	__s64 fd = (int)sc_arg(regs, 0);
	__u64 n;

	fetch_msghdr(&mh, sc_arg(regs, 1));
	if (!tmp || !ev_begin(&e, PPME_SOCKET_SENDMSG_E, 3))
		return 0;
	n = iov_fetch(tmp->iov, (__u64)mh.msg_iov, mh.msg_iovlen);
	ev_u64(&e, fd);
	ev_u32(&e, (__u32)iov_total(tmp->iov, n));
	if (mh.msg_name && mh.msg_namelen &&
	    fetch_user_addr(tmp->addr, (__u64)mh.msg_name, mh.msg_namelen))
		ev_socktuple(&e, fd, tmp->addr, true, false);
	else
		ev_len(&e, 0);
	ev_submit(&e);
	return 0;
}

/* PPME_SOCKET_SENDMSG_X: res, data (the buffers as passed, up to the snaplen) */
EXIT(sendmsg)
{
	struct tmp_area *tmp = tmp_get();
	struct user_msghdr mh;
	struct ev e;
	__u64 n;

	fetch_msghdr(&mh, sc_arg(regs, 1));
	if (!tmp || !ev_begin(&e, PPME_SOCKET_SENDMSG_X, 2))
		return 0;
	n = iov_fetch(tmp->iov, (__u64)mh.msg_iov, mh.msg_iovlen);
	ev_u64(&e, ret);
	ev_iov_data(&e, tmp->iov, n, iov_total(tmp->iov, n));
	ev_submit(&e);
	return 0;
}

/* PPME_SOCKET_RECVMSG_E: fd */
ENTER(recvmsg) { return fd_enter(regs, PPME_SOCKET_RECVMSG_E); }

/* PPME_SOCKET_RECVMSG_X: res, size, data (what was received, up to the snaplen), tuple */
EXIT(recvmsg)
{
	struct tmp_area *tmp = tmp_get();
	struct user_msghdr mh;
	struct ev e;
	__u64 n, size;
	__s64 fd = (int)sc_arg(regs, 0);

	fetch_msghdr(&mh, sc_arg(regs, 1));
	if (!tmp || !ev_begin(&e, PPME_SOCKET_RECVMSG_X, 4))
		return 0;
	n = iov_fetch(tmp->iov, (__u64)mh.msg_iov, mh.msg_iovlen);
	size = iov_total(tmp->iov, n);
	if (ret < 0)
		size = 0;
	else if (size > (__u64)ret)
		size = ret;
	ev_u64(&e, ret);
	ev_u32(&e, (__u32)size);
	ev_iov_data(&e, tmp->iov, n, size);
	if (ret >= 0 && mh.msg_name && mh.msg_namelen &&
	    fetch_user_addr(tmp->addr, (__u64)mh.msg_name, mh.msg_namelen))
		ev_socktuple(&e, fd, tmp->addr, true, true);
	else
		ev_len(&e, 0); /* 0.29.3 records a tuple only for an address in the message */
	ev_submit(&e);
	return 0;
}

/* ---- getsockopt, setsockopt ------------------------------------------------------------------- */
#define L_SOL_SOCKET 1
#define L_SOL_TCP 6
#define SOCKOPT_IDX_UNKNOWN 0 /* PPM_SOCKOPT_IDX_*: the type of the DYN val param */
#define SOCKOPT_IDX_ERRNO 1
#define SOCKOPT_IDX_UINT32 2
#define SOCKOPT_IDX_UINT64 3
#define SOCKOPT_IDX_TIMEVAL 4

static __always_inline __u8 sockopt_level_to_ppm(__u64 level)
{
	return level == L_SOL_SOCKET ? 1 : level == L_SOL_TCP ? 2 : 0;
}

/* SOL_SOCKET option names: the PPM table keeps Linux's numbers up to SO_ATTACH_BPF (50) */
static __always_inline __u8 sockopt_name_to_ppm(__u64 level, __u64 name)
{
	if (level != L_SOL_SOCKET)
		return 0;
	if (name >= 1 && name <= 50)
		return name;
	switch (name) {
	case 59: return 51; /* SO_PEERGROUPS */
	case 55: return 52; /* SO_MEMINFO */
	case 57: return 53; /* SO_COOKIE */
	default: return 0;
	}
}

/* SOL_SOCKET options whose value 0.29.3 records as a u32 */
static __always_inline bool sockopt_is_int(__u64 name)
{
	switch (name) {
	case 1: case 2: case 3: case 5: case 6: case 7: case 8: case 9: case 10: case 11:
	case 12: case 14: case 15: case 16: case 18: case 19: case 22: case 23: case 24:
	case 25: case 27: case 29: case 30: case 31: case 32: case 33: case 34: case 35:
	case 36: case 37: case 38: case 39: case 40: case 41: case 42: case 43: case 44:
	case 45: case 46: case 47: case 48: case 49:
		return true;
	default:
		return false;
	}
}

/* The DYN val param: a u8 type index, then the value in that type */
static __always_inline void ev_sockopt_val(struct ev *e, __u64 level, __u64 name, __u64 uval,
					   __u32 optlen)
{
	__u8 *d = ev_cursor(e);
	union { __u32 v32; __u64 v64; struct { __s64 sec, usec; } tv; } u = {};
	__u32 n;

	if (level == L_SOL_SOCKET && name == 4) { /* SO_ERROR: the error as a negative errno */
		bpf_probe_read_user(&u.v32, sizeof(u.v32), (void *)uval);
		d[0] = SOCKOPT_IDX_ERRNO;
		*(__s64 *)(d + 1) = -(__s64)(__s32)u.v32;
		ev_len(e, 9);
	} else if (level == L_SOL_SOCKET && (name == 20 || name == 21)) { /* SO_RCV/SNDTIMEO */
		bpf_probe_read_user(&u.tv, sizeof(u.tv), (void *)uval);
		d[0] = SOCKOPT_IDX_TIMEVAL;
		*(__u64 *)(d + 1) = u.tv.sec * 1000000000ULL + u.tv.usec * 1000;
		ev_len(e, 9);
	} else if (level == L_SOL_SOCKET && name == 57) { /* SO_COOKIE */
		bpf_probe_read_user(&u.v64, sizeof(u.v64), (void *)uval);
		d[0] = SOCKOPT_IDX_UINT64;
		*(__u64 *)(d + 1) = u.v64;
		ev_len(e, 9);
	} else if (level == L_SOL_SOCKET && sockopt_is_int(name)) {
		bpf_probe_read_user(&u.v32, sizeof(u.v32), (void *)uval);
		d[0] = SOCKOPT_IDX_UINT32;
		*(__u32 *)(d + 1) = u.v32;
		ev_len(e, 5);
	} else { /* anything else: the raw bytes, up to the snaplen */
		d[0] = SOCKOPT_IDX_UNKNOWN;
		n = ev_room(e, (optlen < snaplen ? optlen : snaplen) + 1);
		n = n ? n - 1 : 0;
		if (n && uval && bpf_probe_read_user(e->b + ((e->off + 1) & HALF_MASK), n & 0xFFF,
						     (void *)uval)) {
			count_copy_fail(e);
			n = 0;
		}
		ev_len(e, 1 + (n & 0xFFF));
	}
}

/* PPME_SOCKET_SETSOCKOPT_X / GETSOCKOPT_X: res, fd, level, optname, val, optlen */
static __always_inline int sockopt_exit(struct pt_regs *regs, long ret, __u16 type, __u32 optlen)
{
	struct ev e;
	__u64 level = sc_arg(regs, 1), name = sc_arg(regs, 2);

	if (!ev_begin(&e, type, 6))
		return 0;
	ev_u64(&e, ret);
	ev_u64(&e, (__s64)(int)sc_arg(regs, 0));
	ev_u8(&e, sockopt_level_to_ppm(level));
	ev_u8(&e, sockopt_name_to_ppm(level, name));
	ev_sockopt_val(&e, level, name, sc_arg(regs, 3), optlen);
	ev_u32(&e, optlen);
	ev_submit(&e);
	return 0;
}

ENTER(setsockopt) { return empty_event(PPME_SOCKET_SETSOCKOPT_E); }
EXIT(setsockopt) { return sockopt_exit(regs, ret, PPME_SOCKET_SETSOCKOPT_X, (__u32)sc_arg(regs, 4)); }
ENTER(getsockopt) { return empty_event(PPME_SOCKET_GETSOCKOPT_E); }
EXIT(getsockopt)
{
	__u32 optlen = 0;

	bpf_probe_read_user(&optlen, sizeof(optlen), (void *)sc_arg(regs, 4));
	return sockopt_exit(regs, ret, PPME_SOCKET_GETSOCKOPT_X, optlen);
}
