/* The compiled SSE tokenizer: the same decoder as streamkit/_sse_py.py, in C.
 *
 * Theory of operation
 * -------------------
 *
 * This file is a line-by-line port of the pure-Python decoder in
 * ``_sse_py.py``: the same state, the same functions (``_feed``, ``_resume``,
 * ``_flush``, ``_finish_tail``, ``_lines_lf``, ``_lines_any``, ``_line``,
 * ``_field``, ``_dispatch``, ``_detach``), the same decisions in the same
 * order.  That is what makes the two one contract: not only the events, but
 * where an ``EventTooLarge`` is raised, with which offset and excerpt, depends
 * on when the pure decoder defers lines and when it checks its bound, so the
 * port keeps every such decision as it is.  ``tests/test_sse_differential.py``
 * and the ``sse-diff`` fuzz target hold the two to it.  When you change one,
 * change the other in the same commit.
 *
 * What differs is only how things are held:
 *
 * - the tail is a growable C buffer, not a ``bytearray``;
 * - the pending data is an array of parts, each a range of a ``bytes`` object
 *   it holds a reference to (the chunk, or a joined block or line), marked
 *   "view" until ``detach`` copies it out; one view part becomes a
 *   ``memoryview`` of its object at dispatch, exactly where the pure decoder
 *   would have kept a ``memoryview``;
 * - events are ``streamkit.SSEEvent`` instances (the one Python class), made
 *   by filling the class's slots directly: ``setup()`` finds their offsets
 *   from the class's member descriptors, and falls back to calling the class
 *   if they are not what it expects;
 * - a run of blank lines between events is dispatched once: dispatching
 *   again with nothing pending changes nothing, so skipping the rest of the
 *   run is the same as dispatching each.
 *
 * Python's ``-1`` ("not yet") results are kept; ``ERR`` (-2) means a Python
 * exception is set.
 */

#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <structmember.h>
#include <string.h>

#define LF '\n'
#define CR '\r'
#define ERR (-2)
#define DEFER_LIMIT (64 * 1024)
#define NAME_CACHE_SIZE 256
#define NAME_CACHE_MAX_LEN 128
#define TAIL_KEEP (64 * 1024) /* a cleared tail keeps its buffer up to this size */

/* -- what setup() gives ---------------------------------------------------- */

static PyObject *EventType;         /* streamkit.SSEEvent */
static PyObject *StreamErrorType;   /* streamkit.StreamError */
static PyObject *EventTooLargeType; /* streamkit.EventTooLarge */
static PyObject *ExcerptFunc;       /* streamkit._errors.excerpt */
/* Offsets of SSEEvent's slots; off_event < 0: make events by calling the class. */
static Py_ssize_t off_event = -1, off_data, off_id, off_retry, off_offset;

static PyObject *str_message, *str_empty, *bytes_empty, *str_offset, *str_excerpt;
static const char empty_buf[1] = {0};

/* -- the decoder's state ----------------------------------------------------- */

typedef struct {
    PyObject *owner; /* a bytes object */
    Py_ssize_t start, len;
    int view; /* still a range of owner; else owner is exactly the value */
} Part;

typedef struct {
    PyObject_HEAD
    PyObject *last_event_id; /* public: the last event ID string */
    PyObject *retry;         /* public: int or None */
    PyObject *truncated;     /* public: bool */
    PyObject *max_obj;       /* max_event_size as given, for messages */
    Py_ssize_t max;
    PyObject *id_buffer; /* str */
    PyObject *event;     /* str, or NULL for none */
    Part *parts;
    Py_ssize_t nparts, cparts;
    Py_ssize_t data_size;
    PyObject *event_retry; /* the pending event's retry, or NULL */
    int in_event;
    Py_ssize_t block_start;
    char *tail;
    Py_ssize_t tlen, tcap;
    int deferred;
    Py_ssize_t defer_limit, room;
    int skip_lf, at_start;
    char start[4]; /* what came so far while it may be the start of a BOM */
    Py_ssize_t slen;
    Py_ssize_t offset;
    PyObject *refusal; /* str, or NULL */
    PyObject *pending; /* an exception held back, or NULL */
    PyObject *names;   /* dict: bytes -> str */
    char *same;        /* the last event line the fast path took */
    Py_ssize_t samelen, samecap;
    PyObject *same_name;
    PyObject *mv_owner, *mv_base; /* a memoryview of mv_owner, reused within one call */
    int busy; /* inside feed() or close(): a call from a finalizer meanwhile is refused */
    int closed; /* close() was called: feeding more is the caller's mistake */
} Decoder;

/* -- small helpers ---------------------------------------------------------------- */

static inline Py_ssize_t
find_c(const char *b, Py_ssize_t from, Py_ssize_t to, char c)
{
    if (from >= to) {
        return -1;
    }
    const char *p = memchr(b + from, c, (size_t)(to - from));
    return p ? p - b : -1;
}

/* The first occurrence of s[0:n] (n >= 1) in b[from:to], or -1. */
static Py_ssize_t
find_s(const char *b, Py_ssize_t from, Py_ssize_t to, const char *s, Py_ssize_t n)
{
    while (to - from >= n) {
        const char *p = memchr(b + from, s[0], (size_t)(to - from - n + 1));
        if (p == NULL) {
            return -1;
        }
        if (memcmp(p + 1, s + 1, (size_t)(n - 1)) == 0) {
            return p - b;
        }
        from = p - b + 1;
    }
    return -1;
}

static inline int
starts(const char *b, Py_ssize_t n, Py_ssize_t pos, const char *s, Py_ssize_t sn)
{
    return pos + sn <= n && memcmp(b + pos, s, (size_t)sn) == 0;
}

static int
tail_add(Decoder *d, const char *p, Py_ssize_t n)
{
    if (n <= 0) {
        return 0;
    }
    if (d->tlen + n > d->tcap) {
        Py_ssize_t cap = d->tcap ? d->tcap * 2 : 256;
        if (cap < d->tlen + n) {
            cap = d->tlen + n;
        }
        char *t = PyMem_Realloc(d->tail, (size_t)cap);
        if (t == NULL) {
            PyErr_NoMemory();
            return -1;
        }
        d->tail = t;
        d->tcap = cap;
    }
    memcpy(d->tail + d->tlen, p, (size_t)n);
    d->tlen += n;
    return 0;
}

static void
tail_clear(Decoder *d)
{
    d->tlen = 0;
    if (d->tcap > TAIL_KEEP) {
        PyMem_Free(d->tail);
        d->tail = NULL;
        d->tcap = 0;
    }
}

static void
parts_clear(Decoder *d)
{
    for (Py_ssize_t i = 0; i < d->nparts; i++) {
        Py_CLEAR(d->parts[i].owner);
    }
    d->nparts = 0;
    if (d->cparts > 64) {
        PyMem_Free(d->parts);
        d->parts = NULL;
        d->cparts = 0;
    }
}

