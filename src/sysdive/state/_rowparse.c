/* sysdive.state._rowparse: the fast rejections of the batch loop, compiled.
 *
 * The batch loop (sysdive/fastloop.py) visits the rows a numpy prefilter selects; most of
 * them are rejected by the capture filter without an Event being built
 * (Parser.skip_rejected, Parser.reject_fast, Parser.reject_state_fast in
 * sysdive/state/rejections.py). In Python those cost a few microseconds each, which for
 * fd-heavy captures is most of the run. This module walks the selected rows of a batch in
 * C, applies the same functions to the same Python objects (State, ThreadInfo, FdInfo: there
 * is one state, read and written here through the slots of those classes) and stops at the
 * first row that needs the full Python path. rejections.py holds the reference versions and
 * the reasoning; every branch here mirrors a line there.
 *
 * Beyond the Python versions: a row the filter passes is handed on from here when the full
 * path would add nothing to the parse done here but Parser._handed_on (hand_on: the Event is
 * built here with its context); a filter that is one string comparison of fd.name is
 * applied here (ask); Events and open files' fd entries are built here without their
 * __init__ (new_event, new_file_fd, join_path). tests/state/test_compiled_rejections.py
 * compares the state and every handed-on event slot by slot with the Python path, and
 * tests/parity the printed output of every filter case.
 *
 * Anything unexpected (a slot that is not an int, an fd param past the buffer, an object of
 * another class) sends the row down the full path, before anything is changed.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <structmember.h>
#include <limits.h>
#include <string.h>

#define MAXT 1024

/* A loaded batch's columns: the selected rows' index, kind and type and their events'
 * header fields. */
enum { C_SEL, C_KIND, C_TYPE, C_TS, C_TID, C_CPU, C_DFL, C_HDR, C_END, C_NPAR, NCOLS };

/* The slots of Event and FdInfo, all of them: objects of those classes are built here
 * without running their __init__, so Rows() refuses classes whose slots differ. */
static const char *EV_SLOT_NAMES[] = {
    "_params", "buf", "cpu", "dflags", "end", "enter", "extra", "fd", "fd_name_changed",
    "fdinfo", "hdr", "info", "latency", "nparams", "num", "thread", "tid", "tinfo_changed",
    "ts", "type", "v1"};
enum { EV_PARAMS, EV_BUF, EV_CPU, EV_DFLAGS, EV_END, EV_ENTER, EV_EXTRA, EV_FD,
       EV_FD_NAME_CHANGED, EV_FDINFO, EV_HDR, EV_INFO, EV_LATENCY, EV_NPARAMS, EV_NUM,
       EV_THREAD, EV_TID, EV_TINFO_CHANGED, EV_TS, EV_TYPE, EV_V1, NEV_SLOTS };
static const char *FD_SLOT_NAMES[] = {
    "dev", "fd", "flags", "ino", "mount_id", "name", "oldname", "openflags", "sock", "type"};
enum { FD_DEV, FD_FD, FD_FLAGS, FD_INO, FD_MOUNT_ID, FD_NAME, FD_OLDNAME, FD_OPENFLAGS,
       FD_SOCK, FD_TYPE, NFD_SLOTS };

typedef struct {
    Py_ssize_t tid, pid, flags, fds, lastevent_type, lastevent_fd, lastevent_cpuid, latency,
        last_latency_entertime, lastevent_data, cwd, lastevent_ts, prevevent_ts, comm,
        vmsize_kb, vmrss_kb, vmswap_kb;
} ThreadSlots;

typedef struct {
    Py_ssize_t flags, name, oldname, type;
} FdSlots;

/* The Event slots an accepted row's context goes into (Parser._handed_on). */
typedef struct {
    Py_ssize_t thread, fdinfo, fd, latency, fd_name_changed;
} EventSlots;

typedef struct {
    PyObject_HEAD
    PyObject *parser;      /* Parser: apply_removals */
    PyObject *state;       /* State */
    PyObject *event_cls;   /* Event */
    PyTypeObject *thread_type;
    PyTypeObject *fdinfo_type;
    PyObject *preds;       /* list: per type, the predicate of reject_state_fast (or None) */
    PyObject *may_pass;    /* reject_fast's predicate (or None) */
    PyObject *concatenate; /* decode.concatenate_paths (for a cwd that is not ASCII) */
    /* What Event and FdInfo objects are built from here (see new_event, new_file_fd) */
    PyObject *infos;       /* EVENTS: an Event's info by type */
    PyObject *file_type, *dir_type, *user_evt_device, *path_too_long, *empty;
    Py_ssize_t ev_slots[NEV_SLOTS], fd_slots[NFD_SLOTS];
    long long sock_size, flag_tracer_file, flag_not_tracer_fd, o_directory, max_path;
    Py_ssize_t ev_type, ev_nparams;   /* Event slots */
    EventSlots es;
    ThreadSlots ts;
    FdSlots fs;
    int ntypes;
    unsigned char uses_fd[MAXT];
    unsigned char ts_only[MAXT];
    unsigned char stores[MAXT];   /* enters whose parser only stores them */
    /* Per type, whether a row the filter passes may be handed on from here (see
     * Parser.compiled_rejections): 0 no, 1 yes, 2 when its fd is no IP socket and no tracer
     * candidate (the read/write exits, whose parser then does nothing), 3 with the memory
     * counters it reports (brk/mmap/munmap exits: parse_procs.memory_exit) when their
     * params have the usual layout. */
    unsigned char accept[MAXT];
    unsigned char nparams[MAXT];  /* the params the schema knows, per type */
    unsigned char large[MAXT];    /* types with 4-byte param lengths */
    long long ipv4_sock, ipv6_sock, tracer_fd_flags, write_x, scap_df_tracer;
    long long socket_x, fcntl_e, fcntl_x, f_dupfd, f_dupfd_cloexec, connect_e, af_inet, af_inet6,
        sendto_e, procinfo;
    PyObject *socket_fd;   /* parse_fds.socket_fd */
    PyObject *set_destination;   /* parse_fds.set_destination */
    PyObject *event;       /* the Event of the row advance() stopped at, when it handed it on */
    /* A -w copy's pending bytes (set_dump): rows handed on here are written into it as
     * event blocks instead of being handed to Python, and counted in ``dumped``; or, with
     * ``discard``, only counted (nothing reads them: -q). */
    PyObject *dump;
    int discard;
    unsigned int dump_types[4];   /* block types: EV, EV large, EVF, EVF large (v2) */
    long long dumped, dump_handed;   /* rows written, of which handed on */
    /* A copy without a filter (may_pass is then the always-true one): procinfo rows are
     * handed on as process_event does then, which pass_procinfo mirrors. */
    int dump_unfiltered;
    PyObject *pending_sd;  /* state.__dict__ during advance() (borrowed), see set_state_ts */
    /* The last row's tid and thread, reused by the next row of the same tid while no Python
     * code has run (flush_ts drops them before any does). */
    PyObject *cache_tid, *cache_t;
    unsigned long long cache_tidv;
    unsigned long long pending_ts;
    int ts_pending;
    /* The predicates applied without a call (set_predicates): ``never`` is the one that
     * always says no; may_pass, when nat_op != 0, is one string comparison of fd.name's
     * fast value (fields/fd.py _FastName) with nat_needle. */
    PyObject *never, *always;
    PyObject *event_filter;   /* kind 3's predicate when it has no fast form: filter(evt) */
    /* ...when that filter is one comparison of the event's result (set_result_compare):
     * res_op (the compiler's RESULT_OPS code, 0: none) with res_value, the result found per
     * type as res_at says (0 none, 1 the first param's 8 bytes, 2 elsewhere) */
    int res_op;
    long long res_value;
    unsigned char res_at[MAXT];
    int nat_op, nat_src;
    PyObject *nat_needle;
    unsigned char nat_types[MAXT];
    long long ppm_event_max, close_e, close_x, open_x, tracer_e, sp_evt_buf_size, max_fd_table;
    long long cl_active, cl_clone_files, cl_is_main_thread;
    long long flag_close_canceled, flag_close_in_progress, lastevent_invalid;
    /* the batch */
    PyObject *buf;
    const unsigned char *bp;
    Py_ssize_t blen;
    long long num;
    Py_ssize_t m;
    long long *derived;    /* the NCOLS columns, one after the other */
    long long last_selected;   /* row index of the batch's last selected row, -1: none */
    unsigned long long end_ts; /* the timestamp of the batch's last row */
    const long long *col[NCOLS];
    int loaded;
} Rows;


static PyObject *s_tid_to_remove, *s_fds_to_remove, *s_lastevent_ts, *s_threads,
    *s_tid_of_fd_to_remove, *s_apply_removals, *s_tmp_enter;

/* -- slot access ------------------------------------------------------------------------ */

static Py_ssize_t
slot_offset(PyTypeObject *tp, const char *name)
{
    PyObject *d = PyObject_GetAttrString((PyObject *)tp, name);
    if (d == NULL)
        return -1;
    if (!Py_IS_TYPE(d, &PyMemberDescr_Type)
            || ((PyMemberDescrObject *)d)->d_member->type != T_OBJECT_EX) {
        Py_DECREF(d);
        PyErr_Format(PyExc_TypeError, "%s.%s is not a slot", tp->tp_name, name);
        return -1;
    }
    Py_ssize_t off = ((PyMemberDescrObject *)d)->d_member->offset;
    Py_DECREF(d);
    return off;
}

#define SLOT(o, off) (*(PyObject **)((char *)(o) + (off)))

/* Replace a slot's value with a new reference (NULL: an error is set, nothing changes). */
static int
set_slot(PyObject *o, Py_ssize_t off, PyObject *v)
{
    if (v == NULL)
        return -1;
    PyObject *old = SLOT(o, off);
    SLOT(o, off) = v;
    Py_XDECREF(old);
    return 0;
}

/* An int (exact: not an IntEnum) slot as a C integer; 0 when it is missing, not an int or
 * out of range (no error is left set: the caller then takes the full path). */
static int
slot_ll(PyObject *o, Py_ssize_t off, int exact, long long *out)
{
    PyObject *v = SLOT(o, off);
    if (v == NULL || !(exact ? PyLong_CheckExact(v) : PyLong_Check(v)))
        return 0;
    int overflow;
    long long r = PyLong_AsLongLongAndOverflow(v, &overflow);
    if (overflow || (r == -1 && PyErr_Occurred())) {
        PyErr_Clear();
        return 0;
    }
    *out = r;
    return 1;
}

#define get_ll(o, off, out) slot_ll((o), (off), 1, (out))
#define get_int(o, off, out) slot_ll((o), (off), 0, (out))   /* an IntEnum too */

static int
get_ull(PyObject *o, Py_ssize_t off, unsigned long long *out)
{
    PyObject *v = SLOT(o, off);
    if (v == NULL || !PyLong_CheckExact(v))
        return 0;
    unsigned long long r = PyLong_AsUnsignedLongLong(v);
    if (r == (unsigned long long)-1 && PyErr_Occurred()) {
        PyErr_Clear();
        return 0;
    }
    *out = r;
    return 1;
}

#define COL(self, c, j) ((self)->col[c][j])

/* -- State ------------------------------------------------------------------------------- */

/* Set state.lastevent_ts: only the last value matters, and only to Python code, so it is
 * written out by flush_ts before anything calls into Python and when advance() returns. */
static int
set_state_ts(Rows *self, PyObject *sd, unsigned long long ts)
{
    self->pending_sd = sd;
    self->pending_ts = ts;
    self->ts_pending = 1;
    return 0;
}

static int
flush_ts(Rows *self)
{
    Py_CLEAR(self->cache_tid);
    Py_CLEAR(self->cache_t);
    if (!self->ts_pending)
        return 0;
    self->ts_pending = 0;
    PyObject *v = PyLong_FromUnsignedLongLong(self->pending_ts);
    if (v == NULL)
        return -1;
    int r = PyDict_SetItem(self->pending_sd, s_lastevent_ts, v);
    Py_DECREF(v);
    return r;
}

/* Whether removals are pending (tid_to_remove != -1 or fds_to_remove): -1 on error. */
static int
removals_pending(PyObject *sd)
{
    PyObject *t = PyDict_GetItemWithError(sd, s_tid_to_remove);
    PyObject *f = PyDict_GetItemWithError(sd, s_fds_to_remove);
    if (t == NULL || f == NULL) {
        if (!PyErr_Occurred())
            PyErr_SetString(PyExc_AttributeError, "State lost its removal fields");
        return -1;
    }
    if (!PyLong_CheckExact(t) || !PyList_CheckExact(f)) {
        PyErr_SetString(PyExc_TypeError, "State removal fields of unexpected types");
        return -1;
    }
    int overflow;
    long long tv = PyLong_AsLongLongAndOverflow(t, &overflow);
    return overflow || tv != -1 || PyList_GET_SIZE(f) != 0;
}

/* The thread of tid (borrowed), NULL when unknown or not a ThreadInfo (no error set) or on
 * error (error set). */
static PyObject *
find_thread(Rows *self, PyObject *threads, PyObject *tid)
{
    PyObject *t = PyDict_GetItemWithError(threads, tid);
    if (t != NULL && Py_TYPE(t) != self->thread_type)
        return NULL;
    return t;
}

/* The shared-fd-table guard of the fast rejections: a CLONE_FILES thread whose main thread
 * is missing (the fd lookup would invent it). 1: guard hit, 0: fine, -1: error. */
static int
main_missing(Rows *self, PyObject *threads, PyObject *t, long long flags)
{
    if (!(flags & self->cl_clone_files) || (flags & self->cl_is_main_thread))
        return 0;
    PyObject *tid = SLOT(t, self->ts.tid), *pid = SLOT(t, self->ts.pid);
    if (tid == NULL || pid == NULL)
        return 1;
    int same = PyObject_RichCompareBool(tid, pid, Py_EQ);
    if (same < 0)
        return -1;
    if (same)
        return 0;
    int has = PyDict_Contains(threads, pid);
    if (has < 0)
        return -1;
    return !has;
}

/* State.get_fd (for fd >= 0): the entry of t's table (borrowed, or NULL), its oldname set
 * to its name as a lookup does. *ok = 0 when the lookup cannot be done here. */
