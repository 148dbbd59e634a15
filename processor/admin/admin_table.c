/* admin_table.c — the labelled series table: open addressing over FNV-1a hashes of the
 * family and the label values, linear probing, kept at most half full. Series are never
 * removed, only zeroed or marked not present, so probing needs no tombstones, and a series
 * stays where it is until the table grows: the memo keeps pointers to them until then. */
#include "admin_table.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include "sy_hash.h"

/* The label values as one blob, each ended by '\0'; 0 when they do not fit. */
static size_t labels_pack(char *buf, const char *const *values, size_t n) {
    size_t len = 0;
    assert(n <= ADMIN_LABELS_MAX);
    for (size_t i = 0; i < n; i++) {
        const char *v = values[i] ? values[i] : "";
        size_t l = strlen(v);
        if (len + l + 1 > ADMIN_LABELS_BYTES_MAX)
            return 0;
        memcpy(buf + len, v, l + 1);
        len += l + 1;
    }
    return len;
}

static uint64_t series_hash(uint16_t family, const char *labels, size_t len) {
    uint64_t h = sy_hash_fnv1a64(SY_HASH_FNV64_OFFSET, &family, sizeof family);
    h = sy_hash_mix64(sy_hash_fnv1a64(h, labels, len));
    return h ? h : 1; /* 0 marks an empty slot */
}

static admin_series_t *slot_find(const admin_table_t *t, uint64_t h, uint16_t family,
                                 const char *labels, size_t len) {
    assert(t->cap && (t->cap & (t->cap - 1)) == 0);
    for (size_t i = h & (t->cap - 1);; i = (i + 1) & (t->cap - 1)) {
        admin_series_t *s = &t->slots[i];
        if (!s->hash || (s->hash == h && s->family == family && s->labels_len == len &&
                         memcmp(s->labels, labels, len) == 0))
            return s;
    }
}

/* The memo's key for (family, values): a hash of the value pointers (callers pass the same
 * ones for the same series; the labels behind them are compared by memo_matches). */
static uint64_t memo_key(uint16_t family, const char *const *values, size_t n) {
    const uint64_t k = 0x9e3779b97f4a7c15u; /* 2^64 over the golden ratio: spreads the bits */
    uint64_t h = ((uint64_t)family + 1) * k;
    assert(n <= ADMIN_LABELS_MAX);
    for (size_t i = 0; i < n; i++)
        h = (h ^ (uintptr_t)values[i]) * k;
    return h ? h : 1; /* 0 marks an empty entry */
}

/* The memo's entry of key: the one holding it, or the empty one where it goes (linear
 * probing; the memo is kept at most half full, so there is one). */
static admin_memo_t *memo_entry(const admin_table_t *t, uint64_t key) {
    assert(t->memo && t->memo_count < ADMIN_TABLE_MEMO);
    for (size_t i = key >> (64 - ADMIN_TABLE_MEMO_BITS);; i = (i + 1) % ADMIN_TABLE_MEMO)
        if (t->memo[i].key == key || !t->memo[i].key)
            return &t->memo[i];
}

/* Whether m holds the series (family, values): the same values, one by one. */
static bool memo_matches(const admin_memo_t *m, uint16_t family, const char *const *values,
                         size_t n) {
    const admin_series_t *s = m->series;
    assert(n <= ADMIN_LABELS_MAX);
    if (!s || s->family != family || m->n != n)
        return false;
    for (size_t i = 0; i < n; i++)
        if (strcmp(values[i] ? values[i] : "", s->labels + m->starts[i]) != 0)
            return false;
    return true;
}

/* Remember series s (of n label values) under key in t's memo, when it has room; s. */
static admin_series_t *memo_keep(admin_table_t *t, uint64_t key, admin_series_t *s, size_t n) {
    assert(s->hash && n <= ADMIN_LABELS_MAX);
    if (!t->memo)
        return s;
    admin_memo_t *m = memo_entry(t, key);
    if (!m->key && (t->memo_count + 1) * 2 > ADMIN_TABLE_MEMO) { /* full: start again */
        memset(t->memo, 0, ADMIN_TABLE_MEMO * sizeof *t->memo);
        t->memo_count = 0;
        m = memo_entry(t, key);
    }
    t->memo_count += !m->key;
    m->key = key;
    m->series = s;
    m->n = (uint8_t)n;
    for (size_t i = 0, at = 0; i < n; i++) {
        m->starts[i] = (uint16_t)at;
        at += strlen(s->labels + at) + 1;
    }
    return s;
}

static bool table_grow(admin_table_t *t) {
    size_t cap = t->cap ? 2 * t->cap : 64;
    admin_series_t *slots = calloc(cap, sizeof *slots);
    assert(cap > t->count * 2);
    if (!slots)
        return false;
    admin_table_t bigger = {.slots = slots, .cap = cap, .count = t->count};
    for (size_t i = 0; i < t->cap; i++) {
        const admin_series_t *s = &t->slots[i];
        if (s->hash)
            *slot_find(&bigger, s->hash, s->family, s->labels, s->labels_len) = *s;
    }
    free(t->slots);
    t->slots = slots;
    t->cap = cap;
    t->moved++;
    t->memo_count = 0;
    if (t->memo) /* its series have moved */
        memset(t->memo, 0, ADMIN_TABLE_MEMO * sizeof *t->memo);
    else
        t->memo = calloc(ADMIN_TABLE_MEMO, sizeof *t->memo); /* none: every series hashed */
    return true;
}