/* A memoryview of owner[start:start+len] (owner: bytes), sharing one base view per owner. */
static PyObject *
view_of(Decoder *d, PyObject *owner, Py_ssize_t start, Py_ssize_t len)
{
    if (d->mv_owner != owner) {
        PyObject *base = PyMemoryView_FromObject(owner);
        if (base == NULL) {
            return NULL;
        }
        Py_XSETREF(d->mv_base, base);
        Py_INCREF(owner);
        Py_XSETREF(d->mv_owner, owner);
    }
    PyObject *mv = PyMemoryView_FromObject(d->mv_base);
    if (mv == NULL) {
        return NULL;
    }
    Py_buffer *b = PyMemoryView_GET_BUFFER(mv);
    if (b->ndim == 1 && b->shape != NULL && b->strides != NULL && b->strides[0] == 1 &&
        b->suboffsets == NULL) {
        /* A fresh view nobody else has seen: narrow it as slicing would. */
        b->buf = (char *)b->buf + start;
        b->len = len;
        b->shape[0] = len;
        return mv;
    }
    Py_DECREF(mv);
    PyObject *slice = PySlice_New(NULL, NULL, NULL);
    PyObject *lo = PyLong_FromSsize_t(start), *hi = PyLong_FromSsize_t(start + len);
    PyObject *out = NULL;
    if (lo != NULL && hi != NULL) {
        Py_XDECREF(slice);
        slice = PySlice_New(lo, hi, NULL);
        if (slice != NULL) {
            out = PyObject_GetItem(d->mv_base, slice);
        }
    }
    Py_XDECREF(slice);
    Py_XDECREF(lo);
    Py_XDECREF(hi);
    return out;
}

static void
views_release(Decoder *d)
{
    Py_CLEAR(d->mv_base);
    Py_CLEAR(d->mv_owner);
}

/* excerpt(memoryview of p[0:n]), as the pure decoder passes its buffer. */
static PyObject *
excerpt_of(const char *p, Py_ssize_t n)
{
    PyObject *mv = PyMemoryView_FromMemory((char *)(n ? p : empty_buf), n, PyBUF_READ);
    if (mv == NULL) {
        return NULL;
    }
    PyObject *out = PyObject_CallOneArg(ExcerptFunc, mv);
    Py_DECREF(mv);
    return out;
}

/* Raise type(message, offset=offset[, excerpt=excerpt]); steals message and excerpt. */
static void
raise_error(PyObject *type, PyObject *message, Py_ssize_t offset, PyObject *excerpt)
{
    PyObject *off = NULL, *kwargs = NULL, *exc = NULL;
    if (message == NULL) {
        goto done;
    }
    off = PyLong_FromSsize_t(offset);
    kwargs = PyDict_New();
    if (off == NULL || kwargs == NULL || PyDict_SetItem(kwargs, str_offset, off) < 0) {
        goto done;
    }
    if (excerpt != NULL && PyDict_SetItem(kwargs, str_excerpt, excerpt) < 0) {
        goto done;
    }
    PyObject *args = PyTuple_Pack(1, message);
    if (args == NULL) {
        goto done;
    }
    exc = PyObject_Call(type, args, kwargs);
    Py_DECREF(args);
    if (exc != NULL) {
        PyErr_SetObject((PyObject *)Py_TYPE(exc), exc);
    }
done:
    Py_XDECREF(message);
    Py_XDECREF(excerpt);
    Py_XDECREF(off);
    Py_XDECREF(kwargs);
    Py_XDECREF(exc);
}

/* The current exception, taken (normalized), or NULL. */
static PyObject *
take_exception(void)
{
#if PY_VERSION_HEX >= 0x030C0000
    return PyErr_GetRaisedException();
#else
    PyObject *type, *value, *tb;
    PyErr_Fetch(&type, &value, &tb);
    if (type == NULL) {
        return NULL;
    }
    PyErr_NormalizeException(&type, &value, &tb);
    if (tb != NULL && value != NULL) {
        PyException_SetTraceback(value, tb);
    }
    Py_XDECREF(type);
    Py_XDECREF(tb);
    return value;
#endif
}

/* -- events --------------------------------------------------------------------- */

static int
emit(PyObject *events, PyObject *name, PyObject *data /* stolen */, PyObject *id,
     PyObject *retry /* borrowed, or NULL for None */, Py_ssize_t offset)
{
    if (data == NULL) {
        return -1;
    }
    PyObject *off = PyLong_FromSsize_t(offset);
    if (off == NULL) {
        Py_DECREF(data);
        return -1;
    }
    if (retry == NULL) {
        retry = Py_None;
    }
    PyObject *ev;
    if (off_event >= 0) {
        PyTypeObject *type = (PyTypeObject *)EventType;
        ev = type->tp_alloc(type, 0);
        if (ev == NULL) {
            Py_DECREF(data);
            Py_DECREF(off);
            return -1;
        }
        char *base = (char *)ev;
        *(PyObject **)(base + off_event) = Py_NewRef(name);
        *(PyObject **)(base + off_data) = data;
        *(PyObject **)(base + off_id) = Py_NewRef(id);
        *(PyObject **)(base + off_retry) = Py_NewRef(retry);
        *(PyObject **)(base + off_offset) = off;
    }
    else {
        PyObject *args[5] = {name, data, id, retry, off};
        ev = PyObject_Vectorcall(EventType, args, 5, NULL);
        Py_DECREF(data);
        Py_DECREF(off);
        if (ev == NULL) {
            return -1;
        }
    }
    int rc = PyList_Append(events, ev);
    Py_DECREF(ev);
    return rc;
}

/* -- names ------------------------------------------------------------------------ */

/* The event name for raw bytes: from the cache, or decoded (and kept when short). New ref. */
static PyObject *
name_of(Decoder *d, const char *raw, Py_ssize_t n)
{
    PyObject *key = PyBytes_FromStringAndSize(raw, n);
    if (key == NULL) {
        return NULL;
    }
    PyObject *name = PyDict_GetItemWithError(d->names, key);
    if (name != NULL) {
        Py_DECREF(key);
        return Py_NewRef(name);
    }
    if (PyErr_Occurred()) {
        Py_DECREF(key);
        return NULL;
    }
    name = PyUnicode_DecodeUTF8(raw, n, "replace");
    if (name != NULL && PyDict_GET_SIZE(d->names) < NAME_CACHE_SIZE && n <= NAME_CACHE_MAX_LEN &&
        PyDict_SetItem(d->names, key, name) < 0) {
        Py_CLEAR(name);
    }
    Py_DECREF(key);
    return name;
}

static int
set_same(Decoder *d, const char *line, Py_ssize_t n, PyObject *name /* borrowed */)
{
    if (n > d->samecap) {
        char *s = PyMem_Realloc(d->same, (size_t)n);
        if (s == NULL) {
            PyErr_NoMemory();
            return -1;
        }
        d->same = s;
        d->samecap = n;
    }
    memcpy(d->same, line, (size_t)n);
    d->samelen = n;
    Py_INCREF(name);
    Py_XSETREF(d->same_name, name);
    return 0;
}

/* -- data and dispatch ------------------------------------------------------------- */