static PyObject *
get_fd(Rows *self, PyObject *threads, PyObject *t, long long fd, int *ok)
{
    *ok = 1;
    if (fd < 0)
        return NULL;
    long long flags;
    if (!get_ll(t, self->ts.flags, &flags)) {
        *ok = 0;
        return NULL;
    }
    PyObject *owner = t;
    if (flags & self->cl_clone_files) {
        int main = flags & self->cl_is_main_thread;
        if (!main) {
            PyObject *tid = SLOT(t, self->ts.tid), *pid = SLOT(t, self->ts.pid);
            if (tid == NULL || pid == NULL) {
                *ok = 0;
                return NULL;
            }
            int same = PyObject_RichCompareBool(tid, pid, Py_EQ);
            if (same < 0) {
                *ok = -1;
                return NULL;
            }
            if (!same) {
                owner = find_thread(self, threads, pid);
                if (owner == NULL) {
                    *ok = PyErr_Occurred() ? -1 : 0;
                    return NULL;
                }
            }
        }
    }
    PyObject *table = SLOT(owner, self->ts.fds);
    if (table == NULL || !PyDict_CheckExact(table)) {
        *ok = 0;
        return NULL;
    }
    PyObject *key = PyLong_FromLongLong(fd);
    if (key == NULL) {
        *ok = -1;
        return NULL;
    }
    PyObject *fdi = PyDict_GetItemWithError(table, key);
    Py_DECREF(key);
    if (fdi == NULL) {
        if (PyErr_Occurred())
            *ok = -1;
        return NULL;
    }
    if (Py_TYPE(fdi) != self->fdinfo_type || SLOT(fdi, self->fs.name) == NULL) {
        *ok = 0;
        return NULL;
    }
    PyObject *name = SLOT(fdi, self->fs.name);
    Py_INCREF(name);
    set_slot(fdi, self->fs.oldname, name);
    return fdi;
}

/* The fd param of an enter (its first, 8 bytes): 1 and *fd when readable. */
static int
first_fd(Rows *self, long long hdr, long long end, long long npar, long long *fd)
{
    long long base = hdr + 26;
    if (npar <= 0 || npar > 32 || base < 0 || base + 2 + 2 * npar + 8 > self->blen)
        return 0;
    unsigned short l0;
    memcpy(&l0, self->bp + base, 2);
    if (l0 < 8 || (end >= 0 && base + 2 * npar + 8 > end))
        return 0;
    memcpy(fd, self->bp + base + 2 * npar, 8);
    return 1;
}

/* Parser._enter_fd: the fd reset takes from an enter (its first param for types that use
 * an fd, else -1) and its table entry (borrowed, or NULL). 1 when done, 0 when the param
 * or the lookup cannot be done here (the full path), -1 on error. */
static int
enter_fd(Rows *self, PyObject *threads, PyObject *t, long long etype, long long hdr,
         long long end, long long npar, long long *fd, PyObject **fdi)
{
    *fd = -1;
    *fdi = NULL;
    if (!self->uses_fd[etype])
        return 1;
    if (!first_fd(self, hdr, end, npar, fd))
        return 0;
    int ok;
    *fdi = get_fd(self, threads, t, *fd, &ok);
    return ok;
}

static int
call_pred(PyObject *pred, long long etype, PyObject *t, PyObject *fdi)
{
    PyObject *et = PyLong_FromLongLong(etype);
    if (et == NULL)
        return -1;
    PyObject *args[3] = {et, t, fdi != NULL ? fdi : Py_None};
    PyObject *r = PyObject_Vectorcall(pred, args, 3, NULL);
    Py_DECREF(et);
    if (r == NULL)
        return -1;
    int b = PyObject_IsTrue(r);
    Py_DECREF(r);
    return b;
}


/* An instance of a slotted class with its slots filled from vals (new references, stolen
 * even on failure); NULL with an error set. What __init__ would have done is the caller's
 * business: new_event and new_file_fd mirror Event.__init__ and parse_fds.opened_fd. */
static PyObject *
new_slotted(PyTypeObject *tp, const Py_ssize_t *offs, PyObject **vals, int n)
{
    int bad = 0;
    for (int k = 0; k < n; k++)
        bad |= vals[k] == NULL;
    PyObject *o = bad ? NULL : tp->tp_alloc(tp, 0);
    if (o == NULL) {
        for (int k = 0; k < n; k++)
            Py_XDECREF(vals[k]);
        return NULL;
    }
    for (int k = 0; k < n; k++)
        SLOT(o, offs[k]) = vals[k];
    return o;
}

static PyObject *
newref(PyObject *o)
{
    Py_INCREF(o);
    return o;
}

/* Event(num, etype, ts, tid, cpu, dflags, buf, hdr, end, npar), as its __init__ sets it. */
/* Event.params() of a v2 event, done while the Event is built (its first call is most of
 * what reading a param costs a sink); None (the lazy cache left empty) where that method
 * would not take its v2 branch or would read past the buffer. */
static PyObject *
event_params(Rows *self, PyObject *buf, long long etype, long long hdr, long long end,
             long long npar)
{
    Py_ssize_t blen = PyBytes_GET_SIZE(buf);
    int width = self->large[etype] ? 4 : 2;
    long long lens_off = hdr + 26, pos = lens_off + width * npar;
    if (npar < 0 || npar > 32 || hdr < 0 || pos > blen || end > blen)
        return newref(Py_None);
    long long keep = self->nparams[etype] < npar ? self->nparams[etype] : npar;
    const unsigned char *b = (const unsigned char *)PyBytes_AS_STRING(buf);
    PyObject *out = PyList_New(0);
    if (out == NULL)
        return NULL;
    for (long long k = 0; k < keep; k++) {
        unsigned int ln = 0;
        if (width == 4)
            memcpy(&ln, b + lens_off + 4 * k, 4);
        else {
            unsigned short l2;
            memcpy(&l2, b + lens_off + 2 * k, 2);
            ln = l2;
        }
        long long nxt = pos + ln;
        if (nxt > end)
            break;   /* a damaged length array: what fits, as Event.params */
        PyObject *p = PyBytes_FromStringAndSize((const char *)b + pos, (Py_ssize_t)ln);
        if (p == NULL || PyList_Append(out, p) < 0) {
            Py_XDECREF(p);
            Py_DECREF(out);
            return NULL;
        }
        Py_DECREF(p);
        pos = nxt;
    }
    return out;
}

static PyObject *
new_event(Rows *self, long long num, long long etype, unsigned long long ts, PyObject *tid,
          long long cpu, long long dflags, PyObject *buf, long long hdr, long long end,
          long long npar)
{
    PyObject *v[NEV_SLOTS];
    v[EV_PARAMS] = event_params(self, buf, etype, hdr, end, npar);
    if (v[EV_PARAMS] == NULL)
        return NULL;
    v[EV_BUF] = newref(buf);
    v[EV_CPU] = PyLong_FromLongLong(cpu);
    v[EV_DFLAGS] = PyLong_FromLongLong(dflags);
    v[EV_END] = PyLong_FromLongLong(end);
    v[EV_ENTER] = newref(Py_None);
    v[EV_EXTRA] = newref(Py_None);
    v[EV_FD] = newref(Py_None);
    v[EV_FD_NAME_CHANGED] = newref(Py_False);
    v[EV_FDINFO] = newref(Py_None);
    v[EV_HDR] = PyLong_FromLongLong(hdr);
    v[EV_INFO] = newref(PyTuple_GET_ITEM(self->infos, etype));
    v[EV_LATENCY] = PyLong_FromLong(0);
    v[EV_NPARAMS] = PyLong_FromLongLong(npar);
    v[EV_NUM] = PyLong_FromLongLong(num);
    v[EV_THREAD] = newref(Py_None);
    v[EV_TID] = newref(tid);
    v[EV_TINFO_CHANGED] = newref(Py_False);
    v[EV_TS] = PyLong_FromUnsignedLongLong(ts);
    v[EV_TYPE] = PyLong_FromLongLong(etype);
    v[EV_V1] = newref(npar < 0 ? Py_True : Py_False);
    return new_slotted((PyTypeObject *)self->event_cls, self->ev_slots, v, NEV_SLOTS);
}

/* parse_fds.opened_fd(fd, flags, dev, fullpath): the entry of a successful open. */
static PyObject *
new_file_fd(Rows *self, PyObject *fd, unsigned int flags, unsigned int dev, PyObject *fullpath)
{
    int tracer = PyUnicode_Compare(fullpath, self->user_evt_device) == 0;
    if (PyErr_Occurred())
        return NULL;
    PyObject *sock = PyByteArray_FromStringAndSize(NULL, self->sock_size);
    if (sock != NULL)
        memset(PyByteArray_AS_STRING(sock), 0, self->sock_size);
    PyObject *v[NFD_SLOTS];
    v[FD_DEV] = PyLong_FromUnsignedLong(dev);
    v[FD_FD] = newref(fd);
    v[FD_FLAGS] = PyLong_FromLongLong(tracer ? self->flag_tracer_file : self->flag_not_tracer_fd);
    v[FD_INO] = PyLong_FromLong(0);
    v[FD_MOUNT_ID] = PyLong_FromLong(0);
    v[FD_NAME] = newref(fullpath);
    v[FD_OLDNAME] = newref(self->empty);
    v[FD_OPENFLAGS] = PyLong_FromUnsignedLong(flags);
    v[FD_SOCK] = sock;
    v[FD_TYPE] = newref(flags & self->o_directory ? self->dir_type : self->file_type);
    return new_slotted(self->fdinfo_type, self->fd_slots, v, NFD_SLOTS);
}

/* Back to just after the previous '/' (decode._rewind). */
static Py_ssize_t
rewind_to_parent(const char *buf, Py_ssize_t tc)
{
    if (tc <= 1)
        return tc;
    tc--;
    while (tc >= 1 && buf[tc - 1] != '/')
        tc--;
    return tc;
}

/* decode._copy_and_sanitize: p (n bytes, up to its first NUL) into buf from tc on, with
 * "."/".."/"//" folded, non-printable bytes as '.', a trailing '/' dropped; the new end. */
static Py_ssize_t
copy_and_sanitize(char *buf, Py_ssize_t tc, const unsigned char *p, Py_ssize_t n)
{
    Py_ssize_t pc = 0;
    for (;;) {
        unsigned c = pc < n ? p[pc] : 0;
        if (c == 0) {
            if (tc > 1 && buf[tc - 1] == '/')
                tc--;
            return tc;
        }
        if (c < 0x20 || c > 0x7E) {
            buf[tc++] = '.';
            pc++;
            continue;
        }
        unsigned c1 = pc + 1 < n ? p[pc + 1] : 0;
        if (c == '.') {
            unsigned c2 = pc + 2 < n ? p[pc + 2] : 0;
            if (c1 == '.' && c2 == '/') {
                tc = rewind_to_parent(buf, tc);
                pc += 3;
            } else if (c1 == '.') {
                if (c2 == 0) {
                    tc = rewind_to_parent(buf, tc);
                    pc += 2;
                } else {
                    buf[tc++] = '.';
                    buf[tc++] = '.';
                    pc += 2;
                }
            } else if (c1 == '/') {
                pc += 2;
            } else if (c1 == 0) {
                pc += 1;
            } else {
                buf[tc++] = (char)c;
                pc++;
            }
        } else if (c == '/') {
            if (!(tc > 0 && buf[tc - 1] == '/'))
                buf[tc++] = (char)c;
            pc++;
        } else {
            buf[tc++] = (char)c;
            pc++;
        }
    }
}

/* decode.concatenate_paths(base, path, len(path))[0] for path = the n bytes at p; for a
 * base that is not ASCII, the Python function. New reference or NULL. */
static PyObject *
join_path(Rows *self, PyObject *base, const unsigned char *p, Py_ssize_t n)
{
    if (!PyUnicode_IS_ASCII(base)) {
        if (flush_ts(self) < 0)
            return NULL;
        PyObject *name = PyBytes_FromStringAndSize((const char *)p, n);
        PyObject *nlen = PyLong_FromSsize_t(n);
        PyObject *joined = NULL, *out = NULL;
        if (name != NULL && nlen != NULL) {
            PyObject *ca[3] = {base, name, nlen};
            joined = PyObject_Vectorcall(self->concatenate, ca, 3, NULL);
        }
        if (joined != NULL) {
            if (PyTuple_CheckExact(joined) && PyTuple_GET_SIZE(joined) >= 1)
                out = newref(PyTuple_GET_ITEM(joined, 0));
            else
                PyErr_SetString(PyExc_TypeError, "concatenate_paths returned no tuple");
        }
        Py_XDECREF(joined);
        Py_XDECREF(nlen);
        Py_XDECREF(name);
        return out;
    }
    const char *b = (const char *)PyUnicode_1BYTE_DATA(base);
    Py_ssize_t blen = PyUnicode_GET_LENGTH(base);
    if (blen + n + 1 > self->max_path)
        return newref(self->path_too_long);
    const unsigned char *nul = memchr(p, 0, n);
    Py_ssize_t n2 = nul != NULL ? nul - p : n;
    int relative = n != 0 && (n2 == 0 || p[0] != '/');
    char stack[4096], *buf = stack;
    stack[0] = 0;
    Py_ssize_t size = blen + n2 + 2;
    if (size > (Py_ssize_t)sizeof stack && (buf = PyMem_Malloc(size)) == NULL)
        return PyErr_NoMemory();
    Py_ssize_t tc = 0;
    if (relative) {
        memcpy(buf, b, blen);
        tc = blen;
    }
    tc = copy_and_sanitize(buf, tc, p, n2);
    PyObject *out = PyUnicode_DecodeASCII(buf, tc, NULL);
    if (buf != stack)
        PyMem_Free(buf);
    return out;
}

/* Event(...) for row j: over the batch buffer, or over a detached copy of the event's bytes
 * (store_event). A new reference, or NULL with an error set. */
