/* SPDX-License-Identifier: Apache-2.0 OR GPL-2.0-only */
/*
 * Fillers for path, directory and descriptor syscalls (stat family, access, unlink, rename,
 * mkdir, rmdir, chdir, fchdir, lseek, dup, pipe, fcntl, ioctl, eventfd, mprotect). Included
 * by probe.bpf.c only. Params follow the 0.29.3 event table (the event each x86-64 syscall is
 * routed to is in sysdive.schema.syscalls.SYSCALL_ROUTING); the comments name the events.
 * Linux -> PPM conversions are spelled out where the values differ; where the 0.29.3 tables
 * use Linux's own values (access modes, unlinkat/renameat2 flags) the value is written as is.
 */

/* enter: one integer param (u64 slot), exit: res */
static __always_inline int u64_enter(__u16 type, __u64 v)
{
	struct ev e;

	if (!ev_begin_fixed(&e, type, 1, FIXED_SIZE(1, 8)))
		return 0;
	ev_u64(&e, v);
	ev_submit_fixed(&e);
	return 0;
}

static __always_inline int u32_enter(__u16 type, __u32 v)
{
	struct ev e;

	if (!ev_begin_fixed(&e, type, 1, FIXED_SIZE(1, 4)))
		return 0;
	ev_u32(&e, v);
	ev_submit_fixed(&e);
	return 0;
}

/* exit: res, then one path from user memory (stat, lstat, chdir, rmdir, unlink, mkdir) */
static __always_inline int res_path_exit(__u16 type, long ret, __u64 path)
{
	struct ev e;

	if (!ev_begin(&e, type, 2))
		return 0;
	ev_u64(&e, ret);
	ev_user_str(&e, (void *)path, PATH_MAX_READ);
	ev_submit(&e);
	return 0;
}

/* PPME_SYSCALL_STAT_E/X, LSTAT_E/X: -, res path */
ENTER(stat) { return empty_event(PPME_SYSCALL_STAT_E); }
EXIT(stat) { return res_path_exit(PPME_SYSCALL_STAT_X, ret, sc_arg(regs, 0)); }
ENTER(lstat) { return empty_event(PPME_SYSCALL_LSTAT_E); }
EXIT(lstat) { return res_path_exit(PPME_SYSCALL_LSTAT_X, ret, sc_arg(regs, 0)); }

/* PPME_SYSCALL_FSTAT_E/X: fd, res */
ENTER(fstat) { return fd_enter(regs, PPME_SYSCALL_FSTAT_E); }
EXIT(fstat) { return res_exit(ret, PPME_SYSCALL_FSTAT_X); }

/* PPME_SYSCALL_LSEEK_E: fd, offset, whence (SEEK_SET/CUR/END keep their values, others 0) */
ENTER(lseek)
{
	struct ev e;
	__u64 whence = sc_arg(regs, 2);

	if (!ev_begin_fixed(&e, PPME_SYSCALL_LSEEK_E, 3, FIXED_SIZE(3, 17)))
		return 0;
	ev_u64(&e, (__s64)(int)sc_arg(regs, 0));
	ev_u64(&e, sc_arg(regs, 1));
	ev_u8(&e, whence <= 2 ? (__u8)whence : 0);
	ev_submit_fixed(&e);
	return 0;
}
EXIT(lseek) { return res_exit(ret, PPME_SYSCALL_LSEEK_X); }

/* PPME_SYSCALL_ACCESS_E: mode (R/W/X_OK share the PPM bits); _X: res, name */
ENTER(access) { return u32_enter(PPME_SYSCALL_ACCESS_E, (__u32)sc_arg(regs, 1) & 7); }
EXIT(access) { return res_path_exit(PPME_SYSCALL_ACCESS_X, ret, sc_arg(regs, 0)); }