static int
append_data(Decoder *d, PyObject *owner, Py_ssize_t start, Py_ssize_t len)
{
    d->in_event = 1;
    if (d->nparts == d->cparts) {
        Py_ssize_t cap = d->cparts ? d->cparts * 2 : 4;
        Part *p = PyMem_Realloc(d->parts, (size_t)cap * sizeof(Part));
        if (p == NULL) {
            PyErr_NoMemory();
            return -1;
        }
        d->parts = p;
        d->cparts = cap;
    }
    Part *part = &d->parts[d->nparts++];
    part->owner = Py_NewRef(owner);
    part->start = start;
    part->len = len;
    part->view = 1;
    d->data_size += len + 1;
    if (d->data_size > d->max) {
        raise_error(EventTooLargeType,
                    PyUnicode_FromFormat("event data exceeds max_event_size=%S", d->max_obj),
                    d->offset, excerpt_of(PyBytes_AS_STRING(owner) + start, len));
        return -1;
    }
    return 0;
}

/* A blank line: dispatch the pending event, if it has data. */
static int
dispatch(Decoder *d, PyObject *events)
{
    if (d->last_event_id != d->id_buffer) {
        Py_INCREF(d->id_buffer);
        Py_SETREF(d->last_event_id, d->id_buffer);
    }
    d->in_event = 0;
    if (d->nparts == 0) {
        Py_CLEAR(d->event);
        Py_CLEAR(d->event_retry);
        return 0;
    }
    PyObject *data;
    if (d->nparts == 1) {
        Part *p = &d->parts[0];
        data = p->view ? view_of(d, p->owner, p->start, p->len) : Py_NewRef(p->owner);
    }
    else {
        Py_ssize_t size = d->nparts - 1;
        for (Py_ssize_t i = 0; i < d->nparts; i++) {
            size += d->parts[i].len;
        }
        data = PyBytes_FromStringAndSize(NULL, size);
        if (data != NULL) {
            char *out = PyBytes_AS_STRING(data);
            for (Py_ssize_t i = 0; i < d->nparts; i++) {
                Part *p = &d->parts[i];
                if (i) {
                    *out++ = LF;
                }
                memcpy(out, PyBytes_AS_STRING(p->owner) + p->start, (size_t)p->len);
                out += p->len;
            }
        }
    }
    int rc = emit(events, d->event ? d->event : str_message, data, d->last_event_id,
                  d->event_retry, d->block_start);
    parts_clear(d);
    d->data_size = 0;
    Py_CLEAR(d->event);
    Py_CLEAR(d->event_retry);
    return rc;
}

static int
too_large(Decoder *d, Py_ssize_t offset)
{
    raise_error(EventTooLargeType,
                PyUnicode_FromFormat("unfinished event exceeds max_event_size=%S", d->max_obj),
                offset, excerpt_of(d->tail, d->tlen));
    PyObject *exc = take_exception();
    if (exc == NULL) {
        return -1;
    }
    PyObject *refusal =
        PyUnicode_FromFormat("decoder refuses input after an earlier error: %S", exc);
    if (refusal != NULL) {
        Py_XSETREF(d->refusal, refusal);
    }
    PyErr_SetObject((PyObject *)Py_TYPE(exc), exc);
    Py_DECREF(exc);
    return -1;
}

/* End of a chunk: copy pending data out of it and enforce the size bound. */
static int
detach(Decoder *d, Py_ssize_t offset)
{
    for (Py_ssize_t i = 0; i < d->nparts; i++) {
        Part *p = &d->parts[i];
        if (!p->view) {
            continue;
        }
        if (p->start != 0 || p->len != PyBytes_GET_SIZE(p->owner)) {
            PyObject *copy =
                PyBytes_FromStringAndSize(PyBytes_AS_STRING(p->owner) + p->start, p->len);
            if (copy == NULL) {
                return -1;
            }
            Py_SETREF(p->owner, copy);
            p->start = 0;
        }
        p->view = 0;
    }
    if (d->tlen + d->data_size > d->max) {
        return too_large(d, offset);
    }
    d->room = d->deferred ? d->defer_limit : d->max - d->data_size;
    return 0;
}

/* -- lines ---------------------------------------------------------------------------- */

static int
field(Decoder *d, PyObject *bufobj, const char *name, Py_ssize_t nlen, Py_ssize_t start,
      Py_ssize_t end)
{
    const char *b = PyBytes_AS_STRING(bufobj);
    const char *raw = b + start;
    Py_ssize_t rlen = end - start;
    if (nlen == 5 && memcmp(name, "event", 5) == 0) {
        d->in_event = 1;
        PyObject *value = name_of(d, raw, rlen);
        if (value == NULL) {
            return -1;
        }
        Py_XSETREF(d->event, value);
    }
    else if (nlen == 4 && memcmp(name, "data", 4) == 0) {
        return append_data(d, bufobj, start, rlen);
    }
    else if (nlen == 2 && memcmp(name, "id", 2) == 0) {
        d->in_event = 1;
        if (memchr(raw, 0, (size_t)rlen) == NULL) {
            PyObject *value = PyUnicode_DecodeUTF8(raw, rlen, "replace");
            if (value == NULL) {
                return -1;
            }
            Py_SETREF(d->id_buffer, value);
        }
    }
    else if (nlen == 5 && memcmp(name, "retry", 5) == 0) {
        d->in_event = 1;
        if (rlen == 0) {
            return 0;
        }
        for (Py_ssize_t i = 0; i < rlen; i++) {
            if (raw[i] < '0' || raw[i] > '9') {
                return 0; /* bytes.isdigit() accepts ASCII digits only */
            }
        }
        PyObject *value;
        if (rlen <= 18) {
            long long v = 0;
            for (Py_ssize_t i = 0; i < rlen; i++) {
                v = v * 10 + (raw[i] - '0');
            }
            value = PyLong_FromLongLong(v);
        }
        else {
            PyObject *text = PyBytes_FromStringAndSize(raw, rlen); /* NUL-terminated */
            if (text == NULL) {
                return -1;
            }
            value = PyLong_FromString(PyBytes_AS_STRING(text), NULL, 10);
            Py_DECREF(text);
            if (value == NULL && PyErr_ExceptionMatches(PyExc_ValueError)) {
                PyErr_Clear(); /* longer than int() accepts from text */
                return 0;
            }
        }
        if (value == NULL) {
            return -1;
        }
        Py_INCREF(value);
        Py_SETREF(d->retry, value);
        Py_XSETREF(d->event_retry, value);
    }
    else {
        d->in_event = 1; /* an unknown field: ignored, but inside an event */
    }
    return 0;
}