static PyObject *
row_event(Rows *self, Py_ssize_t j, long long etype, PyObject *tid, int detached)
{
    long long hdr = COL(self, C_HDR, j), end = COL(self, C_END, j);
    if (hdr < 0 || end > self->blen || hdr > end) {
        PyErr_SetString(PyExc_ValueError, "event outside its batch buffer");
        return NULL;
    }
    long long num = self->num + COL(self, C_SEL, j) + 1, npar = COL(self, C_NPAR, j);
    unsigned long long ts = (unsigned long long)COL(self, C_TS, j);
    long long cpu = COL(self, C_CPU, j), dfl = COL(self, C_DFL, j);
    if (!detached)
        return new_event(self, num, etype, ts, tid, cpu, dfl, self->buf, hdr, end, npar);
    PyObject *copy = PyBytes_FromStringAndSize((const char *)self->bp + hdr, end - hdr);
    if (copy == NULL)
        return NULL;
    PyObject *evt = new_event(self, num, etype, ts, tid, cpu, dfl, copy, 0, end - hdr, npar);
    Py_DECREF(copy);
    return evt;
}

/* Whether a write's fd is a tracer candidate (/dev/null): 1 yes (or unreadable), 0 no. */
static int
tracer_candidate(Rows *self, PyObject *fdi)
{
    long long ff;
    if (!get_ll(fdi, self->fs.flags, &ff))
        return 1;
    return (ff & self->tracer_fd_flags) != 0;
}

/* Whether row j (a memory exit) has memory_exit's usual layout: four params of 8, 4, 4 and
 * 4 bytes (res, vm_size, vm_rss, vm_swap). 1 yes, 0 no. */
static int
memory_layout(Rows *self, Py_ssize_t j)
{
    long long hdr = COL(self, C_HDR, j), end = COL(self, C_END, j), base = hdr + 26;
    if (COL(self, C_NPAR, j) != 4 || hdr < 0 || end > self->blen || base + 8 + 20 > end)
        return 0;
    unsigned short lens[4];
    memcpy(lens, self->bp + base, 8);
    return lens[0] == 8 && lens[1] == 4 && lens[2] == 4 && lens[3] == 4;
}

/* memory_exit for row j of thread t, whose layout memory_layout accepted. 0, or -1. */
static int
memory_exit(Rows *self, PyObject *t, Py_ssize_t j)
{
    unsigned int v[3];
    memcpy(v, self->bp + COL(self, C_HDR, j) + 26 + 8 + 8, 12);
    if (set_slot(t, self->ts.vmsize_kb, PyLong_FromUnsignedLong(v[0])) < 0
            || set_slot(t, self->ts.vmrss_kb, PyLong_FromUnsignedLong(v[1])) < 0
            || set_slot(t, self->ts.vmswap_kb, PyLong_FromUnsignedLong(v[2])) < 0)
        return -1;
    return 0;
}

/* Whether row j, which the filter passes, may be handed on from here: the full path would
 * do nothing more to the state than the fast path has (self->accept), the capture flags no
 * state-only or tracer data, and ``pub`` (the fd the full path attaches) is no IP socket
 * or tracer candidate where that matters. Checked before anything changes; 0: full path. */
static int
can_accept(Rows *self, Py_ssize_t j, long long etype, PyObject *pub)
{
    int mode = self->accept[etype];
    if (mode == 0 || COL(self, C_DFL, j) != 0)
        return 0;
    if (mode == 3)
        return memory_layout(self, j);
    if (mode == 2 && pub != NULL) {
        long long ff, ft;
        if (!get_ll(pub, self->fs.flags, &ff) || !get_int(pub, self->fs.type, &ft))
            return 0;
        if ((ff & self->tracer_fd_flags) || ft == self->ipv4_sock || ft == self->ipv6_sock)
            return 0;
    }
    return 1;
}

/* The parse context of an event as Parser._publish and Parser._handed_on set it: thread t,
 * its latency and last fd, the fd ``pub`` the full path attaches (or NULL) and whether its
 * name changed. 0, or -1 on error. */
static int
set_context(Rows *self, PyObject *evt, PyObject *t, PyObject *pub)
{
    PyObject *fd = SLOT(t, self->ts.lastevent_fd), *lat = SLOT(t, self->ts.latency);
    if (fd == NULL || lat == NULL) {
        PyErr_SetString(PyExc_AttributeError, "thread without its event bookkeeping");
        return -1;
    }
    int changed = 0;
    if (pub != NULL) {
        PyObject *name = SLOT(pub, self->fs.name), *old = SLOT(pub, self->fs.oldname);
        if (name == NULL || old == NULL) {
            PyErr_SetString(PyExc_AttributeError, "fd without its names");
            return -1;
        }
        changed = PyObject_RichCompareBool(name, old, Py_NE);
        if (changed < 0)
            return -1;
    }
    if (set_slot(evt, self->es.thread, newref(t)) < 0 || set_slot(evt, self->es.fd, newref(fd)) < 0
            || set_slot(evt, self->es.latency, newref(lat)) < 0
            || set_slot(evt, self->es.fdinfo, newref(pub != NULL ? pub : Py_None)) < 0
            || set_slot(evt, self->es.fd_name_changed, newref(changed ? Py_True : Py_False)) < 0)
        return -1;
    return 0;
}

/* Row j framed as the block the writer gives it (scap/writer.py event_block), appended to
 * self->dump: header (type, total length), cpu, the flags of a flagged row, the event's
 * bytes, zero padding to 4, the total length again. 0, or -1 on error. */
static int
dump_row(Rows *self, Py_ssize_t j, long long etype)
{
    long long hdr = COL(self, C_HDR, j), end = COL(self, C_END, j);
    unsigned int dfl = (unsigned int)COL(self, C_DFL, j);
    unsigned short cpu = (unsigned short)COL(self, C_CPU, j);
    if (hdr < 0 || end > self->blen || hdr > end) {
        PyErr_SetString(PyExc_ValueError, "event outside its batch buffer");
        return -1;
    }
    Py_ssize_t head = dfl ? 6 : 2, body = head + (Py_ssize_t)(end - hdr);
    Py_ssize_t padded = (body + 3) & ~(Py_ssize_t)3;
    unsigned int total = (unsigned int)(8 + padded + 4);
    unsigned int btype = self->dump_types[(dfl ? 2 : 0) + (etype < MAXT && self->large[etype])];
    Py_ssize_t at = PyByteArray_GET_SIZE(self->dump);
    if (PyByteArray_Resize(self->dump, at + total) < 0)
        return -1;
    char *o = PyByteArray_AS_STRING(self->dump) + at;
    memcpy(o, &btype, 4);
    memcpy(o + 4, &total, 4);
    memcpy(o + 8, &cpu, 2);
    if (dfl)
        memcpy(o + 10, &dfl, 4);
    memcpy(o + 8 + head, self->bp + hdr, (size_t)(end - hdr));
    memset(o + 8 + body, 0, (size_t)(padded - body));
    memcpy(o + 8 + padded, &total, 4);
    self->dumped++;
    return 0;
}

/* Parser._handed_on for row j of thread t, whose parse is done and which the filter
 * passed, then its Event with the context fields set, left in self->event: ``evt`` when
 * the filter already had it built (its stored enter is released), else a new one. ``pub``
 * is the fd the full path attaches to the event (or NULL). With a dump buffer, the row is
 * written there instead and no Event is made. 1, or -1 on error. */
static int
hand_on(Rows *self, PyObject *t, Py_ssize_t j, long long etype, PyObject *tid, PyObject *pub,
        PyObject *evt)
{
    if (self->accept[etype] == 3 && memory_exit(self, t, j) < 0)
        return -1;   /* the parse, done when the filter has passed (as process_event) */
    if (etype & 1) {
        PyObject *data = SLOT(t, self->ts.lastevent_data);
        if (data != NULL && data != Py_None) {
            if (set_slot(t, self->ts.lastevent_data, newref(Py_None)) < 0
                    || set_slot(t, self->ts.lastevent_cpuid,
                                PyLong_FromLongLong(self->lastevent_invalid)) < 0)
                return -1;
        }
    }
    PyObject *last = SLOT(t, self->ts.lastevent_ts);
    if (last == NULL) {
        PyErr_SetString(PyExc_AttributeError, "thread without its event bookkeeping");
        return -1;
    }
    if (set_slot(t, self->ts.prevevent_ts, newref(last)) < 0
            || set_slot(t, self->ts.lastevent_ts,
                        PyLong_FromUnsignedLongLong((unsigned long long)COL(self, C_TS, j))) < 0)
        return -1;
    if (self->dump != NULL || self->discard) {   /* no Event (self->event stays NULL) */
        self->dump_handed++;
        return self->dump != NULL && dump_row(self, j, etype) < 0 ? -1 : 1;
    }
    if (evt != NULL) {
        Py_INCREF(evt);
        if (set_slot(evt, self->ev_slots[EV_ENTER], newref(Py_None)) < 0) {
            Py_DECREF(evt);
            return -1;
        }
    } else if ((evt = row_event(self, j, etype, tid, 0)) == NULL) {
        return -1;
    }
    if (set_context(self, evt, t, pub) < 0) {
        Py_DECREF(evt);
        return -1;
    }
    Py_XSETREF(self->event, evt);
    return 1;
}

/* The filter compiler's NATIVE_OPS codes, and what the value is (NATIVE_SOURCES). */
enum { NAT_CONTAINS = 1, NAT_EQ, NAT_NE, NAT_STARTSWITH, NAT_ENDSWITH };
enum { NAT_SRC_FD_NAME = 0, NAT_SRC_COMM = 1 };

/* A predicate's answer for (etype, t, fdi): applied here when set_predicates described it,
 * else called. 1 passes, 0 not, -1 error. */
static int
ask(Rows *self, PyObject *pred, long long etype, PyObject *t, PyObject *fdi)
{
    if (pred == self->never)
        return 0;
    if (pred == self->always)
        return 1;
    if (pred != self->may_pass || self->nat_op == 0)
        return flush_ts(self) < 0 ? -1 : call_pred(pred, etype, t, fdi);
    if (!self->nat_types[etype])
        return 0;
    PyObject *v;
    if (self->nat_src == NAT_SRC_COMM) {
        if (t == NULL || t == Py_None)
            return 0;   /* no thread: no value */
        v = SLOT(t, self->ts.comm);
        if (v == NULL || !PyUnicode_CheckExact(v))
            return flush_ts(self) < 0 ? -1 : call_pred(pred, etype, t, fdi);
    } else if (fdi != NULL) {
        v = SLOT(fdi, self->fs.name);
        if (v == NULL || !PyUnicode_CheckExact(v))
            return flush_ts(self) < 0 ? -1 : call_pred(pred, etype, t, fdi);
    } else if (etype & 1) {
        v = NULL;   /* "" */
    } else {
        return 0;   /* no value */
    }
    PyObject *n = self->nat_needle;
    Py_ssize_t vlen = v != NULL ? PyUnicode_GET_LENGTH(v) : 0;
    Py_ssize_t nlen = PyUnicode_GET_LENGTH(n);
    switch (self->nat_op) {
    case NAT_CONTAINS:
        if (nlen == 0)
            return 1;
        return v != NULL && nlen <= vlen ? PyUnicode_Contains(v, n) : 0;
    case NAT_EQ:
    case NAT_NE: {
        int eq = v != NULL ? PyUnicode_Compare(v, n) == 0 : nlen == 0;
        if (PyErr_Occurred())
            return -1;
        return self->nat_op == NAT_EQ ? eq : !eq;
    }
    case NAT_STARTSWITH:
    case NAT_ENDSWITH:
        if (nlen == 0)
            return 1;
        if (v == NULL || nlen > vlen)
            return 0;
        return (int)PyUnicode_Tailmatch(v, n, 0, PY_SSIZE_T_MAX,
                                        self->nat_op == NAT_STARTSWITH ? -1 : 1);
    }
    return flush_ts(self) < 0 ? -1 : call_pred(pred, etype, t, fdi);
}

/* thread.flags |= CL_ACTIVE (``flags`` its current value): nothing to write when set. */
static int
set_active(Rows *self, PyObject *t, long long flags)
{
    if (flags & self->cl_active)
        return 0;
    return set_slot(t, self->ts.flags, PyLong_FromLongLong(flags | self->cl_active));
}

/* Reset's bookkeeping of an exit (the state's time, the thread active, its latency since
 * its enter, whether its stored enter stays valid: cpuid) and of an enter (the time, the
 * thread active, its fd, a new latency start). 0, or -1 on error. */
static int
mark_exit(Rows *self, PyObject *sd, PyObject *t, unsigned long long ts, long long flags,
          unsigned long long ent, long long cpuid)
{
    if (set_state_ts(self, sd, ts) < 0 || set_active(self, t, flags) < 0
            || (ent != 0 && set_slot(t, self->ts.latency, PyLong_FromUnsignedLongLong(ts - ent)) < 0))
        return -1;
    return set_slot(t, self->ts.lastevent_cpuid, PyLong_FromLongLong(cpuid));
}

static int
mark_enter(Rows *self, PyObject *sd, PyObject *t, unsigned long long ts, long long flags,
           long long fd)
{
    if (set_state_ts(self, sd, ts) < 0 || set_active(self, t, flags) < 0
            || set_slot(t, self->ts.lastevent_fd, PyLong_FromLongLong(fd)) < 0
            || set_slot(t, self->ts.latency, PyLong_FromLong(0)) < 0)
        return -1;
    return set_slot(t, self->ts.last_latency_entertime, PyLong_FromUnsignedLongLong(ts));
}

#define TRY(x) do { if ((x) < 0) return -1; } while (0)
#define SETLL(o, off, v) TRY(set_slot((o), (off), PyLong_FromLongLong(v)))
#define SETULL(o, off, v) TRY(set_slot((o), (off), PyLong_FromUnsignedLongLong(v)))

/* -- the three rejections (1: done, 0: full path, -1: error) ------------------------------ */

/* Parser.skip_rejected */
static int
skip_rejected(Rows *self, PyObject *sd, PyObject *t, long long etype,
              unsigned long long ts, long long hdr, long long npar)
{
    long long let, flags;
    unsigned long long ent;
    if (!get_ll(t, self->ts.lastevent_type, &let) || !get_ll(t, self->ts.flags, &flags)
            || !get_ull(t, self->ts.last_latency_entertime, &ent))
        return 0;
    TRY(set_state_ts(self, sd, ts));
    if (etype & 1) {
        if (etype == let + 1)
            return 0;
        if (ent != 0)
            SETULL(t, self->ts.latency, ts - ent);
        SETLL(t, self->ts.lastevent_cpuid, self->lastevent_invalid);
    } else {
        if (self->uses_fd[etype]) {
            long long fd;
            if (!first_fd(self, hdr, -1, npar, &fd))
                return 0;
            SETLL(t, self->ts.lastevent_fd, fd);
        } else {
            SETLL(t, self->ts.lastevent_fd, -1);
        }
        SETLL(t, self->ts.latency, 0);
        SETULL(t, self->ts.last_latency_entertime, ts);
    }
    TRY(set_active(self, t, flags));
    SETLL(t, self->ts.lastevent_type, self->ppm_event_max);
    return 1;
}