/* PPME_SYSCALL_UNLINK_2_E/X, RMDIR_2_E/X: -, res path */
ENTER(unlink) { return empty_event(PPME_SYSCALL_UNLINK_2_E); }
EXIT(unlink) { return res_path_exit(PPME_SYSCALL_UNLINK_2_X, ret, sc_arg(regs, 0)); }
ENTER(rmdir) { return empty_event(PPME_SYSCALL_RMDIR_2_E); }
EXIT(rmdir) { return res_path_exit(PPME_SYSCALL_RMDIR_2_X, ret, sc_arg(regs, 0)); }

/* PPME_SYSCALL_MKDIR_2_E: mode; _X: res, path */
ENTER(mkdir) { return u32_enter(PPME_SYSCALL_MKDIR_2_E, (__u32)sc_arg(regs, 1)); }
EXIT(mkdir) { return res_path_exit(PPME_SYSCALL_MKDIR_2_X, ret, sc_arg(regs, 0)); }

/* PPME_SYSCALL_CHDIR_E/X: -, res path; FCHDIR_E/X: fd, res */
ENTER(chdir) { return empty_event(PPME_SYSCALL_CHDIR_E); }
EXIT(chdir) { return res_path_exit(PPME_SYSCALL_CHDIR_X, ret, sc_arg(regs, 0)); }
ENTER(fchdir) { return fd_enter(regs, PPME_SYSCALL_FCHDIR_E); }
EXIT(fchdir) { return res_exit(ret, PPME_SYSCALL_FCHDIR_X); }

/* PPME_SYSCALL_UNLINKAT_2_X: res, dirfd, name, flags */
ENTER(unlinkat) { return empty_event(PPME_SYSCALL_UNLINKAT_2_E); }
EXIT(unlinkat)
{
	struct ev e;

	if (!ev_begin(&e, PPME_SYSCALL_UNLINKAT_2_X, 4))
		return 0;
	ev_u64(&e, ret);
	ev_u64(&e, dirfd_to_ppm(sc_arg(regs, 0)));
	ev_user_str(&e, (void *)sc_arg(regs, 1), PATH_MAX_READ);
	ev_u32(&e, (__u32)sc_arg(regs, 2) & L_AT_REMOVEDIR);
	ev_submit(&e);
	return 0;
}

/* PPME_SYSCALL_MKDIRAT_X: res, dirfd, path, mode */
ENTER(mkdirat) { return empty_event(PPME_SYSCALL_MKDIRAT_E); }
EXIT(mkdirat)
{
	struct ev e;

	if (!ev_begin(&e, PPME_SYSCALL_MKDIRAT_X, 4))
		return 0;
	ev_u64(&e, ret);
	ev_u64(&e, dirfd_to_ppm(sc_arg(regs, 0)));
	ev_user_str(&e, (void *)sc_arg(regs, 1), PATH_MAX_READ);
	ev_u32(&e, (__u32)sc_arg(regs, 2));
	ev_submit(&e);
	return 0;
}

/* PPME_SYSCALL_RENAME_X: res, oldpath, newpath */
ENTER(rename) { return empty_event(PPME_SYSCALL_RENAME_E); }
EXIT(rename)
{
	struct ev e;

	if (!ev_begin(&e, PPME_SYSCALL_RENAME_X, 3))
		return 0;
	ev_u64(&e, ret);
	ev_user_str(&e, (void *)sc_arg(regs, 0), PATH_MAX_READ);
	ev_user_str(&e, (void *)sc_arg(regs, 1), PATH_MAX_READ);
	ev_submit(&e);
	return 0;
}