/* One non-blank line buf[start:end]; buf starts at stream offset base. */
static int
line_(Decoder *d, PyObject *bufobj, Py_ssize_t start, Py_ssize_t end, Py_ssize_t base)
{
    const char *b = PyBytes_AS_STRING(bufobj);
    char first = b[start];
    if (first == ':') {
        return 0; /* a comment */
    }
    if (!d->in_event) {
        d->block_start = base + start;
    }
    if (first == 'd' && end - start >= 4 && memcmp(b + start, "data", 4) == 0) {
        Py_ssize_t vstart = start + 4;
        if (vstart == end) {
            return append_data(d, bufobj, vstart, 0);
        }
        if (b[vstart] == ':') {
            vstart++;
            if (vstart < end && b[vstart] == ' ') {
                vstart++;
            }
            return append_data(d, bufobj, vstart, end - vstart);
        }
    }
    Py_ssize_t colon = find_c(b, start, end, ':');
    Py_ssize_t vstart;
    Py_ssize_t nlen;
    if (colon < 0) {
        nlen = end - start;
        vstart = end;
    }
    else {
        nlen = colon - start;
        vstart = colon + 1;
        if (vstart < end && b[vstart] == ' ') {
            vstart++;
        }
    }
    return field(d, bufobj, b + start, nlen, vstart, end);
}

/* The fast path: lines ended by LF only.  Returns the start of the unfinished line. */
static Py_ssize_t
lines_lf(Decoder *d, PyObject *chunk, Py_ssize_t pos, PyObject *events, Py_ssize_t base,
         int defer)
{
    const char *b = PyBytes_AS_STRING(chunk);
    Py_ssize_t end = PyBytes_GET_SIZE(chunk);
    PyObject *last_id = d->last_event_id; /* borrowed: only dispatch replaces it */
    int clean = !d->in_event;
    Py_ssize_t term = -1; /* the next blank line (end if none) once looked for */
    Py_ssize_t eol;
    for (;;) {
        if (clean) {
            PyObject *name;
            Py_ssize_t nxt;
            if (starts(b, end, pos, d->same, d->samelen)) {
                name = d->same_name;
                nxt = pos + d->samelen;
            }
            else if (starts(b, end, pos, "event: ", 7)) {
                nxt = find_c(b, pos, end, LF) + 1;
                if (!nxt) {
                    break;
                }
                PyObject *value = name_of(d, b + pos + 7, nxt - 1 - (pos + 7));
                if (value == NULL) {
                    return ERR;
                }
                int rc = set_same(d, b + pos, nxt - pos, value);
                Py_DECREF(value);
                if (rc < 0) {
                    return ERR;
                }
                name = d->same_name;
            }
            else {
                name = str_message;
                nxt = pos;
            }
            if (starts(b, end, nxt, "data: ", 6)) {
                eol = find_c(b, nxt + 6, end, LF);
                if (0 < eol && eol < end - 1 && b[eol + 1] == LF) {
                    if (emit(events, name, view_of(d, chunk, nxt + 6, eol - (nxt + 6)), last_id,
                             NULL, base + pos) < 0) {
                        return ERR;
                    }
                    pos = eol + 2;
                    continue;
                }
            }
        }
        eol = find_c(b, pos, end, LF);
        if (eol < 0) {
            break;
        }
        if (clean && defer && eol > pos) {
            if (term < eol) {
                term = find_s(b, eol, end, "\n\n", 2);
                if (term < 0) {
                    term = end;
                }
            }
            if (term == end) {
                defer = 0; /* whatever happens, decided for this chunk */
                if (end - pos <= d->defer_limit && find_s(b, pos, end, "retry", 5) < 0) {
                    d->deferred = 1;
                    break;
                }
            }
        }
        if (eol == pos) {
            if (dispatch(d, events) < 0) {
                return ERR;
            }
            last_id = d->last_event_id;
            /* More blank lines dispatch nothing and change nothing: skip them. */
            while (eol + 1 < end && b[eol + 1] == LF) {
                eol++;
            }
        }
        else if (line_(d, chunk, pos, eol, base) < 0) {
            return ERR;
        }
        clean = !d->in_event;
        pos = eol + 1;
    }
    return pos;
}

/* Lines ended by CRLF, LF or CR.  Returns the start of the unfinished line. */
static Py_ssize_t
lines_any(Decoder *d, PyObject *chunk, Py_ssize_t pos, PyObject *events, Py_ssize_t base)
{
    const char *b = PyBytes_AS_STRING(chunk);
    Py_ssize_t end = PyBytes_GET_SIZE(chunk);
    Py_ssize_t cr = find_c(b, pos, end, CR);
    Py_ssize_t lf = find_c(b, pos, end, LF);
    while (cr >= 0 || lf >= 0) {
        Py_ssize_t eol, nxt;
        if (cr >= 0 && (lf < 0 || cr < lf)) {
            eol = cr;
            if (cr + 1 == end) {
                nxt = end;
                d->skip_lf = 1;
            }
            else if (b[cr + 1] == LF) {
                nxt = cr + 2;
                lf = find_c(b, nxt, end, LF);
            }
            else {
                nxt = cr + 1;
            }
            cr = find_c(b, nxt, end, CR);
        }
        else {
            eol = lf;
            nxt = lf + 1;
            lf = find_c(b, nxt, end, LF);
        }
        if (eol == pos) {
            if (dispatch(d, events) < 0) {
                return ERR;
            }
        }
        else if (line_(d, chunk, pos, eol, base) < 0) {
            return ERR;
        }
        pos = nxt;
    }
    return pos;
}

/* -- chunks ------------------------------------------------------------------------------ */

/* Parse the lines deferred in the tail, which ends at stream offset end. */
static int
flush(Decoder *d, PyObject *events, Py_ssize_t end)
{
    PyObject *block = PyBytes_FromStringAndSize(d->tlen ? d->tail : empty_buf, d->tlen);
    if (block == NULL) {
        return -1;
    }
    tail_clear(d);
    d->deferred = 0;
    Py_ssize_t n = PyBytes_GET_SIZE(block);
    Py_ssize_t rest = lines_lf(d, block, 0, events, end - n, 0);
    int rc = rest == ERR ? -1 : tail_add(d, PyBytes_AS_STRING(block) + rest, n - rest);
    Py_DECREF(block);
    return rc;
}

/* Complete the line held in the tail; return where parsing resumes, -1 if not yet. */
static Py_ssize_t
finish_tail(Decoder *d, PyObject *chunk, Py_ssize_t pos, Py_ssize_t base, PyObject *events)
{
    const char *b = PyBytes_AS_STRING(chunk);
    Py_ssize_t end = PyBytes_GET_SIZE(chunk);
    Py_ssize_t lf = find_c(b, pos, end, LF);
    Py_ssize_t cr = find_c(b, pos, lf >= 0 ? lf : end, CR);
    Py_ssize_t eol = cr >= 0 ? cr : lf;
    if (eol < 0) {
        if (tail_add(d, b + pos, end - pos) < 0 || detach(d, base + end) < 0) {
            return ERR;
        }
        return -1;
    }
    Py_ssize_t start = base + pos - d->tlen;
    if (tail_add(d, b + pos, eol - pos) < 0) {
        return ERR;
    }
    PyObject *line = PyBytes_FromStringAndSize(d->tail, d->tlen);
    if (line == NULL) {
        return ERR;
    }
    tail_clear(d);
    int rc = line_(d, line, 0, PyBytes_GET_SIZE(line), start);
    Py_DECREF(line);
    if (rc < 0) {
        return ERR;
    }
    (void)events;
    if (eol == cr) {
        if (eol + 1 == end) {
            d->skip_lf = 1;
        }
        else if (b[eol + 1] == LF) {
            return eol + 2;
        }
    }
    return eol + 1;
}