/* The thread's bookkeeping the rejections start from (its flags, last enter type, last fd,
 * latency start), and the shared-fd-table guard of Parser._fast_thread: 1 read and fine,
 * 0 the full path, -1 error. */
static int
thread_bookkeeping(Rows *self, PyObject *threads, PyObject *t, long long *flags,
                   long long *let, long long *lfd, unsigned long long *ent)
{
    if (!get_ll(t, self->ts.flags, flags) || !get_ll(t, self->ts.lastevent_type, let)
            || !get_ll(t, self->ts.lastevent_fd, lfd)
            || !get_ull(t, self->ts.last_latency_entertime, ent))
        return 0;
    int r = main_missing(self, threads, t, *flags);
    return r != 0 ? (r < 0 ? -1 : 0) : 1;
}

/* A procinfo row's thread as its reset looks it up (never inventing it): *t borrowed, or
 * NULL when there is none. 1 found or none, 0 the full path, -1 error. */
static int
procinfo_thread(Rows *self, PyObject *threads, Py_ssize_t j, PyObject **t)
{
    PyObject *tid = PyLong_FromUnsignedLongLong((unsigned long long)COL(self, C_TID, j));
    if (tid == NULL)
        return -1;
    *t = PyDict_GetItemWithError(threads, tid);
    Py_DECREF(tid);
    if (*t == NULL && PyErr_Occurred())
        return -1;
    return *t == NULL || Py_TYPE(*t) == self->thread_type;
}

/* Parser.reject_fast for a procinfo row: its reset looks the thread up (never invents it,
 * so the filter may see none) and a rejection leaves only the state's time. */
static int
reject_procinfo(Rows *self, PyObject *sd, PyObject *threads, Py_ssize_t j, PyObject *may_pass)
{
    PyObject *t;
    int ok = procinfo_thread(self, threads, j, &t);
    if (ok <= 0)
        return ok;
    int r = ask(self, may_pass, self->procinfo, t != NULL ? t : Py_None, NULL);
    if (r != 0)
        return r < 0 ? -1 : 0;
    return set_state_ts(self, sd, (unsigned long long)COL(self, C_TS, j)) < 0 ? -1 : 1;
}

/* process_event for a procinfo row without a filter, which hands it on: the state's time,
 * and _handed_on's timestamps on its thread when there is one (reset never invents it).
 * 1 done, 0 the full path, -1 error. */
static int
pass_procinfo(Rows *self, PyObject *sd, PyObject *threads, Py_ssize_t j)
{
    unsigned long long ts = (unsigned long long)COL(self, C_TS, j);
    if ((unsigned long long)COL(self, C_TID, j) > (unsigned long long)LLONG_MAX)
        return 0;   /* the parser makes it negative first */
    PyObject *t;
    int ok = procinfo_thread(self, threads, j, &t);
    if (ok <= 0)
        return ok;
    if (set_state_ts(self, sd, ts) < 0)
        return -1;
    if (t == NULL)
        return 1;
    PyObject *last = SLOT(t, self->ts.lastevent_ts);
    if (last == NULL) {
        PyErr_SetString(PyExc_AttributeError, "thread without its event bookkeeping");
        return -1;
    }
    if (set_slot(t, self->ts.prevevent_ts, newref(last)) < 0
            || set_slot(t, self->ts.lastevent_ts, PyLong_FromUnsignedLongLong(ts)) < 0)
        return -1;
    return 1;
}

/* Parser.reject_fast; a row the filter passes is handed on from here when can_accept
 * allows (2), with the bookkeeping of the full path: reset's, then _handed_on's. */
static int
reject_fast(Rows *self, PyObject *sd, PyObject *threads, PyObject *t, Py_ssize_t j,
            long long etype, PyObject *tid, PyObject *may_pass)
{
    unsigned long long ts = (unsigned long long)COL(self, C_TS, j);
    long long hdr = COL(self, C_HDR, j), end = COL(self, C_END, j), npar = COL(self, C_NPAR, j);
    long long flags, let, lfd;
    unsigned long long ent;
    int r = thread_bookkeeping(self, threads, t, &flags, &let, &lfd, &ent);
    if (r != 1)
        return r;
    int ok, rc;
    PyObject *fdi, *pub;
    if (etype & 1) {
        int paired = etype == let + 1;
        fdi = lfd != -1 ? get_fd(self, threads, t, lfd, &ok) : NULL;
        if (lfd != -1 && ok <= 0)
            return ok;
        if (fdi != NULL && self->uses_fd[etype] && (paired || let == self->tracer_e)) {
            long long ff;
            if (!get_ll(fdi, self->fs.flags, &ff))
                return 0;
            if (ff & self->flag_close_canceled)
                return 0;
        }
        if (etype == self->write_x && (COL(self, C_DFL, j) & self->scap_df_tracer))
            return 0;   /* tracer data of a copied capture */
        Py_XINCREF(fdi);
        /* the fd reset attaches (a write exit: always its thread's last fd) */
        pub = self->uses_fd[etype] && (paired || let == self->tracer_e || etype == self->write_x)
            ? fdi : NULL;
        rc = 0;
        r = fdi != NULL && etype == self->write_x ? tracer_candidate(self, fdi) : 0;
        if (r == 0)
            r = ask(self, may_pass, etype, t, fdi);
        else
            r = r < 0 ? -1 : 2;   /* the full path takes it for a tracer write */
        if (r < 0 || r == 2 || (r == 1 && (rc = can_accept(self, j, etype, pub)) <= 0)
                || !get_ll(t, self->ts.flags, &flags)) {
            Py_XDECREF(fdi);
            return r < 0 ? -1 : 0;
        }
        if (mark_exit(self, sd, t, ts, flags, ent, paired ? 1 : self->lastevent_invalid) < 0) {
            Py_XDECREF(fdi);
            return -1;
        }
    } else {
        long long fd;
        if ((ok = enter_fd(self, threads, t, etype, hdr, end, npar, &fd, &fdi)) <= 0)
            return ok;
        Py_XINCREF(fdi);
        pub = fdi;
        rc = 0;
        r = ask(self, may_pass, etype, t, fdi);
        if (r < 0 || (r == 1 && (rc = can_accept(self, j, etype, pub)) <= 0)
                || !get_ll(t, self->ts.flags, &flags)) {
            Py_XDECREF(fdi);
            return r < 0 ? -1 : 0;
        }
        if (mark_enter(self, sd, t, ts, flags, fd) < 0
                || (r == 1 && set_slot(t, self->ts.lastevent_type, PyLong_FromLongLong(etype)) < 0)) {
            Py_XDECREF(fdi);
            return -1;
        }
    }
    if (r == 1) {
        rc = hand_on(self, t, j, etype, tid, pub, NULL);
        Py_XDECREF(fdi);
        return rc < 0 ? -1 : 2;
    }
    Py_XDECREF(fdi);
    SETLL(t, self->ts.lastevent_type, self->ppm_event_max);
    return 1;
}

/* The capture filter's result comparison on row j (set_result_compare): 1 passes, 0 not,
 * -1 when the result is not where this reads it (the filter is asked on the Event). */
static int
result_compare(Rows *self, Py_ssize_t j, long long etype)
{
    int at = etype < MAXT ? self->res_at[etype] : 2;
    if (at == 0)
        return 0;   /* no result: no comparison holds */
    long long hdr = COL(self, C_HDR, j), end = COL(self, C_END, j), npar = COL(self, C_NPAR, j);
    long long base = hdr + 26;
    if (at != 1 || npar < 1 || npar > 32 || hdr < 0 || end > self->blen
            || base + 2 * npar + 8 > end)
        return -1;
    unsigned short l0;
    memcpy(&l0, self->bp + base, 2);
    if (l0 != 8)
        return -1;
    long long v, c = self->res_value;
    memcpy(&v, self->bp + base + 2 * npar, 8);
    switch (self->res_op) {
    case 1: return v == c;
    case 2: return v != c;
    case 3: return v < c;
    case 4: return v <= c;
    case 5: return v > c;
    case 6: return v >= c;
    }
    return -1;
}

/* reject_fast for a filter with no fast form (self->event_filter, called on the Event):
 * process_event's steps for a type that changes no state, in its order. Reset's bookkeeping
 * first (the full path, if it has to take over, redoes it identically: reset is idempotent
 * on these types), then the filter over the Event with the context _publish gives it; a
 * rejected row gets the "none" mark, a passed one is handed on when can_accept allows, else
 * left to the full path. 1 rejected, 2 handed on, 0 full path, -1 error. */
static int
filter_on_event(Rows *self, PyObject *sd, PyObject *threads, PyObject *t, Py_ssize_t j,
                long long etype, PyObject *tid)
{
    unsigned long long ts = (unsigned long long)COL(self, C_TS, j);
    long long hdr = COL(self, C_HDR, j), end = COL(self, C_END, j), npar = COL(self, C_NPAR, j);
    long long flags, let, lfd, fd = -1, cpuid = 0;
    unsigned long long ent;
    int r = thread_bookkeeping(self, threads, t, &flags, &let, &lfd, &ent);
    if (r != 1)
        return r;
    int ok, is_exit = etype & 1;
    PyObject *fdi = NULL, *pub;
    if (is_exit) {
        int paired = etype == let + 1, attached = paired || let == self->tracer_e;
        /* the lookups of the full path: reset's, and a write's tracer check */
        int look = lfd != -1 && ((self->uses_fd[etype] && attached) || etype == self->write_x);
        fdi = look ? get_fd(self, threads, t, lfd, &ok) : NULL;
        if (look && ok <= 0)
            return ok;
        if (fdi != NULL && self->uses_fd[etype] && attached) {
            long long ff;
            if (!get_ll(fdi, self->fs.flags, &ff) || (ff & self->flag_close_canceled))
                return 0;
        }
        if (etype == self->write_x && ((COL(self, C_DFL, j) & self->scap_df_tracer)
                                       || (fdi != NULL && tracer_candidate(self, fdi))))
            return 0;   /* a tracer write: state-changing */
        pub = self->uses_fd[etype] && (attached || etype == self->write_x) ? fdi : NULL;
        cpuid = paired ? 1 : self->lastevent_invalid;
    } else {
        if ((ok = enter_fd(self, threads, t, etype, hdr, end, npar, &fd, &fdi)) <= 0)
            return ok;
        pub = fdi;
    }
    int acc = can_accept(self, j, etype, pub);
    Py_XINCREF(fdi);
    PyObject *evt = NULL;
    int rc = -1;
    /* reset */
    if (set_state_ts(self, sd, ts) < 0
            || set_active(self, t, flags) < 0)
        goto done;
    if (is_exit) {
        if ((ent != 0 && set_slot(t, self->ts.latency, PyLong_FromUnsignedLongLong(ts - ent)) < 0)
                || set_slot(t, self->ts.lastevent_cpuid, PyLong_FromLongLong(cpuid)) < 0)
            goto done;
    } else if (set_slot(t, self->ts.lastevent_type, PyLong_FromLongLong(etype)) < 0
               || set_slot(t, self->ts.lastevent_fd, PyLong_FromLongLong(fd)) < 0
               || set_slot(t, self->ts.latency, PyLong_FromLong(0)) < 0
               || set_slot(t, self->ts.last_latency_entertime,
                           PyLong_FromUnsignedLongLong(ts)) < 0) {
        goto done;
    }
    r = self->res_op ? result_compare(self, j, etype) : -1;
    if (r >= 0) {
        /* decided on the row: no Event unless it is handed on */
        if (!r)
            rc = set_slot(t, self->ts.lastevent_type, PyLong_FromLongLong(self->ppm_event_max))
                < 0 ? -1 : 1;
        else if (acc <= 0)
            rc = acc < 0 ? -1 : 0;
        else
            rc = hand_on(self, t, j, etype, tid, pub, NULL) < 0 ? -1 : 2;
        goto done;
    }
    /* _publish, then the filter */
    if ((evt = row_event(self, j, etype, tid, 0)) == NULL || set_context(self, evt, t, pub) < 0)
        goto done;
    if (is_exit && cpuid != self->lastevent_invalid) {
        PyObject *data = SLOT(t, self->ts.lastevent_data);
        long long dtype;
        if (data != NULL && Py_TYPE(data) == (PyTypeObject *)self->event_cls
                && get_ll(data, self->ev_type, &dtype) && dtype == etype - 1
                && set_slot(evt, self->ev_slots[EV_ENTER], newref(data)) < 0)
            goto done;
    }
    if (flush_ts(self) < 0)
        goto done;
    PyObject *res = PyObject_CallOneArg(self->event_filter, evt);
    if (res == NULL)
        goto done;
    r = PyObject_IsTrue(res);
    Py_DECREF(res);
    if (r < 0)
        goto done;
    if (!r)
        rc = set_slot(t, self->ts.lastevent_type, PyLong_FromLongLong(self->ppm_event_max)) < 0
            ? -1 : 1;
    else if (acc <= 0)
        rc = acc < 0 ? -1 : 0;
    else
        rc = hand_on(self, t, j, etype, tid, pub, evt) < 0 ? -1 : 2;
done:
    Py_XDECREF(evt);
    Py_XDECREF(fdi);
    return rc;
}

static unsigned
rd16(Rows *self, long long off)
{
    unsigned short v;
    memcpy(&v, self->bp + off, 2);
    return v;
}

/* Whether fd can be added to table (a dict with room, fd not in it): 1 with *key a new
 * reference to fd, 0 not here, -1 error. */
static int
free_fd(Rows *self, PyObject *table, long long fd, PyObject **key)
{
    if (table == NULL || !PyDict_CheckExact(table) || PyDict_GET_SIZE(table) >= self->max_fd_table)
        return 0;
    if ((*key = PyLong_FromLongLong(fd)) == NULL)
        return -1;
    int has = PyDict_Contains(table, *key);
    if (has != 0) {
        Py_CLEAR(*key);
        return has < 0 ? -1 : 0;
    }
    return 1;
}