/* PPME_SYSCALL_RENAMEAT_X: res, olddirfd, oldpath, newdirfd, newpath (+ flags: RENAMEAT2) */
static __always_inline int renameat_exit(struct pt_regs *regs, long ret, bool with_flags)
{
	struct ev e;

	if (!ev_begin(&e, with_flags ? PPME_SYSCALL_RENAMEAT2_X : PPME_SYSCALL_RENAMEAT_X,
		      with_flags ? 6 : 5))
		return 0;
	ev_u64(&e, ret);
	ev_u64(&e, dirfd_to_ppm(sc_arg(regs, 0)));
	ev_user_str(&e, (void *)sc_arg(regs, 1), PATH_MAX_READ);
	ev_u64(&e, dirfd_to_ppm(sc_arg(regs, 2)));
	ev_user_str(&e, (void *)sc_arg(regs, 3), PATH_MAX_READ);
	if (with_flags)
		ev_u32(&e, (__u32)sc_arg(regs, 4));
	ev_submit(&e);
	return 0;
}

ENTER(renameat) { return empty_event(PPME_SYSCALL_RENAMEAT_E); }
EXIT(renameat) { return renameat_exit(regs, ret, false); }
ENTER(renameat2) { return empty_event(PPME_SYSCALL_RENAMEAT2_E); }
EXIT(renameat2) { return renameat_exit(regs, ret, true); }

/* PPME_SYSCALL_DUP_E/X (dup, dup2, dup3): oldfd, res */
ENTER(dup) { return fd_enter(regs, PPME_SYSCALL_DUP_E); }
EXIT(dup) { return res_exit(ret, PPME_SYSCALL_DUP_X); }
ENTER(dup2) { return fd_enter(regs, PPME_SYSCALL_DUP_E); }
EXIT(dup2) { return res_exit(ret, PPME_SYSCALL_DUP_X); }
ENTER(dup3) { return fd_enter(regs, PPME_SYSCALL_DUP_E); }
EXIT(dup3) { return res_exit(ret, PPME_SYSCALL_DUP_X); }

/* PPME_SYSCALL_PIPE_X (pipe, pipe2): res, fd1, fd2, ino of the pipe */
static __always_inline int pipe_exit(struct pt_regs *regs, long ret)
{
	struct ev e;
	int fds[2] = {0, 0};
	__u64 ino = 0;
	struct file *f;

	if (bpf_probe_read_user(fds, sizeof(fds), (void *)sc_arg(regs, 0)))
		fds[0] = fds[1] = 0;
	if (ret >= 0) {
		f = fd_file(bpf_get_current_task_btf(), fds[0]);
		if (f)
			ino = BPF_CORE_READ(f, f_inode, i_ino);
	}
	if (!ev_begin_fixed(&e, PPME_SYSCALL_PIPE_X, 4, FIXED_SIZE(4, 32)))
		return 0;
	ev_u64(&e, ret);
	ev_u64(&e, (__s64)fds[0]);
	ev_u64(&e, (__s64)fds[1]);
	ev_u64(&e, ino);
	ev_submit_fixed(&e);
	return 0;
}

ENTER(pipe) { return empty_event(PPME_SYSCALL_PIPE_E); }
EXIT(pipe) { return pipe_exit(regs, ret); }
ENTER(pipe2) { return empty_event(PPME_SYSCALL_PIPE_E); }
EXIT(pipe2) { return pipe_exit(regs, ret); }

/* fcntl commands: Linux numbering -> PPM_FCNTL_* (fcntl_commands), unknown ones 0 */
static __always_inline __u8 fcntl_cmd_to_ppm(__u64 cmd)
{
	switch (cmd) {
	case 0: return 1;     /* F_DUPFD */
	case 1: return 2;     /* F_GETFD */
	case 2: return 3;     /* F_SETFD */
	case 3: return 4;     /* F_GETFL */
	case 4: return 5;     /* F_SETFL */
	case 5: return 6;     /* F_GETLK */
	case 6: return 8;     /* F_SETLK */
	case 7: return 9;     /* F_SETLKW */
	case 8: return 10;    /* F_SETOWN */
	case 9: return 12;    /* F_GETOWN */
	case 10: return 13;   /* F_SETSIG */
	case 11: return 15;   /* F_GETSIG */
	case 15: return 21;   /* F_SETOWN_EX */
	case 16: return 22;   /* F_GETOWN_EX */
	case 36: return 30;   /* F_OFD_GETLK */
	case 37: return 31;   /* F_OFD_SETLK */
	case 38: return 32;   /* F_OFD_SETLKW */
	case 1024: return 23; /* F_SETLEASE */
	case 1025: return 24; /* F_GETLEASE */
	case 1026: return 27; /* F_NOTIFY */
	case 1029: return 25; /* F_CANCELLK */
	case 1030: return 26; /* F_DUPFD_CLOEXEC */
	case 1031: return 28; /* F_SETPIPE_SZ */
	case 1032: return 29; /* F_GETPIPE_SZ */
	default: return 0;
	}
}