/* Parse chunk[pos:], in any state: the general path. */
static int
feed_general(Decoder *d, PyObject *chunk, Py_ssize_t pos, Py_ssize_t base, PyObject *events)
{
    const char *b = PyBytes_AS_STRING(chunk);
    Py_ssize_t end = PyBytes_GET_SIZE(chunk);
    if (d->skip_lf) {
        d->skip_lf = 0;
        if (pos < end && b[pos] == LF) {
            pos++;
            if (pos == end) {
                return 0;
            }
        }
    }
    if (d->tlen) {
        if (d->deferred && flush(d, events, base + pos) < 0) {
            return -1;
        }
        if (d->tlen) {
            pos = finish_tail(d, chunk, pos, base, events);
            if (pos == ERR) {
                return -1;
            }
            if (pos < 0) {
                return 0;
            }
        }
    }
    if (find_c(b, pos, end, CR) < 0) {
        pos = lines_lf(d, chunk, pos, events, base, 1);
    }
    else {
        pos = lines_any(d, chunk, pos, events, base);
    }
    if (pos == ERR) {
        return -1;
    }
    if (pos < end && tail_add(d, b + pos, end - pos) < 0) {
        return -1;
    }
    return detach(d, base + pos);
}

static int
retry_across(Decoder *d, const char *b, Py_ssize_t n)
{
    char buf[8];
    Py_ssize_t k = d->tlen < 4 ? d->tlen : 4;
    memcpy(buf, d->tail + d->tlen - k, (size_t)k);
    Py_ssize_t m = n < 4 ? n : 4;
    memcpy(buf + k, b, (size_t)m);
    return find_s(buf, 0, k + m, "retry", 5) >= 0;
}

/* Continue the tail with chunk, which has an LF but no CR.  Returns where the general
 * path resumes parsing chunk, -1 when the whole chunk was dealt with, ERR on error. */
static Py_ssize_t
resume(Decoder *d, PyObject *chunk, PyObject *events, Py_ssize_t base)
{
    const char *b = PyBytes_AS_STRING(chunk);
    Py_ssize_t end = PyBytes_GET_SIZE(chunk);
    Py_ssize_t limit = d->defer_limit;
    if (find_c(b, 0, end < 4 ? end : 4, 'y') >= 0 && retry_across(d, b, end)) {
        return flush(d, events, base) < 0 ? ERR : 0; /* a retry line began in the tail */
    }
    Py_ssize_t split;
    if (b[0] == LF && d->tail[d->tlen - 1] == LF) {
        split = 1;
    }
    else {
        split = find_s(b, 0, end, "\n\n", 2) + 2;
        if (split == 1) {
            Py_ssize_t room = limit - d->data_size;
            if (d->tlen + end <= room && find_s(b, 0, end, "retry", 5) < 0) {
                if (tail_add(d, b, end) < 0) {
                    return ERR;
                }
                d->deferred = 1;
                d->room = room;
                return -1;
            }
            return flush(d, events, base) < 0 ? ERR : 0;
        }
    }
    PyObject *block = PyBytes_FromStringAndSize(NULL, d->tlen + split);
    if (block == NULL) {
        return ERR;
    }
    char *bb = PyBytes_AS_STRING(block);
    memcpy(bb, d->tail, (size_t)d->tlen);
    memcpy(bb + d->tlen, b, (size_t)split);
    Py_ssize_t start = base - d->tlen;
    tail_clear(d);
    /* The block is whole: try the usual shape before the general path. */
    Py_ssize_t n = d->samelen;
    Py_ssize_t blen = PyBytes_GET_SIZE(block);
    Py_ssize_t last = blen - 2;
    int rc;
    if (d->in_event) {
        rc = lines_lf(d, block, 0, events, start, 0) == ERR ? -1 : 0;
    }
    else if (starts(bb, blen, 0, d->same, n) && starts(bb, blen, n, "data: ", 6) &&
             find_c(bb, n + 6, blen, LF) == last) {
        rc = emit(events, d->same_name, view_of(d, block, n + 6, last - (n + 6)),
                  d->last_event_id, NULL, start);
    }
    else if (starts(bb, blen, 0, "data: ", 6) && find_c(bb, 6, blen, LF) == last) {
        rc = emit(events, str_message, view_of(d, block, 6, last - 6), d->last_event_id, NULL,
                  start);
    }
    else {
        rc = lines_lf(d, block, 0, events, start, 0) == ERR ? -1 : 0;
    }
    Py_DECREF(block);
    if (rc < 0) {
        return ERR;
    }
    if (split == end) {
        d->deferred = 0;
        d->room = d->max;
        return -1;
    }
    if (end - split <= limit && find_s(b, split, end, "\n\n", 2) < 0 &&
        find_s(b, split, end, "retry", 5) < 0) {
        if (tail_add(d, b + split, end - split) < 0) {
            return ERR;
        }
        d->deferred = 1;
        d->room = limit;
        return -1;
    }
    d->deferred = 0;
    return split;
}

/* Drop one UTF-8 BOM at the start of the stream, even when split.  Replaces *chunk
 * (a new reference) with what remains and *base with its stream offset. */
static int
strip_bom(Decoder *d, PyObject **chunk, Py_ssize_t *base)
{
    static const char bom[3] = {'\xef', '\xbb', '\xbf'};
    PyObject *held;
    Py_ssize_t n = PyBytes_GET_SIZE(*chunk);
    if (d->slen) {
        held = PyBytes_FromStringAndSize(NULL, d->slen + n);
        if (held == NULL) {
            return -1;
        }
        memcpy(PyBytes_AS_STRING(held), d->start, (size_t)d->slen);
        memcpy(PyBytes_AS_STRING(held) + d->slen, PyBytes_AS_STRING(*chunk), (size_t)n);
    }
    else {
        held = Py_NewRef(*chunk);
    }
    const char *h = PyBytes_AS_STRING(held);
    Py_ssize_t hn = PyBytes_GET_SIZE(held);
    if (hn < 3 && memcmp(bom, h, (size_t)hn) == 0) {
        memcpy(d->start, h, (size_t)hn);
        d->slen = hn;
        Py_DECREF(held);
        *base = d->offset;
        Py_SETREF(*chunk, Py_NewRef(bytes_empty));
        return 0;
    }
    d->at_start = 0;
    d->slen = 0;
    *base = d->offset - hn;
    if (hn >= 3 && memcmp(h, bom, 3) == 0) {
        PyObject *rest = PyBytes_FromStringAndSize(h + 3, hn - 3);
        Py_DECREF(held);
        if (rest == NULL) {
            return -1;
        }
        *base += 3;
        Py_SETREF(*chunk, rest);
        return 0;
    }
    Py_SETREF(*chunk, held);
    return 0;
}