/* The end of an fd-creating exit's fast parse (open, socket): reset's bookkeeping, the
 * stored enter loaded (or NULL), fdi stored as key in table and made the thread's last fd;
 * then handed on (``pass``) or rejected. 1 rejected, 2 handed on, -1 error. */
static int
add_fd(Rows *self, PyObject *sd, PyObject *t, Py_ssize_t j, long long etype, PyObject *tid,
       long long flags, unsigned long long ent, long long cpuid, PyObject *loaded,
       PyObject *table, PyObject *key, PyObject *fdi, int pass)
{
    unsigned long long ts = (unsigned long long)COL(self, C_TS, j);
    if (mark_exit(self, sd, t, ts, flags, ent, cpuid) < 0
            || (loaded != NULL && PyObject_SetAttr(self->parser, s_tmp_enter, loaded) < 0)
            || PyDict_SetItem(table, key, fdi) < 0
            || set_slot(t, self->ts.lastevent_fd, newref(key)) < 0)
        return -1;
    return pass ? (hand_on(self, t, j, etype, tid, fdi, NULL) < 0 ? -1 : 2) : 1;
}

/* Parser._reject_open_fast: the exit of the old open event, from reject_state_fast. */
static int
reject_open(Rows *self, PyObject *sd, PyObject *threads, PyObject *t, Py_ssize_t j,
            long long etype, PyObject *tid, unsigned long long ts, long long hdr, long long end,
            long long npar, long long flags, long long let, unsigned long long ent,
            PyObject *pred)
{
    if (npar < 3 || hdr < 0 || end > self->blen || hdr + 26 + 2 * npar > end)
        return 0;
    PyObject *main = t;
    if (!(flags & self->cl_is_main_thread)) {
        PyObject *tid = SLOT(t, self->ts.tid), *pid = SLOT(t, self->ts.pid);
        if (tid == NULL || pid == NULL)
            return 0;
        int same = PyObject_RichCompareBool(tid, pid, Py_EQ);
        if (same < 0)
            return -1;
        if (!same) {
            main = find_thread(self, threads, pid);
            if (main == NULL)
                return PyErr_Occurred() ? -1 : 0;
        }
    }
    long long base = hdr + 26;
    long long l0 = rd16(self, base), l1 = rd16(self, base + 2), l2 = rd16(self, base + 4);
    long long pos = base + 2 * npar;
    long long p2 = pos + 8 + l1, p3 = p2 + l2;
    if (l0 != 8 || l2 < 4 || p3 > end)
        return 0;
    long long fd;
    memcpy(&fd, self->bp + pos, 8);
    if (fd < 0)
        return 0;
    unsigned int dev = 0, oflags;
    memcpy(&oflags, self->bp + p2, 4);
    if (npar > 4) {
        long long l3 = rd16(self, base + 6), l4 = rd16(self, base + 8);
        long long p4 = p3 + l3;
        if (l4 < 4 || p4 + l4 > end)
            return 0;
        memcpy(&dev, self->bp + p4, 4);
    }
    /* retrieve_enter, after reset set the stored enter's validity */
    int paired = etype == let + 1;
    long long cpuid = paired ? 1 : self->lastevent_invalid;
    PyObject *data = SLOT(t, self->ts.lastevent_data), *loaded = NULL;
    if (data == NULL)
        return 0;
    if (paired && data != Py_None) {
        if (Py_TYPE(data) == (PyTypeObject *)self->event_cls) {
            long long dtype, dnpar;
            if (!get_ll(data, self->ev_type, &dtype) || !get_ll(data, self->ev_nparams, &dnpar))
                return 0;
            loaded = data;
            if (dtype != etype - 1)
                cpuid = self->lastevent_invalid;
            else if (dnpar != 0)
                return 0;   /* the enter's params may name the file */
        } else if (PyObject_TypeCheck(data, (PyTypeObject *)self->event_cls)) {
            return 0;
        } else {
            cpuid = self->lastevent_invalid;
        }
    }
    PyObject *table = SLOT((flags & self->cl_clone_files) ? main : t, self->ts.fds);
    PyObject *cwd = SLOT(main, self->ts.cwd), *key;
    if (cwd == NULL || !PyUnicode_CheckExact(cwd))
        return 0;
    int free = free_fd(self, table, fd, &key);
    if (free <= 0)
        return free;
    int rc = -1;
    PyObject *joined = NULL, *fdi = NULL;
    Py_INCREF(table);
    Py_INCREF(main);
    Py_XINCREF(loaded);
    joined = join_path(self, cwd, self->bp + pos + 8, l1);
    if (joined == NULL)
        goto done;
    fdi = new_file_fd(self, key, oflags, dev, joined);
    if (fdi == NULL)
        goto done;
    int r = ask(self, pred, etype, t, fdi);
    if (r < 0 || (r == 1 && can_accept(self, j, etype, fdi) <= 0)) {
        rc = r < 0 ? -1 : 0;
        goto done;
    }
    if (!get_ll(t, self->ts.flags, &flags)) {
        rc = 0;
        goto done;
    }
    rc = add_fd(self, sd, t, j, etype, tid, flags, ent, cpuid, loaded, table, key, fdi, r == 1);
done:
    Py_XDECREF(fdi);
    Py_XDECREF(joined);
    Py_XDECREF(loaded);
    Py_DECREF(main);
    Py_DECREF(table);
    Py_DECREF(key);
    return rc;
}

/* What retrieve_enter does for exit etype right after reset (Parser._retrieve_fails):
 * 1 when it finds no stored enter of the exit's type, *cpuid the thread's enter validity
 * afterwards, *loaded the stored event it loads into tmp_enter (borrowed, or NULL); 0
 * when it finds one; -1 when this cannot be told here. */
static int
retrieve_fails(Rows *self, PyObject *t, long long etype, long long let, long long *cpuid,
               PyObject **loaded)
{
    *cpuid = etype == let + 1 ? 1 : self->lastevent_invalid;
    *loaded = NULL;
    PyObject *data = SLOT(t, self->ts.lastevent_data);
    if (data == NULL)
        return -1;
    if (*cpuid == self->lastevent_invalid || data == Py_None)
        return 1;
    if (Py_TYPE(data) == (PyTypeObject *)self->event_cls) {
        long long dtype;
        if (!get_ll(data, self->ev_type, &dtype))
            return -1;
        *loaded = data;
        if (dtype == etype - 1)
            return 0;
    } else if (PyObject_TypeCheck(data, (PyTypeObject *)self->event_cls)) {
        return -1;
    }
    *cpuid = self->lastevent_invalid;
    return 1;
}

/* Parser._reject_failed_retrieve: an fcntl exit whose enter was not stored. */
static int
reject_failed_retrieve(Rows *self, PyObject *sd, PyObject *threads, PyObject *t, Py_ssize_t j,
                       long long etype, PyObject *tid, unsigned long long ts, long long let,
                       long long lfd, unsigned long long ent, PyObject *pred)
{
    int ok, paired = etype == let + 1, attached = paired || let == self->tracer_e;
    PyObject *fdi = lfd != -1 ? get_fd(self, threads, t, lfd, &ok) : NULL;
    if (lfd != -1 && ok <= 0)
        return ok;
    long long ff, flags, cpuid;
    if (fdi != NULL && attached) {
        if (!get_ll(fdi, self->fs.flags, &ff))
            return 0;
        if (ff & self->flag_close_canceled)
            return 0;
    }
    PyObject *loaded;
    if (retrieve_fails(self, t, etype, let, &cpuid, &loaded) != 1)
        return 0;
    Py_XINCREF(fdi);
    Py_XINCREF(loaded);
    PyObject *pub = attached ? fdi : NULL;
    int r = ask(self, pred, etype, t, fdi), rc = 0;
    if (r < 0 || (r == 1 && can_accept(self, j, etype, pub) <= 0)
            || !get_ll(t, self->ts.flags, &flags)) {
        rc = r < 0 ? -1 : 0;
        goto done;
    }
    rc = -1;
    if (mark_exit(self, sd, t, ts, flags, ent, cpuid) < 0
            || (loaded != NULL && PyObject_SetAttr(self->parser, s_tmp_enter, loaded) < 0))
        goto done;
    rc = r == 1 ? (hand_on(self, t, j, etype, tid, pub, NULL) < 0 ? -1 : 2) : 1;
done:
    Py_XDECREF(loaded);
    Py_XDECREF(fdi);
    return rc;
}

/* Parser._reject_socket_fast: a socket exit whose enter (domain, type, protocol) is stored. */
static int
reject_socket(Rows *self, PyObject *sd, PyObject *threads, PyObject *t, Py_ssize_t j,
              long long etype, PyObject *tid, unsigned long long ts, long long hdr,
              long long end, long long npar, long long flags, long long let,
              unsigned long long ent, PyObject *pred)
{
    long long base = hdr + 26;
    if (npar < 1 || hdr < 0 || end > self->blen || base + 2 > end || rd16(self, base) != 8
            || base + 2 * npar + 8 > end)
        return 0;
    long long fd, cpuid;
    memcpy(&fd, self->bp + base + 2 * npar, 8);
    PyObject *enter;
    if (fd < 0 || retrieve_fails(self, t, etype, let, &cpuid, &enter) != 0)
        return 0;
    /* the enter's params: three u32 */
    long long ehdr, eend, enpar;
    PyObject *ebuf = SLOT(enter, self->ev_slots[EV_BUF]), *v1 = SLOT(enter, self->ev_slots[EV_V1]);
    if (ebuf == NULL || !PyBytes_CheckExact(ebuf) || v1 != Py_False
            || !get_ll(enter, self->ev_slots[EV_HDR], &ehdr)
            || !get_ll(enter, self->ev_slots[EV_END], &eend)
            || !get_ll(enter, self->ev_nparams, &enpar))
        return 0;
    const unsigned char *eb = (const unsigned char *)PyBytes_AS_STRING(ebuf);
    long long ebase = ehdr + 26;
    if (enpar < 3 || ehdr < 0 || eend > PyBytes_GET_SIZE(ebuf) || ebase + 2 * enpar + 12 > eend)
        return 0;
    unsigned short l[3];
    unsigned int v[3];
    memcpy(l, eb + ebase, 6);
    if (l[0] != 4 || l[1] != 4 || l[2] != 4)
        return 0;
    memcpy(v, eb + ebase + 2 * enpar, 12);
    /* the table (a CLONE_FILES thread's main thread is known: see reject_state_fast) */
    PyObject *owner = t;
    if ((flags & self->cl_clone_files) && !(flags & self->cl_is_main_thread)) {
        PyObject *tv = SLOT(t, self->ts.tid), *pv = SLOT(t, self->ts.pid);
        if (tv == NULL || pv == NULL)
            return 0;
        int same = PyObject_RichCompareBool(tv, pv, Py_EQ);
        if (same < 0)
            return -1;
        if (!same && (owner = find_thread(self, threads, pv)) == NULL)
            return PyErr_Occurred() ? -1 : 0;
    }
    PyObject *table = SLOT(owner, self->ts.fds), *key;
    int free = free_fd(self, table, fd, &key);
    if (free <= 0)
        return free;
    int rc = -1;
    Py_INCREF(table);
    Py_INCREF(enter);
    PyObject *fdi = flush_ts(self) < 0 ? NULL
        : PyObject_CallFunction(self->socket_fd, "OIII", key, v[0], v[1], v[2]);
    if (fdi == NULL)
        goto done;
    if (fdi == Py_None || Py_TYPE(fdi) != self->fdinfo_type) {
        rc = 0;
        goto done;
    }
    int r = ask(self, pred, etype, t, fdi);
    if (r < 0 || (r == 1 && can_accept(self, j, etype, fdi) <= 0)
            || !get_ll(t, self->ts.flags, &flags)) {
        rc = r < 0 ? -1 : 0;
        goto done;
    }
    rc = add_fd(self, sd, t, j, etype, tid, flags, ent, cpuid, enter, table, key, fdi, r == 1);
done:
    Py_XDECREF(fdi);
    Py_DECREF(enter);
    Py_DECREF(table);
    Py_DECREF(key);
    return rc;
}