/* PPME_SYSCALL_FCNTL_E: fd, cmd; _X: res */
ENTER(fcntl)
{
	struct ev e;

	if (!ev_begin_fixed(&e, PPME_SYSCALL_FCNTL_E, 2, FIXED_SIZE(2, 9)))
		return 0;
	ev_u64(&e, (__s64)(int)sc_arg(regs, 0));
	ev_u8(&e, fcntl_cmd_to_ppm(sc_arg(regs, 1)));
	ev_submit_fixed(&e);
	return 0;
}
EXIT(fcntl) { return res_exit(ret, PPME_SYSCALL_FCNTL_X); }

/* PPME_SYSCALL_IOCTL_3_E: fd, request, argument; _X: res */
ENTER(ioctl)
{
	struct ev e;

	if (!ev_begin_fixed(&e, PPME_SYSCALL_IOCTL_3_E, 3, FIXED_SIZE(3, 24)))
		return 0;
	ev_u64(&e, (__s64)(int)sc_arg(regs, 0));
	ev_u64(&e, sc_arg(regs, 1));
	ev_u64(&e, sc_arg(regs, 2));
	ev_submit_fixed(&e);
	return 0;
}
EXIT(ioctl) { return res_exit(ret, PPME_SYSCALL_IOCTL_3_X); }

/* PPME_SYSCALL_EVENTFD_E (eventfd, eventfd2): initval, flags (0.29.3 always writes 0) */
static __always_inline int eventfd_enter(struct pt_regs *regs)
{
	struct ev e;

	if (!ev_begin_fixed(&e, PPME_SYSCALL_EVENTFD_E, 2, FIXED_SIZE(2, 12)))
		return 0;
	ev_u64(&e, sc_arg(regs, 0));
	ev_u32(&e, 0);
	ev_submit_fixed(&e);
	return 0;
}

ENTER(eventfd) { return eventfd_enter(regs); }
EXIT(eventfd) { return res_exit(ret, PPME_SYSCALL_EVENTFD_X); }
ENTER(eventfd2) { return eventfd_enter(regs); }
EXIT(eventfd2) { return res_exit(ret, PPME_SYSCALL_EVENTFD_X); }

/* PPME_SYSCALL_MPROTECT_E: addr, length, prot; _X: res */
ENTER(mprotect)
{
	struct ev e;

	if (!ev_begin_fixed(&e, PPME_SYSCALL_MPROTECT_E, 3, FIXED_SIZE(3, 20)))
		return 0;
	ev_u64(&e, sc_arg(regs, 0));
	ev_u64(&e, sc_arg(regs, 1));
	ev_u32(&e, prot_to_ppm(sc_arg(regs, 2)));
	ev_submit_fixed(&e);
	return 0;
}
EXIT(mprotect) { return res_exit(ret, PPME_SYSCALL_MPROTECT_X); }

