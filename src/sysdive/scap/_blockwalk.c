/* sysdive.scap._blockwalk: the framing of a run of v2 event blocks, compiled.
 *
 * scap/scan.py frames the v2 event blocks of a large buffer with numpy, speculatively (every
 * word holding a block id is a candidate start) and then verifies the chain. Walking the
 * chain block by block is what that computes, and in C it is a plain loop: this module does
 * that walk, with the same checks in the same order, and returns the same columns. scan.py
 * keeps the numpy version as the reference (and for a build without a compiler);
 * tests/state/test_compiled_rejections.py compares the two on the sample captures and on
 * damaged buffers.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <string.h>

/* Block ids (scap/blocks.py) and the limits the sequential reader checks. */
#define EV_V2 0x216u
#define EVF_V2 0x217u
#define EV_V2_LARGE 0x221u
#define EVF_V2_LARGE 0x222u
#define EVENT_MAX 336u
#define NONLARGE_MAX 65536u

static unsigned int
rd32(const unsigned char *p)
{
    unsigned int v;
    memcpy(&v, p, 4);
    return v;
}

static unsigned short
rd16(const unsigned char *p)
{
    unsigned short v;
    memcpy(&v, p, 2);
    return v;
}

/* A bytearray of n int64 values (filled by the caller), or NULL. */
static PyObject *
int64_array(Py_ssize_t n, long long **data)
{
    PyObject *a = PyByteArray_FromStringAndSize(NULL, n * (Py_ssize_t)sizeof(long long));
    if (a != NULL)
        *data = (long long *)PyByteArray_AS_STRING(a);
    return a;
}

/* walk(buf, pos, window) -> (end, wi, type, elen, flagged)
 *
 * The v2 event blocks chained from pos (a block start) that start within window bytes of
 * it and pass every check the sequential reader makes. end is where the reader goes on
 * (pos when the block there is not one of them); wi, type and elen (bytearrays of int64:
 * each listed block's first word index, its event type and event length) list the events
 * of known types; flagged (a bytearray of 0/1 per listed event, or None when no block is an
 * EVF one) marks the blocks with dump flags. wi is None when no event is listed. */
static PyObject *
walk(PyObject *module, PyObject *args)
{
    Py_buffer view;
    Py_ssize_t pos, window;
    if (!PyArg_ParseTuple(args, "y*nn", &view, &pos, &window))
        return NULL;
    const unsigned char *b = view.buf;
    Py_ssize_t n = view.len;
    PyObject *result = NULL, *wi = NULL, *ty = NULL, *el = NULL, *fl = NULL;
    /* First pass: where the run ends and how many events it lists. */
    Py_ssize_t s = pos, listed = 0, flagged = 0;
    if (pos >= 0 && !(pos & 3)) {
        while (s - pos < window && s + 8 <= n) {
            unsigned int btype = rd32(b + s);
            int evf = btype == EVF_V2 || btype == EVF_V2_LARGE;
            if (!evf && btype != EV_V2 && btype != EV_V2_LARGE)
                break;
            unsigned int blen = rd32(b + s + 4);
            if (blen < 12 || (blen & 3) || (Py_ssize_t)blen > n - s || rd32(b + s + blen - 4) != blen)
                break;
            if (blen < (evf ? 44u : 40u))
                break;
            const unsigned char *h = b + s + 10 + 4 * evf;
            unsigned int elen = rd32(h + 16);
            if (elen < 26 || elen > blen - 14 - 4 * evf)
                break;
            if (btype == EV_V2 && blen > NONLARGE_MAX + 8)
                break;
            if (rd16(h + 20) < EVENT_MAX) {
                listed++;
                flagged += evf;
            }
            s += blen;
        }
    } else {
        s = pos;
    }
    Py_ssize_t end = s;
    if (listed == 0) {
        result = Py_BuildValue("(nOOOO)", end, Py_None, Py_None, Py_None, Py_None);
        goto done;
    }
    long long *pw = NULL, *pt = NULL, *pe = NULL;
    wi = int64_array(listed, &pw);
    ty = int64_array(listed, &pt);
    el = int64_array(listed, &pe);
    if (wi == NULL || ty == NULL || el == NULL)
        goto done;
    char *pf = NULL;
    if (flagged) {
        fl = PyByteArray_FromStringAndSize(NULL, listed);
        if (fl == NULL)
            goto done;
        pf = PyByteArray_AS_STRING(fl);
    }
    /* Second pass over the blocks the first one accepted. */
    Py_ssize_t k = 0;
    for (s = pos; s < end;) {
        unsigned int btype = rd32(b + s), blen = rd32(b + s + 4);
        int evf = btype == EVF_V2 || btype == EVF_V2_LARGE;
        const unsigned char *h = b + s + 10 + 4 * evf;
        unsigned short etype = rd16(h + 20);
        if (etype < EVENT_MAX) {
            pw[k] = s >> 2;
            pt[k] = etype;
            pe[k] = rd32(h + 16);
            if (pf != NULL)
                pf[k] = (char)evf;
            k++;
        }
        s += blen;
    }
    result = Py_BuildValue("(nOOOO)", end, wi, ty, el, fl != NULL ? fl : Py_None);
done:
    Py_XDECREF(wi);
    Py_XDECREF(ty);
    Py_XDECREF(el);
    Py_XDECREF(fl);
    PyBuffer_Release(&view);
    return result;
}

static PyMethodDef blockwalk_methods[] = {
    {"walk", walk, METH_VARARGS,
     "walk(buf, pos, window) -> (end, wi, type, elen, flagged): the run of v2 event blocks "
     "from pos, as scap.scan.scan frames it (see there)."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef blockwalk_module = {
    PyModuleDef_HEAD_INIT,
    .m_name = "sysdive.scap._blockwalk",
    .m_doc = PyDoc_STR("The framing of a run of v2 event blocks, compiled (see scan.py)."),
    .m_size = -1,
    .m_methods = blockwalk_methods,
};

PyMODINIT_FUNC
PyInit__blockwalk(void)
{
    return PyModule_Create(&blockwalk_module);
}