/* Parser.reject_state_fast */
static int
reject_state_fast(Rows *self, PyObject *sd, PyObject *threads, PyObject *t, Py_ssize_t j,
                  long long etype, PyObject *tid, PyObject *pred)
{
    unsigned long long ts = (unsigned long long)COL(self, C_TS, j);
    long long hdr = COL(self, C_HDR, j), end = COL(self, C_END, j), npar = COL(self, C_NPAR, j);
    long long flags, let, lfd;
    unsigned long long ent;
    int r = thread_bookkeeping(self, threads, t, &flags, &let, &lfd, &ent);
    if (r != 1)
        return r;
    int ok;
    if (etype == self->open_x)
        return reject_open(self, sd, threads, t, j, etype, tid, ts, hdr, end, npar, flags, let,
                           ent, pred);
    if (etype == self->socket_x)
        return reject_socket(self, sd, threads, t, j, etype, tid, ts, hdr, end, npar, flags,
                             let, ent, pred);
    if (etype == self->fcntl_x)
        return reject_failed_retrieve(self, sd, threads, t, j, etype, tid, ts, let, lfd, ent,
                                      pred);
    if (etype == self->fcntl_e) {
        /* fcntl_enter stores only F_DUPFD* enters (for their exit to dup the fd) */
        long long base = hdr + 26;
        if (npar < 2 || hdr < 0 || end > self->blen || base + 4 > end)
            return 0;
        long long at = base + 2 * npar + rd16(self, base), l1 = rd16(self, base + 2);
        if (at + l1 > end || (l1 && (self->bp[at] == self->f_dupfd
                                     || self->bp[at] == self->f_dupfd_cloexec)))
            return 0;
    }
    long long addr_at = 0, addr_len = 0;
    if (etype == self->connect_e && npar >= 2) {
        /* connect_enter: an IP destination changes the socket but not its name; a unix
         * path renames it (the full path). (Old captures' enters carry only the fd.) */
        long long base = hdr + 26;
        if (hdr < 0 || end > self->blen || base + 4 > end)
            return 0;
        addr_at = base + 2 * npar + rd16(self, base);
        addr_len = rd16(self, base + 2);
        if (addr_at + addr_len > end || (addr_len && self->bp[addr_at] != self->af_inet
                                         && self->bp[addr_at] != self->af_inet6))
            return 0;
    }
    if (etype == self->close_x) {
        int paired = etype == let + 1;
        PyObject *fdi = lfd != -1 ? get_fd(self, threads, t, lfd, &ok) : NULL;
        if (lfd != -1 && ok <= 0)
            return ok;
        int attached = paired || let == self->tracer_e;
        long long ff = 0;
        if (fdi != NULL) {
            if (!get_ll(fdi, self->fs.flags, &ff))
                return 0;
            if ((ff & self->flag_close_canceled) && attached)
                return 0;
        }
        long long res;
        if (!first_fd(self, hdr, end, npar, &res))
            return 0;
        Py_XINCREF(fdi);
        r = ask(self, pred, etype, t, fdi);
        if (r < 0 || (r == 1 && can_accept(self, j, etype, attached ? fdi : NULL) <= 0)) {
            Py_XDECREF(fdi);
            return r < 0 ? -1 : 0;
        }
        if (!get_ll(t, self->ts.flags, &flags) || (fdi != NULL && !get_ll(fdi, self->fs.flags, &ff))) {
            Py_XDECREF(fdi);
            return 0;
        }
        int err = mark_exit(self, sd, t, ts, flags, ent, paired ? 1 : self->lastevent_invalid) < 0;
        if (!err && attached && fdi != NULL) {
            if (res >= 0) {
                PyObject *list = PyDict_GetItemWithError(sd, s_fds_to_remove);
                PyObject *fdo = PyLong_FromLongLong(lfd);
                PyObject *owner = SLOT(t, self->ts.tid);
                if (owner == NULL && !PyErr_Occurred())
                    PyErr_SetString(PyExc_AttributeError, "tid");
                err = list == NULL || fdo == NULL || owner == NULL
                    || PyDict_SetItem(sd, s_tid_of_fd_to_remove, owner) < 0
                    || PyList_Append(list, fdo) < 0;
                if (list == NULL && !PyErr_Occurred())
                    PyErr_SetString(PyExc_AttributeError, "fds_to_remove");
                Py_XDECREF(fdo);
            } else {
                err = set_slot(fdi, self->fs.flags,
                               PyLong_FromLongLong(ff & ~self->flag_close_in_progress)) < 0;
            }
        }
        if (!err && r == 1)
            err = hand_on(self, t, j, etype, tid, attached ? fdi : NULL, NULL) < 0;
        Py_XDECREF(fdi);
        return err ? -1 : r == 1 ? 2 : 1;
    }
    long long fd;
    PyObject *fdi;
    if ((ok = enter_fd(self, threads, t, etype, hdr, end, npar, &fd, &fdi)) <= 0)
        return ok;
    if (etype == self->sendto_e && fdi == NULL)
        return 0;   /* a sendto on an unknown fd may create a socket (sendto_enter) */
    Py_XINCREF(fdi);
    r = ask(self, pred, etype, t, fdi);
    if (r < 0 || (r == 1 && can_accept(self, j, etype, fdi) <= 0)) {
        Py_XDECREF(fdi);
        return r < 0 ? -1 : 0;
    }
    long long ff = 0;
    if (!get_ll(t, self->ts.flags, &flags)
            || (etype == self->close_e && fdi != NULL && !get_ll(fdi, self->fs.flags, &ff))) {
        Py_XDECREF(fdi);
        return 0;
    }
    int err = set_state_ts(self, sd, ts) < 0
        || set_active(self, t, flags) < 0
        || set_slot(t, self->ts.lastevent_type, PyLong_FromLongLong(etype)) < 0
        || set_slot(t, self->ts.lastevent_fd, PyLong_FromLongLong(fd)) < 0
        || set_slot(t, self->ts.latency, PyLong_FromLongLong(0)) < 0
        || set_slot(t, self->ts.last_latency_entertime, PyLong_FromUnsignedLongLong(ts)) < 0;
    if (!err) {
        if (etype == self->close_e) {
            if (fdi != NULL)
                err = set_slot(fdi, self->fs.flags,
                               PyLong_FromLongLong(ff | self->flag_close_in_progress)) < 0;
        } else if (etype == self->connect_e) {
            if (fdi != NULL && addr_len > 0) {
                PyObject *r = flush_ts(self) < 0 ? NULL
                    : PyObject_CallFunction(self->set_destination, "Oy#", fdi,
                                            (const char *)self->bp + addr_at, (Py_ssize_t)addr_len);
                err = r == NULL;
                Py_XDECREF(r);
            }
        } else if (self->stores[etype] && end - hdr <= self->sp_evt_buf_size) {
            /* store_event: a detached copy of the enter for its exit */
            PyObject *evt = row_event(self, j, etype, tid, 1);
            err = evt == NULL || set_slot(t, self->ts.lastevent_data, evt) < 0
                || set_slot(t, self->ts.lastevent_cpuid,
                            PyLong_FromLongLong(COL(self, C_CPU, j))) < 0;
        }
    }
    if (!err && r == 1)
        err = hand_on(self, t, j, etype, tid, fdi, NULL) < 0;
    Py_XDECREF(fdi);
    return err ? -1 : r == 1 ? 2 : 1;
}

/* -- the type ------------------------------------------------------------------------------ */

static void
release_cols(Rows *self)
{
    if (self->loaded) {
        PyMem_Free(self->derived);
        self->derived = NULL;
        self->loaded = 0;
    }
    Py_CLEAR(self->buf);
    self->bp = NULL;
    self->blen = 0;
    self->m = 0;
}

static int
Rows_traverse(Rows *self, visitproc visit, void *arg)
{
    Py_VISIT(self->parser);
    Py_VISIT(self->state);
    Py_VISIT(self->event_cls);
    Py_VISIT(self->thread_type);
    Py_VISIT(self->fdinfo_type);
    Py_VISIT(self->preds);
    Py_VISIT(self->may_pass);
    Py_VISIT(self->concatenate);
    Py_VISIT(self->infos);
    Py_VISIT(self->file_type);
    Py_VISIT(self->dir_type);
    Py_VISIT(self->user_evt_device);
    Py_VISIT(self->path_too_long);
    Py_VISIT(self->empty);
    Py_VISIT(self->socket_fd);
    Py_VISIT(self->set_destination);
    Py_VISIT(self->buf);
    Py_VISIT(self->event);
    Py_VISIT(self->dump);
    Py_VISIT(self->cache_tid);
    Py_VISIT(self->cache_t);
    Py_VISIT(self->never);
    Py_VISIT(self->always);
    Py_VISIT(self->event_filter);
    Py_VISIT(self->nat_needle);
    return 0;
}

static int
Rows_clear(Rows *self)
{
    release_cols(self);
    Py_CLEAR(self->event);
    Py_CLEAR(self->dump);
    Py_CLEAR(self->cache_tid);
    Py_CLEAR(self->cache_t);
    Py_CLEAR(self->never);
    Py_CLEAR(self->always);
    Py_CLEAR(self->event_filter);
    Py_CLEAR(self->nat_needle);
    self->nat_op = 0;
    Py_CLEAR(self->parser);
    Py_CLEAR(self->state);
    Py_CLEAR(self->event_cls);
    Py_CLEAR(self->thread_type);
    Py_CLEAR(self->fdinfo_type);
    Py_CLEAR(self->preds);
    Py_CLEAR(self->may_pass);
    Py_CLEAR(self->concatenate);
    Py_CLEAR(self->infos);
    Py_CLEAR(self->file_type);
    Py_CLEAR(self->dir_type);
    Py_CLEAR(self->user_evt_device);
    Py_CLEAR(self->path_too_long);
    Py_CLEAR(self->empty);
    Py_CLEAR(self->socket_fd);
    Py_CLEAR(self->set_destination);
    return 0;
}

static void
Rows_dealloc(Rows *self)
{
    PyObject_GC_UnTrack(self);
    Rows_clear(self);
    Py_TYPE(self)->tp_free((PyObject *)self);
}

static int
const_ll(PyObject *consts, const char *name, long long *out)
{
    PyObject *v = PyDict_GetItemString(consts, name);
    if (v == NULL) {
        PyErr_Format(PyExc_KeyError, "missing constant %s", name);
        return -1;
    }
    *out = PyLong_AsLongLong(v);
    return (*out == -1 && PyErr_Occurred()) ? -1 : 0;
}

/* The offsets of the slots names[0..n), which must be all of tp's __slots__ (objects of tp
 * are built here without __init__: a slot added there must be added here). */
static int
all_slots(PyTypeObject *tp, const char **names, int n, Py_ssize_t *offs)
{
    PyObject *declared = PyObject_GetAttrString((PyObject *)tp, "__slots__");
    if (declared == NULL)
        return -1;
    Py_ssize_t count = PyObject_Length(declared);
    Py_DECREF(declared);
    if (count < 0)
        return -1;
    if (count != n || tp->tp_dictoffset != 0) {
        PyErr_Format(PyExc_TypeError, "%s has other slots than _rowparse.c builds", tp->tp_name);
        return -1;
    }
    for (int k = 0; k < n; k++)
        if ((offs[k] = slot_offset(tp, names[k])) < 0)
            return -1;
    return 0;
}