static int
feed_chunk(Decoder *d, PyObject **chunk, Py_ssize_t base, PyObject *events)
{
    const char *b = PyBytes_AS_STRING(*chunk);
    Py_ssize_t n = PyBytes_GET_SIZE(*chunk);
    if (d->tlen && find_c(b, 0, n, CR) < 0) {
        /* The paths for small chunks: the middle of a line, or the end of a deferred block. */
        if (find_c(b, 0, n, LF) < 0) {
            if (d->tlen + n <= d->room) {
                return tail_add(d, b, n);
            }
        }
        else {
            Py_ssize_t pos = resume(d, *chunk, events, base);
            if (pos == ERR) {
                return -1;
            }
            if (pos >= 0) {
                return feed_general(d, *chunk, pos, base, events);
            }
            return 0;
        }
    }
    if (n == 0) {
        return 0;
    }
    if (d->at_start) {
        if (strip_bom(d, chunk, &base) < 0) {
            return -1;
        }
        if (PyBytes_GET_SIZE(*chunk) == 0) {
            return 0;
        }
    }
    return feed_general(d, *chunk, 0, base, events);
}

/* -- the type ------------------------------------------------------------------------- */

static int
raise_pending(Decoder *d)
{
    PyObject *pending = d->pending;
    if (pending == NULL) {
        return 0;
    }
    d->pending = NULL;
    PyErr_SetObject((PyObject *)Py_TYPE(pending), pending);
    Py_DECREF(pending);
    return -1;
}

/* Misuse that would otherwise touch a half-made decoder: RuntimeError. */
static int
unusable(Decoder *d)
{
    if (EventType == NULL) {
        PyErr_SetString(PyExc_RuntimeError, "streamkit._csse.setup() was not called");
        return -1;
    }
    if (d->names == NULL) {
        PyErr_SetString(PyExc_RuntimeError, "SSEDecoder.__init__() was not called");
        return -1;
    }
    if (d->busy) {
        PyErr_SetString(PyExc_RuntimeError, "SSEDecoder is already parsing a chunk");
        return -1;
    }
    return 0;
}

static PyObject *feed_checked(Decoder *d, PyObject *chunk);

/* A chunk that is not exactly bytes, as bytes: any bytes-like object, or one with __bytes__,
   but not a str or an int (bytes(5) would be five NULs); anything else is a TypeError, with
   the pure decoder's message. */
static PyObject *
as_bytes(PyObject *arg)
{
    if (!PyUnicode_Check(arg) && !PyLong_Check(arg)) {
        int says_how = PyObject_HasAttrString((PyObject *)Py_TYPE(arg), "__bytes__");
        if (says_how || PyObject_CheckBuffer(arg)) {
            return PyObject_CallOneArg((PyObject *)&PyBytes_Type, arg);
        }
    }
    PyObject *name = PyType_GetName(Py_TYPE(arg));
    if (name != NULL) {
        PyErr_Format(PyExc_TypeError,
                     "a chunk must be bytes-like (bytes, bytearray, memoryview), not %U", name);
        Py_DECREF(name);
    }
    return NULL;
}

static PyObject *
Decoder_feed(Decoder *d, PyObject *arg)
{
    if (unusable(d) < 0) {
        return NULL;
    }
    if (d->refusal != NULL) {
        if (raise_pending(d) < 0) {
            return NULL;
        }
        if (d->closed) {
            PyErr_SetString(PyExc_RuntimeError,
                            "feed() after close(): the decoder takes no more input");
            return NULL;
        }
        raise_error(StreamErrorType, Py_NewRef(d->refusal), d->offset, NULL);
        return NULL;
    }
    PyObject *chunk;
    if (PyBytes_CheckExact(arg)) {
        chunk = Py_NewRef(arg);
    }
    else {
        chunk = as_bytes(arg);
        if (chunk == NULL) {
            return NULL;
        }
    }
    d->busy = 1;
    PyObject *out = feed_checked(d, chunk); /* steals chunk */
    d->busy = 0;
    return out;
}

static PyObject *
feed_checked(Decoder *d, PyObject *chunk)
{
    Py_ssize_t base = d->offset;
    d->offset = base + PyBytes_GET_SIZE(chunk);
    PyObject *events = PyList_New(0);
    if (events == NULL) {
        Py_DECREF(chunk);
        return NULL;
    }
    int rc = feed_chunk(d, &chunk, base, events);
    views_release(d);
    Py_DECREF(chunk);
    if (rc == 0) {
        return events;
    }
    if (!PyErr_ExceptionMatches(StreamErrorType)) {
        Py_DECREF(events);
        return NULL;
    }
    PyObject *exc = take_exception();
    PyObject *refusal =
        PyUnicode_FromFormat("decoder refuses input after an earlier error: %S", exc);
    if (refusal == NULL) {
        Py_DECREF(exc);
        Py_DECREF(events);
        return NULL;
    }
    Py_XSETREF(d->refusal, refusal);
    if (PyList_GET_SIZE(events) == 0) {
        PyErr_SetObject((PyObject *)Py_TYPE(exc), exc);
        Py_DECREF(exc);
        Py_DECREF(events);
        return NULL;
    }
    Py_XSETREF(d->pending, exc);
    return events;
}

static PyObject *
Decoder_close(Decoder *d, PyObject *Py_UNUSED(ignored))
{
    if (unusable(d) < 0) {
        return NULL;
    }
    if (d->refusal != NULL) {
        if (raise_pending(d) < 0) {
            return NULL;
        }
        return PyList_New(0);
    }
    d->refusal = PyUnicode_FromString("decoder refuses input after close()");
    if (d->refusal == NULL) {
        return NULL;
    }
    d->closed = 1;
    if (d->deferred) {
        /* No event: deferred bytes hold no blank line. */
        PyObject *sink = PyList_New(0);
        if (sink == NULL) {
            return NULL;
        }
        d->busy = 1;
        int rc = flush(d, sink, d->offset);
        d->busy = 0;
        views_release(d);
        Py_DECREF(sink);
        if (rc < 0) {
            return NULL;
        }
    }
    int truncated = d->tlen || d->slen || d->in_event;
    Py_SETREF(d->truncated, Py_NewRef(truncated ? Py_True : Py_False));
    d->tlen = 0;
    PyMem_Free(d->tail);
    d->tail = NULL;
    d->tcap = 0;
    parts_clear(d);
    return PyList_New(0);
}

static void
Decoder_clear_state(Decoder *d)
{
    Py_CLEAR(d->last_event_id);
    Py_CLEAR(d->retry);
    Py_CLEAR(d->truncated);
    Py_CLEAR(d->max_obj);
    Py_CLEAR(d->id_buffer);
    Py_CLEAR(d->event);
    Py_CLEAR(d->event_retry);
    parts_clear(d);
    Py_CLEAR(d->refusal);
    Py_CLEAR(d->pending);
    Py_CLEAR(d->names);
    Py_CLEAR(d->same_name);
    views_release(d);
}