/* ---- positioned vector I/O and sendfile ------------------------------------------------- */
/* PPME_SYSCALL_PREADV_E: fd, pos */
ENTER(preadv)
{
	struct ev e;

	if (!ev_begin_fixed(&e, PPME_SYSCALL_PREADV_E, 2, FIXED_SIZE(2, 16)))
		return 0;
	ev_u64(&e, (__s64)(int)sc_arg(regs, 0));
	ev_u64(&e, sc_arg(regs, 3));
	ev_submit_fixed(&e);
	return 0;
}

/* PPME_SYSCALL_PREADV_X: res, size, data (what was read, up to the snaplen) */
EXIT(preadv)
{
	struct tmp_area *tmp = tmp_get();
	struct ev e;
	__u64 n, size;

	if (!tmp || !ev_begin(&e, PPME_SYSCALL_PREADV_X, 3))
		return 0;
	n = iov_fetch(tmp->iov, sc_arg(regs, 1), sc_arg(regs, 2));
	size = iov_total(tmp->iov, n);
	if (ret < 0)
		size = 0;
	else if (size > (__u64)ret)
		size = ret;
	ev_u64(&e, ret);
	ev_u32(&e, (__u32)size);
	ev_iov_data(&e, tmp->iov, n, size);
	ev_submit(&e);
	return 0;
}

/* PPME_SYSCALL_PWRITEV_E: fd, size, pos */
ENTER(pwritev)
{
	struct tmp_area *tmp = tmp_get();
	struct ev e;
	__u64 n;

	if (!tmp || !ev_begin(&e, PPME_SYSCALL_PWRITEV_E, 3))
		return 0;
	n = iov_fetch(tmp->iov, sc_arg(regs, 1), sc_arg(regs, 2));
	ev_u64(&e, (__s64)(int)sc_arg(regs, 0));
	ev_u32(&e, (__u32)iov_total(tmp->iov, n));
	ev_u64(&e, sc_arg(regs, 3));
	ev_submit(&e);
	return 0;
}

/* PPME_SYSCALL_PWRITEV_X: res, data (the buffers as passed, up to the snaplen) */
EXIT(pwritev)
{
	struct tmp_area *tmp = tmp_get();
	struct ev e;
	__u64 n;

	if (!tmp || !ev_begin(&e, PPME_SYSCALL_PWRITEV_X, 2))
		return 0;
	n = iov_fetch(tmp->iov, sc_arg(regs, 1), sc_arg(regs, 2));
	ev_u64(&e, ret);
	ev_iov_data(&e, tmp->iov, n, iov_total(tmp->iov, n));
	ev_submit(&e);
	return 0;
}

/* The caller's *offset of sendfile (0 when it passed none or it cannot be read) */
static __always_inline __u64 sendfile_offset(struct pt_regs *regs)
{
	__u64 off = 0;
	void *p = (void *)sc_arg(regs, 2);

	if (p && bpf_probe_read_user(&off, sizeof(off), p))
		off = 0;
	return off;
}

/* PPME_SYSCALL_SENDFILE_E: out_fd, in_fd, offset, size */
ENTER(sendfile)
{
	struct ev e;
	__u64 off = sendfile_offset(regs);

	if (!ev_begin_fixed(&e, PPME_SYSCALL_SENDFILE_E, 4, FIXED_SIZE(4, 32)))
		return 0;
	ev_u64(&e, (__s64)(int)sc_arg(regs, 0));
	ev_u64(&e, (__s64)(int)sc_arg(regs, 1));
	ev_u64(&e, off);
	ev_u64(&e, sc_arg(regs, 3));
	ev_submit_fixed(&e);
	return 0;
}

/* PPME_SYSCALL_SENDFILE_X: res, offset (as updated by the call) */
EXIT(sendfile)
{
	struct ev e;
	__u64 off = sendfile_offset(regs);

	if (!ev_begin_fixed(&e, PPME_SYSCALL_SENDFILE_X, 2, FIXED_SIZE(2, 16)))
		return 0;
	ev_u64(&e, ret);
	ev_u64(&e, off);
	ev_submit_fixed(&e);
	return 0;
}