static int
Rows_init(Rows *self, PyObject *args, PyObject *kwds)
{
    static char *kwlist[] = {"parser", "state", "event_cls", "thread_type", "fdinfo_type",
                             "preds", "may_pass", "uses_fd", "ts_only", "stores", "accept",
                             "consts", "concatenate", "objects", NULL};
    PyObject *parser, *state, *event_cls, *thread_type, *fdinfo_type, *preds, *may_pass,
        *consts, *concatenate, *objects;
    Py_buffer uses_fd, ts_only, stores, accept;
    if (!PyArg_ParseTupleAndKeywords(args, kwds, "OOO!O!O!O!Oy*y*y*y*O!OO!", kwlist, &parser,
                                     &state, &PyType_Type, &event_cls, &PyType_Type,
                                     &thread_type, &PyType_Type, &fdinfo_type, &PyList_Type,
                                     &preds, &may_pass, &uses_fd, &ts_only, &stores, &accept,
                                     &PyDict_Type, &consts, &concatenate, &PyDict_Type, &objects))
        return -1;
    int rc = -1;
    Py_ssize_t n = PyList_GET_SIZE(preds);
    if (n > MAXT || uses_fd.len != n || ts_only.len != n || stores.len != n
            || accept.len != n) {
        PyErr_SetString(PyExc_ValueError, "per-type tables of different sizes");
        goto done;
    }
    PyTypeObject *tt = (PyTypeObject *)thread_type, *ft = (PyTypeObject *)fdinfo_type;
    ThreadSlots s;
    FdSlots f;
    if ((s.tid = slot_offset(tt, "tid")) < 0 || (s.pid = slot_offset(tt, "pid")) < 0
            || (s.flags = slot_offset(tt, "flags")) < 0 || (s.fds = slot_offset(tt, "fds")) < 0
            || (s.lastevent_type = slot_offset(tt, "lastevent_type")) < 0
            || (s.lastevent_fd = slot_offset(tt, "lastevent_fd")) < 0
            || (s.lastevent_cpuid = slot_offset(tt, "lastevent_cpuid")) < 0
            || (s.latency = slot_offset(tt, "latency")) < 0
            || (s.last_latency_entertime = slot_offset(tt, "last_latency_entertime")) < 0
            || (s.lastevent_data = slot_offset(tt, "lastevent_data")) < 0
            || (s.cwd = slot_offset(tt, "cwd")) < 0
            || (s.lastevent_ts = slot_offset(tt, "lastevent_ts")) < 0
            || (s.prevevent_ts = slot_offset(tt, "prevevent_ts")) < 0
            || (s.comm = slot_offset(tt, "comm")) < 0
            || (s.vmsize_kb = slot_offset(tt, "vmsize_kb")) < 0
            || (s.vmrss_kb = slot_offset(tt, "vmrss_kb")) < 0
            || (s.vmswap_kb = slot_offset(tt, "vmswap_kb")) < 0
            || (f.type = slot_offset(ft, "type")) < 0
            || (f.flags = slot_offset(ft, "flags")) < 0 || (f.name = slot_offset(ft, "name")) < 0
            || (f.oldname = slot_offset(ft, "oldname")) < 0)
        goto done;
    Py_ssize_t ev_type = slot_offset((PyTypeObject *)event_cls, "type");
    Py_ssize_t ev_nparams = slot_offset((PyTypeObject *)event_cls, "nparams");
    EventSlots e;
    PyTypeObject *et = (PyTypeObject *)event_cls;
    if (ev_type < 0 || ev_nparams < 0 || (e.thread = slot_offset(et, "thread")) < 0
            || (e.fdinfo = slot_offset(et, "fdinfo")) < 0 || (e.fd = slot_offset(et, "fd")) < 0
            || (e.latency = slot_offset(et, "latency")) < 0
            || (e.fd_name_changed = slot_offset(et, "fd_name_changed")) < 0)
        goto done;
    if (const_ll(consts, "PPM_EVENT_MAX", &self->ppm_event_max) < 0
            || const_ll(consts, "CLOSE_E", &self->close_e) < 0
            || const_ll(consts, "CLOSE_X", &self->close_x) < 0
            || const_ll(consts, "OPEN_X", &self->open_x) < 0
            || const_ll(consts, "MAX_FD_TABLE", &self->max_fd_table) < 0
            || const_ll(consts, "TRACER_E", &self->tracer_e) < 0
            || const_ll(consts, "SP_EVT_BUF_SIZE", &self->sp_evt_buf_size) < 0
            || const_ll(consts, "CL_ACTIVE", &self->cl_active) < 0
            || const_ll(consts, "CL_CLONE_FILES", &self->cl_clone_files) < 0
            || const_ll(consts, "CL_IS_MAIN_THREAD", &self->cl_is_main_thread) < 0
            || const_ll(consts, "FLAG_CLOSE_CANCELED", &self->flag_close_canceled) < 0
            || const_ll(consts, "FLAG_CLOSE_IN_PROGRESS", &self->flag_close_in_progress) < 0
            || const_ll(consts, "LASTEVENT_INVALID", &self->lastevent_invalid) < 0
            || const_ll(consts, "IPV4_SOCK", &self->ipv4_sock) < 0
            || const_ll(consts, "IPV6_SOCK", &self->ipv6_sock) < 0
            || const_ll(consts, "TRACER_FD_FLAGS", &self->tracer_fd_flags) < 0
            || const_ll(consts, "WRITE_X", &self->write_x) < 0
            || const_ll(consts, "SCAP_DF_TRACER", &self->scap_df_tracer) < 0
            || const_ll(consts, "SOCK_SIZE", &self->sock_size) < 0
            || const_ll(consts, "FLAG_IS_TRACER_FILE", &self->flag_tracer_file) < 0
            || const_ll(consts, "FLAG_IS_NOT_TRACER_FD", &self->flag_not_tracer_fd) < 0
            || const_ll(consts, "PPM_O_DIRECTORY", &self->o_directory) < 0
            || const_ll(consts, "MAX_PATH", &self->max_path) < 0
            || const_ll(consts, "SOCKET_X", &self->socket_x) < 0
            || const_ll(consts, "FCNTL_E", &self->fcntl_e) < 0
            || const_ll(consts, "FCNTL_X", &self->fcntl_x) < 0
            || const_ll(consts, "F_DUPFD", &self->f_dupfd) < 0
            || const_ll(consts, "F_DUPFD_CLOEXEC", &self->f_dupfd_cloexec) < 0
            || const_ll(consts, "CONNECT_E", &self->connect_e) < 0
            || const_ll(consts, "AF_INET", &self->af_inet) < 0
            || const_ll(consts, "AF_INET6", &self->af_inet6) < 0
            || const_ll(consts, "SENDTO_E", &self->sendto_e) < 0
            || const_ll(consts, "PROCINFO", &self->procinfo) < 0)
        goto done;
    Py_ssize_t evs[NEV_SLOTS], fds[NFD_SLOTS];
    if (all_slots(et, EV_SLOT_NAMES, NEV_SLOTS, evs) < 0
            || all_slots(ft, FD_SLOT_NAMES, NFD_SLOTS, fds) < 0)
        goto done;
    PyObject *infos = PyDict_GetItemString(objects, "infos");
    PyObject *file_type = PyDict_GetItemString(objects, "FILE_V2");
    PyObject *dir_type = PyDict_GetItemString(objects, "DIRECTORY");
    PyObject *dev = PyDict_GetItemString(objects, "USER_EVT_DEVICE");
    PyObject *too_long = PyDict_GetItemString(objects, "PATH_TOO_LONG");
    PyObject *socket_fd = PyDict_GetItemString(objects, "socket_fd");
    PyObject *set_destination = PyDict_GetItemString(objects, "set_destination");
    PyObject *nparams = PyDict_GetItemString(objects, "NPARAMS");
    PyObject *large = PyDict_GetItemString(objects, "LARGE");
    if (nparams == NULL || large == NULL || !PyBytes_CheckExact(nparams)
            || !PyBytes_CheckExact(large) || PyBytes_GET_SIZE(nparams) != n
            || PyBytes_GET_SIZE(large) != n) {
        PyErr_SetString(PyExc_ValueError, "objects: NPARAMS and LARGE, bytes of one per type");
        goto done;
    }
    if (infos == NULL || !PyTuple_CheckExact(infos) || PyTuple_GET_SIZE(infos) != n
            || file_type == NULL || dir_type == NULL || dev == NULL || !PyUnicode_Check(dev)
            || too_long == NULL || !PyUnicode_Check(too_long) || socket_fd == NULL
            || set_destination == NULL) {
        PyErr_SetString(PyExc_ValueError, "objects: infos, FILE_V2, DIRECTORY, USER_EVT_DEVICE, "
                        "PATH_TOO_LONG, socket_fd, set_destination");
        goto done;
    }
    PyObject *empty = PyUnicode_New(0, 0);
    if (empty == NULL)
        goto done;
    if (self->ppm_event_max != n) {
        PyErr_SetString(PyExc_ValueError, "PPM_EVENT_MAX differs from the tables");
        goto done;
    }
    Rows_clear(self);
    self->ts = s;
    self->fs = f;
    self->ev_type = ev_type;
    self->ev_nparams = ev_nparams;
    self->es = e;
    Py_INCREF(concatenate); self->concatenate = concatenate;
    memcpy(self->ev_slots, evs, sizeof evs);
    memcpy(self->fd_slots, fds, sizeof fds);
    self->infos = newref(infos);
    self->file_type = newref(file_type);
    self->dir_type = newref(dir_type);
    self->user_evt_device = newref(dev);
    self->path_too_long = newref(too_long);
    self->empty = empty;
    self->socket_fd = newref(socket_fd);
    self->set_destination = newref(set_destination);
    self->ntypes = (int)n;
    memcpy(self->uses_fd, uses_fd.buf, n);
    memcpy(self->ts_only, ts_only.buf, n);
    memcpy(self->stores, stores.buf, n);
    memcpy(self->accept, accept.buf, n);
    memcpy(self->nparams, PyBytes_AS_STRING(nparams), n);
    memcpy(self->large, PyBytes_AS_STRING(large), n);
    Py_INCREF(parser); self->parser = parser;
    Py_INCREF(state); self->state = state;
    Py_INCREF(event_cls); self->event_cls = event_cls;
    Py_INCREF(thread_type); self->thread_type = tt;
    Py_INCREF(fdinfo_type); self->fdinfo_type = ft;
    Py_INCREF(preds); self->preds = preds;
    Py_INCREF(may_pass); self->may_pass = may_pass;
    rc = 0;
done:
    PyBuffer_Release(&uses_fd);
    PyBuffer_Release(&ts_only);
    PyBuffer_Release(&stores);
    PyBuffer_Release(&accept);
    return rc;
}

/* load_walk(buf, num, start, wi, type, flagged, kinds, sc_ok) -> m
 *
 * Loads the batch that scap/_blockwalk.c framed in buf (wi, type: bytes-like int64 per row,
 * flagged: bytes-like 0/1 per row or None) and selects its rows from start on, as the
 * Python batch loop does with numpy: kinds[type] per row (0: not visited), made 1 for a
 * generic syscall row whose syscall id sc_ok (65536 bytes, or None) refuses. Also notes the
 * last selected row and the batch's last timestamp (last_selected, end_ts). */
static PyObject *
Rows_load_walk(Rows *self, PyObject *args)
{
    PyObject *buf, *flagged_obj, *sc_obj;
    long long num;
    Py_ssize_t start;
    Py_buffer wi_v, ty_v, kinds_v, fl_v = {0}, sc_v = {0};
    if (!PyArg_ParseTuple(args, "O!Lny*y*Oy*O", &PyBytes_Type, &buf, &num, &start, &wi_v,
                          &ty_v, &flagged_obj, &kinds_v, &sc_obj))
        return NULL;
    PyObject *result = NULL;
    int have_fl = 0, have_sc = 0;
    release_cols(self);
    if (flagged_obj != Py_None) {
        if (PyObject_GetBuffer(flagged_obj, &fl_v, PyBUF_SIMPLE) < 0)
            goto done;
        have_fl = 1;
    }
    if (sc_obj != Py_None) {
        if (PyObject_GetBuffer(sc_obj, &sc_v, PyBUF_SIMPLE) < 0)
            goto done;
        have_sc = 1;
    }
    Py_ssize_t n = wi_v.len / 8;
    if (wi_v.len % 8 || ty_v.len != wi_v.len || (have_fl && fl_v.len != n)
            || (have_sc && sc_v.len != 65536) || kinds_v.len < self->ntypes) {
        PyErr_SetString(PyExc_ValueError, "wi and type must be int64 rows of one length, "
                        "flagged one byte per row, sc_ok 65536 bytes, kinds one per type");
        goto done;
    }
    const long long *wi = wi_v.buf, *ty = ty_v.buf;
    const unsigned char *fl = have_fl ? fl_v.buf : NULL, *sc_ok = have_sc ? sc_v.buf : NULL;
    const signed char *kinds = kinds_v.buf;
    const unsigned char *bp = (const unsigned char *)PyBytes_AS_STRING(buf);
    Py_ssize_t blen = PyBytes_GET_SIZE(buf);
    if (start < 0)
        start = 0;
    /* Every row's header lies in buf: the walk checked it, this keeps C reads in bounds
     * whoever calls. */
    for (Py_ssize_t i = 0; i < n; i++) {
        long long f = fl != NULL && fl[i], hdr = wi[i] * 4 + 10 + 4 * f;
        if (ty[i] < 0 || ty[i] >= self->ntypes || wi[i] < 0 || hdr + 26 > blen) {
            PyErr_SetString(PyExc_ValueError, ty[i] < 0 || ty[i] >= self->ntypes
                            ? "event type out of range" : "event header outside the buffer");
            goto done;
        }
    }
    Py_ssize_t m = 0;
    for (Py_ssize_t i = start; i < n; i++)
        m += kinds[ty[i]] != 0;
    self->derived = PyMem_Malloc(NCOLS * (m > 0 ? m : 1) * sizeof(long long));
    if (self->derived == NULL) {
        PyErr_NoMemory();
        goto done;
    }
    long long *d = self->derived;
    for (int c = 0; c < NCOLS; c++)
        self->col[c] = d + c * m;
    long long *sel = d, *kind = d + C_KIND * m, *type = d + C_TYPE * m, *ts = d + C_TS * m,
        *tid = d + C_TID * m, *cpu = d + C_CPU * m, *dfl = d + C_DFL * m,
        *hdrs = d + C_HDR * m, *end = d + C_END * m, *npars = d + C_NPAR * m;
    Py_ssize_t j = 0;
    for (Py_ssize_t i = start; i < n; i++) {
        long long et = ty[i];
        int k = kinds[et];
        if (k == 0)
            continue;
        long long f = fl != NULL && fl[i], hdr = wi[i] * 4 + 10 + 4 * f;
        const unsigned char *h = bp + hdr;
        unsigned long long t8, id8;
        unsigned int elen, npar, dflags = 0;
        unsigned short c2;
        memcpy(&t8, h, 8);
        memcpy(&id8, h + 8, 8);
        memcpy(&elen, h + 16, 4);
        memcpy(&npar, h + 22, 4);
        memcpy(&c2, h - 2 - 4 * f, 2);
        if (f)
            memcpy(&dflags, h - 4, 4);
        if (k == 2 && sc_ok != NULL && et < 2 && npar > 0 && npar <= 32) {
            long long o = hdr + 26 + 2 * (long long)npar;
            if (o + 4 <= blen) {
                unsigned short sc;
                memcpy(&sc, bp + o, 2);
                if (!sc_ok[sc])
                    k = 1;
            }
        }
        sel[j] = i;
        kind[j] = k;
        type[j] = et;
        ts[j] = (long long)t8;
        tid[j] = (long long)id8;
        cpu[j] = c2;
        dfl[j] = dflags;
        hdrs[j] = hdr;
        end[j] = hdr + elen;
        npars[j] = npar;
        j++;
    }
    self->loaded = 1;
    Py_INCREF(buf);
    self->buf = buf;
    self->bp = bp;
    self->blen = blen;
    self->num = num;
    self->m = m;
    self->last_selected = m > 0 ? sel[m - 1] : -1;
    self->end_ts = 0;
    if (n > 0) {
        long long f = fl != NULL && fl[n - 1];
        unsigned long long t8;
        memcpy(&t8, bp + wi[n - 1] * 4 + 10 + 4 * f, 8);
        self->end_ts = t8;
    }
    result = PyLong_FromSsize_t(m);
done:
    PyBuffer_Release(&wi_v);
    PyBuffer_Release(&ty_v);
    PyBuffer_Release(&kinds_v);
    if (have_fl)
        PyBuffer_Release(&fl_v);
    if (have_sc)
        PyBuffer_Release(&sc_v);
    return result;
}

/* Parser.apply_removals in its common case: only fds to remove (no thread), their owner
 * known with its fd table. 1: done, 0: leave it to Python, -1: error. */
static int
remove_fds(Rows *self, PyObject *sd, PyObject *threads)
{
    PyObject *t = PyDict_GetItemWithError(sd, s_tid_to_remove);
    PyObject *list = PyDict_GetItemWithError(sd, s_fds_to_remove);
    PyObject *owner_tid = PyDict_GetItemWithError(sd, s_tid_of_fd_to_remove);
    if (t == NULL || list == NULL || owner_tid == NULL)
        return PyErr_Occurred() ? -1 : 0;
    long long tv;
    int overflow;
    if (!PyLong_CheckExact(t) || !PyList_CheckExact(list))
        return 0;
    tv = PyLong_AsLongLongAndOverflow(t, &overflow);
    if (overflow || tv != -1)
        return 0;
    PyObject *owner = find_thread(self, threads, owner_tid);
    if (owner == NULL)
        return PyErr_Occurred() ? -1 : 0;
    long long flags;
    if (!get_ll(owner, self->ts.flags, &flags))
        return 0;
    PyObject *holder = owner;
    if ((flags & self->cl_clone_files) && !(flags & self->cl_is_main_thread)) {
        PyObject *tid = SLOT(owner, self->ts.tid), *pid = SLOT(owner, self->ts.pid);
        if (tid == NULL || pid == NULL)
            return 0;
        int same = PyObject_RichCompareBool(tid, pid, Py_EQ);
        if (same < 0)
            return -1;
        if (!same) {
            holder = find_thread(self, threads, pid);
            if (holder == NULL)
                return PyErr_Occurred() ? -1 : 0;   /* Python invents the main thread */
        }
    }
    PyObject *table = SLOT(holder, self->ts.fds);
    if (table == NULL || !PyDict_CheckExact(table))
        return 0;
    Py_INCREF(table);
    Py_ssize_t n = PyList_GET_SIZE(list);
    int rc = 1;
    for (Py_ssize_t k = 0; k < n && rc == 1; k++) {
        PyObject *fd = PyList_GET_ITEM(list, k);
        int has = PyDict_Contains(table, fd);
        if (has < 0 || (has && PyDict_DelItem(table, fd) < 0))
            rc = -1;
    }
    Py_DECREF(table);
    if (rc == 1 && PyList_SetSlice(list, 0, n, NULL) < 0)
        rc = -1;
    return rc;
}

/* advance(j): apply the fast rejections from row j on; the index of the first row that
 * needs the full path (the number of rows when none does). */