static int
Decoder_traverse(Decoder *d, visitproc visit, void *arg)
{
    Py_VISIT(d->last_event_id);
    Py_VISIT(d->retry);
    Py_VISIT(d->truncated);
    Py_VISIT(d->max_obj);
    Py_VISIT(d->id_buffer);
    Py_VISIT(d->event);
    Py_VISIT(d->event_retry);
    for (Py_ssize_t i = 0; i < d->nparts; i++) {
        Py_VISIT(d->parts[i].owner);
    }
    Py_VISIT(d->refusal);
    Py_VISIT(d->pending);
    Py_VISIT(d->names);
    Py_VISIT(d->same_name);
    Py_VISIT(d->mv_owner);
    Py_VISIT(d->mv_base);
    return 0;
}

static int
Decoder_tp_clear(Decoder *d)
{
    Decoder_clear_state(d);
    return 0;
}

static void
Decoder_dealloc(Decoder *d)
{
    PyTypeObject *type = Py_TYPE(d);
    PyObject_GC_UnTrack(d);
    Decoder_clear_state(d);
    PyMem_Free(d->parts);
    PyMem_Free(d->tail);
    PyMem_Free(d->same);
    type->tp_free((PyObject *)d); /* a heap subclass's dealloc drops its type reference */
}

static Py_ssize_t
bound_of(PyObject *value)
{
    /* The bound as a count of bytes: every quantity compared with it is an integer. */
    if (PyFloat_Check(value)) {
        double v = PyFloat_AS_DOUBLE(value);
        if (v != v) {
            PyErr_SetString(PyExc_ValueError, "max_event_size must be a number of bytes");
            return -1;
        }
        if (v >= (double)PY_SSIZE_T_MAX) {
            return PY_SSIZE_T_MAX;
        }
        return (Py_ssize_t)v; /* v >= 1 here: truncation is floor */
    }
    PyObject *index = PyNumber_Index(value);
    if (index == NULL) {
        return -1;
    }
    Py_ssize_t n = PyLong_AsSsize_t(index);
    Py_DECREF(index);
    if (n == -1 && PyErr_Occurred()) {
        if (!PyErr_ExceptionMatches(PyExc_OverflowError)) {
            return -1;
        }
        PyErr_Clear();
        return PY_SSIZE_T_MAX; /* no event can hold more */
    }
    return n;
}

static int
Decoder_init(Decoder *d, PyObject *args, PyObject *kwargs)
{
    static char *kwlist[] = {"max_event_size", NULL};
    if (d->busy) {
        PyErr_SetString(PyExc_RuntimeError, "SSEDecoder is already parsing a chunk");
        return -1;
    }
    PyObject *max_obj = NULL;
    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "|$O:SSEDecoder", kwlist, &max_obj)) {
        return -1;
    }
    if (max_obj == NULL) {
        max_obj = PyLong_FromSsize_t(16 * 1024 * 1024);
        if (max_obj == NULL) {
            return -1;
        }
    }
    else {
        Py_INCREF(max_obj);
    }
    PyObject *one = PyLong_FromLong(1);
    int small = one ? PyObject_RichCompareBool(max_obj, one, Py_LT) : -1;
    Py_XDECREF(one);
    if (small != 0) {
        if (small > 0) {
            PyErr_SetString(PyExc_ValueError, "max_event_size must be positive");
        }
        Py_DECREF(max_obj);
        return -1;
    }
    Py_ssize_t max = bound_of(max_obj);
    if (max < 0) {
        Py_DECREF(max_obj);
        return -1;
    }
    PyObject *names = Py_BuildValue("{y#O y#O}", "", (Py_ssize_t)0, str_message, "message",
                                    (Py_ssize_t)7, str_message);
    if (names == NULL) {
        Py_DECREF(max_obj);
        return -1;
    }
    Decoder_clear_state(d);
    d->max_obj = max_obj;
    d->max = max;
    d->last_event_id = Py_NewRef(str_empty);
    d->retry = Py_NewRef(Py_None);
    d->truncated = Py_NewRef(Py_False);
    d->id_buffer = Py_NewRef(d->last_event_id);
    d->data_size = 0;
    d->in_event = 0;
    d->block_start = 0;
    d->tlen = 0;
    d->deferred = 0;
    d->defer_limit = max < DEFER_LIMIT ? max : DEFER_LIMIT;
    d->room = max;
    d->skip_lf = 0;
    d->at_start = 1;
    d->slen = 0;
    d->offset = 0;
    d->closed = 0;
    d->names = names;
    if (set_same(d, "event: \n", 8, str_message) < 0) {
        return -1;
    }
    return 0;
}

/* -- attributes ---------------------------------------------------------------------- */

static PyObject *
Decoder_get_offset(Decoder *d, void *Py_UNUSED(closure))
{
    return PyLong_FromSsize_t(d->offset);
}

static PyObject *
Decoder_get_tail(Decoder *d, void *Py_UNUSED(closure))
{
    return PyBytes_FromStringAndSize(d->tlen ? d->tail : empty_buf, d->tlen);
}

static PyObject *
Decoder_get_data_size(Decoder *d, void *Py_UNUSED(closure))
{
    return PyLong_FromSsize_t(d->data_size);
}

static PyObject *
part_value(Decoder *d, Part *p)
{
    if (!p->view) {
        return Py_NewRef(p->owner);
    }
    PyObject *mv = view_of(d, p->owner, p->start, p->len);
    views_release(d);
    return mv;
}

static PyObject *
Decoder_get_data(Decoder *d, void *Py_UNUSED(closure))
{
    if (d->busy) {
        PyErr_SetString(PyExc_RuntimeError, "SSEDecoder is already parsing a chunk");
        return NULL;
    }
    if (d->nparts == 0) {
        Py_RETURN_NONE;
    }
    if (d->nparts == 1) {
        return part_value(d, &d->parts[0]);
    }
    PyObject *list = PyList_New(d->nparts);
    if (list == NULL) {
        return NULL;
    }
    for (Py_ssize_t i = 0; i < d->nparts; i++) {
        PyObject *value = part_value(d, &d->parts[i]);
        if (value == NULL) {
            Py_DECREF(list);
            return NULL;
        }
        PyList_SET_ITEM(list, i, value);
    }
    return list;
}

/* The public attributes are plain values, writable as the pure decoder's slots are. */
static PyObject *
Decoder_get_slot(Decoder *d, void *closure)
{
    PyObject *value = *(PyObject **)((char *)d + (Py_ssize_t)closure);
    if (value == NULL) {
        PyErr_SetString(PyExc_AttributeError, "SSEDecoder.__init__() was not called");
        return NULL;
    }
    return Py_NewRef(value);
}