/* The series, created (value 0, not present) when missing; NULL when it cannot be. */
static admin_series_t *series_at(admin_table_t *t, uint16_t family, const char *const *values,
                                 size_t n) {
    char labels[ADMIN_LABELS_BYTES_MAX];
    uint64_t key = memo_key(family, values, n);
    if (t->memo) {
        const admin_memo_t *m = memo_entry(t, key);
        if (m->key && memo_matches(m, family, values, n))
            return m->series;
    }
    size_t len = labels_pack(labels, values, n);
    if (n && !len) {
        t->dropped++;
        return NULL;
    }
    uint64_t h = series_hash(family, labels, len);
    if (t->cap) {
        admin_series_t *s = slot_find(t, h, family, labels, len);
        if (s->hash)
            return memo_keep(t, key, s, n);
    }
    if (t->count >= ADMIN_TABLE_SERIES_MAX || ((t->count + 1) * 2 > t->cap && !table_grow(t))) {
        t->dropped++;
        return NULL;
    }
    admin_series_t *s = slot_find(t, h, family, labels, len);
    char *copy = malloc(len ? len : 1);
    if (!copy) {
        t->dropped++;
        return NULL;
    }
    memcpy(copy, labels, len);
    *s = (admin_series_t){.hash = h, .family = family, .labels_len = (uint16_t)len,
                          .labels = copy};
    t->count++;
    return memo_keep(t, key, s, n);
}

admin_series_t *admin_table_series(admin_table_t *t, uint16_t family,
                                   const char *const *values, size_t n) {
    assert(t && (values || !n));
    return series_at(t, family, values, n);
}

bool admin_table_add(admin_table_t *t, uint16_t family, const char *const *values, size_t n,
                     double delta) {
    assert(t && (values || !n));
    admin_series_t *s = series_at(t, family, values, n);
    if (!s)
        return false;
    admin_series_add(s, delta);
    return true;
}

bool admin_table_set(admin_table_t *t, uint16_t family, const char *const *values, size_t n,
                     double value) {
    assert(t && (values || !n));
    admin_series_t *s = series_at(t, family, values, n);
    if (!s)
        return false;
    s->value = value;
    s->present = true;
    return true;
}

const admin_series_t *admin_table_get(const admin_table_t *t, uint16_t family,
                                      const char *const *values, size_t n) {
    char labels[ADMIN_LABELS_BYTES_MAX];
    assert(t && (values || !n));
    size_t len = labels_pack(labels, values, n);
    if (!t->cap || (n && !len))
        return NULL;
    admin_series_t *s = slot_find(t, series_hash(family, labels, len), family, labels, len);
    return s->hash ? s : NULL;
}

/* Copy of src's series s in dst (same family and label blob), created when missing. */
static admin_series_t *series_like(admin_table_t *dst, const admin_series_t *s) {
    const char *values[ADMIN_LABELS_MAX];
    size_t n = 0;
    assert(s->hash);
    for (size_t at = 0; at < s->labels_len && n < ADMIN_LABELS_MAX; n++) {
        values[n] = s->labels + at;
        at += strlen(s->labels + at) + 1;
    }
    return series_at(dst, s->family, values, n);
}

void admin_table_merge(admin_table_t *dst, const admin_table_t *src) {
    assert(dst && src && dst != src);
    for (size_t i = 0; i < src->cap; i++) {
        const admin_series_t *s = &src->slots[i];
        if (!s->hash || !s->present)
            continue;
        admin_series_t *d = series_like(dst, s);
        if (d) {
            d->value += s->value;
            d->present = true;
        }
    }
}

void admin_table_assign(admin_table_t *dst, const admin_table_t *src) {
    assert(dst && src && dst != src);
    for (size_t i = 0; i < dst->cap; i++)
        dst->slots[i].present = false;
    for (size_t i = 0; i < src->cap; i++) {
        const admin_series_t *s = &src->slots[i];
        if (!s->hash || !s->present)
            continue;
        admin_series_t *d = series_like(dst, s);
        if (d) {
            d->value = s->value;
            d->present = true;
        }
    }
}

void admin_table_zero(admin_table_t *t) {
    assert(t);
    for (size_t i = 0; i < t->cap; i++) {
        t->slots[i].value = 0;
        t->slots[i].present = false;
    }
}

void admin_table_deinit(admin_table_t *t) {
    if (!t)
        return;
    for (size_t i = 0; i < t->cap; i++)
        free(t->slots[i].labels);
    free(t->slots);
    free(t->memo);
    *t = (admin_table_t){.moved = t->moved + 1}; /* series kept by callers are gone */
}

const char *admin_series_label(const admin_series_t *s, size_t i) {
    size_t at = 0;
    assert(s && i < ADMIN_LABELS_MAX);
    for (size_t k = 0; k < i && at < s->labels_len; k++)
        at += strlen(s->labels + at) + 1;
    return at < s->labels_len ? s->labels + at : "";
}