static PyObject *
Rows_advance(Rows *self, PyObject *arg)
{
    Py_ssize_t j = PyLong_AsSsize_t(arg);
    if (j == -1 && PyErr_Occurred())
        return NULL;
    if (!self->loaded) {
        PyErr_SetString(PyExc_RuntimeError, "no batch loaded");
        return NULL;
    }
    PyObject *sd = PyObject_GenericGetDict(self->state, NULL);
    if (sd == NULL)
        return NULL;
    PyObject *threads = PyDict_GetItemWithError(sd, s_threads);
    if (threads == NULL || !PyDict_CheckExact(threads)) {
        if (!PyErr_Occurred())
            PyErr_SetString(PyExc_TypeError, "State.threads is not a dict");
        Py_DECREF(sd);
        return NULL;
    }
    Py_INCREF(threads);
    Py_CLEAR(self->event);
    PyObject *result = NULL;
    int may_pend = 1;   /* whatever ran before this call may have scheduled removals */
    for (; j < self->m; j++) {
        long long kind = COL(self, C_KIND, j);
        if (kind != 1 && kind != 3 && kind != 4)
            break;
        long long etype = COL(self, C_TYPE, j);
        PyObject *pred = NULL;
        if (kind == 3) {
            if (self->may_pass == Py_None && self->event_filter == NULL)
                break;
            pred = self->may_pass;
        } else if (kind == 4) {
            pred = PyList_GET_ITEM(self->preds, etype);
            if (pred == Py_None)
                break;
        }
        /* Removals are scheduled only by a close exit's parse (here or in Python, before
         * this call): none can be pending after a row of another type. */
        int pend = may_pend ? removals_pending(sd) : 0;
        if (pend < 0)
            goto out;
        if (pend) {
            int done = remove_fds(self, sd, threads);
            if (done < 0)
                goto out;
            if (!done) {
                PyObject *r = flush_ts(self) < 0 ? NULL
                    : PyObject_CallMethodNoArgs(self->parser, s_apply_removals);
                if (r == NULL)
                    goto out;
                Py_DECREF(r);
            }
        }
        may_pend = etype == self->close_x;
        unsigned long long ts = (unsigned long long)COL(self, C_TS, j);
        long long npar = COL(self, C_NPAR, j);
        /* the param-count guards of each rejection, then the thread they all look up */
        if (kind == 1 ? npar < 0 : (npar < 0 || npar > 32))
            break;
        if (kind == 1 && self->ts_only[etype]) {
            if (set_state_ts(self, sd, ts) < 0)
                goto out;
            /* a procinfo row the filter cannot pass: internal, a copy keeps it */
            if (self->dump != NULL && etype == self->procinfo && dump_row(self, j, etype) < 0)
                goto out;
            continue;
        }
        if (kind == 3 && etype == self->procinfo && self->may_pass != Py_None) {
            int unfiltered = (self->dump != NULL || self->discard) && self->dump_unfiltered;
            int done = unfiltered ? pass_procinfo(self, sd, threads, j)
                : reject_procinfo(self, sd, threads, j, pred);
            if (done < 0)
                goto out;
            if (done != 1)
                break;
            /* handed on without a filter; else rejected, but internal: a copy keeps it
             * (the rows of this type the filter passes take the full path) */
            self->dump_handed += unfiltered;
            if (self->dump != NULL && dump_row(self, j, etype) < 0)
                goto out;
            continue;
        }
        unsigned long long tidv = (unsigned long long)COL(self, C_TID, j);
        PyObject *tid, *t;
        if (self->cache_t != NULL && tidv == self->cache_tidv) {
            tid = newref(self->cache_tid);
            t = newref(self->cache_t);
        } else {
            if ((tid = PyLong_FromUnsignedLongLong(tidv)) == NULL)
                goto out;
            t = find_thread(self, threads, tid);
            if (t == NULL) {
                Py_DECREF(tid);
                if (PyErr_Occurred())
                    goto out;
                break;
            }
            Py_INCREF(t);
            Py_XSETREF(self->cache_tid, newref(tid));
            Py_XSETREF(self->cache_t, newref(t));
            self->cache_tidv = tidv;
        }
        Py_XINCREF(pred);
        int done;
        if (kind == 1)
            done = skip_rejected(self, sd, t, etype, ts, COL(self, C_HDR, j), npar);
        else if (kind == 3)
            done = self->may_pass == Py_None
                ? filter_on_event(self, sd, threads, t, j, etype, tid)
                : reject_fast(self, sd, threads, t, j, etype, tid, pred);
        else
            done = reject_state_fast(self, sd, threads, t, j, etype, tid, pred);
        Py_XDECREF(pred);
        Py_DECREF(t);
        Py_DECREF(tid);
        if (done < 0)
            goto out;
        if (done == 2 && self->event == NULL)
            continue;   /* handed on into the dump buffer */
        if (done != 1)
            break;   /* the full path, or handed on: self->event */
    }
    result = PyLong_FromSsize_t(j);
out:
    if (result == NULL) {
        self->ts_pending = 0;   /* an error is on its way out */
        Py_CLEAR(self->cache_tid);
        Py_CLEAR(self->cache_t);
    }
    else if (flush_ts(self) < 0)
        Py_CLEAR(result);
    Py_DECREF(threads);
    Py_DECREF(sd);
    return result;
}

/* event_at(j): the Event of row j, as the batch loop builds it for the full path. */
static PyObject *
Rows_event_at(Rows *self, PyObject *arg)
{
    Py_ssize_t j = PyLong_AsSsize_t(arg);
    if (j == -1 && PyErr_Occurred())
        return NULL;
    if (!self->loaded || j < 0 || j >= self->m) {
        PyErr_SetString(PyExc_IndexError, "row out of range");
        return NULL;
    }
    PyObject *tid = PyLong_FromUnsignedLongLong((unsigned long long)COL(self, C_TID, j));
    if (tid == NULL)
        return NULL;
    PyObject *evt = row_event(self, j, COL(self, C_TYPE, j), tid, 0);
    Py_DECREF(tid);
    return evt;
}

static PyObject *
Rows_release(Rows *self, PyObject *Py_UNUSED(ignored))
{
    release_cols(self);
    Py_RETURN_NONE;
}

static PyObject *
Rows_set_predicates(Rows *self, PyObject *args)
{
    PyObject *never, *always, *needle, *event_filter;
    int op, src;
    Py_buffer types;
    if (!PyArg_ParseTuple(args, "OOiiUy*O", &never, &always, &op, &src, &needle, &types,
                          &event_filter))
        return NULL;
    if (op < 0 || op > NAT_ENDSWITH || src < NAT_SRC_FD_NAME || src > NAT_SRC_COMM
            || (op != 0 && types.len != self->ntypes)) {
        PyBuffer_Release(&types);
        PyErr_SetString(PyExc_ValueError, "unknown comparison or per-type table of another size");
        return NULL;
    }
    if (op != 0)
        memcpy(self->nat_types, types.buf, types.len);
    PyBuffer_Release(&types);
    Py_INCREF(never);
    Py_XSETREF(self->never, never);
    Py_INCREF(always);
    Py_XSETREF(self->always, always);
    Py_INCREF(needle);
    Py_XSETREF(self->nat_needle, needle);
    self->nat_op = op;
    self->nat_src = src;
    Py_CLEAR(self->event_filter);
    if (event_filter != Py_None)
        self->event_filter = newref(event_filter);
    Py_RETURN_NONE;
}

static PyObject *
Rows_set_dump(Rows *self, PyObject *args)
{
    PyObject *dump;
    unsigned int ev, ev_large, evf, evf_large;
    int unfiltered;
    if (!PyArg_ParseTuple(args, "OIIIIp", &dump, &ev, &ev_large, &evf, &evf_large, &unfiltered))
        return NULL;
    if (dump != Py_None && dump != Py_True && !PyByteArray_CheckExact(dump)) {
        PyErr_SetString(PyExc_TypeError, "the dump target is a bytearray, True or None");
        return NULL;
    }
    Py_CLEAR(self->dump);
    self->discard = dump == Py_True;
    if (PyByteArray_CheckExact(dump))
        self->dump = newref(dump);
    self->dump_types[0] = ev;
    self->dump_types[1] = ev_large;
    self->dump_types[2] = evf;
    self->dump_types[3] = evf_large;
    self->dump_unfiltered = unfiltered;
    Py_RETURN_NONE;
}

static PyObject *
Rows_set_result_compare(Rows *self, PyObject *args)
{
    int op;
    long long value;
    Py_buffer at;
    if (!PyArg_ParseTuple(args, "iLy*", &op, &value, &at))
        return NULL;
    if (op < 1 || op > 6 || at.len != self->ntypes) {
        PyBuffer_Release(&at);
        PyErr_SetString(PyExc_ValueError, "unknown comparison or per-type table of another size");
        return NULL;
    }
    memcpy(self->res_at, at.buf, at.len);
    PyBuffer_Release(&at);
    self->res_op = op;
    self->res_value = value;
    Py_RETURN_NONE;
}

static PyObject *
Rows_take_dumped(Rows *self, PyObject *Py_UNUSED(ignored))
{
    PyObject *r = Py_BuildValue("(LL)", self->dumped, self->dump_handed);
    self->dumped = self->dump_handed = 0;
    return r;
}

static PyMethodDef Rows_methods[] = {
    {"set_dump", (PyCFunction)Rows_set_dump, METH_VARARGS,
     "set_dump(target, ev, ev_large, evf, evf_large, unfiltered): rows that would be handed "
     "on are appended to target (a bytearray) as event blocks of these types, as the capture "
     "writer frames them, and so are the procinfo rows (internal: a copy keeps them); True: "
     "they are only counted; None: handed on as Events. unfiltered: there is no filter, so "
     "procinfo rows are handed on (as the parser does without a filter)."},
    {"set_result_compare", (PyCFunction)Rows_set_result_compare, METH_VARARGS,
     "set_result_compare(op, value, result_at): the capture filter (asked on the Event of "
     "kind 3 rows) is the comparison op (the filter compiler's RESULT_OPS code) of the "
     "event's result with value, which each type has as result_at says (0 none, 1 the first "
     "param's 8 bytes, 2 elsewhere: the filter is asked)."},
    {"take_dumped", (PyCFunction)Rows_take_dumped, METH_NOARGS,
     "(rows written into the dump buffer, of which handed on) since the last call."},
    {"set_predicates", (PyCFunction)Rows_set_predicates, METH_VARARGS,
     "set_predicates(never, always, op, src, needle, types, event_filter): the predicates that "
     "always say no and yes; may_pass as one string comparison (op: the filter compiler's "
     "NATIVE_OPS code, 0 for none) of a fast value (src: NATIVE_SOURCES, 0 fd.name, 1 the "
     "thread's comm) with needle over the event types where it has one (types); the capture "
     "filter kind 3 rows are asked on their Event when there is no may_pass (or None)."},
    {"load_walk", (PyCFunction)Rows_load_walk, METH_VARARGS,
     "load_walk(buf, num, start, wi, type, flagged, kinds, sc_ok): the rows of a batch that "
     "scap._blockwalk.walk framed (its wi, type and flagged), selected from row start on by "
     "the kind per event type (0: not visited) and the generic syscall ids sc_ok accepts; "
     "returns the selected row count."},
    {"advance", (PyCFunction)Rows_advance, METH_O,
     "advance(j): apply the fast rejections from row j on; the first row needing the full "
     "path (or the row count)."},
    {"event_at", (PyCFunction)Rows_event_at, METH_O,
     "event_at(j): the Event of row j (no context: for the full path)."},
    {"release", (PyCFunction)Rows_release, METH_NOARGS, "Drop the loaded batch."},
    {NULL, NULL, 0, NULL},
};

static PyMemberDef Rows_members[] = {
    {"event", T_OBJECT, offsetof(Rows, event), READONLY,
     "The Event of the row the last advance() stopped at when it handed that row on "
     "(parsed, passed by the filter, context set); None when the row needs the full path."},
    {"last_selected", T_LONGLONG, offsetof(Rows, last_selected), READONLY,
     "The row index of the loaded batch's last selected row (-1: none)."},
    {"end_ts", T_ULONGLONG, offsetof(Rows, end_ts), READONLY,
     "The timestamp of the loaded batch's last row."},
    {NULL, 0, 0, 0, NULL},
};

static PyTypeObject RowsType = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "sysdive.state._rowparse.Rows",
    .tp_doc = PyDoc_STR("The fast rejections of the batch loop over one capture's batches."),
    .tp_basicsize = sizeof(Rows),
    .tp_itemsize = 0,
    .tp_flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_HAVE_GC,
    .tp_new = PyType_GenericNew,
    .tp_init = (initproc)Rows_init,
    .tp_dealloc = (destructor)Rows_dealloc,
    .tp_traverse = (traverseproc)Rows_traverse,
    .tp_clear = (inquiry)Rows_clear,
    .tp_methods = Rows_methods,
    .tp_members = Rows_members,
};

static struct PyModuleDef rowparse_module = {
    PyModuleDef_HEAD_INIT,
    .m_name = "sysdive.state._rowparse",
    .m_doc = PyDoc_STR("The batch loop's fast rejections, compiled (see rejections.py)."),
    .m_size = -1,
};

PyMODINIT_FUNC
PyInit__rowparse(void)
{
    if (PyType_Ready(&RowsType) < 0)
        return NULL;
    if ((s_tid_to_remove = PyUnicode_InternFromString("tid_to_remove")) == NULL
            || (s_fds_to_remove = PyUnicode_InternFromString("fds_to_remove")) == NULL
            || (s_lastevent_ts = PyUnicode_InternFromString("lastevent_ts")) == NULL
            || (s_threads = PyUnicode_InternFromString("threads")) == NULL
            || (s_tid_of_fd_to_remove = PyUnicode_InternFromString("tid_of_fd_to_remove")) == NULL
            || (s_apply_removals = PyUnicode_InternFromString("apply_removals")) == NULL
            || (s_tmp_enter = PyUnicode_InternFromString("tmp_enter")) == NULL)
        return NULL;
    PyObject *m = PyModule_Create(&rowparse_module);
    if (m == NULL)
        return NULL;
    Py_INCREF(&RowsType);
    if (PyModule_AddObject(m, "Rows", (PyObject *)&RowsType) < 0) {
        Py_DECREF(&RowsType);
        Py_DECREF(m);
        return NULL;
    }
    return m;
}