static int
Decoder_set_slot(Decoder *d, PyObject *value, void *closure)
{
    if (value == NULL) {
        PyErr_SetString(PyExc_AttributeError, "the decoder's attributes cannot be deleted");
        return -1;
    }
    if (d->busy) {
        PyErr_SetString(PyExc_RuntimeError, "SSEDecoder is already parsing a chunk");
        return -1;
    }
    PyObject **slot = (PyObject **)((char *)d + (Py_ssize_t)closure);
    Py_INCREF(value);
    Py_SETREF(*slot, value);
    return 0;
}

static PyGetSetDef Decoder_getset[] = {
    {"offset", (getter)Decoder_get_offset, NULL, "Bytes received so far.", NULL},
    {"last_event_id", (getter)Decoder_get_slot, (setter)Decoder_set_slot,
     "The last event ID string: updated at every blank line.",
     (void *)offsetof(Decoder, last_event_id)},
    {"retry", (getter)Decoder_get_slot, (setter)Decoder_set_slot,
     "The reconnection time in milliseconds from the last valid ``retry`` field.",
     (void *)offsetof(Decoder, retry)},
    {"truncated", (getter)Decoder_get_slot, (setter)Decoder_set_slot,
     "Set by :meth:`close` when the body ended inside an event or a line.",
     (void *)offsetof(Decoder, truncated)},
    {"_tail", (getter)Decoder_get_tail, NULL, "A copy of the unparsed tail (for tests).", NULL},
    {"_data", (getter)Decoder_get_data, NULL, "The pending data, as the pure decoder holds it.",
     NULL},
    {"_data_size", (getter)Decoder_get_data_size, NULL, "Bytes of pending data (for tests).",
     NULL},
    {NULL},
};

static PyMethodDef Decoder_methods[] = {
    {"feed", (PyCFunction)Decoder_feed, METH_O,
     "feed($self, chunk, /)\n--\n\n"
     "Parse the next chunk of the body; return the events it completed.\n\n"
     "When a chunk completes some events and then meets an error, the events\n"
     "are returned and the error is raised by the next call to :meth:`feed`\n"
     "or :meth:`close`, so that nothing before an error is lost."},
    {"close", (PyCFunction)Decoder_close, METH_NOARGS,
     "close($self, /)\n--\n\n"
     "End the body.\n\n"
     "Per the standard an event not yet ended by a blank line is discarded,\n"
     "so this returns no event; :attr:`truncated` then tells whether bytes\n"
     "of an unfinished event or line were dropped.  An error that the last\n"
     ":meth:`feed` held back (see there) is raised here."},
    {NULL},
};

static PyTypeObject DecoderType = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "streamkit._csse.Decoder",
    .tp_doc = "The compiled SSE decoder; use streamkit.SSEDecoder.",
    .tp_basicsize = sizeof(Decoder),
    .tp_flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_BASETYPE | Py_TPFLAGS_HAVE_GC,
    .tp_new = PyType_GenericNew,
    .tp_init = (initproc)Decoder_init,
    .tp_dealloc = (destructor)Decoder_dealloc,
    .tp_traverse = (traverseproc)Decoder_traverse,
    .tp_clear = (inquiry)Decoder_tp_clear,
    .tp_methods = Decoder_methods,
    .tp_getset = Decoder_getset,
};

/* -- setup ------------------------------------------------------------------------------ */

/* The offset of SSEEvent's slot *name*, or -1 if it is not a plain object slot of it. */
static Py_ssize_t
slot_offset(PyObject *type, const char *name)
{
    PyObject *descr = PyDict_GetItemString(((PyTypeObject *)type)->tp_dict, name);
    if (descr == NULL || !Py_IS_TYPE(descr, &PyMemberDescr_Type)) {
        return -1;
    }
    PyMemberDescrObject *member = (PyMemberDescrObject *)descr;
    if (member->d_common.d_type != (PyTypeObject *)type) {
        return -1;
    }
    PyMemberDef *def = member->d_member;
    if (def->type != T_OBJECT_EX || (def->flags & READONLY) || def->offset < (Py_ssize_t)sizeof(PyObject) ||
        def->offset + (Py_ssize_t)sizeof(PyObject *) > ((PyTypeObject *)type)->tp_basicsize) {
        return -1;
    }
    return def->offset;
}

static PyObject *
setup(PyObject *Py_UNUSED(module), PyObject *args)
{
    PyObject *event, *stream_error, *too_large, *excerpt;
    if (!PyArg_ParseTuple(args, "O!O!O!O:setup", &PyType_Type, &event, &PyType_Type,
                          &stream_error, &PyType_Type, &too_large, &excerpt)) {
        return NULL;
    }
    Py_XSETREF(EventType, Py_NewRef(event));
    Py_XSETREF(StreamErrorType, Py_NewRef(stream_error));
    Py_XSETREF(EventTooLargeType, Py_NewRef(too_large));
    Py_XSETREF(ExcerptFunc, Py_NewRef(excerpt));
    /* SSEEvent's slots ("_data", "event", "id", "offset", "retry"), filled directly when
     * the class is the plain slotted class it is meant to be. */
    PyTypeObject *type = (PyTypeObject *)event;
    off_event = slot_offset(event, "event");
    off_data = slot_offset(event, "_data");
    off_id = slot_offset(event, "id");
    off_retry = slot_offset(event, "retry");
    off_offset = slot_offset(event, "offset");
    if (off_event < 0 || off_data < 0 || off_id < 0 || off_retry < 0 || off_offset < 0 ||
        type->tp_dictoffset != 0 || type->tp_alloc != PyType_GenericAlloc) {
        off_event = -1;
    }
    return PyBool_FromLong(off_event >= 0);
}

static PyMethodDef module_methods[] = {
    {"setup", setup, METH_VARARGS,
     "setup(SSEEvent, StreamError, EventTooLarge, excerpt, /)\n--\n\n"
     "Give the decoder the classes it makes and raises; True when it fills SSEEvent's slots"
     " directly."},
    {NULL},
};

static struct PyModuleDef module_def = {
    PyModuleDef_HEAD_INIT,
    .m_name = "streamkit._csse",
    .m_doc = "The compiled SSE tokenizer behind streamkit.SSEDecoder (see streamkit/_sse.py).",
    .m_size = -1,
    .m_methods = module_methods,
};

PyMODINIT_FUNC
PyInit__csse(void)
{
    str_message = PyUnicode_InternFromString("message");
    str_empty = PyUnicode_FromStringAndSize("", 0);
    bytes_empty = PyBytes_FromStringAndSize("", 0);
    str_offset = PyUnicode_InternFromString("offset");
    str_excerpt = PyUnicode_InternFromString("excerpt");
    if (!str_message || !str_empty || !bytes_empty || !str_offset || !str_excerpt) {
        return NULL;
    }
    if (PyType_Ready(&DecoderType) < 0) {
        return NULL;
    }
    PyObject *module = PyModule_Create(&module_def);
    if (module == NULL) {
        return NULL;
    }
    Py_INCREF(&DecoderType);
    if (PyModule_AddObject(module, "Decoder", (PyObject *)&DecoderType) < 0) {
        Py_DECREF(&DecoderType);
        Py_DECREF(module);
        return NULL;
    }
    return module;
}
